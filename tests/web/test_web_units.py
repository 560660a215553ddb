"""The small pieces the web app's safety rests on: link filtering, session signing, redirects, throttling."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mobrief.web import auth
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


@given(st.integers(min_value=1, max_value=10**9) | st.none())
def test_session_round_trip_and_tamper(user_id: int | None) -> None:
    codec = auth.SessionCodec("a-secret-key-for-tests")
    session = auth.Session.fresh(user_id)
    cookie = codec.dumps(session)
    assert codec.loads(cookie) == session
    assert auth.SessionCodec("another-secret-key-here").loads(cookie) is None
    assert codec.loads(cookie + "x") is None


def test_expired_session_is_refused() -> None:
    codec = auth.SessionCodec("a-secret-key-for-tests", max_age=-1)
    assert codec.loads(codec.dumps(auth.Session.fresh(1))) is None


@given(st.text())
def test_sign_in_redirects_stay_on_site(target: str) -> None:
    result = _local_target(target)
    assert result.startswith("/") and not result.startswith("//") and "\\" not in result


def test_client_throttle_counts_failures_per_address() -> None:
    throttle = auth.ClientThrottle(limit=3, window=60)
    for _ in range(3):
        assert not throttle.blocked("10.0.0.1")
        throttle.fail("10.0.0.1")
    assert throttle.blocked("10.0.0.1") and not throttle.blocked("10.0.0.2")
    throttle.clear("10.0.0.1")
    assert not throttle.blocked("10.0.0.1")


def test_passwords_are_salted_argon2() -> None:
    first, second = auth.hash_password("a long password"), auth.hash_password("a long password")
    assert first != second and first.startswith("$argon2id$")
    assert auth.verify_password(first, "a long password")
    assert not auth.verify_password(first, "another password")
    assert not auth.verify_password("not a hash", "a long password")
