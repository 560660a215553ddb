"""Sessions live on the server: signing out, "everywhere", a password change and an admin's reset end them."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from conftest import PASSWORD, Browser
from mobrief.store import open_store
from mobrief.store.schema import sessions as sessions_table

pytestmark = pytest.mark.anyio


@pytest.fixture
def open_browser(web_app: Any) -> Callable[[], Any]:
    """Another browser (its own cookies) on the same app."""

    @asynccontextmanager
    async def opened() -> AsyncIterator[Browser]:
        transport = httpx.ASGITransport(app=web_app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield Browser(client)

    return opened


async def test_signing_out_ends_the_session_on_the_server(browser, newsroom, web_store) -> None:
    """Finding 1: after POST /logout the old cookie and CSRF token worked for 14 days."""
    await browser.sign_in("editor")
    old_cookie, old_token = browser.client.cookies["mobrief_session"], browser.csrf
    assert (await browser.get("/api/items")).status_code == 200
    await browser.post("/logout")
    browser.client.cookies.set("mobrief_session", old_cookie)  # an attacker who kept a copy
    assert (await browser.get("/api/items")).status_code == 401
    story = newsroom.stories["payments"]
    replay = await browser.client.post(f"/stories/{story}/status", data={"status": "skip", "csrf_token": old_token})
    assert replay.status_code == 403
    assert web_store.inbox.row(story).status == "new"
    with web_store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(sessions_table)).scalar() == 0


async def test_the_database_keeps_no_session_token(browser, newsroom, web_store) -> None:
    await browser.sign_in("editor")
    cookie = browser.client.cookies["mobrief_session"]
    with web_store.engine.connect() as conn:
        row = conn.execute(sa.select(sessions_table)).one()
    assert len(row.token_hash) == 64 and row.token_hash not in cookie and row.client == "127.0.0.1"


async def test_signing_in_opens_a_new_session_and_ends_the_one_before(browser, newsroom, web_store) -> None:
    """Session ids rotate on sign-in (OWASP ASVS V3.2.1): a cookie planted before sign-in is never signed in."""
    await browser.get("/login")
    visitor_cookie = browser.client.cookies["mobrief_session"]
    await browser.sign_in("editor")
    first = browser.client.cookies["mobrief_session"]
    assert first != visitor_cookie
    await browser.get("/login")
    await browser.post("/login", {"email": "editor@example.org", "password": PASSWORD})
    second = browser.client.cookies["mobrief_session"]
    assert second != first
    browser.client.cookies.set("mobrief_session", first)
    assert (await browser.get("/inbox")).status_code == 303
    assert len(web_store.sessions.for_user(newsroom.users["editor"])) == 1


async def test_sign_out_everywhere(browser, newsroom, open_browser) -> None:
    async with open_browser() as laptop, open_browser() as phone:
        await laptop.sign_in("editor")
        await phone.sign_in("editor")
        await browser.sign_in("volunteer")
        page = await laptop.get("/account")
        assert page.status_code == 200 and page.text.count("/end") == 2 and "this browser" in page.text
        out = await laptop.post("/account/sign-out-everywhere")
        assert out.status_code == 303 and out.headers["location"] == "/login"
        assert (await phone.get("/inbox")).status_code == 303
        assert (await laptop.get("/inbox")).status_code == 303
        assert (await browser.get("/inbox")).status_code == 200  # another account's session stays


async def test_ending_one_other_session(browser, newsroom, web_store, open_browser) -> None:
    async with open_browser() as phone:
        await phone.sign_in("editor")
        await browser.sign_in("editor")
        mine = {s.id for s in web_store.sessions.for_user(newsroom.users["editor"])}
        phone_id = min(mine)
        assert (await browser.post(f"/account/sessions/{phone_id}/end")).status_code == 303
        assert (await phone.get("/inbox")).status_code == 303
        assert (await browser.get("/inbox")).status_code == 200
        await phone.sign_in("volunteer")
        other = web_store.sessions.for_user(newsroom.users["volunteer"])[0].id
        await browser.post(f"/account/sessions/{other}/end")  # not one's own: nothing happens
        assert (await phone.get("/inbox")).status_code == 200


async def test_changing_ones_password_ends_every_other_session(browser, newsroom, web_store, open_browser) -> None:
    async with open_browser() as phone:
        await phone.sign_in("editor")
        await browser.sign_in("editor")
        before = browser.client.cookies["mobrief_session"]
        form = {"current": PASSWORD, "new": "a brand new passphrase", "repeat": "a brand new passphrase"}
        wrong = await browser.post("/account/password", {**form, "current": "not my password"})
        assert wrong.status_code == 400 and "current password is wrong" in wrong.text
        short = await browser.post("/account/password", {**form, "new": "short", "repeat": "short"})
        assert short.status_code == 400 and "at least 12 characters" in short.text
        changed = await browser.post("/account/password", form)
        assert changed.status_code == 303
        assert (await phone.get("/inbox")).status_code == 303
        assert (await browser.get("/inbox")).status_code == 200  # this browser got a new session
        assert browser.client.cookies["mobrief_session"] != before
        await phone.get("/login")
        refused = await phone.post("/login", {"email": "editor@example.org", "password": PASSWORD})
        assert refused.status_code == 401
        accepted = await phone.post("/login", {"email": "editor@example.org", "password": "a brand new passphrase"})
        assert accepted.status_code == 303
    actions = [e.action for e in web_store.audit.list(actor_id=newsroom.users["editor"])]
    assert "auth.password_changed" in actions


async def test_an_admins_reset_ends_the_sessions_and_hands_out_a_one_time_password(
    browser, newsroom, web_store, open_browser
) -> None:
    editor_id = newsroom.users["editor"]
    async with open_browser() as editor:
        await editor.sign_in("editor")
        await browser.sign_in("admin")
        page = await browser.post(f"/admin/users/{editor_id}/password")
        assert page.status_code == 200
        one_time = page.text.split('<code class="one-time">', 1)[1].split("</code>", 1)[0]
        assert len(one_time) >= 20
        assert (await editor.get("/inbox")).status_code == 303  # the editor's session ended
        await editor.get("/login")
        signed = await editor.post("/login", {"email": "editor@example.org", "password": one_time})
        assert signed.status_code == 303 and signed.headers["location"] == "/account/password"
        stuck = await editor.get("/inbox")
        assert stuck.status_code == 303 and stuck.headers["location"] == "/account/password"
        assert (await editor.get("/api/items")).status_code == 403
        page = await editor.get("/account/password")
        assert "one-time password" in page.text
        form = {"current": one_time, "new": "my own passphrase again", "repeat": "my own passphrase again"}
        assert (await editor.post("/account/password", form)).status_code == 303
        assert (await editor.get("/inbox")).status_code == 200
    entry = web_store.audit.list(action="auth.password_reset")[0]
    assert entry.actor_id == newsroom.users["admin"] and entry.target_id == editor_id and entry.client == "127.0.0.1"
    assert one_time not in str(entry.detail)


async def test_an_unused_one_time_password_expires(browser, newsroom, web_store) -> None:
    from mobrief.store.schema import users

    editor_id = newsroom.users["editor"]
    await browser.sign_in("admin")
    page = await browser.post(f"/admin/users/{editor_id}/password")
    one_time = page.text.split('<code class="one-time">', 1)[1].split("</code>", 1)[0]
    await browser.post("/logout")
    with web_store.engine.begin() as conn:
        old = dt.datetime.now(dt.UTC) - dt.timedelta(days=4)
        conn.execute(sa.update(users).where(users.c.id == editor_id).values(password_changed_at=old))
    await browser.get("/login")
    refused = await browser.post("/login", {"email": "editor@example.org", "password": one_time})
    assert refused.status_code == 401 and "Wrong email or password." in refused.text


@pytest.mark.parametrize(
    ("column", "age"), [("last_seen_at", dt.timedelta(minutes=31)), ("created_at", dt.timedelta(hours=13))]
)
async def test_sessions_end_when_idle_or_too_old(browser, newsroom, web_store, column, age) -> None:
    """OWASP ASVS V3.3.2 level 2: 30 minutes idle, 12 hours in all (MOBRIEF_SESSION_IDLE_MINUTES/_HOURS)."""
    await browser.sign_in("editor")
    assert (await browser.get("/inbox")).status_code == 200
    with web_store.engine.begin() as conn:
        conn.execute(sa.update(sessions_table).values({column: dt.datetime.now(dt.UTC) - age}))
    response = await browser.get("/inbox")
    assert response.status_code == 303
    assert "Max-Age=0" in response.headers["set-cookie"]
    assert web_store.sessions.for_user(newsroom.users["editor"]) == []


async def test_using_a_session_keeps_it_alive(browser, newsroom, web_store) -> None:
    await browser.sign_in("editor")
    with web_store.engine.begin() as conn:
        conn.execute(sa.update(sessions_table).values(last_seen_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=20)))
    assert (await browser.get("/inbox")).status_code == 200
    (stored,) = web_store.sessions.for_user(newsroom.users["editor"])
    assert dt.datetime.now(dt.UTC) - stored.last_seen_at < dt.timedelta(minutes=1)


async def test_removing_an_account_ends_its_sessions(browser, newsroom, web_store) -> None:
    await browser.sign_in("volunteer")
    web_store.users.remove("volunteer@example.org")
    assert (await browser.get("/inbox")).status_code == 303
    with web_store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(sessions_table)).scalar() == 0


@pytest.mark.usefixtures("patient_throttle")
async def test_guessing_the_current_password_is_throttled_like_a_sign_in(browser, newsroom) -> None:
    """A borrowed session cannot try passwords on the change form faster than on the sign-in form."""
    from mobrief.web import auth

    await browser.sign_in("editor")
    form = {"current": "a guess", "new": "a brand new passphrase", "repeat": "a brand new passphrase"}
    answers = [await browser.post("/account/password", form) for _ in range(auth.FREE_ATTEMPTS + 1)]
    assert all("current password is wrong" in a.text for a in answers[: auth.FREE_ATTEMPTS])
    assert "Too many password attempts" in answers[-1].text
    right = await browser.post("/account/password", {**form, "current": PASSWORD})
    assert right.status_code == 400 and "Try again in" in right.text  # even the right one waits its turn


async def test_a_session_ended_by_another_process_ends_at_the_next_request(browser, newsroom, web_store) -> None:
    """The signed-in session is kept between requests while nothing is committed (store/kept.py): another worker's
    sign-out, or `mobrief user password` on the command line, must still end it at once."""
    await browser.sign_in("editor")
    assert (await browser.get("/api/items")).status_code == 200
    assert (await browser.get("/api/items")).status_code == 200  # the session kept from the request before
    other = open_store(web_store.engine.url.render_as_string(hide_password=False), migrate=False)
    try:
        assert other.sessions.remove_for_user(newsroom.users["editor"]) == 1
    finally:
        other.close()
    assert (await browser.get("/api/items")).status_code == 401


async def test_a_role_changed_by_another_process_shows_at_the_next_request(browser, newsroom, web_store) -> None:
    await browser.sign_in("admin")
    assert (await browser.get("/admin/users")).status_code == 200
    assert (await browser.get("/admin/users")).status_code == 200
    other = open_store(web_store.engine.url.render_as_string(hide_password=False), migrate=False)
    try:
        other.users.set_role("admin@example.org", "volunteer")
    finally:
        other.close()
    assert (await browser.get("/admin/users")).status_code == 403
