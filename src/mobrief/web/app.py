"""Build the FastAPI app: store and settings in `app.state`, sessions, CSRF, security headers, routes."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio.to_thread
import fastapi_offline
from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mobrief.errors import ConfigError, MobriefError, NotFound
from mobrief.newsroom import background
from mobrief.settings import Settings
from mobrief.store import Store, open_store
from mobrief.web import auth, security, sessions, templating, worker_processes
from mobrief.web.config import HSTS, WebConfig
from mobrief.web.deps import LoginRequired, PasswordChangeRequired, RoleRequired, UserDep
from mobrief.web.routes import admin, api, archive, briefs, feed, inbox, publishing, stories
from mobrief.web.routes import auth as auth_routes
from mobrief.web.routes import jobs as jobs_routes

STATIC = Path(__file__).parent / "static"
# Swagger UI's script, styles and icon, as the fastapi-offline package ships them: /docs loads nothing from outside
DOCS_ASSETS = Path(fastapi_offline.__file__).parent / "static"


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

    @app.exception_handler(PasswordChangeRequired)
    async def password_change_required(request: Request, exc: PasswordChangeRequired) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": "choose a new password at /account/password first"}, status_code=403)
        if templating.is_htmx(request):
            return Response(status_code=403, headers={"HX-Redirect": "/account/password"})
        return RedirectResponse("/account/password", status_code=303)

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


class PublicStaticFiles(StaticFiles):
    """Static files with a cache policy: the same for everyone, so a shared cache may keep them."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            response.headers["Cache-Control"] = security.STATIC_CACHE
        return response


def create_app(settings: Settings, store: Store | None = None, runner: background.JobRunner | None = None) -> FastAPI:
    """The editors' web app over the store at `settings.database_url` (or the `store` given, for tests); long
    work (composing) goes to `runner`, by default a thread of this process (`mobrief serve` picks the queue
    on the team server)."""
    secret = settings.secret_key
    if not secret:  # `mobrief serve` says so: sessions then end when the server restarts
        secret = secrets.token_urlsafe(32)
    if len(secret) < 16:
        raise ConfigError("MOBRIEF_SECRET_KEY must be at least 16 characters")
    config = WebConfig.from_settings(settings)
    opened = store or open_store(settings.database_url)
    sessions.prune(opened, config)
    auth.prune_throttle(opened)
    jobs = runner or background.InProcessRunner(opened, kept=dt.timedelta(days=settings.jobs_kept_days))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # the threads sync routes run in (anyio's default pool, 40): pages at once a process (web/config.py)
        anyio.to_thread.current_default_thread_limiter().total_tokens = config.page_threads
        yield
        jobs.close()
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
    app.state.jobs = jobs
    app.state.web_config = config
    app.state.passwords = auth.Passwords.from_settings(settings)
    app.state.cookie_codec = sessions.CookieCodec(secret, config.session_lifetime)
    app.add_middleware(
        security.SessionCookieMiddleware,
        name=sessions.SECURE_COOKIE if config.secure_cookies else sessions.COOKIE,
        max_age=int(config.session_lifetime.total_seconds()),
        secure=config.secure_cookies,
    )
    app.add_middleware(security.SecurityHeadersMiddleware, hsts=HSTS if config.hsts else None)
    app.add_middleware(HeadAsGet)
    share = worker_processes.connection_share()
    if share is not None:  # one of `serve --workers N`'s processes: keep the editors' connections spread evenly
        app.add_middleware(worker_processes.MoveOverShare, share=share)
    app.mount("/static/docs", PublicStaticFiles(directory=DOCS_ASSETS), name="docs-assets")  # before /static
    app.mount("/static", PublicStaticFiles(directory=STATIC), name="static")
    _install_error_handlers(app)
    for module in (auth_routes, inbox, stories, briefs, publishing, archive, feed, api, admin, jobs_routes):
        app.include_router(module.router)

    @app.get("/openapi.json", include_in_schema=False)
    def openapi(user: UserDep) -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False)
    def docs(request: Request, user: UserDep) -> HTMLResponse:
        """Swagger UI over /openapi.json, its script and styles served from here (the page's CSP is the app's)."""
        if not config.api_docs:
            raise HTTPException(status_code=404, detail="The API documentation page is turned off here.")
        return templating.render(request, "api_docs.html")

    @app.get("/healthz", include_in_schema=False)
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        headers = {"Cache-Control": "max-age=86400"}
        return FileResponse(STATIC / "favicon.ico", media_type="image/x-icon", headers=headers)

    return app
