"""In a real chromium: hostile exports run no script when rendered, and /docs needs nothing outside the app.

The `.md` of a published brief is rendered by markdown-it with raw HTML allowed and no link check (the most
permissive CommonMark renderer a reader could use), the `.txt` and the Telegram text are pasted as HTML, and
the page listens for dialogs and clicks every link.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from typing import Any

import desk
import httpx
import pytest
from desk import free_port, serving
from markdown_it import MarkdownIt

from mobrief.records import Brief, BriefSection
from mobrief.store import open_store
from mobrief.web import auth

pytestmark = pytest.mark.browser
chromium = desk.chromium  # the fixture this module shares with the desk tests

PASSWORD = "correct horse battery"
HOSTILE = (
    "<script>window.__pwned = 1; alert('md')</script> plain",
    '<svg onload="window.__pwned = 2; alert(2)"></svg> svg',
    '<a id="js" href="javascript:window.__pwned = 3; alert(3)">click</a>',
    "[x](javascript:window.__pwned=4;alert(4)) and ![y](javascript:alert(5))",
    '<img src=x onerror="window.__pwned = 6; alert(6)">',
    '<details open ontoggle="window.__pwned = 7; alert(7)">x</details>',
    "<javascript:alert(8)> [ref]",
    "[ref]: javascript:alert(9)",
    '<iframe src="javascript:alert(10)"></iframe> <body onload=alert(11)>',
    "[ok](https://example.org/a) and [mail](mailto:desk@example.org)",
)


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context()
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """`mobrief serve` over a store with an editor and a published brief whose entries are hostile."""
    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'security.db'}"
    store = open_store(url)
    try:
        store.users.add("editor@example.org", auth.Passwords("cheapest").hash(PASSWORD), "editor")
        brief = Brief(
            title="Mobilization in Russia for June 2–3, 2024",
            period_start=dt.date(2024, 6, 2),
            period_end=dt.date(2024, 6, 3),
            sections=(
                BriefSection(key="legal", heading="Sentences, Legal Proceedings and Incidents", paragraphs=HOSTILE),
            ),
        )
        brief_id, _ = store.briefs.save(brief)
    finally:
        store.close()
    port = free_port()
    env = {**os.environ, "MOBRIEF_SECRET_KEY": "browser-test-secret-0123456789", "MOBRIEF_ARGON2_PROFILE": "cheapest"}
    with serving(url, port, env) as base:
        yield base, brief_id


def _watch(page: Any) -> list[str]:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    return dialogs


def _open_as_html(page: Any, html: str) -> None:
    page.set_content(f"<!doctype html><html><body>{html}</body></html>")
    page.wait_for_timeout(300)  # let onload, ontoggle and friends fire, if anything could
    for link in page.query_selector_all("a[href]"):
        href = link.get_attribute("href") or ""
        assert href.startswith(("https://", "http://", "mailto:")), href
    assert page.evaluate("window.__pwned") is None


def test_published_markdown_runs_no_script_in_chromium(server: tuple[str, int], page: Any) -> None:
    """Finding 4: `<script>`, `<svg onload>`, `javascript:` links in an entry ran when the `.md` was rendered."""
    base, brief_id = server
    response = httpx.get(f"{base}/briefs/{brief_id}", follow_redirects=True)
    markdown = httpx.get(str(response.url) + ".md").text
    assert "set-cookie" not in {k.lower() for k in response.headers}  # a public page gives no cookie
    renderer = MarkdownIt("commonmark", {"html": True})
    renderer.validateLink = lambda url: True  # type: ignore[method-assign]
    dialogs = _watch(page)
    _open_as_html(page, renderer.render(markdown))
    assert page.locator("a[href='https://example.org/a']").count() == 1
    assert page.locator("a[href='mailto:desk@example.org']").count() == 1
    assert "<script>window.__pwned = 1;" in page.inner_text("body")  # the text is shown, as text
    assert dialogs == []


def test_published_text_and_telegram_pasted_as_html_run_no_script(server: tuple[str, int], page: Any) -> None:
    base, brief_id = server
    public = str(httpx.get(f"{base}/briefs/{brief_id}", follow_redirects=True).url)
    dialogs = _watch(page)
    for extension in ("txt", "telegram"):
        _open_as_html(page, httpx.get(f"{public}.{extension}").text)
        assert "<script>window.__pwned = 1;" in page.inner_text("body")
    page.goto(public)  # the brief's own page and its standalone rendering
    page.wait_for_timeout(200)
    page.goto(public + ".html")
    page.wait_for_timeout(200)
    assert page.evaluate("window.__pwned") is None
    assert dialogs == []


def test_api_docs_load_nothing_from_outside(server: tuple[str, int], page: Any) -> None:
    """Finding 7: /docs loaded swagger-ui from a CDN with no integrity check, and its CSP allowed the CDN."""
    base, _ = server
    outside: list[str] = []
    errors: list[str] = []

    def route(request_route: Any) -> None:
        if request_route.request.url.startswith(base):
            request_route.continue_()
        else:
            outside.append(request_route.request.url)
            request_route.abort()

    page.route("**/*", route)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(base + "/login")
    page.fill("input[name=email]", "editor@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/inbox")
    response = page.goto(base + "/docs")
    assert response is not None and response.status == 200
    assert "cdn" not in (response.headers.get("content-security-policy") or "")
    page.wait_for_selector(".swagger-ui .info .title", timeout=15_000)
    assert "mobrief" in page.inner_text(".swagger-ui .info .title")
    page.wait_for_selector("#operations-api-list_items_api_items_get", timeout=15_000)
    assert outside == [] and errors == []
