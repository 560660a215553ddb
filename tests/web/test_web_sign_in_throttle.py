"""Sign-in throttling: a delay per (account, address), trusted proxies only, and no tell-tale answers or timing."""

from __future__ import annotations

import dataclasses
import re
import statistics
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from argon2 import profiles

from conftest import PASSWORD, SECRET, TEST_ENV, Browser
from mobrief.settings import Settings
from mobrief.store import open_store
from mobrief.web import auth
from mobrief.web.app import create_app

pytestmark = pytest.mark.anyio
WRONG = {"email": "editor@example.org", "password": "not the password"}
RIGHT = {"email": "editor@example.org", "password": PASSWORD}
MEASURED = dataclasses.replace(profiles.RFC_9106_LOW_MEMORY, memory_cost=8 * 1024, time_cost=1, parallelism=1)


async def _client(app: Any) -> AsyncIterator[Browser]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        browser = Browser(client)
        await browser.get("/login")
        yield browser


@pytest.fixture
async def behind_proxy(web_store, db_url, newsroom) -> AsyncIterator[Browser]:
    """The app with the loopback peer as a trusted proxy (MOBRIEF_TRUSTED_PROXIES)."""
    env = {**TEST_ENV, "MOBRIEF_TRUSTED_PROXIES": "127.0.0.1, ::1"}
    async for browser in _client(create_app(Settings.from_env(env, db=db_url), store=web_store)):
        yield browser


def _from(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}


@pytest.mark.usefixtures("patient_throttle")
async def test_x_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(browser, newsroom, web_store) -> None:
    """Finding 2: a spoofed X-Forwarded-For got round the per-address limit."""
    await browser.get("/login")
    for _ in range(auth.FREE_ATTEMPTS + 1):
        await browser.post("/login", WRONG, headers=_from("198.51.100.1"))
    spoofed = await browser.post("/login", RIGHT, headers=_from("203.0.113.7"))
    assert spoofed.status_code == 401 and "Try again in" in spoofed.text
    failed = web_store.audit.list(action="auth.sign_in_failed")
    assert {e.client for e in failed} == {"127.0.0.1"}  # the peer, never the header


@pytest.mark.usefixtures("patient_throttle")
async def test_a_trusted_proxys_x_forwarded_for_gives_each_client_its_own_delay(behind_proxy, web_store) -> None:
    for _ in range(auth.FREE_ATTEMPTS + 1):
        await behind_proxy.post("/login", WRONG, headers=_from("198.51.100.1"))
    slowed = await behind_proxy.post("/login", RIGHT, headers=_from("198.51.100.1"))
    assert slowed.status_code == 401 and "Try again in" in slowed.text
    # the editor at her own address is not slowed by a stranger's failures (finding 3: no lockout)
    other = await behind_proxy.post("/login", RIGHT, headers=_from("192.0.2.50, 127.0.0.1"))
    assert other.status_code == 303
    assert web_store.audit.list(action="auth.sign_in")[0].client == "192.0.2.50"
    # a client cannot hide behind an address it writes itself: the rightmost untrusted hop counts
    behind_proxy.client.cookies.clear()
    await behind_proxy.get("/login")
    forged = await behind_proxy.post("/login", RIGHT, headers=_from("192.0.2.50, 198.51.100.1"))
    assert forged.status_code == 401


@pytest.mark.usefixtures("patient_throttle")
async def test_failures_slow_an_address_down_without_locking_the_account(browser, newsroom, web_store) -> None:
    """Finding 3: five wrong passwords locked the account for everyone and said so."""
    await browser.get("/login")
    answers = [await browser.post("/login", WRONG) for _ in range(auth.FREE_ATTEMPTS)]
    assert all(a.status_code == 401 and "Wrong email or password." in a.text for a in answers)
    slowed = await browser.post("/login", RIGHT)
    wait = re.search(r"Try again in (\d+) seconds\.", slowed.text)
    assert wait is not None and int(wait[1]) <= 60  # the first wait (a second, patient_throttle's minute): no lockout
    user = web_store.users.by_email("editor@example.org")
    assert user is not None and not user.must_change_password
    key = auth.throttle_key("editor@example.org", "127.0.0.1")
    assert web_store.sign_in_throttle.failures(key) == auth.FREE_ATTEMPTS


@pytest.mark.usefixtures("patient_throttle")
async def test_existing_and_unknown_accounts_get_the_same_answers(browser, newsroom) -> None:
    """Finding 3: "Too many failed sign-ins for this account" told which emails exist."""
    await browser.get("/login")
    for email in ("editor@example.org", "nobody@example.org"):
        bodies = []
        for _ in range(auth.FREE_ATTEMPTS + 2):
            response = await browser.post("/login", {"email": email, "password": "not the password"})
            assert response.status_code == 401
            bodies.append(response.text.replace(email, "EMAIL"))
        if email == "editor@example.org":
            existing = bodies
        else:
            unknown = bodies
    assert existing == unknown  # the same page, word for word (the CSRF token is the visitor's, unchanged)
    assert "Try again in" in existing[-1]


def test_the_wait_grows_and_is_capped() -> None:
    waits = [auth.wait_after(n).total_seconds() for n in range(1, 30)]
    assert waits[: auth.FREE_ATTEMPTS - 1] == [0] * (auth.FREE_ATTEMPTS - 1)
    assert waits[auth.FREE_ATTEMPTS - 1 : auth.FREE_ATTEMPTS + 3] == [1, 2, 4, 8]
    assert max(waits) == auth.LONGEST_WAIT.total_seconds() and waits == sorted(waits)


def test_claims_race_safely(sqlite_store) -> None:
    """Two attempts read the same row: the compare-and-set lets one through."""
    import datetime as dt

    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    throttle = sqlite_store.sign_in_throttle
    for _ in range(auth.FREE_ATTEMPTS):
        assert throttle.claim("k", now, auth.wait_after, forget_after=auth.FORGET_AFTER) is None
    assert throttle.claim("k", now, auth.wait_after, forget_after=auth.FORGET_AFTER) == dt.timedelta(seconds=1)
    later = now + dt.timedelta(seconds=1)
    assert throttle.claim("k", later, auth.wait_after, forget_after=auth.FORGET_AFTER) is None
    assert throttle.claim("k", later, auth.wait_after, forget_after=auth.FORGET_AFTER) == dt.timedelta(seconds=2)
    next_day = now + dt.timedelta(days=2)
    assert throttle.claim("k", next_day, auth.wait_after, forget_after=auth.FORGET_AFTER) is None
    assert throttle.failures("k") == 1
    assert throttle.claim("other", now, auth.wait_after, forget_after=auth.FORGET_AFTER) is None
    assert auth.prune_throttle(sqlite_store, now=next_day) == 1  # "other" is a day and more old; "k" is new
    assert throttle.failures("other") == 0 and throttle.failures("k") == 1


async def test_an_unknown_account_takes_as_long_as_a_real_one(tmp_path: Path) -> None:
    """Finding 3: a real account answered in ~2 ms, an unknown one in ~250 ms. The median of 20 tries of each,
    interleaved, must be within 20%. Argon2 at 8 MiB and one pass (~10 ms a check): costly enough that skipping
    the check for an unknown email would show, cheap enough for the suite."""
    db = f"sqlite:///{tmp_path / 'timing.db'}"
    store = open_store(db)
    try:
        passwords = auth.Passwords(parameters=MEASURED)
        store.users.add("editor@example.org", passwords.hash(PASSWORD), "editor")
        env = {"MOBRIEF_SECRET_KEY": SECRET, "MOBRIEF_TRUSTED_PROXIES": "127.0.0.1"}
        app = create_app(Settings.from_env(env, db=db), store=store)
        app.state.passwords = passwords
        async for browser in _client(app):
            times: dict[str, list[float]] = {"editor@example.org": [], "nobody@example.org": []}
            for n in range(20):
                for email, taken in times.items():
                    # a new address each try, so no try is slowed by the throttle: this measures the checking
                    headers = _from(f"198.51.100.{n + 1}")
                    start = time.perf_counter()
                    response = await browser.post("/login", {"email": email, "password": "wrong!"}, headers=headers)
                    taken.append(time.perf_counter() - start)
                    assert response.status_code == 401 and "Wrong email or password." in response.text
        existing, unknown = (statistics.median(t) for t in times.values())
        assert abs(existing - unknown) <= 0.2 * max(existing, unknown), (existing, unknown)
    finally:
        store.close()
