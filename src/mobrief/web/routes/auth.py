"""Sign in and out, and one's own account: password, open sessions, "sign out everywhere".

`/` sends a signed-in user to the inbox and a visitor to the sign-in form.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from mobrief.errors import ConfigError
from mobrief.web import auth, sessions, templating
from mobrief.web.deps import AccountUserDep, ClientDep, OptionalUserDep, PasswordsDep, StoreDep

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
    passwords: PasswordsDep,
    client: ClientDep,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str | None, Form()] = None,
) -> Response:
    attempt = auth.SignInAttempt(email=email, password=password, client=client)
    try:
        user = auth.authenticate(store, passwords, attempt)
    except auth.SignInRefused as exc:
        context = {"next": _local_target(next), "error": str(exc), "email": email}
        return templating.render(request, "login.html", context, status_code=401)
    sessions.sign_in(request, user, client)
    store.audit.record("auth.sign_in", actor_id=user.id, actor_email=user.email, client=client)
    if user.must_change_password:
        return RedirectResponse("/account/password", status_code=303)
    return RedirectResponse(_local_target(next), status_code=303)


@router.post("/logout")
def logout(request: Request, store: StoreDep, client: ClientDep, user: OptionalUserDep) -> Response:
    sessions.sign_out(request)
    if user is not None:
        store.audit.record("auth.sign_out", actor_id=user.id, actor_email=user.email, client=client)
    return RedirectResponse("/login", status_code=303)


DONE = {"password": "Your password is changed. Every other session of your account has ended."}


@router.get("/account")
def account_page(request: Request, store: StoreDep, user: AccountUserDep, done: str | None = None) -> Response:
    """One's own account: change the password, see where one is signed in, end those sessions."""
    if user.must_change_password:
        return RedirectResponse("/account/password", status_code=303)
    session = sessions.load_session(request)
    context = {"sessions": store.sessions.for_user(user.id), "current": session.id, "done": DONE.get(done or "")}
    return templating.render(request, "account.html", context)


@router.get("/account/password")
def password_page(request: Request, store: StoreDep, user: AccountUserDep) -> Response:
    return templating.render(request, "password.html", {"error": None})


@router.post("/account/password")
def change_password(
    request: Request,
    store: StoreDep,
    passwords: PasswordsDep,
    client: ClientDep,
    user: AccountUserDep,
    current: Annotated[str, Form(max_length=1024)],
    new: Annotated[str, Form(max_length=1024)],
    repeat: Annotated[str, Form(max_length=1024)],
) -> Response:
    """Change one's own password (the current one is asked again); every session of the account ends, and this
    browser gets a new one."""
    error = auth.confirm_password(store, passwords, user, current, client)
    if error is None and new != repeat:
        error = "The two new passwords differ."
    if error is None:
        try:
            auth.check_new_password(new, email=user.email, current=current)
        except ConfigError as exc:
            error = str(exc).capitalize() + "."
    if error is not None:
        return templating.render(request, "password.html", {"error": error}, status_code=400)
    store.users.set_password_hash(user.id, passwords.hash(new))
    store.audit.record("auth.password_changed", actor_id=user.id, actor_email=user.email, client=client)
    sessions.sign_in(request, store.users.get(user.id), client)
    return RedirectResponse("/account?done=password", status_code=303)


@router.post("/account/sessions/{session_id}/end")
def end_session(
    request: Request, store: StoreDep, client: ClientDep, user: AccountUserDep, session_id: int
) -> Response:
    """End one of one's own sessions (a browser left signed in elsewhere)."""
    if session_id == sessions.load_session(request).id:
        sessions.sign_out(request)
        store.audit.record("auth.sign_out", actor_id=user.id, actor_email=user.email, client=client)
        return RedirectResponse("/login", status_code=303)
    if store.sessions.remove(session_id, user_id=user.id):
        detail = {"session": session_id}
        store.audit.record("auth.sign_out", actor_id=user.id, actor_email=user.email, client=client, detail=detail)
    return RedirectResponse("/account", status_code=303)


@router.post("/account/sign-out-everywhere")
def sign_out_everywhere(request: Request, store: StoreDep, client: ClientDep, user: AccountUserDep) -> Response:
    """End every session of the account, this one included."""
    ended = store.sessions.remove_for_user(user.id)
    sessions.sign_out(request)
    store.audit.record(
        "auth.sign_out_everywhere", actor_id=user.id, actor_email=user.email, client=client, detail={"ended": ended}
    )
    return RedirectResponse("/login", status_code=303)
