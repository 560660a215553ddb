"""The team server in a real chromium: an editor composes a draft, `mobrief serve` queues the work on PostgreSQL,
the page says it waits for a worker; a real `mobrief worker --until-idle` composes it, and the page, polling,
reloads itself with the entries and says it is done — the editor never reloads."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from typing import Any

import desk
import pytest
from click.testing import CliRunner
from desk import composed, free_port, serving, shot, sign_in

from mobrief.cli import cli

pytestmark = [pytest.mark.browser, pytest.mark.postgres]
chromium, page = desk.chromium, desk.page  # the fixtures this module uses
DAY = "2024-06-03"


def test_a_compose_queued_for_a_worker_shows_on_the_page_until_it_is_done(pg_url: str, page: Any) -> None:
    upgraded = CliRunner().invoke(cli, ["--db", pg_url, "db", "upgrade", "--json"])
    assert upgraded.exit_code == 0 and json.loads(upgraded.stdout)["queue_schema_created"] is True
    ids = desk.seed_newsroom(pg_url)
    port = free_port()
    env = {**os.environ, "MOBRIEF_SECRET_KEY": "browser-test-secret-0123456789"}
    with serving(pg_url, port, env) as base:
        sign_in(page, base)
        page.goto(base + "/drafts")
        page.fill("input[name=start]", DAY)
        page.fill("input[name=end]", DAY)
        page.click("button:has-text('Compose draft')")
        page.wait_for_url(re.compile(r".*/drafts/\d+$"))
        banner = page.locator("#compose-job")
        assert banner.get_attribute("data-state") == "queued"  # no worker runs yet
        assert "Composing is queued" in banner.inner_text() and "for a worker" in banner.inner_text()
        assert page.locator("button.compose").count() == 0 and page.locator("article.entry").count() == 0
        shot(page, "compose-queued")

        worker = subprocess.run(
            [sys.executable, "-m", "mobrief", "--db", pg_url, "worker", "--until-idle", "--json"],
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert worker.returncode == 0, worker.stderr
        assert json.loads(worker.stdout)["background_jobs"] == 1
        composed(page)  # the page saw it end and reloaded itself
        assert re.search(r"Composed at .+ in \d+\.\d s\.", page.inner_text("#compose-job"))
        kaluga = page.locator("article.entry", has=page.locator(f"a[href='/stories/{ids['kaluga']}']"))
        assert "Pushkaryov" in kaluga.locator("textarea").input_value()
        assert page.locator("button.compose").is_visible()
        shot(page, "compose-done")
        assert page.watch.errors == [] and page.watch.dialogs == []
