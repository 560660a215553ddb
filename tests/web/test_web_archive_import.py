"""Importing published briefs from the web: an editor uploads files on the archive page, each is queued as a job
(a thread of the web process on a laptop, a real `mobrief worker` on the team server) and the page's banner shows
it queued, running, then what it imported, or an error naming the file and the line at fault (both backends)."""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from conftest import TEST_ENV, Browser, seed_newsroom
from mobrief import tasks
from mobrief.cli.web import queue_runner
from mobrief.settings import Settings
from mobrief.store import Store, open_store
from mobrief.store.schema import background_jobs
from mobrief.web.app import create_app

pytestmark = pytest.mark.anyio
BRIEFS = Path(__file__).resolve().parents[1] / "brief" / "data"
TWO = (BRIEFS / "two_briefs.txt").read_bytes()
FIRST = "Mobilization in Russia for March 3–4, 2024 CIT Volunteer Summary"


def _jobs(store: Store) -> list[Any]:
    with store.engine.connect() as conn:
        return list(conn.execute(sa.select(background_jobs).order_by(background_jobs.c.id)))


def _banner(page: str) -> str:
    found = re.search(r'<section id="jobs-banner".*?</section>', page, re.S)
    assert found is not None, page
    return html.unescape(re.sub(r"\s+", " ", found.group(0)))


async def _upload(browser: Browser, *files: tuple[str, bytes]) -> httpx.Response:
    if not browser.csrf:
        await browser.get("/archive")
    return await browser.client.post(
        "/archive/import",
        data={"csrf_token": browser.csrf},
        files=[("files", (name, data, "application/octet-stream")) for name, data in files],
    )


async def test_an_uploaded_file_is_imported_by_a_job_the_archive_page_shows(
    browser, newsroom, web_store, web_app
) -> None:
    await browser.sign_in("volunteer")
    assert "Import published briefs" not in (await browser.get("/archive")).text
    assert (await _upload(browser, ("two_briefs.txt", TWO))).status_code == 403
    await browser.sign_in("editor")
    assert 'action="/archive/import" enctype="multipart/form-data"' in (await browser.get("/archive")).text
    gate = threading.Event()
    web_app.state.jobs.pool.submit(gate.wait, 120)
    sent = await _upload(browser, ("C:\\Users\\ed\\two_briefs.txt", TWO))
    assert sent.status_code == 303 and sent.headers["location"] == "/archive"  # answered at once
    (job,) = _jobs(web_store)
    assert (job.kind, job.file_name, job.state, job.brief_id) == ("import", "two_briefs.txt", "queued", None)
    assert job.payload == TWO and job.requested_by == newsroom.users["editor"]
    page = (await browser.get("/archive")).text
    assert '<strong>Importing</strong> <a href="/archive">two_briefs.txt</a> is queued' in _banner(page)
    assert FIRST not in page
    assert 'hx-get="/jobs/recent?reload=1"' in _banner(page)  # the archive page reloads once the import ends
    polled = await browser.get("/jobs/recent?reload=1", headers={"HX-Request": "true"})
    assert "HX-Refresh" not in polled.headers

    gate.set()
    assert await browser.jobs_settled() == {job.id: "done"}
    ended = await browser.get("/jobs/recent?reload=1", headers={"HX-Request": "true"})
    assert ended.headers["HX-Refresh"] == "true"
    assert "HX-Refresh" not in (await browser.get("/jobs/recent", headers={"HX-Request": "true"})).headers
    page = (await browser.get("/archive")).text
    assert FIRST in page
    banner = _banner(page)
    assert re.search(r"<strong>Imported</strong> <a [^>]+>two_briefs\.txt</a> at .+ in \d+\.\d s: ", banner)
    assert "2 briefs (2 new, 0 replaced, 0 unchanged), 9 paragraphs" in banner
    (job,) = _jobs(web_store)
    assert job.payload is None  # the file's bytes go once it is read

    await _upload(browser, ("two_briefs.txt", TWO))  # the same file again changes nothing
    await browser.jobs_settled()
    assert "2 briefs (0 new, 0 replaced, 2 unchanged)" in _banner((await browser.get("/archive")).text)
    assert len(web_store.drafts.listing("published")) == 2


@pytest.mark.parametrize(
    ("name", "data", "error"),
    [
        ("notes.md", b"\n\nShopping list\n\n- milk\n", "notes.md:3: no brief title found (expected a line like"),
        ("brief.pdf", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\x00\n", "brief.pdf:3: not a text file (save the brief as HTML"),
        (
            "typo.txt",
            b"Mobilization in Russia for June 2-3, 2024\n\nLegal\n\nA court ruled.\n\n"
            b"Mobilization in Russia for February 30-31, 2024\n\nLegal\n\nAnother court ruled.\n",
            "typo.txt:7: the title 'Mobilization in Russia for February 30-31, 2024' names no day that exists",
        ),
    ],
)
async def test_a_bad_file_fails_with_its_name_and_line_and_imports_nothing(
    browser, newsroom, web_store, name: str, data: bytes, error: str
) -> None:
    await browser.sign_in("editor")
    assert (await _upload(browser, (name, data))).status_code == 303
    states = await browser.jobs_settled()
    assert list(states.values()) == ["failed"]
    banner = _banner((await browser.get("/archive")).text)
    assert f'<strong>Importing</strong> <a href="/archive">{name}</a> <strong>failed</strong>' in banner
    assert error in banner
    assert web_store.drafts.listing("published") == []  # nothing of a bad file goes in


async def test_an_empty_or_oversized_upload_is_refused_before_anything_is_queued(browser, newsroom, web_store) -> None:
    await browser.sign_in("editor")
    empty = await _upload(browser, ("empty.md", b"  \n"))
    assert empty.status_code == 400 and "empty.md is empty" in empty.text
    huge = await _upload(browser, ("year.html", b"<p>x</p>" * 700_000))
    assert huge.status_code == 400 and "import files of at most 5 MB" in huge.text
    assert _jobs(web_store) == []


@pytest.mark.postgres
async def test_a_worker_imports_the_uploaded_file_on_the_team_server(pg_url: str) -> None:
    store = open_store(pg_url)
    try:
        tasks.apply_schema(store)
        seed_newsroom(store)
        settings = Settings.from_env(TEST_ENV, db=pg_url)
        app = create_app(settings, store=store, runner=queue_runner(settings, store))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            browser = Browser(client)
            await browser.sign_in("editor")
            await _upload(browser, ("two_briefs.txt", TWO), ("notes.txt", b"No brief here.\n"))
            jobs = _jobs(store)
            assert [(j.file_name, j.runner, j.state) for j in jobs] == [
                ("two_briefs.txt", "queue", "queued"),
                ("notes.txt", "queue", "queued"),
            ]
            assert "for a worker" in _banner((await browser.get("/archive")).text)
            done = subprocess.run(
                [sys.executable, "-m", "mobrief", "--db", pg_url, "worker", "--until-idle", "--json"],
                capture_output=True,
                text=True,
                timeout=600,
                env=dict(os.environ),
            )
            assert done.returncode == 0, done.stderr
            ran = json.loads(done.stdout)
            assert (ran["background_jobs"], ran["background_failed"]) == (1, 1)
            states = await browser.jobs_settled()
            assert sorted(states.values()) == ["done", "failed"]
            page = (await browser.get("/archive")).text
            assert FIRST in page and "notes.txt:1: no brief title found" in _banner(page)
    finally:
        store.close()
