"""Administration: accounts (list, add, remove, change role), the sources `mobrief fetch` polls, outlet aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from mobrief.brief.outlets import OutletNames
from mobrief.errors import ConfigError
from mobrief.store.users import ROLES
from mobrief.web import auth, templating
from mobrief.web.deps import AdminDep, StoreDep

router = APIRouter(include_in_schema=False)
MIN_PASSWORD = 10


@router.get("/admin/users")
def users_page(request: Request, store: StoreDep, user: AdminDep) -> Response:
    return templating.render(request, "users.html", {"users": store.users.list(), "roles": ROLES})


@router.post("/admin/users")
def add_user(
    store: StoreDep,
    user: AdminDep,
    email: Annotated[str, Form(max_length=320)],
    role: Annotated[str, Form()],
    password: Annotated[str, Form(max_length=1024)],
) -> Response:
    if len(password) < MIN_PASSWORD:
        raise ConfigError(f"a password needs at least {MIN_PASSWORD} characters")
    store.users.add(email, auth.hash_password(password), role)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{user_id}/role")
def change_role(store: StoreDep, user: AdminDep, user_id: int, role: Annotated[str, Form()]) -> Response:
    target = store.users.get(user_id)
    if target.id == user.id:
        raise ConfigError("you cannot change your own role")
    store.users.set_role(target.email, role)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{user_id}/delete")
def remove_user(store: StoreDep, user: AdminDep, user_id: int) -> Response:
    target = store.users.get(user_id)
    if target.id == user.id:
        raise ConfigError("you cannot remove your own account")
    store.users.remove(target.email)
    return RedirectResponse("/admin/users", status_code=303)


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
    names = OutletNames.of(store)
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
