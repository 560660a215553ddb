"""Publishing safely: the review step before a draft goes public, then correcting or withdrawing a published brief
in the open. Every route here is an adapter over `newsroom.publish` (the one publish path the CLI uses too)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from mobrief.brief import review
from mobrief.newsroom import publish
from mobrief.newsroom.review import review_draft
from mobrief.records import DRAFTED
from mobrief.store import Store
from mobrief.web import brief_history, drafting, templating
from mobrief.web.deps import ClientDep, EditorDep, StoreDep
from mobrief.web.routes.briefs import public_path

router = APIRouter(include_in_schema=False)


def review_context(
    store: Store, brief_id: int, *, refused: str | None = None, leave_out: set[int] | None = None
) -> dict[str, Any]:
    """What the review page lists: every unfinished entry with why, and what will be published."""
    draft = store.drafts.get(brief_id)
    checked = review_draft(store, brief_id)
    corrects = draft.corrects_brief_id
    correcting = store.drafts.get(corrects) if corrects else None
    return {
        "draft": draft,
        "review": checked,
        "summary": drafting.summarize(checked),
        "refused": refused,
        "leave_out": leave_out or set(),
        "correcting": correcting,
        "correcting_url": public_path(correcting.id, correcting.title) if correcting else None,
        "headings": {e.id: s.heading or s.key for s in draft.sections for e in s.entries},
        # not blocking, but said: what goes out as a backend wrote it, no editor having changed a word
        "unread": [
            e
            for s in draft.sections
            for e in s.entries
            if e.status == DRAFTED and not review.is_scaffold(e) and e.id not in {b.entry_id for b in checked.blocking}
        ],
    }


@router.get("/drafts/{brief_id}/review")
def review_page(request: Request, store: StoreDep, user: EditorDep, brief_id: int) -> Response:
    draft = store.drafts.get(brief_id)
    if draft.status != "draft":
        return RedirectResponse(public_path(draft.id, draft.title), status_code=303)
    return templating.render(request, "review.html", review_context(store, brief_id))


@router.post("/drafts/{brief_id}/publish")
def publish_page(
    request: Request,
    store: StoreDep,
    user: EditorDep,
    client: ClientDep,
    brief_id: int,
    leave_out: Annotated[list[int] | None, Form()] = None,
    note: Annotated[str, Form(max_length=2_000)] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """Publish after the review: refused (409, the review again) while an unfinished entry is not left out."""
    if confirm != "1":  # publishing goes through the review page, which is the confirmation
        return RedirectResponse(f"/drafts/{brief_id}/review", status_code=303)
    out = set(leave_out or [])
    try:
        brief = publish.publish_draft(
            store, brief_id, leave_out=out, note=note or None, editor=user.email, actor_id=user.id, client=client
        )
    except publish.PublishRefused as exc:
        context = review_context(store, brief_id, refused=str(exc), leave_out=out)
        return templating.render(request, "review.html", context, status_code=409)
    return RedirectResponse(public_path(brief.id or brief_id, brief.title), status_code=303)


@router.post("/briefs/{brief_id}/correct")
def correct_brief(store: StoreDep, user: EditorDep, client: ClientDep, brief_id: int) -> Response:
    """Open a correction of a published brief: a draft copy, edited like any draft, published over it."""
    correction = publish.start_correction(store, brief_id)
    brief_history.record(store, user, brief_id, "brief.correction_started", client)
    return RedirectResponse(f"/drafts/{correction}", status_code=303)


@router.post("/briefs/{brief_id}/withdraw")
def withdraw_brief(
    store: StoreDep,
    user: EditorDep,
    client: ClientDep,
    brief_id: int,
    note: Annotated[str, Form(max_length=2_000)] = "",
) -> Response:
    """Withdraw a published brief: its page and its feed entry say so, with the note."""
    publish.withdraw_brief(store, brief_id, note, editor=user.email, actor_id=user.id, client=client)
    brief = store.briefs.get(brief_id)
    return RedirectResponse(public_path(brief_id, brief.title), status_code=303)


@router.get("/briefs/{brief_id}/history")
@router.get("/drafts/{brief_id}/history")
def history_page(request: Request, store: StoreDep, user: EditorDep, brief_id: int) -> Response:
    """Who changed a brief, when, and what: every change to its draft, publication, corrections, withdrawal."""
    draft = store.drafts.get(brief_id)
    events = brief_history.lines_of(store, brief_id)
    if draft.corrects_brief_id:  # a correction's history goes on from the brief it corrects
        events += brief_history.lines_of(store, draft.corrects_brief_id)
    context = {"draft": draft, "revisions": store.revisions.of(brief_id), "events": events}
    return templating.render(request, "history.html", context)
