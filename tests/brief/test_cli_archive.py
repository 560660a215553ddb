"""`mobrief archive import/list/export/show` through the command line, on both backends."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from mobrief.cli import cli
from mobrief.store import open_store

DATA = Path(__file__).parent / "data"


def run(db_url: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--db", db_url, *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_import_all_formats_then_list_export_and_show(db_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "briefs"
    folder.mkdir()
    for name in ("two_briefs.txt", "brief.md", "page.html"):
        shutil.copy(DATA / name, folder / name)
    code, out, err = run(db_url, "archive", "import", "--json", str(folder))
    assert code == 0, err
    summary = json.loads(out)
    assert (summary["files"], summary["new"], summary["unchanged"], summary["errors"]) == (3, 4, 0, [])
    assert summary["paragraphs"] == 7 + 2 + 5 + 6  # per brief

    store = open_store(db_url)
    try:
        assert len(store.briefs.list()) == 4
    finally:
        store.close()

    # importing again changes nothing
    code, out, _ = run(db_url, "archive", "import", "--json", str(folder))
    assert code == 0 and (json.loads(out)["new"], json.loads(out)["unchanged"]) == (0, 4)

    code, out, _ = run(db_url, "archive", "list", "--json")
    listed = json.loads(out)
    assert [b["period_end"] for b in listed] == ["2023-09-24", "2024-03-04", "2024-07-07", "2025-01-02"]

    code, out, _ = run(db_url, "archive", "export", "--format", "jsonl")
    rows = [json.loads(line) for line in out.splitlines()]
    assert [set(row) >= {"title", "period_start", "period_end", "sections"} for row in rows] == [True] * 4
    markdown_brief = rows[2]
    assert markdown_brief["sections"][0] == {
        "heading": None,
        "key": None,
        "paragraphs": [
            "Officials in the Zaozyorny district opened a new recruitment point next to the railway station."
        ],
    }
    assert markdown_brief["sections"][2]["key"] == "recruitment"

    brief_id = str(listed[1]["id"])
    code, out, _ = run(db_url, "archive", "show", brief_id, "--format", "text")
    assert out.startswith("Mobilization in Russia for March 3–4, 2024 CIT Volunteer Summary\n\nAuthorities and")
    code, out, _ = run(db_url, "archive", "show", brief_id, "--format", "markdown")
    assert "\n## Flood Relief Operations\n" in out
    code, out, _ = run(db_url, "archive", "show", brief_id, "--format", "html")
    assert out.startswith("<!doctype html>") and 'id="flood-relief-operations"' in out
    code, out, _ = run(db_url, "archive", "show", brief_id, "--format", "telegram")
    assert out.startswith("<b>Mobilization in Russia for March 3–4, 2024")
    code, out, _ = run(db_url, "archive", "show", brief_id, "--format", "json")
    assert json.loads(out)["sections"][2]["key"] == "special"
    target = tmp_path / "brief.html"
    code, _, _ = run(db_url, "archive", "show", brief_id, "--format", "html", "-o", str(target))
    assert code == 0 and "Flood Relief Operations" in target.read_text(encoding="utf-8")


def test_a_bad_file_is_named_and_the_others_still_go_in(db_url: str, tmp_path: Path) -> None:
    bad = tmp_path / "notes.txt"
    bad.write_text("Nothing but notes.\n", encoding="utf-8")
    code, out, err = run(db_url, "archive", "import", str(bad), str(DATA / "two_briefs.txt"), str(tmp_path / "gone.md"))
    assert code == 1
    assert f"error: {bad}:1: no brief title found" in err
    assert f"error: {tmp_path / 'gone.md'}: No such file or directory" in err
    assert "2 brief(s) from 1 file(s): 2 new, 0 replaced, 0 unchanged; 6 sections, 9 paragraphs" in err
    assert "; 2 file(s) failed" in err
    code, out, _ = run(db_url, "archive", "list")
    assert code == 0 and "2 brief(s)" in out


def test_show_an_unknown_brief_is_a_clear_error(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    proc = subprocess.run(
        [sys.executable, "-m", "mobrief", "--db", db, "archive", "show", "42"], capture_output=True, text=True
    )
    assert proc.returncode == 1
    assert proc.stderr.strip() == "error: no brief with id 42"
