"""Sessions on the server: the cookie carries a random token, the `sessions` table what it stands for.

Signing out deletes the row, so the cookie is worthless at once; so do "sign out everywhere", a password change
and an admin's reset (for every session of the account). A session also ends when unused for the idle timeout
or older than its lifetime (WebConfig), and signing in always opens a new one (a token seen before sign-in
never carries a signed-in session).

A visitor who has not signed in gets no row. When a page needs a CSRF token for a visitor (the sign-in form),
the token travels in a small signed cookie instead, made only then: public pages and static files set no
cookie, and anonymous traffic writes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from mobrief.store import Store
from mobrief.store.users import User
from mobrief.web.config import WebConfig

COOKIE = "mobrief_session"
SECURE_COOKIE = "__Host-mobrief_session"  # the prefix makes browsers insist on Secure, Path=/ and no Domain
TOUCH_EVERY = dt.timedelta(minutes=1)  # last_seen_at is written at most this often per session
CLEAR = ""  # the cookie value that means "delete the cookie"


@dataclass(frozen=True, slots=True)
class Session:
    """The request's session: its CSRF token and, once signed in, the user and the server row's id."""

    csrf: str
    user: User | None = None
    id: int | None = None
    saved: bool = True  # False for a visitor's token no cookie carries yet


class CookieCodec:
    """Sign and read the session cookie: `{"sid": token}` when signed in, `{"csrf": token}` for a visitor."""

    def __init__(self, secret_key: str, max_age: dt.timedelta) -> None:
        self._serializer = URLSafeTimedSerializer(secret_key, salt="mobrief-session")
        self.max_age = int(max_age.total_seconds())

    def dumps(self, payload: dict[str, str]) -> str:
        return str(self._serializer.dumps(payload))

    def loads(self, cookie: str) -> dict[str, str] | None:
        try:
            data: Any = self._serializer.loads(cookie, max_age=self.max_age)
        except (BadSignature, ValueError, TypeError):
            return None
        if not isinstance(data, dict) or len(data) != 1:
            return None
        key, value = next(iter(data.items()))
        if key not in ("sid", "csrf") or not isinstance(value, str) or not 20 <= len(value) <= 100:
            return None
        return {key: value}


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> str:
    return secrets.token_urlsafe(32)  # 256 bits


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _config(request: Request) -> WebConfig:
    config: WebConfig = request.app.state.web_config
    return config


def _codec(request: Request) -> CookieCodec:
    codec: CookieCodec = request.app.state.cookie_codec
    return codec


def _send_cookie(request: Request, value: str) -> None:
    """Have the middleware set (or, with CLEAR, delete) the session cookie on the response."""
    request.state.session_cookie_out = value


def loaded_session(request: Request) -> Session | None:
    """The session if this request has looked it up already, else None (no database work)."""
    session = getattr(request.state, "session", None)
    return session if isinstance(session, Session) else None


def load_session(request: Request, now: dt.datetime | None = None) -> Session:
    """The request's session, looked up once (blocking: call it from a sync route or a thread).

    A signed-in cookie whose session ended (signed out, timed out, account removed) is deleted.
    """
    cached = loaded_session(request)
    if cached is not None:
        return cached
    raw = getattr(request.state, "session_cookie_in", None)
    payload = _codec(request).loads(raw) if raw else None
    session: Session | None = None
    if payload and "sid" in payload:
        session = _signed_in(request, payload["sid"], now or dt.datetime.now(dt.UTC))
        if session is None:
            _send_cookie(request, CLEAR)
    elif payload and "csrf" in payload:
        session = Session(csrf=payload["csrf"])
    elif raw:
        _send_cookie(request, CLEAR)  # forged, tampered or expired
    if session is None:
        session = Session(csrf=_new_token(), saved=False)
    request.state.session = session
    return session


def _signed_in(request: Request, token: str, now: dt.datetime) -> Session | None:
    store, config = _store(request), _config(request)
    hashed = token_hash(token)
    # kept while nothing is committed: a sign-out, password change or reset anywhere is a commit, so it ends the
    # session here at once; the time limits below are checked on every request
    found = store.kept.get(("session", hashed), lambda: store.sessions.find(hashed))
    if found is None:
        return None
    stored, user = found
    if now - stored.last_seen_at > config.session_idle or now - stored.created_at > config.session_lifetime:
        store.sessions.remove(stored.id)
        return None
    if now - stored.last_seen_at > TOUCH_EVERY:
        store.sessions.touch(stored.id, now)
    return Session(csrf=stored.csrf, user=user, id=stored.id)


def csrf_token(request: Request) -> str:
    """The session's CSRF token for a form or htmx; a visitor's is put in a cookie now, as it is needed."""
    session = load_session(request)
    if not session.saved:
        _send_cookie(request, _codec(request).dumps({"csrf": session.csrf}))
        session = Session(csrf=session.csrf)
        request.state.session = session
    return session.csrf


def sign_in(request: Request, user: User, client: str) -> Session:
    """Open a new server session for `user` (a new token and CSRF token) and end the one this browser had."""
    store = _store(request)
    previous = loaded_session(request)
    if previous is not None and previous.id is not None:
        store.sessions.remove(previous.id)
    token = _new_token()
    stored = store.sessions.add(
        token_hash(token),
        user.id,
        csrf=_new_token(),
        client=client,
        user_agent=request.headers.get("user-agent"),
        now=dt.datetime.now(dt.UTC),
    )
    session = Session(csrf=stored.csrf, user=user, id=stored.id)
    request.state.session = session
    _send_cookie(request, _codec(request).dumps({"sid": token}))
    return session


def sign_out(request: Request) -> None:
    """End this browser's session on the server and delete its cookie."""
    session = load_session(request)
    if session.id is not None:
        _store(request).sessions.remove(session.id)
    request.state.session = Session(csrf=_new_token(), saved=False)
    _send_cookie(request, CLEAR)


def prune(store: Store, config: WebConfig, now: dt.datetime | None = None) -> int:
    """Delete sessions that have ended by time; returns how many (run at start-up: rows are checked anyway)."""
    moment = now or dt.datetime.now(dt.UTC)
    return store.sessions.remove_expired(
        idle_since=moment - config.session_idle, created_before=moment - config.session_lifetime
    )
