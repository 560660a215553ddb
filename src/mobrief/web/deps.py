"""What routes get injected: the store and settings from `app.state`, the signed-in user and role checks.

Dependencies that do no I/O are `async def`: FastAPI runs a plain `def` one in a worker thread, and each such hop
waits its turn at the thread limiter (MOBRIEF_WEB_THREADS) behind other requests' pages, so a page whose five
dependencies were plain functions queued six times under load rather than twice (the session's lookup, the page).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Depends, Request

from mobrief.newsroom.background import JobRunner
from mobrief.settings import Settings
from mobrief.store import Store
from mobrief.store.users import User
from mobrief.web import proxies, sessions
from mobrief.web.auth import Passwords
from mobrief.web.config import WebConfig


class LoginRequired(Exception):
    """The request needs a signed-in user: pages redirect to /login, the API answers 401."""


class PasswordChangeRequired(Exception):
    """The user signed in with a one-time password and must choose one before anything else."""


class RoleRequired(Exception):
    """The signed-in user lacks the role a route needs (403)."""

    def __init__(self, role: str) -> None:
        super().__init__(role)
        self.role = role


async def get_store(request: Request) -> Store:
    """The app's store, opened once by `create_app` and kept in `app.state` (never a module global)."""
    store: Store = request.app.state.store
    return store


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_runner(request: Request) -> JobRunner:
    """Where long work goes: the task queue on the team server, a thread of this process on a laptop."""
    runner: JobRunner = request.app.state.jobs
    return runner


StoreDep = Annotated[Store, Depends(get_store)]
RunnerDep = Annotated[JobRunner, Depends(get_runner)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def _web_config(request: Request) -> WebConfig:
    config: WebConfig = request.app.state.web_config
    return config


async def get_web_config(request: Request) -> WebConfig:
    return _web_config(request)


async def get_passwords(request: Request) -> Passwords:
    passwords: Passwords = request.app.state.passwords
    return passwords


WebConfigDep = Annotated[WebConfig, Depends(get_web_config)]
PasswordsDep = Annotated[Passwords, Depends(get_passwords)]


async def client_address(request: Request) -> str:
    """The client's address: the peer, or X-Forwarded-For's when the peer is a trusted proxy."""
    peer = request.client.host if request.client else None
    return proxies.client_address(
        peer, request.headers.getlist("x-forwarded-for"), _web_config(request).trusted_proxies
    )


ClientDep = Annotated[str, Depends(client_address)]


def optional_user(request: Request) -> User | None:
    """The signed-in user, or None for a visitor (or a session that ended or whose account was removed)."""
    return sessions.load_session(request).user


OptionalUserDep = Annotated[User | None, Depends(optional_user)]


async def signed_in_user(user: OptionalUserDep) -> User:
    """The signed-in user, even one who must still replace a one-time password (the account pages)."""
    if user is None:
        raise LoginRequired()
    return user


AccountUserDep = Annotated[User, Depends(signed_in_user)]


async def current_user(user: AccountUserDep) -> User:
    if user.must_change_password:
        raise PasswordChangeRequired()
    return user


UserDep = Annotated[User, Depends(current_user)]


def require_role(role: str) -> Callable[[User], Coroutine[Any, Any, User]]:
    """A dependency that passes users with at least `role` (admin ⊃ editor ⊃ volunteer) and refuses others."""

    async def check(user: UserDep) -> User:
        if not user.has_role(role):
            raise RoleRequired(role)
        return user

    return check


EditorDep = Annotated[User, Depends(require_role("editor"))]
AdminDep = Annotated[User, Depends(require_role("admin"))]
