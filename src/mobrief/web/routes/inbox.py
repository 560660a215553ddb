"""The inbox: newest and most relevant stories first, dense, with counts per status and section, filters, and
triage one story at a time (keys or buttons) or many at once (skip, add, set section, merge)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Collection, Mapping
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from mobrief.brief.outlets import OutletNames
from mobrief.errors import ConfigError
from mobrief.newsroom import background, story_edits
from mobrief.newsroom.outlets import outlet_names
from mobrief.store import Store
from mobrief.store.inbox import STORY_STATUSES, InboxCounts, InboxFilter, InboxPage
from mobrief.store.jobs import BackgroundJob
from mobrief.store.users import User
from mobrief.style import sections
from mobrief.web import brief_history, drafting, templating
from mobrief.web.deps import ClientDep, RoleRequired, RunnerDep, SettingsDep, StoreDep, UserDep
from mobrief.web.routes import jobs

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 30
COUNT_WINDOW = dt.timedelta(days=7)


def _counts(store: Store, flt: InboxFilter) -> InboxCounts:
    """The tabs' counts, kept while nothing is committed: counting is the page's dearest query (a third of it on
    PostgreSQL) and editors reload the same tabs; any change, from any process, has them counted again."""
    return store.kept.get(("inbox_counts", flt), lambda: store.inbox.counts(flt))


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


def row_context(
    store: Store,
    story_ids: Collection[int],
    names: OutletNames | None = None,
    drafted: Mapping[int, str] | None = None,
) -> dict[str, Any]:
    """What `_story_row.html` needs besides the rows of `story_ids`: outlet names, and the English gist (the
    first sentence of a story's machine draft when it has one; `drafted`, those drafts, when read already)."""
    names = names or outlet_names(store)
    if drafted is None:
        drafted = store.story_drafts.texts(story_ids)
    return {"outlet_names": names.names, "gist_of": functools.partial(drafting.gist_of, drafted=drafted)}


def _page(store: Store, flt: InboxFilter, offset: int) -> tuple[InboxPage, dict[int, str]]:
    """A page of the inbox and its stories' machine drafts, kept while nothing is committed: editors reload the
    same tabs, and any change, from any process, has it read again."""

    def read() -> tuple[InboxPage, dict[int, str]]:
        page = store.inbox.page(flt, limit=PAGE_SIZE, offset=offset)
        return page, store.story_drafts.texts([row.id for row in page.rows])

    return store.kept.get(("inbox_page", flt, offset), read)


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
    with store.shared_reads():  # the page's reads on one connection (PostgreSQL)
        if status not in (*STORY_STATUSES, "all"):
            raise ConfigError(f"status must be one of {', '.join(STORY_STATUSES)} or all")
        names = outlet_names(store)
        all_sources = store.kept.get("source_names", store.inbox.source_names)
        flt = InboxFilter(
            section=section or None,
            sources=names.sources_of(source, all_sources) if source else (),
            lang=lang or None,
            since=_start_of(_day(since)),
            until=_start_of(_day(until), after=True),
            query=q or None,
            status=None if status == "all" else status,
            relevant_only=relevant == "1",
        )
        page, drafted = _page(store, flt, offset)
        context = row_context(store, [row.id for row in page.rows], names, drafted)
        counted = flt
        newest = None
        if flt.since is None and flt.until is None:
            newest = store.kept.get("newest_report", store.inbox.newest_report)
        if newest is not None:  # without dates, the tabs count the triage window: counting years of stories is slow
            counted = dataclasses.replace(flt, since=newest - COUNT_WINDOW)
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
        here = "/inbox?" + urlencode({**params, "offset": offset})
        context |= {
            "page": page,
            "filters": params,
            "here": here,
            "next_url": "/inbox?" + urlencode({**params, "offset": offset + PAGE_SIZE}) if page.has_more else None,
            "prev_url": "/inbox?" + urlencode({**params, "offset": max(0, offset - PAGE_SIZE)}) if offset else None,
            "status_urls": {s: "/inbox?" + urlencode({**params, "status": s}) for s in (*STORY_STATUSES, "all")},
            "counts": _counts(store, counted),
            "counts_window": COUNT_WINDOW.days if counted is not flt else None,
            "outlets": sorted(set(names.names(all_sources)), key=str.casefold),
            "languages": settings.languages,
        }
        if templating.is_htmx(request) and request.headers.get("hx-target") == "inbox-rows":
            return templating.render(request, "_inbox_rows.html", context)
        # the rows are the same for every editor but for the CSRF token: rendered once while nothing is committed
        rows_key = ("inbox_rows", flt, offset, here)
        shared = store.kept.get(rows_key, lambda: templating.render_shared("_inbox_rows.html", context))
        context["rows_html"] = templating.with_csrf(request, shared)
        return templating.render(request, "inbox.html", context | jobs.jobs_context(store))


def triage(
    store: Store,
    user: User,
    story_ids: list[int],
    status: str | None,
    section: str | None,
    client: str | None = None,
    runner: background.JobRunner | None = None,
) -> list[BackgroundJob]:
    """Set the status and/or section of stories. An editor's "brief" queues composing the covering draft again
    (on `runner`; the banner shows it); a volunteer's is a suggestion the editor sees (only editors change a
    draft). Returns the composes queued."""
    if section is not None and section and section not in sections.SECTION_ORDER:
        raise ConfigError(f"unknown section {section!r}")
    queued: list[BackgroundJob] = []
    for story_id in story_ids:
        if section is not None:
            store.inbox.set_section(story_id, section or None)
        if status is not None:
            store.inbox.set_status(story_id, status)
            if status == "brief" and user.has_role("editor") and runner is not None:
                job = background.compose_covering(store, story_id, runner, requested_by=user.id)
                if job is not None:
                    brief_id = job.brief_id or 0
                    brief_history.record(store, user, brief_id, "brief.story_added", client, story=story_id)
                    queued.append(job)
    return queued


def _after_action(
    request: Request, store: Store, user: User, story_id: int, came_from: str | None, *, queued: bool = False
) -> Response:
    """htmx gets the story's row (or the story page's triage bar) back, with the jobs banner when a compose was
    queued; a plain form goes back where it came from."""
    if templating.is_htmx(request):
        if came_from == "story":
            context = {"story": store.inbox.story(story_id), "can_edit": user.has_role("editor")}
            answer = templating.render(request, "_story_triage.html", context)
        else:
            answer = templating.render(
                request, "_story_row.html", {"row": store.inbox.row(story_id), **row_context(store, [story_id])}
            )
        return jobs.with_jobs_banner(request, store, answer) if queued else answer
    back = request.headers.get("referer") or "/inbox"
    return RedirectResponse(back if back.startswith(str(request.base_url)) else "/inbox", status_code=303)


@router.post("/stories/{story_id}/section")
def assign_section(
    request: Request,
    store: StoreDep,
    user: UserDep,
    story_id: int,
    section: Annotated[str, Form()],
    came_from: Annotated[str | None, Form(alias="from")] = None,
) -> Response:
    triage(store, user, [story_id], None, section)
    return _after_action(request, store, user, story_id, came_from)


@router.post("/stories/{story_id}/status")
def set_status(
    request: Request,
    store: StoreDep,
    user: UserDep,
    client: ClientDep,
    runner: RunnerDep,
    story_id: int,
    status: Annotated[str, Form()],
    came_from: Annotated[str | None, Form(alias="from")] = None,
) -> Response:
    queued = triage(store, user, [story_id], status, None, client, runner)
    return _after_action(request, store, user, story_id, came_from, queued=bool(queued))


@router.post("/stories/bulk")
def bulk_action(
    request: Request,
    store: StoreDep,
    user: UserDep,
    client: ClientDep,
    runner: RunnerDep,
    action: Annotated[str, Form()],
    story_ids: Annotated[list[int] | None, Form()] = None,
    section: Annotated[str, Form()] = "",
    back: Annotated[str, Form(max_length=2000)] = "/inbox",
) -> Response:
    """One action on every selected story: add to the brief, skip, back to new, set section, or merge."""
    chosen = sorted(set(story_ids or []))
    if not chosen:
        raise ConfigError("select stories first (the boxes at the start of each row, or the space key)")
    target = back if back.startswith("/inbox") else "/inbox"
    if action == "merge":
        if not user.has_role("editor"):
            raise RoleRequired("editor")
        if len(chosen) < 2:
            raise ConfigError("select at least two stories to merge")
        keep = _largest(store, chosen)
        edit = story_edits.merge_stories(
            store,
            keep,
            [s for s in chosen if s != keep],
            editor=user.email,
            compose_drafts=lambda ids: background.compose_drafts(store, ids, runner, requested_by=user.id),
        )
        brief_history.record_each(store, user, edit.composed, "brief.stories_changed", client, story=keep)
        return RedirectResponse(f"/stories/{keep}", status_code=303)
    if action == "section":
        triage(store, user, chosen, None, section)
    elif action in STORY_STATUSES:
        triage(store, user, chosen, action, None, client, runner)
    else:
        raise ConfigError(f"unknown action {action!r}")
    return RedirectResponse(target, status_code=303)


def _largest(store: Store, story_ids: list[int]) -> int:
    """The story the others merge into: the one with most reports (then the oldest)."""
    return max(story_ids, key=lambda s: (len(store.inbox.item_ids(s)), -s))
