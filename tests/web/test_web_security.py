"""CSRF on state-changing routes, security headers, hostile source text shown as text, sandboxed snapshots."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute

from mobrief.newsroom import review
from mobrief.web.routes import admin, api, archive, auth, briefs, feed, inbox, publishing, stories

pytestmark = pytest.mark.anyio


def _state_changing_paths(app) -> list[str]:
    out = []
    routers = [module.router for module in (admin, api, archive, auth, briefs, feed, inbox, publishing, stories)]
    for route in [r for router in routers for r in router.routes] + list(app.routes):
        if isinstance(route, APIRoute) and route.methods & {"POST", "PUT", "PATCH", "DELETE"}:
            out.append(route.path)
    return out


async def test_every_state_changing_route_refuses_a_missing_or_wrong_csrf_token(browser, newsroom, web_app) -> None:
    await browser.sign_in("admin")
    paths = _state_changing_paths(web_app)
    assert len(paths) >= 12  # every form action of the app is in the list
    values = {
        "story_id": newsroom.stories["payments"],
        "brief_id": newsroom.draft_id,
        "entry_id": 1,
        "user_id": newsroom.users["volunteer"],
        "name": "vyorstka",
        "suggestion_id": 1,
        "session_id": 1,
    }
    for path in paths:
        url = re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), path)
        missing = await browser.client.post(url, data={"section": "legal", "status": "skip"})
        assert missing.status_code == 403, url
        assert "CSRF" in missing.text
        wrong = await browser.client.post(url, data={"csrf_token": "forged"}, headers={"X-CSRF-Token": "forged"})
        assert wrong.status_code == 403, url
    assert (await browser.get(f"/stories/{newsroom.stories['payments']}")).status_code == 200


async def test_csrf_token_in_the_htmx_header_is_accepted(browser, newsroom, web_store) -> None:
    await browser.sign_in("volunteer")
    story = newsroom.stories["payments"]
    response = await browser.client.post(
        f"/stories/{story}/status",
        data={"status": "skip"},
        headers={"X-CSRF-Token": browser.csrf, "HX-Request": "true"},
    )
    assert response.status_code == 200
    assert web_store.inbox.row(story).status == "skip"


async def test_sign_in_form_needs_the_token_too(browser, newsroom) -> None:
    await browser.get("/login")
    response = await browser.post(
        "/login", {"email": "editor@example.org", "password": "correct horse battery"}, csrf=False
    )
    assert response.status_code == 403


async def test_signing_in_rotates_the_csrf_token(browser, newsroom) -> None:
    await browser.get("/login")
    before = browser.csrf
    await browser.sign_in("editor")
    assert browser.csrf and browser.csrf != before


@pytest.mark.parametrize("path", ["/login", "/inbox", "/feed.atom", "/api/items", "/static/app.js"])
async def test_security_headers_on_every_response(browser, newsroom, path) -> None:
    await browser.sign_in("editor")
    response = await browser.get(path)
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["x-frame-options"] == "DENY"


async def test_no_inline_script_or_handler_in_any_page(browser, newsroom) -> None:
    await browser.sign_in("admin")
    for path in [
        "/login",
        "/inbox",
        f"/stories/{newsroom.stories['hostile']}",
        f"/drafts/{newsroom.draft_id}",
        "/archive",
        "/search?q=военкомат",
        "/admin/users",
    ]:
        html = (await browser.get(path)).text
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert 'src="/static/' in tag, (path, tag)
        assert not re.search(r"<[a-z]+[^>]*\son[a-z]+\s*=", html, re.I), path


async def test_hostile_source_text_is_shown_as_text(browser, newsroom) -> None:
    await browser.sign_in("editor")
    for path in ["/inbox", f"/stories/{newsroom.stories['hostile']}", "/search?q=военкомат"]:
        html = (await browser.get(path)).text
        assert "<script>window.__pwned" not in html and "<script>alert('title')" not in html, path
        assert "<img src=x" not in html, path
        assert 'href="javascript:' not in html, path
    story = (await browser.get(f"/stories/{newsroom.stories['hostile']}")).text
    assert "&lt;script&gt;window.__pwned = 1;" in story
    assert "&lt;img src=x onerror=" in story
    assert "&lt;b&gt;broken &lt;i&gt;html" in story
    assert '<span class="unsafe-url"' in story  # the javascript: URL is shown, never linked


async def test_hostile_entry_text_is_escaped_in_drafts_and_published_pages(browser, newsroom, web_store) -> None:
    await browser.sign_in("editor")
    story = newsroom.stories["payments"]
    await browser.post(f"/stories/{story}/entry", {"entry_text": "<script>alert(1)</script> [x](javascript:alert(2))"})
    await browser.add_to_brief(story)
    draft = (await browser.get(f"/drafts/{newsroom.draft_id}")).text
    assert "<script>alert(1)" not in draft and "&lt;script&gt;alert(1)" in draft
    others = [
        str(e.entry_id)
        for e in review.review_draft(web_store, newsroom.draft_id).blocking
        if e.story_id != story  # the hostile entry itself is published
    ]
    published = await browser.post(f"/drafts/{newsroom.draft_id}/publish", {"confirm": "1", "leave_out": others})
    assert published.status_code == 303, published.text
    public = await browser.client.get(f"/briefs/{newsroom.draft_id}", follow_redirects=True)
    assert public.status_code == 200
    assert "<script>alert(1)" not in public.text and 'href="javascript:' not in public.text


async def test_snapshot_is_served_as_sandboxed_text(browser, newsroom) -> None:
    await browser.sign_in("volunteer")
    response = await browser.get(f"/snapshots/{newsroom.snapshot_id}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.headers["content-security-policy"].startswith("sandbox")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "<script>alert('snap')</script>" in response.text  # the bytes as kept, but as text
    download = await browser.get(f"/snapshots/{newsroom.snapshot_id}", params={"download": "1"})
    assert download.headers["content-disposition"].startswith("attachment")
    assert download.headers["content-type"] == "application/octet-stream"
    assert download.headers["content-security-policy"].startswith("sandbox")
    assert download.content.startswith(b"<html><script>")
