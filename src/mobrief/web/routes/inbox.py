"""The inbox: newest and most relevant stories first, filters, and triage actions (section, skip, brief)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from mobrief.errors import ConfigError
from mobrief.store.inbox import STORY_STATUSES, InboxFilter
from mobrief.style import sections
from mobrief.web import drafting, templating
from mobrief.web.deps import SettingsDep, StoreDep, UserDep

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 30


def _day(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ConfigError(f"not a date (YYYY-MM-DD): {value!r}") from exc


def _start_of(day: dt.date | None, *, after: bool = False) -> dt.datetime | None:
    if day is None:
        return None
    moment = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
    return moment + dt.timedelta(days=1) if after else moment


@router.get("/inbox")
def inbox_page(
    request: Request,
    store: StoreDep,
    user: UserDep,
    settings: SettingsDep,
    section: str | None = None,
    source: str | None = None,
    lang: str | None = None,
    since: str | None = None,
    until: str | None = None,
    q: Annotated[str | None, Query(max_length=300)] = None,
    status: str = "new",
    relevant: str = "1",
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Response:
    if status not in (*STORY_STATUSES, "all"):
        raise ConfigError(f"status must be one of {', '.join(STORY_STATUSES)} or all")
    flt = InboxFilter(
        section=section or None,
        source=source or None,
        lang=lang or None,
        since=_start_of(_day(since)),
        until=_start_of(_day(until), after=True),
        query=q or None,
        status=None if status == "all" else status,
        relevant_only=relevant == "1",
    )
    page = store.inbox.page(flt, limit=PAGE_SIZE, offset=offset)
    params = {
        "section": section or "",
        "source": source or "",
        "lang": lang or "",
        "since": since or "",
        "until": until or "",
        "q": q or "",
        "status": status,
        "relevant": relevant,
    }
    context = {
        "page": page,
        "filters": params,
        "next_url": "/inbox?" + urlencode({**params, "offset": offset + PAGE_SIZE}) if page.has_more else None,
        "prev_url": "/inbox?" + urlencode({**params, "offset": max(0, offset - PAGE_SIZE)}) if offset else None,
        "sources": store.inbox.source_names(),
        "languages": settings.languages,
    }
    if templating.is_htmx(request) and request.headers.get("hx-target") == "inbox-rows":
        return templating.render(request, "_inbox_rows.html", context)
    return templating.render(request, "inbox.html", context)


def _after_action(request: Request, store: StoreDep, story_id: int) -> Response:
    if templating.is_htmx(request):
        return templating.render(request, "_story_row.html", {"row": store.inbox.row(story_id)})
    back = request.headers.get("referer") or "/inbox"
    return RedirectResponse(back if back.startswith(str(request.base_url)) else "/inbox", status_code=303)


@router.post("/stories/{story_id}/section")
def assign_section(
    request: Request, store: StoreDep, user: UserDep, story_id: int, section: Annotated[str, Form()]
) -> Response:
    if section and section not in sections.SECTION_ORDER:
        raise ConfigError(f"unknown section {section!r}")
    store.inbox.set_section(story_id, section or None)
    return _after_action(request, store, story_id)


@router.post("/stories/{story_id}/status")
def set_status(
    request: Request, store: StoreDep, user: UserDep, story_id: int, status: Annotated[str, Form()]
) -> Response:
    store.inbox.set_status(story_id, status)
    if status == "brief":
        drafting.recompose_covering(store, story_id)
    return _after_action(request, store, story_id)
