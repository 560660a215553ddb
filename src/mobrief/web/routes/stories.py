"""A story: its Russian reports (facts marked) beside the English entry, triage, and fixing the clustering by hand
(merge, move, split); snapshots kept at fetch time."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from mobrief.brief import review
from mobrief.errors import ConfigError, NotFound
from mobrief.newsroom import background, compose, story_edits
from mobrief.newsroom.outlets import outlet_names
from mobrief.newsroom.review import house_rules
from mobrief.records import DRAFTED, NEEDS_CHECK
from mobrief.store import Store
from mobrief.store.inbox import InboxFilter, InboxRow, StoryDetail
from mobrief.store.users import User
from mobrief.web import brief_history, drafting, templating
from mobrief.web.deps import ClientDep, EditorDep, RunnerDep, StoreDep, UserDep
from mobrief.web.routes import jobs

router = APIRouter(include_in_schema=False)

# a snapshot is the page as fetched: never let a browser run it
SNAPSHOT_POLICY = "sandbox; default-src 'none'"
MERGE_WINDOW = dt.timedelta(days=3)
MACHINE_STATUSES = (DRAFTED, NEEDS_CHECK)  # a draft entry's text a backend wrote and no editor has changed


def _rules(store: Store, story: StoryDetail) -> review.HouseRules:
    return house_rules(store, review.people_in(r.enrichment for r in story.reports if r.enrichment))


def _state(store: Store, story: StoryDetail, user: User, text: str, *, saved: bool = False) -> drafting.EntryState:
    editor = user.has_role("editor")
    findings = review.lint_text(text, story.last_seen.date(), _rules(store, story)) if text.strip() else []
    return drafting.entry_state(
        "story",
        text,
        box_id="entry-box",
        apply_url=f"/stories/{story.id}/entry/apply" if editor else None,
        findings=findings,
        saved=saved,
    )


def _own_suggestion(store: Store, story_id: int, user: User) -> str:
    mine = [s for s in store.suggestions.of_stories([story_id]).get(story_id, []) if s.editor == user.email]
    return mine[0].text if mine else ""


def _entry_context(store: Store, story: StoryDetail, user: User, *, saved: bool = False) -> dict[str, Any]:
    editor = user.has_role("editor")
    own = "" if editor else _own_suggestion(store, story.id, user)
    suggestions = store.suggestions.of_stories([story.id]).get(story.id, [])
    places = store.drafts.entries_telling(story.id)
    drafted = None if story.entry_text else store.story_drafts.get(story.id)
    machine = drafted.text if drafted else next((p.text for p in places if p.status in MACHINE_STATUSES), "")
    return {
        "story": story,
        "can_edit": editor,
        "state": _state(store, story, user, story.entry_text or "" if editor else own, saved=saved),
        "own_suggestion": own,
        "suggestions": suggestions if editor else [s for s in suggestions if s.editor != user.email],
        "story_entries": places,
        "machine_text": "" if story.entry_text else machine,
        "drafted": drafted,  # the machine draft in the box, with the Russian sentence each of its sentences rests on
    }


def story_context(store: Store, story_id: int, user: User) -> dict[str, Any]:
    """Everything the story page shows."""
    story = store.inbox.story(story_id)
    names = outlet_names(store)
    entry = _entry_context(store, story, user)
    drafted = entry["drafted"]
    spans = drafting.sentence_spans([s.as_dict() for s in drafted.sentences], "src-story") if drafted else {}
    marked = {
        r.item.id: dict(
            zip(
                ("title", "text"),
                drafting.mark_item(r.item.title, r.item.text, r.enrichment, spans.get(r.item.id or 0, ())),
                strict=True,
            )
        )
        for r in story.reports
    }
    if story.entry_text:
        gist = ""  # the editor's own text stands under the title
    elif drafted is not None and drafted.text.strip():
        gist = drafting.gist_of_draft(drafted.text).text
    else:  # facts enrichment found, as the inbox lists them
        gist = drafting.gist_of(store.inbox.row(story_id)).text
    return {
        **entry,
        "outlets": names.names(r.item.source for r in story.reports),
        "outlet_name": names.name,
        "marked": marked,
        "gist": gist,
        "decisions": store.story_decisions.of_story(story_id),
    }


def merge_candidates(store: Store, story: StoryDetail) -> list[InboxRow]:
    """Stories around the same days, the same section first: what an editor most likely merges in."""
    around = InboxFilter(
        status=None,
        relevant_only=False,
        since=story.first_seen - MERGE_WINDOW,
        until=story.last_seen + MERGE_WINDOW,
    )
    candidates = [r for r in store.inbox.page(around, limit=60).rows if r.id != story.id]
    candidates.sort(key=lambda r: (r.section != story.section, -r.last_seen.timestamp()))
    return candidates


@router.get("/stories/{story_id}/merge-candidates")
def merge_candidates_options(request: Request, store: StoreDep, user: EditorDep, story_id: int) -> Response:
    """The options of the merge picker, read when an editor opens it (a tenth of a story page's time, else)."""
    story = store.inbox.story(story_id)
    return templating.render(request, "_merge_candidates.html", {"candidates": merge_candidates(store, story)})


@router.get("/stories/{story_id}")
def story_page(request: Request, store: StoreDep, user: UserDep, story_id: int) -> Response:
    with store.shared_reads():  # the page's reads on one connection (PostgreSQL)
        try:
            context = story_context(store, story_id, user)
        except NotFound:
            merged = store.story_decisions.merged_into(story_id)
            if merged is None:
                raise
            return RedirectResponse(f"/stories/{merged}", status_code=303)  # merged by an editor: it lives on there
        return templating.render(request, "story.html", context | jobs.jobs_context(store))


def _record_in_drafts(store: Store, user: User, story_id: int, action: str, client: str) -> None:
    """Note a change to a story's entry in the history of every draft that tells the story."""
    for place in store.drafts.entries_telling(story_id):
        brief_history.record(store, user, place.brief_id, action, client, entry=place.entry_id, story=story_id)


def _conflict(current: str, base: str, sent: str) -> Response | None:
    """409 when the stored text changed since this box loaded it (someone else saved) and differs from ours."""
    if base and drafting.fingerprint(current) != base and current.strip() != sent.strip():
        message = "Someone else saved this entry meanwhile: copy your text, then reload the page to see theirs."
        return Response(message, status_code=409, headers={"X-Mobrief-Message": message})
    return None


@router.post("/stories/{story_id}/entry")
def save_entry(
    request: Request,
    store: StoreDep,
    user: EditorDep,
    client: ClientDep,
    story_id: int,
    entry_text: Annotated[str, Form(max_length=20_000)] = "",
    base: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Save an editor's English entry (the story and every draft entry telling it); htmx gets the save state."""
    current = store.inbox.story(story_id).entry_text or ""
    refused = _conflict(current, base, entry_text)
    if refused is not None:
        return refused
    compose.write_entry_text(store, story_id, entry_text.strip())
    _record_in_drafts(store, user, story_id, "brief.entry_written", client)
    if templating.is_htmx(request):
        story = store.inbox.story(story_id)
        state = _state(store, story, user, story.entry_text or "", saved=True)
        return templating.render(request, "_entry_state.html", {"state": state})
    return RedirectResponse(f"/stories/{story_id}", status_code=303)


@router.post("/stories/{story_id}/entry/apply")
def apply_entry_fix(
    request: Request,
    store: StoreDep,
    user: EditorDep,
    client: ClientDep,
    story_id: int,
    fix: Annotated[str, Form(max_length=2_000)],
    entry_text: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    """Apply one lint fix to the text in the box (saved first if it changed) and answer with the whole box."""
    story = store.inbox.story(story_id)
    text = entry_text.strip()
    code, start, replacement = _parse_fix(fix)
    fixed = review.apply_fix(text, review.lint_text(text, story.last_seen.date(), _rules(store, story)), code, start,
                             replacement)  # fmt: skip
    compose.write_entry_text(store, story_id, fixed if fixed is not None else text)
    _record_in_drafts(store, user, story_id, "brief.fix_applied", client)
    if templating.is_htmx(request):
        context = _entry_context(store, store.inbox.story(story_id), user, saved=True)
        return templating.render(request, "_entry_form.html", context)
    return RedirectResponse(f"/stories/{story_id}", status_code=303)


def _parse_fix(fix: str) -> tuple[str, int, str]:
    code, _, rest = fix.partition("|")
    start, _, replacement = rest.partition("|")
    try:
        return code, int(start), replacement
    except ValueError as exc:
        raise ConfigError(f"not a fix: {fix!r}") from exc


@router.post("/stories/{story_id}/suggestion")
def save_suggestion(
    request: Request,
    store: StoreDep,
    user: UserDep,
    story_id: int,
    text: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    """A volunteer's suggested English entry (editors take it or leave it)."""
    store.suggestions.save(story_id, user.email, text.strip())
    if templating.is_htmx(request):
        state = _state(store, store.inbox.story(story_id), user, text.strip(), saved=True)
        return templating.render(request, "_entry_state.html", {"state": state})
    return RedirectResponse(f"/stories/{story_id}", status_code=303)


def _back(request: Request, fallback: str, back: str | None) -> str:
    return back if back and back.startswith("/") and not back.startswith("//") else fallback


@router.post("/stories/{story_id}/suggestion/{suggestion_id}/use")
def use_suggestion(
    request: Request,
    store: StoreDep,
    user: EditorDep,
    client: ClientDep,
    story_id: int,
    suggestion_id: int,
    back: Annotated[str | None, Form(max_length=500)] = None,
) -> Response:
    """Take a volunteer's suggestion as the story's English entry."""
    suggestion = store.suggestions.get(suggestion_id)
    if suggestion.story_id != story_id:
        raise NotFound(f"no suggestion {suggestion_id} for story {story_id}")
    compose.write_entry_text(store, story_id, suggestion.text)
    _record_in_drafts(store, user, story_id, "brief.suggestion_used", client)
    return RedirectResponse(_back(request, f"/stories/{story_id}", back), status_code=303)


@router.post("/stories/{story_id}/redraft")
def redraft_story(store: StoreDep, user: EditorDep, client: ClientDep, runner: RunnerDep, story_id: int) -> Response:
    """Queue drafting the story again, then composing the newest draft whose entry for it a machine wrote (so
    the entry takes the new draft); the banner shows it. Refused when an editor has written the story."""
    places = [p for p in store.drafts.entries_telling(story_id) if p.status in MACHINE_STATUSES]
    brief_id = places[0].brief_id if places else None
    background.redraft_story(store, story_id, runner, requested_by=user.id, brief_id=brief_id)
    if places:
        place = places[0]
        brief_history.record(
            store, user, place.brief_id, "brief.entry_redrafted", client, entry=place.entry_id, story=story_id
        )
    return RedirectResponse(f"/stories/{story_id}", status_code=303)


# ---- fixing the clustering by hand ----


def _queue(store: Store, user: User, runner: background.JobRunner) -> story_edits.ComposeDrafts:
    """How the drafts a merge, split or move touches are composed again: queued, so the editor never waits."""
    return lambda ids: background.compose_drafts(store, ids, runner, requested_by=user.id)


@router.post("/stories/{story_id}/merge")
def merge_story(
    store: StoreDep,
    user: EditorDep,
    client: ClientDep,
    runner: RunnerDep,
    story_id: int,
    other: Annotated[str, Form()] = "",
    other_id: Annotated[str, Form()] = "",
) -> Response:
    """Merge another story into this one; the drafts that tell either are composed again (queued)."""
    chosen = (other_id or other).strip().lstrip("#")
    if not chosen.isdigit():
        raise ConfigError("choose the story to merge into this one")
    edit = story_edits.merge_stories(
        store, story_id, [int(chosen)], editor=user.email, compose_drafts=_queue(store, user, runner)
    )
    brief_history.record_each(store, user, edit.composed, "brief.stories_changed", client, story=story_id)
    return RedirectResponse(f"/stories/{story_id}", status_code=303)


def _item_ids(values: list[str]) -> list[int]:
    try:
        return [int(v) for v in values]
    except ValueError as exc:
        raise ConfigError("report ids are numbers") from exc


@router.post("/stories/{story_id}/split")
def split_story(
    store: StoreDep,
    user: EditorDep,
    client: ClientDep,
    runner: RunnerDep,
    story_id: int,
    item_ids: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Split the checked reports off into a new story; the drafts follow; opens the new story."""
    edit = story_edits.split_story(
        store, story_id, _item_ids(item_ids or []), editor=user.email, compose_drafts=_queue(store, user, runner)
    )
    brief_history.record_each(store, user, edit.composed, "brief.stories_changed", client, story=story_id)
    return RedirectResponse(f"/stories/{edit.story_id}", status_code=303)


@router.post("/stories/{story_id}/move")
def move_reports(
    store: StoreDep,
    user: EditorDep,
    client: ClientDep,
    runner: RunnerDep,
    story_id: int,
    to: Annotated[str, Form()] = "",
    item_ids: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Move the checked reports to another story; the drafts follow; opens the story they went to."""
    if not to.strip().lstrip("#").isdigit():
        raise ConfigError("give the number of the story the reports belong to")
    ids = _item_ids(item_ids or [])
    if not set(ids) <= set(store.inbox.item_ids(story_id)):
        raise ConfigError(f"only reports of story {story_id} can be moved from here")
    edit = story_edits.move_reports(
        store, ids, int(to.strip().lstrip("#")), editor=user.email, compose_drafts=_queue(store, user, runner)
    )
    brief_history.record_each(store, user, edit.composed, "brief.stories_changed", client, story=story_id)
    return RedirectResponse(f"/stories/{edit.story_id}", status_code=303)


@router.get("/snapshots/{snapshot_id}")
def snapshot(store: StoreDep, user: UserDep, snapshot_id: int, download: bool = False) -> Response:
    """The bytes kept at fetch time as plain text (or a download), sandboxed: never a live page."""
    kept = store.items.snapshot(snapshot_id)
    headers = {"Content-Security-Policy": SNAPSHOT_POLICY, "Cache-Control": "private, max-age=3600"}
    fetched = kept.fetched_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    headers["X-Mobrief-Snapshot"] = f"sha256={kept.sha256}; fetched={fetched}"
    if download:
        headers["Content-Disposition"] = f'attachment; filename="snapshot-{snapshot_id}.bin"'
        return Response(kept.body, media_type="application/octet-stream", headers=headers)
    charset = "utf-8"
    if "charset=" in kept.content_type:
        charset = kept.content_type.split("charset=", 1)[1].split(";")[0].strip().strip('"') or "utf-8"
    try:
        text = kept.body.decode(charset)
    except (LookupError, UnicodeDecodeError):
        text = kept.body.decode("utf-8", errors="replace")
    header = f"Snapshot of {kept.url}\nFetched {fetched}, {kept.content_type}, sha256 {kept.sha256}\n\n"
    return Response(header + text, media_type="text/plain; charset=utf-8", headers=headers)
