"""The brief editor: drafts for a period, entries written beside their Russian reports (each saves itself, under
the house-style lint), moved, removed; composing again keeps what editors did."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from mobrief.brief import render_html, review
from mobrief.errors import ConfigError
from mobrief.newsroom import background, redraft
from mobrief.newsroom.outlets import outlet_names
from mobrief.newsroom.review import house_rules, people_of, review_draft
from mobrief.store import Store
from mobrief.store.users import User
from mobrief.style import dates, sections
from mobrief.web import brief_history, drafting, templating
from mobrief.web.deps import ClientDep, EditorDep, RunnerDep, StoreDep, UserDep
from mobrief.web.routes import jobs
from mobrief.web.routes.stories import _conflict, _parse_fix

router = APIRouter(include_in_schema=False)


def public_path(brief_id: int, title: str) -> str:
    """The stable public URL of a published brief: `/briefs/<id>/<slug of its title>`."""
    # dashes first: NFKD would drop the en dash of "June 2–3" and glue the days together
    return f"/briefs/{brief_id}/{render_html.slug(title.replace('–', '-').replace('—', '-'))}"


def editor_context(store: Store, brief_id: int, user: User, *, only: int | None = None) -> dict[str, Any]:
    """What the brief editor (or one entry of it) shows."""
    draft = store.drafts.get(brief_id)
    checked = review_draft(store, brief_id)
    context: dict[str, Any] = {
        "draft": draft,
        "can_edit": user.has_role("editor") and draft.status == "draft",
        "entry_views": drafting.entry_views(store, draft, checked, outlet_names(store), only=only),
        "summary": drafting.summarize(checked),
        "machine_entries": len(redraft.machine_story_ids(draft)),
    }
    if only is None:
        corrects = getattr(draft, "corrects_brief_id", None)
        correcting = store.drafts.get(corrects) if corrects else None
        context |= {
            "removed": store.drafts.removed_stories(brief_id),
            "correcting": correcting,
            "correcting_url": public_path(correcting.id, correcting.title) if correcting else None,
        }
    return context


def _sections_response(request: Request, store: Store, user: User, brief_id: int) -> Response:
    if templating.is_htmx(request):
        return templating.render(request, "_draft_sections.html", editor_context(store, brief_id, user))
    return RedirectResponse(f"/drafts/{brief_id}", status_code=303)


def default_period(store: Store) -> tuple[dt.date, dt.date]:
    """The latest days with stories on the beat that no published brief tells: from the day after the last
    published brief (at most a day before the end) to the newest such day."""
    end = store.periods.latest_unpublished_day() or dt.datetime.now(dt.UTC).date()
    start = end - dt.timedelta(days=1)
    published = store.periods.last_published_end()
    if published is not None and start <= published < end:
        start = published + dt.timedelta(days=1)
    return start, end


@router.get("/drafts")
def drafts_page(request: Request, store: StoreDep, user: UserDep) -> Response:
    start, end = default_period(store)
    context = {"drafts": store.drafts.listing("draft"), "default_start": start, "default_end": end, "overlaps": []}
    return templating.render(request, "drafts.html", context | {"composing": store.jobs.unfinished("compose")})


@router.post("/drafts")
def start_draft(
    request: Request,
    store: StoreDep,
    user: EditorDep,
    client: ClientDep,
    runner: RunnerDep,
    start: Annotated[dt.date, Form()],
    end: Annotated[dt.date, Form()],
    confirm: Annotated[str, Form()] = "",
) -> Response:
    """Queue composing the draft of a period and open it, where its progress shows; a period that meets a
    draft or a published brief is not composed before the editor has seen those and chosen to go on."""
    if end < start:
        raise ConfigError("the period ends before it starts")
    if (end - start).days > 31:
        raise ConfigError("a brief covers at most a month")
    overlaps = store.periods.overlapping_briefs(start, end)
    if overlaps and confirm != "1":
        context = {
            "drafts": store.drafts.listing("draft"),
            "default_start": start,
            "default_end": end,
            "overlaps": [
                {
                    "id": i,
                    "title": t,
                    "status": s,
                    "start": a,
                    "end": b,
                    "url": f"/drafts/{i}" if s == "draft" else public_path(i, t),
                }
                for i, t, s, a, b in overlaps
            ],
            "asked": dates.format_period(start, end),
            "composing": {},
        }
        return templating.render(request, "drafts.html", context, status_code=409)
    job = background.compose_period(store, start, end, runner, requested_by=user.id)
    brief_id = job.brief_id or 0
    brief_history.record(store, user, brief_id, "brief.composed", client)
    return RedirectResponse(f"/drafts/{brief_id}", status_code=303)


@router.post("/drafts/{brief_id}/compose")
def recompose(store: StoreDep, user: EditorDep, client: ClientDep, runner: RunnerDep, brief_id: int) -> Response:
    """Queue composing the draft again (new stories join; editors' entries, order and removals stay) and
    show its progress on the draft's page."""
    background.compose_again(store, brief_id, runner, requested_by=user.id)
    brief_history.record(store, user, brief_id, "brief.recomposed", client)
    return RedirectResponse(f"/drafts/{brief_id}", status_code=303)


@router.post("/drafts/{brief_id}/redraft")
def redraft_draft(store: StoreDep, user: EditorDep, client: ClientDep, runner: RunnerDep, brief_id: int) -> Response:
    """Queue drafting again every machine-drafted entry no editor has changed, then composing the draft; its
    page shows the progress. An editor's text stays as it is."""
    background.redraft_draft(store, brief_id, runner, requested_by=user.id)
    brief_history.record(store, user, brief_id, "brief.redrafted", client)
    return RedirectResponse(f"/drafts/{brief_id}", status_code=303)


@router.post("/drafts/{brief_id}/entries/{entry_id}/redraft")
def redraft_entry(
    store: StoreDep, user: EditorDep, client: ClientDep, runner: RunnerDep, brief_id: int, entry_id: int
) -> Response:
    """Queue drafting this entry's story again, then composing the draft; refused when an editor wrote it."""
    entry = store.drafts.get(brief_id).entry(entry_id)
    if entry.story_id is None or not redraft.is_machine_entry(entry):
        raise ConfigError("only an entry a drafting backend wrote, and no editor changed, can be re-drafted")
    background.redraft_story(store, entry.story_id, runner, requested_by=user.id, brief_id=brief_id)
    brief_history.record(store, user, brief_id, "brief.entry_redrafted", client, entry=entry_id, story=entry.story_id)
    return RedirectResponse(f"/drafts/{brief_id}#entry-{entry_id}", status_code=303)


RECENTLY = dt.timedelta(minutes=2)  # how long the draft's page says a compose finished


def compose_job_view(store: Store, brief_id: int) -> dict[str, Any] | None:
    """What the draft's page says of its latest compose: under way (with stage, count and time), failed
    (with the reason), or finished moments ago; None when there is nothing to say."""
    job = background.latest_compose(store, brief_id, *background.DRAFT_KINDS)
    if job is None:
        return None
    now = dt.datetime.now(dt.UTC)
    if job.state == "done" and job.finished_at is not None and now - job.finished_at > RECENTLY:
        return None
    waited = (now - job.created_at).total_seconds()
    return {
        "job": job,
        "verbs": jobs.verbs_of(job.kind),
        "seconds": job.seconds(now),
        # a queued job no worker takes for this long: the team server's workers are probably not running
        "no_worker": job.state == "queued" and job.runner == background.QUEUE and waited > 30,
    }


@router.get("/drafts/{brief_id}")
def draft_page(request: Request, store: StoreDep, user: UserDep, brief_id: int) -> Response:
    draft = store.drafts.get(brief_id)
    if draft.status != "draft":
        return RedirectResponse(public_path(draft.id, draft.title), status_code=303)
    context = editor_context(store, brief_id, user) | {"composing": compose_job_view(store, brief_id)}
    return templating.render(request, "draft.html", context)


@router.get("/drafts/{brief_id}/composing")
def composing(request: Request, store: StoreDep, user: UserDep, brief_id: int) -> Response:
    """The draft's compose status, polled by its page while the work goes on; once it has ended, htmx reloads
    the page (its entries, and the compose button, change)."""
    store.drafts.get(brief_id)  # a draft that is gone is a 404
    view = compose_job_view(store, brief_id)
    response = templating.render(request, "_compose_job.html", {"composing": view, "draft_id": brief_id})
    if templating.is_htmx(request) and (view is None or view["job"].finished):
        response.headers["HX-Refresh"] = "true"
    return response


@router.get("/drafts/{brief_id}/preview")
def preview(request: Request, store: StoreDep, user: UserDep, brief_id: int) -> Response:
    draft = store.drafts.get(brief_id)
    left_out = {e.id for s in draft.sections for e in s.entries if review.is_scaffold(e)}
    brief = drafting.brief_of(draft, leave_out=left_out)
    context = {"brief": brief, "preview": True, "links": {}, "left_out": len(left_out)}
    context |= {"revisions": [], "withdrawn": False}
    return templating.render(request, "brief.html", context)


@router.post("/drafts/{brief_id}/delete")
def delete_draft(store: StoreDep, user: EditorDep, client: ClientDep, brief_id: int) -> Response:
    store.drafts.delete(brief_id)
    brief_history.record(store, user, brief_id, "brief.deleted", client)
    return RedirectResponse("/drafts", status_code=303)


# ---- one entry ----


def _entry_state(store: Store, brief_id: int, entry_id: int, *, saved: bool) -> drafting.EntryState:
    draft = store.drafts.get(brief_id)
    checked = {r.entry_id: r for r in review_draft(store, brief_id).entries}[entry_id]
    entry = draft.entry(entry_id)
    text = "" if review.is_scaffold(entry) else entry.text
    return drafting.entry_state(
        str(entry_id),
        text,
        box_id=f"entry-{entry_id}",
        apply_url=f"/drafts/{brief_id}/entries/{entry_id}/apply",
        findings=checked.findings,
        blocking=checked.problems,
        saved=saved,
    )


@router.post("/drafts/{brief_id}/entries/{entry_id}/text")
def save_text(
    request: Request,
    store: StoreDep,
    user: EditorDep,
    client: ClientDep,
    brief_id: int,
    entry_id: int,
    text: Annotated[str, Form(max_length=20_000)] = "",
    base: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Save one entry's text; htmx gets only that entry's save state and findings back."""
    entry = store.drafts.get(brief_id).entry(entry_id)  # the entry must be in this draft
    current = "" if review.is_scaffold(entry) else entry.text
    refused = _conflict(current, base, text)
    if refused is not None:
        return refused
    if text.strip() or not review.is_scaffold(entry):  # an empty box over a scaffold leaves the scaffold
        store.drafts.set_text(entry_id, text.strip())
        brief_history.record(store, user, brief_id, "brief.entry_written", client, entry=entry_id, story=entry.story_id)
    if templating.is_htmx(request):
        state = _entry_state(store, brief_id, entry_id, saved=True)
        return templating.render(request, "_entry_state.html", {"state": state})
    return RedirectResponse(f"/drafts/{brief_id}#entry-{entry_id}", status_code=303)


@router.post("/drafts/{brief_id}/entries/{entry_id}/apply")
def apply_suggestion(
    request: Request,
    store: StoreDep,
    user: EditorDep,
    client: ClientDep,
    brief_id: int,
    entry_id: int,
    fix: Annotated[str, Form(max_length=2_000)],
    text: Annotated[str | None, Form(max_length=20_000)] = None,
) -> Response:
    """Apply one lint fix to the entry's text as it is in the box (saved first when it changed); htmx gets this
    entry back, and nothing else on the page changes."""
    entry = store.drafts.get(brief_id).entry(entry_id)
    if text is not None and text.strip() and text.strip() != entry.text:
        store.drafts.set_text(entry_id, text.strip())
    draft = store.drafts.get(brief_id)
    code, start, replacement = _parse_fix(fix)
    findings = review.lint_draft(draft, house_rules(store, people_of(store, draft)))
    fixed = review.apply_fix(draft.entry(entry_id).text, findings.get(entry_id, []), code, start, replacement)
    if fixed is not None:
        store.drafts.set_text(entry_id, fixed)
        brief_history.record(store, user, brief_id, "brief.fix_applied", client, entry=entry_id, story=entry.story_id)
    if templating.is_htmx(request):
        context = editor_context(store, brief_id, user, only=entry_id)
        context["entry"] = store.drafts.get(brief_id).entry(entry_id)
        return templating.render(request, "_draft_entry.html", context)
    return RedirectResponse(f"/drafts/{brief_id}#entry-{entry_id}", status_code=303)


@router.post("/drafts/{brief_id}/entries/{entry_id}/move")
def move_entry(
    request: Request,
    store: StoreDep,
    user: EditorDep,
    client: ClientDep,
    brief_id: int,
    entry_id: int,
    step: Annotated[int, Form(ge=-1, le=1)],
) -> Response:
    entry = store.drafts.get(brief_id).entry(entry_id)
    store.drafts.move(entry_id, step)
    brief_history.record(store, user, brief_id, "brief.entry_moved", client, story=entry.story_id, step=step)
    return _sections_response(request, store, user, brief_id)


@router.post("/drafts/{brief_id}/entries/{entry_id}/section")
def move_entry_to_section(
    request: Request,
    store: StoreDep,
    user: EditorDep,
    client: ClientDep,
    brief_id: int,
    entry_id: int,
    section: Annotated[str, Form()],
) -> Response:
    if section not in sections.SECTION_ORDER:
        raise ConfigError(f"unknown section {section!r}")
    entry = store.drafts.get(brief_id).entry(entry_id)
    store.drafts.move_to_section(entry_id, section, drafting.heading_of(section), drafting.section_rank)
    name = drafting.heading_of(section) or section
    brief_history.record(store, user, brief_id, "brief.entry_section", client, story=entry.story_id, section=name)
    return _sections_response(request, store, user, brief_id)


@router.post("/drafts/{brief_id}/entries/{entry_id}/delete")
def delete_entry(
    request: Request, store: StoreDep, user: EditorDep, client: ClientDep, brief_id: int, entry_id: int
) -> Response:
    """Remove an entry; its story stays out of this brief when it is composed again (until put back)."""
    entry = store.drafts.get(brief_id).entry(entry_id)
    store.drafts.delete_entry(entry_id, editor=user.email)
    brief_history.record(store, user, brief_id, "brief.entry_removed", client, story=entry.story_id)
    return _sections_response(request, store, user, brief_id)


@router.post("/drafts/{brief_id}/removed/{story_id}/restore")
def restore_story(
    store: StoreDep, user: EditorDep, client: ClientDep, runner: RunnerDep, brief_id: int, story_id: int
) -> Response:
    """Put a removed story back: composing the draft again, queued like "Compose again", brings it in."""
    store.drafts.restore_story(brief_id, story_id)
    background.compose_again(store, brief_id, runner, requested_by=user.id)
    brief_history.record(store, user, brief_id, "brief.story_restored", client, story=story_id)
    return RedirectResponse(f"/drafts/{brief_id}", status_code=303)
