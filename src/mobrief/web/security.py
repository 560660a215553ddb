"""Security on every response: session cookies, CSRF tokens on state-changing requests, security headers.

The middlewares are plain ASGI (not Starlette's BaseHTTPMiddleware) so they add no task or copy per request.
CSRF uses the synchronizer-token pattern: the token lives in the signed session cookie and must come back in
the `X-CSRF-Token` header (htmx sends it from `hx-headers` on <body>) or a `csrf_token` form field.
"""

from __future__ import annotations

import hmac
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlsplit

from fastapi import HTTPException, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mobrief.web.auth import SESSION_COOKIE, Session, SessionCodec

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
)


class SecurityHeadersMiddleware:
    """Add the security headers to every HTTP response; a route's own CSP (e.g. `sandbox`) is kept."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend((name, value) for name, value in SECURITY_HEADERS if name not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class SessionMiddleware:
    """Read the signed session cookie into `request.state.session`; write it back when a route replaced it.

    A visitor without a valid cookie gets a fresh anonymous session, so even the sign-in form has a token.
    """

    def __init__(self, app: ASGIApp, codec: SessionCodec, *, secure: bool = False) -> None:
        self.app = app
        self.codec = codec
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        session = None
        for name, value in scope.get("headers", []):
            if name == b"cookie":
                cookie: SimpleCookie = SimpleCookie()
                try:
                    cookie.load(value.decode("latin-1"))
                except Exception:  # a malformed Cookie header is the same as none
                    continue
                if SESSION_COOKIE in cookie:
                    session = self.codec.loads(cookie[SESSION_COOKIE].value)
        original = session
        if session is None:
            session = Session.fresh()
        state = scope.setdefault("state", {})
        state["session"] = session

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                current = state.get("session")
                if isinstance(current, Session) and current != original:
                    headers = list(message.get("headers", []))
                    headers.append((b"set-cookie", self._cookie(current).encode("latin-1")))
                    message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    def _cookie(self, session: Session) -> str:
        parts = [
            f"{SESSION_COOKIE}={self.codec.dumps(session)}",
            "Path=/",
            f"Max-Age={self.codec.max_age}",
            "HttpOnly",
            "SameSite=Lax",
        ]
        if self.secure:
            parts.append("Secure")
        return "; ".join(parts)


def session_of(request: Request) -> Session:
    """The request's session (the middleware always sets one)."""
    session = getattr(request.state, "session", None)
    return session if isinstance(session, Session) else Session.fresh()


def set_session(request: Request, session: Session) -> None:
    """Replace the request's session; the middleware sends the new cookie with the response."""
    request.state.session = session


async def verify_csrf(request: Request) -> None:
    """Refuse a state-changing request (403) whose CSRF token is missing or not the session's.

    Installed as an app-wide dependency, so no route can forget it.
    """
    if request.method in SAFE_METHODS:
        return
    expected = session_of(request).csrf
    sent: Any = request.headers.get(CSRF_HEADER)
    if not sent:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            sent = form.get(CSRF_FIELD)
    if not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise HTTPException(status_code=403, detail="CSRF token missing or invalid: reload the page and retry.")


def safe_url(url: object) -> str | None:
    """`url` when it is an absolute http(s) URL, else None: only such links are rendered as links."""
    if not isinstance(url, str):
        return None
    text = url.strip()
    if any(ord(ch) < 0x21 for ch in text):
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return text
