"""The brief editor: drafts for a period, entries moved and rewritten under the house-style lint, publish."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from mobrief.brief import compose, render_html, render_json, render_markdown, render_telegram
from mobrief.errors import ConfigError
from mobrief.store import Store
from mobrief.style import dates, sections
from mobrief.web import drafting, templating
from mobrief.web.deps import EditorDep, StoreDep, UserDep

router = APIRouter(include_in_schema=False)


def public_path(brief_id: int, title: str) -> str:
    """The stable public URL of a published brief: `/briefs/<id>/<slug of its title>`."""
    # dashes first: NFKD would drop the en dash of "June 2–3" and glue the days together
    return f"/briefs/{brief_id}/{render_html.slug(title.replace('–', '-').replace('—', '-'))}"


def _editor_context(store: Store, brief_id: int) -> dict[str, object]:
    draft = store.drafts.get(brief_id)
    return {"draft": draft, "findings": drafting.lint_draft(draft, drafting.HouseRules.of(store))}


def _sections_response(request: Request, store: Store, brief_id: int) -> Response:
    if templating.is_htmx(request):
        return templating.render(request, "_draft_sections.html", _editor_context(store, brief_id))
    return RedirectResponse(f"/drafts/{brief_id}", status_code=303)


@router.get("/drafts")
def drafts_page(request: Request, store: StoreDep, user: UserDep) -> Response:
    today = dt.datetime.now(dt.UTC).date()
    return templating.render(
        request,
        "drafts.html",
        {
            "drafts": store.drafts.listing("draft"),
            "default_start": today - dt.timedelta(days=1),
            "default_end": today,
        },
    )


@router.post("/drafts")
def start_draft(
    store: StoreDep,
    user: EditorDep,
    start: Annotated[dt.date, Form()],
    end: Annotated[dt.date, Form()],
) -> Response:
    if end < start:
        raise ConfigError("the period ends before it starts")
    if (end - start).days > 31:
        raise ConfigError("a brief covers at most a month")
    composed = compose.compose_brief(store, start, end)
    return RedirectResponse(f"/drafts/{composed.id}", status_code=303)


@router.post("/drafts/{brief_id}/compose")
def recompose(store: StoreDep, user: EditorDep, brief_id: int) -> Response:
    """Compose the draft again: new stories join, editors' entries and order stay."""
    draft = store.drafts.get(brief_id)
    if draft.status != "draft" or draft.period_start is None or draft.period_end is None:
        raise ConfigError(f"brief {brief_id} is not a draft with a period")
    compose.compose_brief(store, draft.period_start, draft.period_end)
    return RedirectResponse(f"/drafts/{brief_id}", status_code=303)


@router.get("/drafts/{brief_id}")
def draft_page(request: Request, store: StoreDep, user: UserDep, brief_id: int) -> Response:
    draft = store.drafts.get(brief_id)
    if draft.status != "draft":
        return RedirectResponse(public_path(draft.id, draft.title), status_code=303)
    return templating.render(request, "draft.html", _editor_context(store, brief_id))


@router.get("/drafts/{brief_id}/preview")
def preview(request: Request, store: StoreDep, user: UserDep, brief_id: int) -> Response:
    brief = drafting.brief_of(store.drafts.get(brief_id))
    return templating.render(request, "brief.html", {"brief": brief, "preview": True, "links": {}})


@router.post("/drafts/{brief_id}/publish")
def publish(request: Request, store: StoreDep, user: EditorDep, brief_id: int) -> Response:
    draft = store.drafts.get(brief_id)
    title = draft.title
    if draft.period_start and draft.period_end:
        title = dates.format_title(draft.period_start, draft.period_end)
    store.drafts.publish(brief_id, title, dt.datetime.now(dt.UTC))
    brief = store.briefs.get(brief_id)
    # render every published form now, so a brief that cannot be rendered is noticed at once
    render_html.render_html(brief)
    render_markdown.render_markdown(brief)
    render_telegram.render_telegram(brief)
    render_json.render_json(brief)
    target = public_path(brief_id, brief.title)
    if templating.is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


@router.post("/drafts/{brief_id}/delete")
def delete_draft(store: StoreDep, user: EditorDep, brief_id: int) -> Response:
    store.drafts.delete(brief_id)
    return RedirectResponse("/drafts", status_code=303)


@router.post("/drafts/{brief_id}/entries/{entry_id}/text")
def save_text(
    request: Request,
    store: StoreDep,
    user: UserDep,
    brief_id: int,
    entry_id: int,
    text: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    store.drafts.get(brief_id).entry(entry_id)  # the entry must be in this draft
    store.drafts.set_text(entry_id, text.strip())
    return _sections_response(request, store, brief_id)


@router.post("/drafts/{brief_id}/entries/{entry_id}/apply")
def apply_suggestion(
    request: Request,
    store: StoreDep,
    user: UserDep,
    brief_id: int,
    entry_id: int,
    index: Annotated[int, Form()],
) -> Response:
    fixed = drafting.apply_finding(store.drafts.get(brief_id), drafting.HouseRules.of(store), entry_id, index)
    if fixed is not None:
        store.drafts.set_text(entry_id, fixed)
    return _sections_response(request, store, brief_id)


@router.post("/drafts/{brief_id}/entries/{entry_id}/move")
def move_entry(
    request: Request,
    store: StoreDep,
    user: EditorDep,
    brief_id: int,
    entry_id: int,
    step: Annotated[int, Form(ge=-1, le=1)],
) -> Response:
    store.drafts.get(brief_id).entry(entry_id)
    store.drafts.move(entry_id, step)
    return _sections_response(request, store, brief_id)


@router.post("/drafts/{brief_id}/entries/{entry_id}/section")
def move_entry_to_section(
    request: Request,
    store: StoreDep,
    user: EditorDep,
    brief_id: int,
    entry_id: int,
    section: Annotated[str, Form()],
) -> Response:
    if section not in sections.SECTION_ORDER:
        raise ConfigError(f"unknown section {section!r}")
    store.drafts.get(brief_id).entry(entry_id)
    store.drafts.move_to_section(entry_id, section, drafting.heading_of(section), drafting.section_rank)
    return _sections_response(request, store, brief_id)


@router.post("/drafts/{brief_id}/entries/{entry_id}/delete")
def delete_entry(request: Request, store: StoreDep, user: EditorDep, brief_id: int, entry_id: int) -> Response:
    store.drafts.get(brief_id).entry(entry_id)
    store.drafts.delete_entry(entry_id)
    return _sections_response(request, store, brief_id)
