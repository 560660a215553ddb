"""`mobrief demo examples`: the whole main job on the bundled sample, checked feature by feature."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from mobrief.cli import cli

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_demo_composes_the_sample_brief(tmp_path: Path) -> None:
    out = tmp_path / "demo-output"
    result = CliRunner().invoke(
        cli, ["--db", f"sqlite:///{tmp_path / 'demo.db'}", "demo", str(EXAMPLES), "--out", str(out), "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert sum(r["skipped"] for r in report["ingest"]) == 0
    assert {row["source"] for row in report["sources"]} >= {"mobi_svodka", "Вёрстка", "Медиазона"}
    brief = report["brief"]
    assert brief["title"] == "Mobilization in Russia for June 2–3, 2024"
    entries = [e for s in brief["sections"] for e in s["entries"]]
    stories = [e["story_id"] for e in entries]
    assert len(stories) == len(set(stories))  # one entry per story
    assert any(len({s["outlet"] for s in e["sources"]}) >= 3 for e in entries)  # several outlets, one entry
    texts = "\n".join(e["text"] for e in entries)
    assert "Zenit" not in texts and "Зенит" not in texts  # the football post is off the beat
    assert re.search(r"\d rubles \[\$\d", texts)  # rubles converted at the day's rate
    assert "Rosgvardia [the Russian National Guard]" in texts  # glossed at its first mention …
    assert texts.count("[the Russian National Guard]") == 1  # … and only there
    assert "Pushkaryov" in texts  # ё restored in a name the sources wrote with е
    assert any(p["title"].endswith("May 27–28, 2024") for e in entries for p in e["previously"])
    for name in ("brief.md", "brief.html", "brief.telegram.txt", "brief.json"):
        assert (out / name).stat().st_size > 0
    check = CliRunner().invoke(
        cli, ["--db", f"sqlite:///{tmp_path / 'demo.db'}", "style", "check", str(out / "brief.md")]
    )
    assert check.exit_code == 0, check.output
