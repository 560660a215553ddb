"""The ingest, items, source and note commands through click's runner, checked against the stored rows."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from mobrief.cli import cli
from mobrief.store import open_store

ROWS = [
    {
        "source": "Медиазона",
        "url": "https://example.test/zona/1",
        "published_at": "2024-06-02T10:00:00+03:00",
        "title": "",
        "text": "В Белгородской области подожгли военкомат.",
        "lang": "ru",
    },
    {
        "source": "Вёрстка",
        "url": "https://example.test/verstka/2",
        "published_at": "2024-06-02T11:00:00Z",
        "title": "Выплаты",
        "text": "Военкоматы региона подняли выплаты до 2 млн рублей.",
    },
]


def _write_jsonl(path: Path, rows: list[dict[str, str]], garbage: str | None = None) -> Path:
    lines = [json.dumps(row, ensure_ascii=False) for row in rows]
    if garbage is not None:
        lines.insert(1, garbage)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _invoke(db_url: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--db", db_url, *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_ingest_jsonl_then_rerun_changes_nothing(db_url: str, tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "reports.jsonl", ROWS)
    code, out, _ = _invoke(db_url, "ingest", "jsonl", str(path), "--json")
    assert code == 0, out
    report = json.loads(out)
    assert (report["read"], report["inserted"], report["skipped"]) == (2, 2, 0)
    assert report["sources"] == {"Медиазона": 1, "Вёрстка": 1}
    code, out, _ = _invoke(db_url, "ingest", "jsonl", str(path), "--json")
    assert json.loads(out)["unchanged"] == 2
    store = open_store(db_url)
    assert store.items.count() == 2
    assert {i.source for i in store.items.page()} == {"Медиазона", "Вёрстка"}
    store.close()


def test_bad_line_is_named_and_good_lines_are_kept(db_url: str, tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "mixed.jsonl", ROWS, garbage="{not json")
    code, out, err = _invoke(db_url, "ingest", "jsonl", str(path))
    assert code == 0
    assert f"{path}:2" in err
    assert "1 bad records skipped" in out
    store = open_store(db_url)
    assert store.items.count() == 2
    store.close()


def test_unreadable_input_exits_1_with_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "nope.jsonl"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "mobrief",
            "--db",
            f"sqlite:///{tmp_path / 'x.db'}",
            "ingest",
            "jsonl",
            str(missing),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    assert str(missing) in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_database_that_cannot_be_opened_is_one_line_naming_it(tmp_path: Path, pg_url: str) -> None:
    """A missing folder, a server that refuses, a database the server lacks: exit 1, the URL and why, no traceback."""
    missing_folder = f"sqlite:///{tmp_path / 'no-such-folder' / 'x.db'}"
    no_database = pg_url.rsplit("/", 1)[0] + "/mobrief_no_such_database"
    refused = "postgresql+psycopg://postgres:secret@127.0.0.1:9/x"  # port 9 (discard): nothing listens
    expected = {missing_folder: "no-such-folder", no_database: "mobrief_no_such_database", refused: "127.0.0.1"}
    for url, named in expected.items():
        proc = subprocess.run(
            [sys.executable, "-m", "mobrief", "--db", url, "items", "list"], capture_output=True, text=True
        )
        assert proc.returncode == 1, (url, proc.stderr)
        assert "Traceback" not in proc.stderr
        assert proc.stderr.startswith("error: cannot open the database ") and named in proc.stderr
        assert "secret" not in proc.stderr  # the password is never printed
    assert not (tmp_path / "no-such-folder").exists()


def test_items_list_show_search_export(db_url: str, tmp_path: Path) -> None:
    _invoke(db_url, "ingest", "jsonl", str(_write_jsonl(tmp_path / "r.jsonl", ROWS)))
    code, out, _ = _invoke(db_url, "items", "list", "--json")
    listed = json.loads(out)
    assert code == 0 and [i["source"] for i in listed] == ["Вёрстка", "Медиазона"]  # newest first
    code, out, _ = _invoke(db_url, "items", "show", str(listed[1]["id"]), "--json")
    shown = json.loads(out)
    assert shown["published_at"] == "2024-06-02T07:00:00+00:00"  # +03:00 stored as UTC
    code, out, _ = _invoke(db_url, "items", "search", "военкомата", "--json")
    assert {hit["source"] for hit in json.loads(out)} == {"Медиазона", "Вёрстка"}
    code, out, _ = _invoke(db_url, "items", "export", "--format", "jsonl")
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == 2 and all("story_id" in row and "entities" in row for row in rows)


def test_show_unknown_item_is_an_error(db_url: str) -> None:
    result = CliRunner().invoke(cli, ["--db", db_url, "items", "show", "404"])
    assert result.exit_code != 0
    assert "no item with id 404" in str(result.exception) + result.output


def test_note_add_is_idempotent(db_url: str) -> None:
    args = (
        "note",
        "add",
        "--url",
        "https://example.test/tip",
        "--text",
        "Звонок: в военкомат вызывают студентов",
    )
    code, out, _ = _invoke(db_url, *args, "--json")
    assert code == 0 and json.loads(out)["inserted"] == 1
    code, out, _ = _invoke(db_url, *args, "--json")
    assert json.loads(out)["inserted"] == 0
    store = open_store(db_url)
    (item,) = store.items.page()
    assert item.url == "https://example.test/tip"
    store.close()


def test_source_add_list_remove(db_url: str) -> None:
    code, out, _ = _invoke(db_url, "source", "add", "feed", "https://example.test/rss.xml", "--name", "outlet")
    assert code == 0, out
    code, out, _ = _invoke(db_url, "source", "list", "--json")
    assert json.loads(out) == [
        {
            "name": "outlet",
            "kind": "feed",
            "location": "https://example.test/rss.xml",
            "enabled": True,
            "poll_interval": None,
            "next_poll_at": None,
            "last_polled_at": None,
            "failures": 0,
            "last_error": None,
            "disabled_reason": None,
        }
    ]
    code, out, _ = _invoke(db_url, "source", "remove", "outlet")
    assert code == 0
    code, out, _ = _invoke(db_url, "source", "list", "--json")
    assert json.loads(out)[0]["enabled"] is False


def test_source_add_refuses_unknown_option(db_url: str) -> None:
    result = CliRunner().invoke(cli, ["--db", db_url, "source", "add", "feed", "x", "-o", "colour=red"])
    assert result.exit_code != 0
    assert "colour=red" in str(result.exception)


def test_fetch_polls_enabled_feeds(db_url: str, http_server) -> None:  # type: ignore[no-untyped-def]
    feed = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Outlet</title>'
        "<link>https://example.test/</link><description>d</description>"
        "<item><title>Повестки</title><link>https://example.test/a</link><guid>a</guid>"
        "<pubDate>Sun, 02 Jun 2024 10:00:00 GMT</pubDate>"
        "<description>Раздают повестки у метро</description></item>"
        "</channel></rss>"
    )
    url = http_server.add("/rss.xml", feed, headers={"Content-Type": "application/rss+xml"}, etag='"v1"')
    _invoke(db_url, "source", "add", "feed", url, "--name", "outlet")
    code, out, _ = _invoke(db_url, "fetch", "--json")
    assert code == 0, out
    assert json.loads(out)["sources"][0]["inserted"] == 1
    code, out, _ = _invoke(db_url, "fetch", "--json")
    assert json.loads(out)["sources"][0]["inserted"] == 0
    assert http_server.requests[-1][1].get("If-None-Match") == '"v1"'  # conditional GET remembered


def test_every_command_group_runs_as_a_subprocess(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'smoke.db'}"
    for args in (["--help"], ["items", "list"], ["source", "list"], ["ingest", "--help"]):
        proc = subprocess.run(
            [sys.executable, "-m", "mobrief", "--db", db, *args], capture_output=True, text=True, timeout=120
        )
        assert proc.returncode == 0, proc.stderr
