"""Security on every response: the session cookie, CSRF tokens on state-changing requests, headers, caching.

The middlewares are plain ASGI (not Starlette's BaseHTTPMiddleware) so they add no task or copy per request.
CSRF uses the synchronizer-token pattern: the token belongs to the session (`web.sessions`) and must come back
in the `X-CSRF-Token` header (htmx sends it from `hx-headers` on <body>) or a `csrf_token` form field.

Caching: a response says `Cache-Control: no-store` unless its route chose otherwise (public briefs, the feed,
static files say `public`); a response that sets a cookie is always `private, no-store`, so a shared cache
never stores one.
"""

from __future__ import annotations

import hmac
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlsplit

from fastapi import HTTPException, Request
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mobrief.web import sessions

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
PUBLIC_CACHE = "public, max-age=300"  # published briefs and the feed: a shared cache may keep them 5 minutes
STATIC_CACHE = "public, max-age=3600"

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
    (b"cache-control", b"no-store"),
)


class SecurityHeadersMiddleware:
    """Add the security headers to every HTTP response; a route's own (a CSP `sandbox`, a cache policy) is kept.

    With `hsts`, every response also carries Strict-Transport-Security (the app is served over https).
    """

    def __init__(self, app: ASGIApp, *, hsts: str | None = None) -> None:
        self.app = app
        self.headers = SECURITY_HEADERS + (((b"strict-transport-security", hsts.encode()),) if hsts else ())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend((name, value) for name, value in self.headers if name not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class SessionCookieMiddleware:
    """Hand the session cookie's value to `web.sessions`, and set or delete the cookie when it says so.

    Nothing here touches the database: a request whose route never asks for its session costs no query.
    """

    def __init__(self, app: ASGIApp, *, name: str, max_age: int, secure: bool) -> None:
        self.app = app
        self.name = name
        self.max_age = max_age
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        state["session_cookie_in"] = self._read(scope)

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                value = state.get("session_cookie_out")
                if isinstance(value, str):
                    headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control"]
                    headers.append((b"set-cookie", self._cookie(value).encode("latin-1")))
                    headers.append((b"cache-control", b"private, no-store"))
                    message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    def _read(self, scope: Scope) -> str | None:
        found = None
        for name, value in scope.get("headers", []):
            if name == b"cookie":
                cookie: SimpleCookie = SimpleCookie()
                try:
                    cookie.load(value.decode("latin-1"))
                except Exception:  # a malformed Cookie header is the same as none
                    continue
                if self.name in cookie:
                    found = cookie[self.name].value
        return found

    def _cookie(self, value: str) -> str:
        max_age = self.max_age if value else 0  # an empty value deletes the cookie
        parts = [f"{self.name}={value}", "Path=/", f"Max-Age={max_age}", "HttpOnly", "SameSite=Lax"]
        if self.secure:
            parts.append("Secure")
        return "; ".join(parts)


async def verify_csrf(request: Request) -> None:
    """Refuse a state-changing request (403) whose CSRF token is missing or not the session's.

    Installed as an app-wide dependency, so no route can forget it.
    """
    if request.method in SAFE_METHODS:
        return
    session = sessions.loaded_session(request)
    if session is None:
        session = await run_in_threadpool(sessions.load_session, request)
    expected = session.csrf if session.saved else ""
    sent: Any = request.headers.get(CSRF_HEADER)
    if not sent:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            sent = form.get(CSRF_FIELD)
    if not expected or not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), expected.encode()):
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
