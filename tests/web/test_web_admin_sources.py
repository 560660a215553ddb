"""The admin's sources page tells why polling stopped by itself (the reason `mobrief source list` shows), and
polls such a source again on request."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import pytest

from mobrief.newsroom import ingest
from mobrief.settings import Settings

pytestmark = pytest.mark.anyio
T0 = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
REASON = "3 hard failures in a row, the last: HTTP 404 Not Found"


async def test_the_admin_page_shows_why_a_source_was_disabled(
    browser: Any, newsroom: Any, web_store: Any, db_url: str, http_server: Any
) -> None:
    gone = http_server.url("/gone.xml")  # the server answers 404
    web_store.sources.add("gone", "feed", gone)
    web_store.sources.add("flaky", "feed", http_server.add("/flaky.xml", "oops", status=500))
    settings = Settings(database_url=db_url, request_delay=0.0, request_timeout=0.5)
    for hours in range(3):
        ingest.poll_and_schedule(web_store, "gone", settings=settings, now=T0 + dt.timedelta(hours=hours))
    ingest.poll_and_schedule(web_store, "flaky", settings=settings, now=T0)
    assert web_store.sources.get("gone").disabled_reason == REASON

    await browser.sign_in("admin")
    page = html.unescape((await browser.get("/admin/sources")).text)
    gone_row = page[page.index("<td>gone</td>") : page.index("</tr>", page.index("<td>gone</td>"))]
    assert "Stopped by itself:" in gone_row and REASON in gone_row
    assert "last tried Dec 1 10:00" in gone_row
    assert "Poll again" in gone_row and "Stop polling" not in gone_row
    flaky_row = page[page.index("<td>flaky</td>") : page.index("</tr>", page.index("<td>flaky</td>"))]
    assert "1 failed poll in a row: HTTP 500 Internal Server Error" in flaky_row  # soft: still polled
    assert "Stop polling" in flaky_row and "Stopped by itself" not in flaky_row

    again = await browser.post("/admin/sources", {"name": "gone", "kind": "feed", "location": gone})
    assert again.status_code == 303
    source = web_store.sources.get("gone")
    assert source.enabled and source.disabled_reason is None
    page = (await browser.get("/admin/sources")).text
    assert "Stopped by itself" not in page
