"""Administration: accounts (list, add, remove, change role, reset a password), the audit log, the sources
`mobrief fetch` polls, outlet aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from mobrief.errors import ConfigError
from mobrief.newsroom.outlets import outlet_names
from mobrief.store.users import ROLES
from mobrief.web import auth, templating
from mobrief.web.deps import AdminDep, ClientDep, PasswordsDep, StoreDep

router = APIRouter(include_in_schema=False)
AUDIT_PAGE = 100


def _users_page(request: Request, store: StoreDep, *, handed_out: tuple[str, str] | None = None) -> Response:
    context = {"users": store.users.list(), "roles": ROLES, "handed_out": handed_out}
    return templating.render(request, "users.html", context)


@router.get("/admin/users")
def users_page(request: Request, store: StoreDep, user: AdminDep) -> Response:
    return _users_page(request, store)


@router.post("/admin/users")
def add_user(
    store: StoreDep,
    passwords: PasswordsDep,
    client: ClientDep,
    user: AdminDep,
    email: Annotated[str, Form(max_length=320)],
    role: Annotated[str, Form()],
    password: Annotated[str, Form(max_length=1024)],
) -> Response:
    auth.check_new_password(password, email=email)
    added = store.users.add(email, passwords.hash(password), role)
    store.audit.record(
        "user.added",
        actor_id=user.id,
        actor_email=user.email,
        client=client,
        target=("user", added.id),
        detail={"email": added.email, "role": added.role},
    )
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{user_id}/role")
def change_role(
    store: StoreDep, client: ClientDep, user: AdminDep, user_id: int, role: Annotated[str, Form()]
) -> Response:
    target = store.users.get(user_id)
    if target.id == user.id:
        raise ConfigError("you cannot change your own role")
    store.users.set_role(target.email, role)
    store.audit.record(
        "user.role_changed",
        actor_id=user.id,
        actor_email=user.email,
        client=client,
        target=("user", target.id),
        detail={"email": target.email, "from": target.role, "to": role},
    )
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{user_id}/password")
def reset_password(
    request: Request, store: StoreDep, passwords: PasswordsDep, client: ClientDep, user: AdminDep, user_id: int
) -> Response:
    """Give an account a new one-time password (shown once, here) and end every session it has.

    The user must choose a password of their own at the next sign-in; the one-time one expires unused.
    """
    target = store.users.get(user_id)
    if target.id == user.id:
        raise ConfigError("change your own password on your account page")
    one_time = auth.new_one_time_password()
    store.users.set_password_hash(target.id, passwords.hash(one_time), one_time=True)
    store.audit.record(
        "auth.password_reset",
        actor_id=user.id,
        actor_email=user.email,
        client=client,
        target=("user", target.id),
        detail={"email": target.email},
    )
    return _users_page(request, store, handed_out=(target.email, one_time))


@router.post("/admin/users/{user_id}/delete")
def remove_user(store: StoreDep, client: ClientDep, user: AdminDep, user_id: int) -> Response:
    target = store.users.get(user_id)
    if target.id == user.id:
        raise ConfigError("you cannot remove your own account")
    store.users.remove(target.email)
    store.audit.record(
        "user.removed",
        actor_id=user.id,
        actor_email=user.email,
        client=client,
        target=("user", target.id),
        detail={"email": target.email, "role": target.role},
    )
    return RedirectResponse("/admin/users", status_code=303)


@router.get("/admin/audit")
def audit_page(
    request: Request,
    store: StoreDep,
    user: AdminDep,
    action: Annotated[str | None, Query(max_length=60)] = None,
    target_kind: Annotated[str | None, Query(max_length=30)] = None,
    target_id: int | None = None,
    before: int | None = None,
) -> Response:
    """The audit log, newest first: who did what, when and from where."""
    target = (target_kind, target_id) if target_kind and target_id is not None else None
    entries = store.audit.list(action=action or None, target=target, before_id=before, limit=AUDIT_PAGE)
    query = {"action": action or "", "target_kind": target_kind or "", "target_id": target_id}
    older = entries[-1].id if len(entries) == AUDIT_PAGE else None
    return templating.render(request, "audit.html", {"entries": entries, "query": query, "older": older})


POLLED_KINDS = ("feed", "telegram-channel")


@router.get("/admin/sources")
def sources_page(request: Request, store: StoreDep, user: AdminDep) -> Response:
    return templating.render(request, "sources.html", {"sources": store.sources.list(), "kinds": POLLED_KINDS})


@router.post("/admin/sources")
def add_source(
    store: StoreDep,
    user: AdminDep,
    name: Annotated[str, Form(min_length=1, max_length=200)],
    kind: Annotated[str, Form()],
    location: Annotated[str, Form(min_length=1, max_length=2000)],
) -> Response:
    """Configure a source for `mobrief fetch` to poll (a feed URL or a public Telegram channel name)."""
    if kind not in POLLED_KINDS:
        raise ConfigError(f"kind must be one of {', '.join(POLLED_KINDS)}")
    if kind == "feed" and not location.startswith(("http://", "https://")):
        raise ConfigError("a feed needs an http(s) URL")
    store.sources.add(name.strip(), kind, location.strip())
    return RedirectResponse("/admin/sources", status_code=303)


@router.post("/admin/sources/{name}/stop")
def stop_source(store: StoreDep, user: AdminDep, name: str) -> Response:
    """Stop polling a source; what it brought in stays."""
    store.sources.remove(name, keep_items=True)
    return RedirectResponse("/admin/sources", status_code=303)


@router.get("/admin/outlets")
def outlets_page(request: Request, store: StoreDep, user: AdminDep) -> Response:
    """Every source name with the outlet it is shown as; aliases join names of one outlet."""
    names = outlet_names(store)
    sources = store.inbox.source_names()
    grouped: dict[str, list[str]] = {}
    for source in sources:
        grouped.setdefault(names.name(source), []).append(source)
    context = {"grouped": dict(sorted(grouped.items(), key=lambda kv: kv[0].casefold())), "aliases": names.aliases}
    return templating.render(request, "outlets.html", context)


@router.post("/admin/outlets")
def set_outlet_alias(
    store: StoreDep,
    user: AdminDep,
    alias: Annotated[str, Form(min_length=1, max_length=300)],
    outlet: Annotated[str, Form(min_length=1, max_length=300)],
) -> Response:
    """Show source `alias` as `outlet` in filters and attributions."""
    store.outlet_aliases.set(alias, outlet)
    return RedirectResponse("/admin/outlets", status_code=303)


@router.post("/admin/outlets/remove")
def remove_outlet_alias(store: StoreDep, user: AdminDep, alias: Annotated[str, Form(max_length=300)]) -> Response:
    store.outlet_aliases.remove(alias)
    return RedirectResponse("/admin/outlets", status_code=303)
