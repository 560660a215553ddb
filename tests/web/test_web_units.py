"""The small pieces the web app's safety rests on: link filtering, cookie signing, redirects, client addresses."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mobrief.errors import ConfigError
from mobrief.web import auth, proxies, sessions
from mobrief.web.routes.auth import _local_target
from mobrief.web.security import safe_url


@given(st.text())
def test_safe_url_only_ever_returns_http_links(text: str) -> None:
    result = safe_url(text)
    assert result is None or result.lower().startswith(("http://", "https://"))


def test_safe_url_examples() -> None:
    assert safe_url("https://zona.media/news/1") == "https://zona.media/news/1"
    assert safe_url("HTTP://example.org") == "HTTP://example.org"
    for bad in (
        "javascript:alert(1)",
        " javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,x",
        "//evil.example",
        "/relative",
        "http://",
        "https://exa mple.org",
        "java\tscript:alert(1)",
        None,
        5,
    ):
        assert safe_url(bad) is None, bad


@given(
    st.sampled_from(["sid", "csrf"]),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=20, max_size=60),
)
def test_session_cookie_round_trip_and_tamper(kind: str, token: str) -> None:
    codec = sessions.CookieCodec("a-secret-key-for-tests", dt.timedelta(hours=1))
    cookie = codec.dumps({kind: token})
    assert codec.loads(cookie) == {kind: token}
    assert sessions.CookieCodec("another-secret-key-here", dt.timedelta(hours=1)).loads(cookie) is None
    assert codec.loads(cookie + "x") is None


def test_expired_or_odd_session_cookie_is_refused() -> None:
    codec = sessions.CookieCodec("a-secret-key-for-tests", dt.timedelta(seconds=-1))
    assert codec.loads(codec.dumps({"sid": "x" * 43})) is None
    codec = sessions.CookieCodec("a-secret-key-for-tests", dt.timedelta(hours=1))
    assert codec.loads(codec.dumps({"uid": "x" * 43})) is None
    assert codec.loads(codec.dumps({"sid": "short"})) is None


@given(st.text())
def test_sign_in_redirects_stay_on_site(target: str) -> None:
    result = _local_target(target)
    assert result.startswith("/") and not result.startswith("//") and "\\" not in result


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "expected"),
    [
        ("127.0.0.1", ["203.0.113.7"], "", "127.0.0.1"),  # no trusted proxy: the header is ignored
        ("192.0.2.9", ["203.0.113.7"], "127.0.0.1", "192.0.2.9"),  # a peer that is not trusted
        ("127.0.0.1", ["203.0.113.7"], "127.0.0.1", "203.0.113.7"),
        ("127.0.0.1", ["198.51.100.1, 203.0.113.7"], "127.0.0.1", "203.0.113.7"),  # the left part is the client's
        ("127.0.0.1", ["203.0.113.7, 10.0.0.2"], "127.0.0.1, 10.0.0.0/8", "203.0.113.7"),  # two proxies
        ("127.0.0.1", ["203.0.113.7", "10.0.0.2"], "127.0.0.0/8,10.0.0.0/8", "203.0.113.7"),  # two header lines
        ("127.0.0.1", ["not-an-ip, 10.0.0.2"], "127.0.0.1, 10.0.0.0/8", "10.0.0.2"),  # garbage: stop there
        ("127.0.0.1", ["10.0.0.2"], "127.0.0.1, 10.0.0.0/8", "10.0.0.2"),  # all trusted: the leftmost
        ("::1", ["[2001:db8::1]:443"], "::1", "2001:db8::1"),
        ("::ffff:127.0.0.1", ["203.0.113.7:5000"], "127.0.0.1", "203.0.113.7"),
        (None, [], "", "unknown"),
    ],
)
def test_client_address(peer, forwarded, trusted, expected) -> None:
    assert proxies.client_address(peer, forwarded, proxies.parse_trusted_proxies(trusted)) == expected


def test_trusted_proxies_must_be_addresses() -> None:
    with pytest.raises(ConfigError, match="not an IP address"):
        proxies.parse_trusted_proxies("127.0.0.1, proxy.example")


def test_passwords_are_salted_argon2() -> None:
    first, second = auth.hash_password("a long password"), auth.hash_password("a long password")
    assert first != second and first.startswith("$argon2id$v=19$m=65536,t=3,p=4$")  # the strong default
    assert auth.verify_password(first, "a long password")
    assert not auth.verify_password(first, "another password")
    assert not auth.verify_password("not a hash", "a long password")
    cheap = auth.Passwords("cheapest")
    assert cheap.needs_rehash(cheap.hash("x")) is False and auth.Passwords().needs_rehash(cheap.hash("x"))
    with pytest.raises(ConfigError, match="MOBRIEF_ARGON2_PROFILE"):
        auth.Passwords("weak")


def test_new_passwords_follow_the_rules() -> None:
    auth.check_new_password("twelve chars", email="ed@example.org")
    for bad, why in [
        ("eleven char", "at least 12"),
        ("x" * 129, "at most 128"),
        ("Ed@Example.org ", "email"),
    ]:
        with pytest.raises(ConfigError, match=why):
            auth.check_new_password(bad, email="ed@example.org")
    with pytest.raises(ConfigError, match="differ"):
        auth.check_new_password("the same old one", email="ed@example.org", current="the same old one")
    one_time = auth.new_one_time_password()
    assert len(one_time) == 29 and one_time != auth.new_one_time_password()


@pytest.mark.anyio
async def test_a_worker_renders_as_many_pages_at_once_as_configured(db_url: str) -> None:
    import anyio.to_thread

    from conftest import TEST_ENV
    from mobrief.settings import Settings
    from mobrief.web.app import create_app
    from mobrief.web.config import WebConfig

    async def pages_at_once(env: dict[str, str]) -> int:
        app = create_app(Settings.from_env({**TEST_ENV, **env}, db=db_url))
        async with app.router.lifespan_context(app):  # what uvicorn runs when a worker starts
            return int(anyio.to_thread.current_default_thread_limiter().total_tokens)

    # not anyio's 40: pages are Python under one lock (web/config.py); on PostgreSQL a third runs while the others
    # wait for the server's answers
    assert await pages_at_once({}) == (3 if db_url.startswith("postgresql") else 2)
    assert await pages_at_once({"MOBRIEF_WEB_THREADS": "5"}) == 5
    for bad, said in (("0", "above 0"), ("2.5", "whole number"), ("many", "a number")):
        with pytest.raises(ConfigError, match=f"MOBRIEF_WEB_THREADS must be .*{said}"):
            WebConfig.from_settings(Settings.from_env({**TEST_ENV, "MOBRIEF_WEB_THREADS": bad}, db=db_url))
