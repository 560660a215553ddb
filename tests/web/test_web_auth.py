"""Sign-in, sessions, throttling and who may reach what (both backends where storage matters)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.anyio

PAGES = [
    "/inbox",
    "/stories/1",
    "/snapshots/1",
    "/drafts",
    "/drafts/1",
    "/drafts/1/preview",
    "/archive",
    "/search?q=x",
    "/entities/person/x",
    "/admin/users",
    "/admin/sources",
    "/docs",
]
API = [
    "/api/items",
    "/api/items/1",
    "/api/stories",
    "/api/stories/1",
    "/api/briefs",
    "/api/briefs/1",
    "/openapi.json",
]


async def test_anonymous_pages_redirect_to_sign_in(browser, newsroom) -> None:
    for path in PAGES:
        response = await browser.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login?next="), path


async def test_anonymous_htmx_request_is_told_to_sign_in(browser, newsroom) -> None:
    response = await browser.get("/inbox", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login")


async def test_anonymous_api_is_401(browser, newsroom) -> None:
    for path in API:
        response = await browser.get(path)
        assert response.status_code == 401, path
        assert response.json() == {"detail": "sign in first"}


async def test_public_routes_need_no_sign_in(browser, newsroom) -> None:
    assert (await browser.get("/feed.atom")).status_code == 200
    assert (await browser.get("/login")).status_code == 200
    assert (await browser.get("/static/app.css")).status_code == 200
    assert (await browser.get("/healthz")).json() == {"status": "ok"}
    home = await browser.get("/")
    assert home.status_code == 303 and home.headers["location"] == "/login"


async def test_sign_in_sets_a_hardened_cookie_and_sign_out_clears_it(browser, newsroom) -> None:
    response = await browser.sign_in("editor")
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert "Max-Age=43200" in cookie  # the session's lifetime (12 hours), not 14 days
    assert (await browser.get("/inbox")).status_code == 200
    assert (await browser.get("/")).headers["location"] == "/inbox"
    out = await browser.post("/logout")
    assert out.status_code == 303
    assert "Max-Age=0" in out.headers["set-cookie"]
    assert (await browser.get("/inbox")).status_code == 303


async def test_sign_in_goes_back_to_the_page_asked_for_but_never_off_site(browser, newsroom) -> None:
    await browser.get("/login")
    data = {"email": "editor@example.org", "password": "correct horse battery"}
    response = await browser.post("/login", {**data, "next": "/archive"})
    assert response.headers["location"] == "/archive"
    await browser.post("/logout")
    await browser.get("/login")
    response = await browser.post("/login", {**data, "next": "//evil.example/x"})
    assert response.headers["location"] == "/inbox"


async def test_wrong_password_is_refused_without_saying_which_part(browser, newsroom) -> None:
    await browser.get("/login")
    wrong = await browser.post("/login", {"email": "editor@example.org", "password": "nope nope nope"})
    unknown = await browser.post("/login", {"email": "nobody@example.org", "password": "nope nope nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert "Wrong email or password." in wrong.text and "Wrong email or password." in unknown.text
    assert (await browser.get("/inbox")).status_code == 303


async def test_a_forged_or_tampered_cookie_is_a_visitor(browser, newsroom) -> None:
    await browser.sign_in("admin")
    value = browser.client.cookies["mobrief_session"]
    browser.client.cookies.set("mobrief_session", value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
    assert (await browser.get("/inbox")).status_code == 303


async def test_a_removed_account_loses_its_session(browser, newsroom, web_store) -> None:
    await browser.sign_in("volunteer")
    web_store.users.remove("volunteer@example.org")
    assert (await browser.get("/inbox")).status_code == 303


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("post", "/drafts/{draft}/publish", {}),
        ("post", "/drafts/{draft}/delete", {}),
        ("post", "/drafts", {"start": "2024-06-02", "end": "2024-06-03"}),
        ("get", "/admin/users", {}),
        ("post", "/admin/users", {"email": "x@example.org", "role": "admin", "password": "0123456789ab"}),
        ("post", "/admin/users/{editor}/delete", {}),
        ("post", "/admin/users/{editor}/role", {"role": "admin"}),
        ("post", "/admin/users/{editor}/password", {}),
        ("get", "/admin/audit", {}),
    ],
)
async def test_volunteer_may_not_publish_delete_or_manage_users(browser, newsroom, method, path, data) -> None:
    await browser.sign_in("volunteer")
    url = path.format(draft=newsroom.draft_id, editor=newsroom.users["editor"])
    response = await (browser.get(url) if method == "get" else browser.post(url, data))
    assert response.status_code == 403
    assert "needs the" in response.text


async def test_editor_may_not_manage_users_but_admin_may(browser, newsroom, web_store) -> None:
    await browser.sign_in("editor")
    assert (await browser.get("/admin/users")).status_code == 403
    await browser.post("/logout")
    await browser.sign_in("admin")
    page = await browser.get("/admin/users")
    assert page.status_code == 200 and "volunteer@example.org" in page.text
    added = await browser.post(
        "/admin/users", {"email": "New@Example.org", "role": "editor", "password": "a long password"}
    )
    assert added.status_code == 303
    new = web_store.users.by_email("new@example.org")
    assert new is not None and new.role == "editor"
    assert (await browser.post(f"/admin/users/{new.id}/role", {"role": "volunteer"})).status_code == 303
    assert web_store.users.get(new.id).role == "volunteer"
    assert (await browser.post(f"/admin/users/{new.id}/delete")).status_code == 303
    assert web_store.users.by_email("new@example.org") is None
    own = await browser.post(f"/admin/users/{newsroom.users['admin']}/delete")
    assert own.status_code == 400 and "your own account" in own.text


async def test_admin_manages_sources_and_others_may_not(browser, newsroom, web_store) -> None:
    await browser.sign_in("editor")
    assert (await browser.get("/admin/sources")).status_code == 403
    refused = await browser.post("/admin/sources", {"name": "x", "kind": "feed", "location": "https://x.example/"})
    assert refused.status_code == 403
    await browser.post("/logout")
    await browser.sign_in("admin")
    page = await browser.get("/admin/sources")
    assert page.status_code == 200 and "vyorstka" in page.text
    added = await browser.post(
        "/admin/sources", {"name": "ovd", "kind": "feed", "location": "https://ovd.example/rss.xml"}
    )
    assert added.status_code == 303
    assert web_store.sources.get("ovd").url == "https://ovd.example/rss.xml"
    bad = await browser.post("/admin/sources", {"name": "evil", "kind": "feed", "location": "javascript:alert(1)"})
    assert bad.status_code == 400
    assert (await browser.post("/admin/sources/ovd/stop")).status_code == 303
    assert web_store.sources.get("ovd").enabled is False
