"""What routes get injected: the store and settings from `app.state`, the signed-in user and role checks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request

from mobrief.settings import Settings
from mobrief.store import Store
from mobrief.store.users import User
from mobrief.web.security import session_of


class LoginRequired(Exception):
    """The request needs a signed-in user: pages redirect to /login, the API answers 401."""


class RoleRequired(Exception):
    """The signed-in user lacks the role a route needs (403)."""

    def __init__(self, role: str) -> None:
        super().__init__(role)
        self.role = role


def get_store(request: Request) -> Store:
    """The app's store, opened once by `create_app` and kept in `app.state` (never a module global)."""
    store: Store = request.app.state.store
    return store


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def optional_user(request: Request, store: StoreDep) -> User | None:
    """The signed-in user, or None for a visitor (or a session whose account was removed)."""
    cached = getattr(request.state, "user", False)
    if cached is not False:
        return cached if isinstance(cached, User) else None
    session = session_of(request)
    user = store.users.find(session.user_id) if session.user_id is not None else None
    request.state.user = user
    return user


OptionalUserDep = Annotated[User | None, Depends(optional_user)]


def current_user(user: OptionalUserDep) -> User:
    if user is None:
        raise LoginRequired()
    return user


UserDep = Annotated[User, Depends(current_user)]


def require_role(role: str) -> Callable[[User], User]:
    """A dependency that passes users with at least `role` (admin ⊃ editor ⊃ volunteer) and refuses others."""

    def check(user: UserDep) -> User:
        if not user.has_role(role):
            raise RoleRequired(role)
        return user

    return check


EditorDep = Annotated[User, Depends(require_role("editor"))]
AdminDep = Annotated[User, Depends(require_role("admin"))]
