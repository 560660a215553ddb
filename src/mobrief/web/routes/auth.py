"""Sign in and out; `/` sends a signed-in user to the inbox and a visitor to the sign-in form."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from mobrief.web import auth, templating
from mobrief.web.deps import OptionalUserDep, StoreDep
from mobrief.web.security import session_of, set_session

router = APIRouter(include_in_schema=False)


def _local_target(target: str | None) -> str:
    """Where to go after signing in: a path on this site only (no `//host` or `scheme:` open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/inbox"
    return target


@router.get("/")
def home(user: OptionalUserDep) -> Response:
    return RedirectResponse("/inbox" if user else "/login", status_code=303)


@router.get("/login")
def login_form(request: Request, user: OptionalUserDep, next: str | None = None) -> Response:
    return templating.render(request, "login.html", {"next": _local_target(next), "error": None, "email": ""})


@router.post("/login")
def login(
    request: Request,
    store: StoreDep,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str | None, Form()] = None,
) -> Response:
    client = request.client.host if request.client else "unknown"
    try:
        user = auth.authenticate(store, request.app.state.throttle, client, email, password)
    except auth.SignInRefused as exc:
        context = {"next": _local_target(next), "error": str(exc), "email": email}
        return templating.render(request, "login.html", context, status_code=401)
    set_session(request, session_of(request).signed_in(user.id))
    return RedirectResponse(_local_target(next), status_code=303)


@router.post("/logout")
def logout(request: Request) -> Response:
    set_session(request, auth.Session.fresh())
    return RedirectResponse("/login", status_code=303)
