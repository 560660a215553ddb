"""JSONL items: valid rows round-trip, every bad line becomes a BadRecord and the good lines are kept."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mobrief.cli import cli
from mobrief.errors import BadRecord, SourceUnavailable
from mobrief.records import Item
from mobrief.settings import Settings
from mobrief.sources.jsonl import JsonLines, read_lines, stable_id
from mobrief.sources.registry import SourceContext

GOOD = {
    "source": "Вёрстка",
    "url": "https://verstka.example/a/1",
    "published_at": "2024-06-02T10:00:00+03:00",
    "title": "Заголовок",
    "text": "Текст сообщения.",
}


def write_lines(path: Path, lines: list[str]) -> str:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_each_line_names_its_own_outlet(tmp_path: Path) -> None:
    second = {**GOOD, "source": "Медиазона", "url": None, "lang": "ru", "external_id": "mz-7"}
    path = write_lines(tmp_path / "items.jsonl", [json.dumps(GOOD, ensure_ascii=False), json.dumps(second)])
    first, other = read_lines(path)
    assert isinstance(first, Item) and isinstance(other, Item)
    assert (first.source, other.source) == ("Вёрстка", "Медиазона")
    assert first.published_at == dt.datetime(2024, 6, 2, 7, 0, tzinfo=dt.UTC)
    assert first.external_id == stable_id("https://verstka.example/a/1")  # default id: hash of the url
    assert other.external_id == "mz-7"
    assert other.lang == "ru" and first.lang is None
    assert first.raw == GOOD


def test_default_id_without_url_is_a_hash_of_the_text_and_stable(tmp_path: Path) -> None:
    row = {**GOOD, "url": None}
    path = write_lines(tmp_path / "a.jsonl", [json.dumps(row)])
    (first,) = read_lines(path)
    (again,) = read_lines(path)
    assert isinstance(first, Item) and isinstance(again, Item)
    assert first.external_id == again.external_id
    assert first.url is None


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ("{not json", None),
        ("[1, 2]", None),
        (json.dumps({**GOOD, "source": ""}), "source"),
        (json.dumps({k: v for k, v in GOOD.items() if k != "source"}), "source"),
        (json.dumps({**GOOD, "published_at": "вчера"}), "published_at"),
        (json.dumps({**GOOD, "published_at": None}), "published_at"),
        (json.dumps({**GOOD, "title": 5}), "title"),
        (json.dumps({**GOOD, "text": "", "title": ""}), "text"),
        (json.dumps({**GOOD, "links": "https://x"}), "links"),
    ],
)
def test_a_bad_line_names_line_and_field_and_the_good_lines_are_kept(
    tmp_path: Path, line: str, field: str | None
) -> None:
    good = json.dumps(GOOD, ensure_ascii=False)
    path = write_lines(tmp_path / "items.jsonl", [good, line, "", good.replace("a/1", "a/2")])
    records = list(read_lines(path))
    assert [type(r).__name__ for r in records] == ["Item", "BadRecord", "Item"]
    bad = records[1]
    assert isinstance(bad, BadRecord)
    assert (bad.path, bad.line, bad.field) == (path, 2, field)


def test_invalid_utf8_line_is_a_bad_record(tmp_path: Path) -> None:
    path = tmp_path / "items.jsonl"
    path.write_bytes(json.dumps(GOOD).encode() + b"\n\xff\xfe broken\n" + json.dumps(GOOD).encode() + b"\n")
    records = list(read_lines(str(path)))
    assert [type(r).__name__ for r in records] == ["Item", "BadRecord", "Item"]
    assert "UTF-8" in str(records[1])


def test_missing_file_is_unavailable(tmp_path: Path) -> None:
    adapter = JsonLines(SourceContext(settings=Settings()))
    with pytest.raises(SourceUnavailable, match="cannot read"):
        list(adapter.read(str(tmp_path / "nope.jsonl")))


# ---- properties ----

# NUL is storable nowhere (it is removed, see test_hostile_lines): valid rows hold every other character
texts = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters="\x00"), min_size=1, max_size=40
)
times = st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1), timezones=st.just(dt.UTC))
rows = st.fixed_dictionaries(
    {"source": texts.filter(str.strip), "published_at": times, "text": texts},
    optional={
        "url": st.from_regex(r"https://[a-z]{1,8}\.example/[a-z0-9]{1,8}", fullmatch=True),
        "title": texts,
        "lang": st.sampled_from(["ru", "en", "uk"]),
        "external_id": st.from_regex(r"[a-z0-9-]{1,12}", fullmatch=True),
    },
)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=60)
@given(st.lists(rows, min_size=1, max_size=8))
def test_valid_rows_round_trip(tmp_path: Path, generated: list[dict[str, Any]]) -> None:
    lines = [json.dumps({**row, "published_at": row["published_at"].isoformat()}) for row in generated]
    path = write_lines(tmp_path / "round.jsonl", lines)
    items = list(read_lines(path))
    assert all(isinstance(i, Item) for i in items)
    for row, item in zip(generated, items, strict=True):
        assert isinstance(item, Item)
        assert item.source == row["source"].strip()
        assert item.published_at == row["published_at"]
        assert item.text == row["text"]
        assert item.title == row.get("title", "")
        assert item.url == row.get("url")
        assert item.lang == row.get("lang")
        if "external_id" in row:
            assert item.external_id == row["external_id"]


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=80)
@given(st.lists(st.text(max_size=60).filter(lambda s: "\n" not in s and s.strip()), min_size=1))
def test_garbage_lines_never_crash_and_give_bad_records(tmp_path: Path, garbage: list[str]) -> None:
    path = write_lines(tmp_path / "garbage.jsonl", garbage)
    records = list(read_lines(path))
    assert len(records) <= len(garbage)
    for record in records:
        if isinstance(record, BadRecord):
            assert record.path == path
            if record.line is None:  # a one-line JSON array file: its elements are named instead
                assert record.reason.startswith("element ")
            else:
                assert 1 <= record.line <= len(garbage)
        else:  # a garbage line can only pass by being a valid row
            assert record.source.strip()


def test_cli_jsonl_ingest_counts_sources_and_skips_bad_lines(db_url: str, tmp_path: Path) -> None:
    other = {**GOOD, "source": "Агентство", "url": "https://agents.example/1"}
    path = write_lines(tmp_path / "items.jsonl", [json.dumps(GOOD), "{oops", json.dumps(other)])
    result = CliRunner().invoke(cli, ["--db", db_url, "ingest", "jsonl", path, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["inserted"] == 2
    assert report["sources"] == {"Вёрстка": 1, "Агентство": 1}
    assert report["skipped"] == 1 and ":2" in report["bad_records"][0]


def test_a_broken_first_line_starting_like_an_array_does_not_hide_the_lines_after_it(tmp_path: Path) -> None:
    good = json.dumps(GOOD, ensure_ascii=False)
    path = write_lines(tmp_path / "items.jsonl", ["[oops", good, "{also broken", good.replace("a/1", "a/2")])
    records = list(read_lines(path))
    assert [type(r).__name__ for r in records] == ["BadRecord", "Item", "BadRecord", "Item"]
    assert [r.line for r in records if isinstance(r, BadRecord)] == [1, 3]


@pytest.mark.parametrize("first", ["[1,", '[{"a": 1},', "[1, 2", '["a"', "[1]x", "[1] [2]", "[", '[{"source": "s"'])
def test_a_first_line_cut_like_an_array_costs_none_of_the_good_lines_after_it(tmp_path: Path, first: str) -> None:
    goods = [json.dumps({**GOOD, "url": f"https://verstka.example/a/{n}"}, ensure_ascii=False) for n in range(3)]
    records = list(read_lines(write_lines(tmp_path / "items.jsonl", [first, *goods])))
    assert [r.url for r in records if isinstance(r, Item)] == [f"https://verstka.example/a/{n}" for n in range(3)]
    assert [(r.line, r.cause) for r in records if isinstance(r, BadRecord)] == [(1, "not JSON")]


def test_an_array_file_cut_after_an_element_keeps_every_element_before_the_cut(tmp_path: Path) -> None:
    elements = [json.dumps({**GOOD, "url": f"https://verstka.example/a/{n}"}, ensure_ascii=False) for n in range(3)]
    path = write_lines(tmp_path / "array.json", ["[", elements[0] + ",", elements[1] + ",", elements[2]])
    context = SourceContext(settings=Settings())
    records = list(read_lines(path, context))
    assert [r.url for r in records if isinstance(r, Item)] == [f"https://verstka.example/a/{n}" for n in range(3)]
    assert [r.cause for r in records if isinstance(r, BadRecord)] == ["not JSON"]  # where the array breaks
    assert any("a JSON array, not JSON Lines" in w for w in context.warnings)
