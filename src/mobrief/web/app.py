"""Build the FastAPI app: store and settings in `app.state`, sessions, CSRF, security headers, routes."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mobrief.errors import ConfigError, MobriefError, NotFound
from mobrief.settings import Settings
from mobrief.store import Store, open_store
from mobrief.web import auth, security, templating
from mobrief.web.deps import LoginRequired, RoleRequired, UserDep
from mobrief.web.routes import admin, api, archive, briefs, feed, inbox, publishing, stories
from mobrief.web.routes import auth as auth_routes

STATIC = Path(__file__).parent / "static"


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith(("/api/", "/openapi.json"))


def _error_page(request: Request, status: int, message: str) -> Response:
    if _wants_json(request):
        return JSONResponse({"detail": message}, status_code=status)
    return templating.render(request, "error.html", {"status": status, "message": message}, status_code=status)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": "sign in first"}, status_code=401, headers={"WWW-Authenticate": "Cookie"})
        target = "/login?next=" + request.url.path
        if templating.is_htmx(request):
            return Response(status_code=401, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(RoleRequired)
    async def role_required(request: Request, exc: RoleRequired) -> Response:
        return _error_page(request, 403, f"This needs the {exc.role} role.")

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        return _error_page(request, 404, str(exc))

    @app.exception_handler(MobriefError)
    async def mobrief_error(request: Request, exc: MobriefError) -> Response:
        return _error_page(request, 400, str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return _error_page(request, exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": exc.errors()}, status_code=422)
        fields = ", ".join(str(e.get("loc", ["?"])[-1]) for e in exc.errors())
        return _error_page(request, 422, f"Some fields are missing or wrong: {fields}.")


class HeadAsGet:
    """Answer HEAD as GET without the body (routes are declared for GET; HEAD would otherwise get 405)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)


def _docs_page() -> HTMLResponse:
    """FastAPI's Swagger page; its one inline script is allowed by hash, its assets from their CDN."""
    page = get_swagger_ui_html(openapi_url="/openapi.json", title="mobrief API")
    html = bytes(page.body).decode()
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(m.group(1).encode()).digest()).decode() + "'"
        for m in _SCRIPT.finditer(html)
    )
    policy = (
        f"default-src 'self'; script-src 'self' https://cdn.jsdelivr.net {hashes}; "
        "style-src 'self' https://cdn.jsdelivr.net; img-src 'self' data: https://fastapi.tiangolo.com; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    )
    return HTMLResponse(html, headers={"Content-Security-Policy": policy})


def create_app(settings: Settings, store: Store | None = None) -> FastAPI:
    """The editors' web app over the store at `settings.database_url` (or the `store` given, for tests)."""
    secret = settings.secret_key
    if not secret:  # `mobrief serve` says so: sessions then end when the server restarts
        secret = secrets.token_urlsafe(32)
    if len(secret) < 16:
        raise ConfigError("MOBRIEF_SECRET_KEY must be at least 16 characters")
    opened = store or open_store(settings.database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        if store is None:
            opened.close()

    app = FastAPI(
        title="mobrief",
        summary="The editors' web app and its JSON API: items, stories and briefs.",
        version="0.1.0",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(security.verify_csrf)],
        lifespan=lifespan,
    )
    app.state.store = opened
    app.state.settings = settings
    app.state.throttle = auth.ClientThrottle()
    secure = settings.extra.get("MOBRIEF_SECURE_COOKIES", "") == "1"
    app.add_middleware(security.SessionMiddleware, codec=auth.SessionCodec(secret), secure=secure)
    app.add_middleware(security.SecurityHeadersMiddleware)
    app.add_middleware(HeadAsGet)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _install_error_handlers(app)
    for module in (auth_routes, inbox, stories, briefs, publishing, archive, feed, api, admin):
        app.include_router(module.router)

    @app.get("/openapi.json", include_in_schema=False)
    def openapi(user: UserDep) -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False)
    def docs(user: UserDep) -> HTMLResponse:
        return _docs_page()

    @app.get("/healthz", include_in_schema=False)
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        headers = {"Cache-Control": "max-age=86400"}
        return FileResponse(STATIC / "favicon.ico", media_type="image/x-icon", headers=headers)

    return app


def app_from_env() -> FastAPI:
    """The app built from MOBRIEF_* variables: what each uvicorn worker calls (`serve --workers N`)."""
    import os

    return create_app(Settings.from_env(os.environ))
