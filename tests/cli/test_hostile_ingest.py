"""Hostile JSONL through `mobrief ingest` on both backends: no line, however built, costs a good record.

Each hostile line is skipped or cleaned with one line naming file, line and field (on the terminal too), the
rest of the batch is stored, and the run ends with what it could not use grouped by cause.
"""

from __future__ import annotations

import json
import math
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mobrief.cli import cli
from mobrief.item_limits import FULL_TEXT_KEY, clean_text
from mobrief.newsroom import ingest
from mobrief.settings import Settings
from mobrief.store import Store, open_store
from mobrief.store.schema import items, sources

WHEN = "2024-06-02T10:00:00+03:00"


def row(n: int, **extra: Any) -> dict[str, Any]:
    return {"source": "Тестовое издание", "external_id": f"r{n}", "published_at": WHEN, "text": f"Текст {n}.", **extra}


def line(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


HUGE_TEXT = ("Очень длинный текст про военкомат. " * 1_500_000)[: 50 * 2**20 // 2]  # 50 MB as UTF-8

DEEP = b"[" * 100_000 + b"]" * 100_000
DEEP_FIELD = b'{"source": "s", "published_at": "2024-06-02", "text": "x", "extra": ' + DEEP + b"}"
NAN_LINE = b'{"source": "s", "external_id": "nan", "published_at": "2024-06-02", "text": "x", "score": NaN}'
HOSTILE: list[tuple[bytes, str, str | None]] = [  # the line, what happens to it, the field named
    (b'{"source": "s", "external_id": "sur", "published_at": "2024-06-02", "text": "a\\ud800b"}', "cleaned", "text"),
    (DEEP, "skipped", None),
    (DEEP_FIELD, "skipped", None),
    (line(row(3, published_at="9999-12-31T23:59:59-23:59")), "skipped", "published_at"),
    (line(row(4, published_at="0001-01-01T00:00:00+05:00")), "skipped", "published_at"),
    (b'{"source": "s", "external_id": "nul", "published_at": "2024-06-02", "text": "a\\u0000b"}', "cleaned", "text"),
    (NAN_LINE, "cleaned", "score"),
    (line(row(7, text=HUGE_TEXT)), "cleaned", "text"),
    (b'{"source": "s", "published_at": "2024-06-02", "text": "\xff\xfe broken"}', "skipped", None),
    (b"[1, 2]", "skipped", None),
    (line(row(10, title=5)), "skipped", "title"),
    (line(row(11, links="https://example.test")), "skipped", "links"),
    (line(row(12, source="")), "skipped", "source"),
    (line(row(13, external_id="x" * 400)), "cleaned", "external_id"),
    (line(row(14, lang="english-language")), "cleaned", "lang"),
    (line(row(15, extra=json.loads("[" * 200 + "]" * 200))), "cleaned", "extra.0.0.0"),
    (b'{"source": "s", "published_at": "2024-06-02", "text": "unterminated', "skipped", None),
    (line(row(17, text="\x00")), "skipped", "text"),  # nothing left once NUL is removed
]


def write_hostile(path: Path) -> list[bytes]:
    lines = [line(row(0)), *(hostile for hostile, _, _ in HOSTILE), line(row(99))]
    path.write_bytes(b"\n".join(lines) + b"\n")
    return lines


def stored(db_url: str) -> dict[str, Any]:
    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(sources.c.name, items).join(sources)).all()
    engine.dispose()
    return {r.external_id: r for r in rows}


def test_every_hostile_line_is_skipped_or_cleaned_and_the_good_lines_stored(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "hostile.jsonl"
    write_hostile(path)
    result = CliRunner().invoke(cli, ["--db", db_url, "ingest", "jsonl", str(path)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    err = result.stderr
    for number, (_, what, field) in enumerate(HOSTILE, start=2):
        named = [text for text in err.splitlines() if text.startswith(f"{what} {path}:{number}")]
        assert len(named) >= 1, (number, err[:3000])
        if field is not None:
            assert any(f"[{field}" in text for text in named), (number, named)  # no markup ate the field
    assert "Traceback" not in err and "at at" not in err
    assert "Очень длинный" not in err  # no item text printed
    rows = stored(db_url)
    assert {"r0", "r99", "sur", "nul", "nan", "r7", "r14", "r15"} <= set(rows)
    assert len(rows) == 9  # the eight above and the long id, hashed
    assert rows["sur"].text == "a\ufffdb" and rows["nul"].text == "ab"
    assert rows["nan"].raw["score"] is None
    huge = rows["r7"]
    assert huge.truncated is True and len(huge.text) <= 200_000 and HUGE_TEXT.startswith(huge.text)
    assert huge.raw["text"] == HUGE_TEXT and FULL_TEXT_KEY not in huge.raw  # the line itself keeps the whole text
    assert rows["r14"].lang is None
    (long_id,) = [key for key in rows if key.startswith("sha256:")]
    assert rows[long_id].text == "Текст 13."
    out = result.stdout
    assert f"{path}: could not use 11 records:" in out
    assert "not JSON" in out and "nested too deeply" in out and "published_at out of range" in out
    assert f"{path}: stored after" in out


def test_the_summary_groups_causes_in_json_too_and_a_rerun_changes_nothing(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "hostile.jsonl"
    write_hostile(path)
    runner = CliRunner()
    first = runner.invoke(cli, ["--db", db_url, "ingest", "jsonl", str(path), "--json"], catch_exceptions=False)
    assert first.exit_code == 0, first.output
    report = json.loads(first.stdout)
    assert report["inserted"] == 9
    assert report["unusable"] == {
        "published_at out of range": 2,
        "nested too deeply": 2,
        "not JSON": 1,
        "not UTF-8": 1,
        "not a JSON object": 1,
        "a field of the wrong type": 2,
        "no source": 1,
        "no text": 1,
    }
    assert report["cleaned"]["text over the size limit: truncated"] == 1
    assert report["cleaned"]["NaN or infinity stored as null"] == 1
    assert sum(report["unusable"].values()) == report["skipped"] == len(report["bad_records"])
    before = stored(db_url)
    again = runner.invoke(cli, ["--db", db_url, "ingest", "jsonl", str(path), "--json"], catch_exceptions=False)
    assert json.loads(again.stdout)["unchanged"] == 9
    after = stored(db_url)
    assert {k: (v.text, v.content_hash) for k, v in after.items()} == {
        k: (v.text, v.content_hash) for k, v in before.items()
    }


def test_a_file_with_nothing_usable_exits_non_zero(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b"{oops\n[1]\n" + line(row(1, published_at="вчера")) + b"\n")
    result = CliRunner().invoke(cli, ["--db", db_url, "ingest", "jsonl", str(path)])
    assert result.exit_code == 1
    assert "nothing stored" in result.stderr


def test_a_first_line_cut_inside_an_array_of_objects_loses_no_line_after_it(db_url: str, tmp_path: Path) -> None:
    """`[{},{}` holds more objects than the one good line after it, but all of them on its own line: it is one
    bad line of a JSON Lines file, not an array spread over the file (Hypothesis found it)."""
    good = {"source": "cut first", "external_id": "g0", "published_at": WHEN, "text": "Повестки разносят по домам"}
    path = tmp_path / "cut.jsonl"
    path.write_bytes(b"[{},{}\n" + json.dumps(good).encode() + b"\n")
    store = open_store(db_url)
    try:
        report = ingest.ingest(store, "jsonl", str(path), settings=Settings())
        assert [i.external_id for i in store.items.page(source="cut first", limit=10)] == ["g0"]
        assert report.stored == 1
    finally:
        store.close()


def test_a_one_line_array_cut_short_keeps_its_whole_elements(sqlite_store: Store, tmp_path: Path) -> None:
    rows = [{"source": "cut array", "external_id": f"a{n}", "published_at": WHEN, "text": f"текст {n}"} for n in (1, 2)]
    path = tmp_path / "cut.json"
    path.write_bytes(json.dumps(rows).encode()[:-5])  # a download that stopped inside the last element
    ingest.ingest(sqlite_store, "jsonl", str(path), settings=Settings())
    assert [i.external_id for i in sqlite_store.items.page(source="cut array", limit=10)] == ["a1"]


@pytest.mark.parametrize("indent", [2, None])
def test_a_json_array_file_is_read_and_named_as_one(db_url: str, tmp_path: Path, indent: int | None) -> None:
    path = tmp_path / "array.json"
    elements = [row(1), row(2, published_at="когда-то"), "not an object", row(3, score=math.nan)]
    path.write_text(json.dumps(elements, ensure_ascii=False, indent=indent), encoding="utf-8")
    result = CliRunner().invoke(cli, ["--db", db_url, "ingest", "jsonl", str(path), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["inserted"] == 2
    assert any("a JSON array, not JSON Lines" in w for w in report["warnings"])
    assert sorted(report["unusable"]) == ["no usable published_at", "not a JSON object"]
    assert any("element 2" in b and "[published_at]" in b for b in report["bad_records"])
    assert set(stored(db_url)) == {"r1", "r3"}


def test_a_deeply_nested_array_file_element_is_skipped_and_the_others_read(sqlite_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "array.json"
    body = b"[\n" + line(row(1)) + b",\n" + b"[" * 100_000 + b"]" * 100_000 + b",\n" + line(row(2)) + b"\n]\n"
    path.write_bytes(body)
    report = ingest.ingest(sqlite_store, "jsonl", str(path), settings=Settings())
    assert report.counts.inserted == 2
    assert report.unusable == {"nested too deeply": 1}


def test_a_directory_and_an_unreadable_file_are_one_clear_line(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'x.db'}"
    result = CliRunner().invoke(cli, ["--db", db, "ingest", "jsonl", str(tmp_path)])
    assert result.exit_code != 0
    assert "a directory" in str(result.exception)


# ---- a property: whatever the other lines hold, every good line is stored ----

any_text = st.text(st.characters(exclude_categories=()), max_size=60)  # lone surrogates and NUL included
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | any_text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(any_text, children, max_size=4),
    max_leaves=12,
)
good_texts = any_text.filter(lambda t: clean_text(t).strip())
cut_json = st.one_of(json_values, st.lists(json_values, min_size=1, max_size=4)).flatmap(
    lambda v: st.integers(1, len(json.dumps(v))).map(lambda end: json.dumps(v)[:end].encode())
)  # a value cut anywhere: `[1,` or `{"a": [` first in a file must not make the lines after it one array
bad_lines = st.one_of(
    st.binary(max_size=80).filter(lambda b: b"\n" not in b and b"\r" not in b),
    json_values.map(lambda v: json.dumps(v).encode()),
    cut_json,
)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=25, deadline=None)
@given(
    good=st.lists(st.tuples(good_texts, json_values), min_size=1, max_size=6),
    bad=st.lists(bad_lines, max_size=6),
    order=st.randoms(use_true_random=False),
)
def test_every_good_line_is_stored_whatever_the_others_hold(
    store: Store, tmp_path_factory: pytest.TempPathFactory, good: list[tuple[str, Any]], bad: list[bytes], order: Any
) -> None:
    tag = uuid.uuid4().hex[:8]
    lines = [
        json.dumps({"source": f"good {tag}", "external_id": f"g{n}", "published_at": WHEN, "text": text, "x": extra})
        .encode()
        for n, (text, extra) in enumerate(good)
    ]  # fmt: skip
    mixed = [*lines, *bad]
    order.shuffle(mixed)
    path = tmp_path_factory.mktemp("prop") / "mixed.jsonl"
    path.write_bytes(b"\n".join(mixed) + b"\n")
    report = ingest.ingest(store, "jsonl", str(path), settings=Settings())
    kept = {i.external_id: i.text for i in store.items.page(source=f"good {tag}", limit=100)}
    assert kept == {f"g{n}": clean_text(text) for n, (text, _) in enumerate(good)}
    assert report.stored >= len(good)


def test_in_a_real_process_the_field_names_reach_the_terminal(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "few.jsonl"
    path.write_bytes(b"\n".join([line(row(1)), line(row(2, source="")), NAN_LINE, b"{oops"]) + b"\n")
    db = f"sqlite:///{tmp_path / 'few.db'}"
    proc = subprocess.run(
        [sys.executable, "-m", "mobrief", "--db", db, "ingest", "jsonl", str(path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert f"skipped {path}:2 [source]: missing or empty" in proc.stderr
    assert f"cleaned {path}:3 [score]: nan is not JSON" in proc.stderr
    assert f"skipped {path}:4: not JSON: Expecting property name enclosed in double quotes at column 2" in proc.stderr
    assert f"{path}: could not use 2 records:" in proc.stdout and "no source" in proc.stdout


@pytest.mark.parametrize("kind", ["directory", "unreadable"])
def test_in_a_real_process_a_directory_or_a_file_that_cannot_be_read_is_one_clear_line(
    tmp_path: Path, kind: str
) -> None:
    import subprocess
    import sys

    location = str(tmp_path) if kind == "directory" else "/proc/self/mem"  # opens, then every read fails (EIO)
    db = f"sqlite:///{tmp_path / 'x.db'}"
    proc = subprocess.run(
        [sys.executable, "-m", "mobrief", "--db", db, "ingest", "jsonl", location],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 1
    (said,) = proc.stderr.strip().splitlines()
    assert location in said and ("a directory" in said if kind == "directory" else "cannot read the file" in said)


LONG = "9" * 5_000  # past Python's 4,300-digit limit for turning text into an int


@pytest.mark.parametrize("layout", ["lines", "array"])
def test_an_integer_too_long_for_python_is_kept_as_its_digits_and_costs_no_line(
    db_url: str, tmp_path: Path, layout: str
) -> None:
    rows = [line(row(1)), line(row(2))[:-1] + b', "count": ' + LONG.encode() + b"}", line(row(3))]
    path = tmp_path / "long.jsonl"
    path.write_bytes(b"\n".join(rows) + b"\n" if layout == "lines" else b"[\n" + b",\n".join(rows) + b"\n]\n")
    result = CliRunner().invoke(cli, ["--db", db_url, "ingest", "jsonl", str(path), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["inserted"], report["skipped"]) == (3, 0)
    assert report["cleaned"] == {"long integers kept as text": 1}
    (note,) = report["cleaned_records"]
    assert "[count]: an integer of 5,000 digits: kept as a string of its digits" in note
    assert stored(db_url)["r2"].raw["count"] == LONG


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-16-le"])  # with its mark (as PowerShell), without
def test_a_utf16_file_is_read_and_said_to_be_one(db_url: str, tmp_path: Path, encoding: str) -> None:
    lines = [json.dumps(row(n), ensure_ascii=False) for n in (1, 2)] + ["{oops"]
    path = tmp_path / "powershell.jsonl"
    path.write_bytes("".join(f"{text}\r\n" for text in lines).encode(encoding))
    result = CliRunner().invoke(cli, ["--db", db_url, "ingest", "jsonl", str(path), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["inserted"], report["unusable"]) == (2, {"not JSON": 1})
    assert any(f"{path}:3" in bad for bad in report["bad_records"])  # lines still counted as written
    assert any("UTF-16" in warning for warning in report["warnings"])
    assert stored(db_url)["r1"].text == "Текст 1."


def test_a_first_line_of_stray_utf16_looking_bytes_does_not_make_a_utf8_file_utf16(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    stray = b"\xff\xfe{\x00x\x00}\x00"
    path.write_bytes(b"\n".join([stray, *(line(row(n)) for n in range(1, 4))]) + b"\n")
    report = ingest.ingest(open_store(f"sqlite:///{tmp_path / 'm.db'}"), "jsonl", str(path), settings=Settings())
    assert (report.counts.inserted, report.unusable) == (3, {"not UTF-8": 1})
