"""Public pages: a configured public URL (never the Host header), Secure cookies and HSTS over https, no cookie
and a cache policy on what everyone sees, and /docs served from the app itself."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from conftest import TEST_ENV, Browser
from mobrief.errors import ConfigError
from mobrief.newsroom import review
from mobrief.settings import Settings
from mobrief.web.app import create_app

pytestmark = pytest.mark.anyio
PUBLIC = "https://briefs.example.org"


@pytest.fixture
def app_with(web_store, db_url) -> Callable[..., Any]:
    """A browser on an app built with extra MOBRIEF_* settings, over the seeded store."""

    @asynccontextmanager
    async def opened(**env: str) -> AsyncIterator[Browser]:
        app = create_app(Settings.from_env({**TEST_ENV, **env}, db=db_url), store=web_store)
        base = env.get("MOBRIEF_PUBLIC_URL", "http://testserver")
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base) as client:
            yield Browser(client)

    return opened


async def _publish(browser: Browser, newsroom: Any, store: Any) -> str:
    await browser.sign_in("editor")
    story = newsroom.stories["payments"]
    await browser.post(f"/stories/{story}/entry", {"entry_text": "The Vyorstka media outlet has reported that …"})
    await browser.add_to_brief(story)
    others = [str(e.entry_id) for e in review.review_draft(store, newsroom.draft_id).blocking if e.story_id != story]
    published = await browser.post(f"/drafts/{newsroom.draft_id}/publish", {"confirm": "1", "leave_out": others})
    assert published.status_code == 303, published.text
    await browser.post("/logout", headers={"X-CSRF-Token": browser.csrf})
    return str(published.headers["location"])


async def test_the_feed_never_trusts_the_host_header(browser, newsroom, app_with, web_store) -> None:
    """Finding 5: `Host: evil.example` gave `<id>http://evil.example/feed.atom`."""
    path = await _publish(browser, newsroom, web_store)
    feed = (await browser.client.get("/feed.atom", headers={"Host": "evil.example"})).text
    assert "evil.example" not in feed and "testserver" not in feed
    assert "<id>urn:mobrief:feed</id>" in feed and f'href="{path}"' in feed
    async with app_with(MOBRIEF_PUBLIC_URL=PUBLIC + "/") as configured:
        feed = (await configured.client.get("/feed.atom", headers={"Host": "evil.example"})).text
        assert "evil.example" not in feed
        assert f"<id>{PUBLIC}/feed.atom</id>" in feed and f"<id>{PUBLIC}{path}</id>" in feed
        assert f'href="{PUBLIC}{path}"' in feed
        document = (await configured.client.get(path + ".json", headers={"Host": "evil.example"})).json()
        assert document["url"] == PUBLIC + path  # finding 5: a brief's JSON had url: null


async def test_publishing_stores_the_public_url(app_with, newsroom, web_store) -> None:
    async with app_with(MOBRIEF_PUBLIC_URL=PUBLIC) as browser:
        path = await _publish(browser, newsroom, web_store)
        page = (await browser.client.get(path + ".html")).text
        assert f'<link rel="canonical" href="{PUBLIC}{path}">' in page


def test_the_public_url_must_be_an_absolute_http_url() -> None:
    for bad in ("briefs.example.org", "ftp://briefs.example.org", "https://", "https://x.example/?a=1", "javascript:x"):
        with pytest.raises(ConfigError, match="MOBRIEF_PUBLIC_URL"):
            Settings.from_env({"MOBRIEF_PUBLIC_URL": bad})
    assert (
        Settings.from_env({"MOBRIEF_PUBLIC_URL": "https://x.example/briefs/"}).public_url == "https://x.example/briefs"
    )


async def test_https_public_url_means_secure_cookies_and_hsts(app_with, newsroom) -> None:
    """Finding 6: cookies were not Secure by default, and no HSTS was sent."""
    async with app_with(MOBRIEF_PUBLIC_URL=PUBLIC) as browser:
        login = await browser.get("/login")
        cookie = login.headers["set-cookie"]
        assert cookie.startswith("__Host-mobrief_session=") and "Secure" in cookie and "Path=/" in cookie
        assert "Domain" not in cookie
        assert login.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
        signed = await browser.post("/login", {"email": "editor@example.org", "password": "correct horse battery"})
        assert signed.status_code == 303 and "Secure" in signed.headers["set-cookie"]
        assert (await browser.get("/inbox")).status_code == 200
    async with app_with(MOBRIEF_PUBLIC_URL="http://127.0.0.1:8000") as plain:
        login = await plain.get("/login")
        assert "Secure" not in login.headers["set-cookie"] and "strict-transport-security" not in login.headers
    async with app_with(MOBRIEF_SECURE_COOKIES="1") as forced:
        assert "Secure" in (await forced.get("/login")).headers["set-cookie"]


async def test_public_pages_and_static_files_set_no_cookie_and_may_be_cached(browser, newsroom, web_store) -> None:
    """Finding 8: every anonymous response set a new session cookie, so no shared cache could store a page."""
    path = await _publish(browser, newsroom, web_store)
    browser.client.cookies.clear()
    for url in ["/feed.atom", "/static/app.css", "/static/htmx.min.js", path, path + ".md", path + ".txt",
                path + ".json", path + ".html", f"/briefs/{newsroom.draft_id}", "/healthz", "/"]:  # fmt: skip
        response = await browser.client.get(url)
        assert response.status_code in (200, 301, 303), url
        assert "set-cookie" not in response.headers, url
        if url not in ("/healthz", "/"):
            assert response.headers["cache-control"].startswith("public, max-age="), url
    assert not browser.client.cookies


async def test_private_pages_are_never_stored(browser, newsroom, web_store) -> None:
    login = await browser.get("/login")
    assert "set-cookie" in login.headers and login.headers["cache-control"] == "private, no-store"
    path = await _publish(browser, newsroom, web_store)
    await browser.sign_in("volunteer")
    for url in ["/inbox", "/api/items", "/admin/audit", path, "/account"]:
        response = await browser.client.get(url)
        assert "no-store" in response.headers["cache-control"], url
        assert "public" not in response.headers["cache-control"], url
    signed_in_view = await browser.client.get(path)
    assert "volunteer@example.org" in signed_in_view.text  # the page names the user: never for a shared cache


async def test_api_docs_need_nothing_outside_the_app(browser, newsroom, app_with) -> None:
    """Finding 7: /docs loaded swagger-ui from a CDN and its CSP allowed the whole CDN."""
    await browser.sign_in("editor")
    docs = await browser.get("/docs")
    assert docs.status_code == 200
    policy = docs.headers["content-security-policy"]
    assert "cdn" not in policy and "script-src 'self';" in policy and "unsafe-inline" not in policy
    sources = re.findall(r'(?:src|href)="([^"]+)"', docs.text)
    assert sources and all(s.startswith("/") for s in sources), sources
    for source in sources:
        asset = await browser.client.get(source)
        assert asset.status_code == 200 and len(asset.content) > 100, source
    async with app_with(MOBRIEF_API_DOCS="0") as off:
        await off.sign_in("editor")
        assert (await off.get("/docs")).status_code == 404


async def test_every_public_download_is_the_table_of_formats(browser, newsroom, web_store) -> None:
    from mobrief.brief import formats

    path = await _publish(browser, newsroom, web_store)
    page = (await browser.get(path)).text
    for extension in ("md", "txt", "json", "telegram", "html"):
        assert f'href="{path}.{extension}"' in page
        form = formats.by_extension(extension)
        assert form is not None
        response = await browser.client.get(f"{path}.{extension}")
        assert response.status_code == 200 and response.headers["content-type"] == form.media_type
        assert response.text.startswith(form.render(web_store.briefs.get(newsroom.draft_id))[:40])
    assert (await browser.client.get(f"{path}.pdf")).status_code == 404
