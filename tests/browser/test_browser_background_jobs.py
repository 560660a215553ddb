"""The team server in a real chromium, for work the web app queues: an editor adds a story to the brief in the
inbox, or uploads published briefs on the archive page; the page answers at once and a banner says the work waits
for a worker; a real `mobrief worker --until-idle` does it and the banner, polling, says what was done (or the
file and line at fault) — nobody reloads."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import desk
import pytest
from click.testing import CliRunner
from desk import free_port, serving, shot, sign_in

from mobrief.cli import cli
from mobrief.store import open_store

pytestmark = [pytest.mark.browser, pytest.mark.postgres]
chromium, page = desk.chromium, desk.page  # the fixtures this module uses
TITLE = "Mobilization in Russia for June 3, 2024"
BRIEFS = Path(__file__).resolve().parents[1] / "brief" / "data"


def _worker(pg_url: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "mobrief", "--db", pg_url, "worker", "--until-idle", "--json"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


def test_add_to_brief_in_the_inbox_shows_the_compose_until_a_worker_has_done_it(pg_url: str, page: Any) -> None:
    upgraded = CliRunner().invoke(cli, ["--db", pg_url, "db", "upgrade", "--json"])
    assert upgraded.exit_code == 0, upgraded.output
    ids = desk.seed_newsroom(pg_url)
    store = open_store(pg_url)
    try:
        draft_id = store.drafts.create(TITLE, dt.date(2024, 6, 3), dt.date(2024, 6, 3))
    finally:
        store.close()
    env = {**os.environ, "MOBRIEF_SECRET_KEY": "browser-test-secret-0123456789"}
    with serving(pg_url, free_port(), env) as base:
        sign_in(page, base)
        page.goto(base + "/inbox?source=mediazona")
        assert page.locator("#jobs-banner").is_hidden()  # nothing under way
        row = f"#story-{ids['kaluga']}"
        page.click(f"{row} button.status-brief")
        page.wait_for_selector(f"{row}.status-brief")  # the row answered at once
        banner = page.locator("#jobs-banner p.job")
        banner.wait_for()
        assert banner.get_attribute("data-state") == "queued"
        assert f"Composing {TITLE} is queued" in banner.inner_text() and "for a worker" in banner.inner_text()
        shot(page, "triage-compose-queued")

        assert _worker(pg_url)["background_jobs"] == 1
        page.wait_for_selector("#jobs-banner p.job[data-state=done]", timeout=60_000)  # polled, not reloaded
        assert re.search(rf"Composed {TITLE} at .+ in \d+\.\d s\.", page.inner_text("#jobs-banner"))
        shot(page, "triage-compose-done")
        page.click(f"#jobs-banner a[href='/drafts/{draft_id}']")
        kaluga = page.locator("article.entry", has=page.locator(f"a[href='/stories/{ids['kaluga']}']"))
        assert "Pushkaryov" in kaluga.locator("textarea").input_value()
        assert page.watch.errors == [] and page.watch.dialogs == []


def test_an_editor_uploads_published_briefs_and_the_archive_page_shows_the_import(
    pg_url: str, page: Any, tmp_path: Path
) -> None:
    upgraded = CliRunner().invoke(cli, ["--db", pg_url, "db", "upgrade", "--json"])
    assert upgraded.exit_code == 0, upgraded.output
    desk.seed_newsroom(pg_url)
    bad = tmp_path / "notes.md"
    bad.write_text("Shopping list\n\n- milk\n", encoding="utf-8")
    env = {**os.environ, "MOBRIEF_SECRET_KEY": "browser-test-secret-0123456789"}
    with serving(pg_url, free_port(), env) as base:
        sign_in(page, base)
        page.goto(base + "/archive")
        page.click("summary:has-text('Import published briefs')")
        page.set_input_files("input[name=files]", [str(BRIEFS / "two_briefs.txt"), str(bad)])
        page.click("button.import")
        page.wait_for_url(base + "/archive")
        lines = page.locator("#jobs-banner p.job")
        assert lines.count() == 2 and all(
            s == "queued" for s in lines.evaluate_all("ps => ps.map(p => p.dataset.state)")
        )
        assert "Importing two_briefs.txt is queued" in page.inner_text("#jobs-banner")
        shot(page, "import-queued")

        worker = _worker(pg_url)
        assert (worker["background_jobs"], worker["background_failed"]) == (1, 1)
        page.wait_for_selector("#jobs-banner[data-unfinished='0'] p.job[data-state=failed]", timeout=60_000)
        banner = page.inner_text("#jobs-banner")
        assert "Imported two_briefs.txt" in banner and "2 briefs (2 new, 0 replaced, 0 unchanged)" in banner
        assert "Importing notes.md failed" in banner and "notes.md:1: no brief title found" in banner
        shot(page, "import-done")  # the page reloaded itself once the imports ended: the briefs are listed
        assert page.locator("ul.listing a", has_text="Mobilization in Russia for March 3–4, 2024").count() == 1
        assert page.watch.errors == [] and page.watch.dialogs == []
