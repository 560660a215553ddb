"""A story: every report with its text, snapshot and what enrichment found, earlier stories, the entry box."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from mobrief.brief import compose
from mobrief.web import drafting, templating
from mobrief.web.deps import StoreDep, UserDep

router = APIRouter(include_in_schema=False)

# a snapshot is the page as fetched: never let a browser run it
SNAPSHOT_POLICY = "sandbox; default-src 'none'"


@router.get("/stories/{story_id}")
def story_page(request: Request, store: StoreDep, user: UserDep, story_id: int) -> Response:
    story = store.inbox.story(story_id)
    day = story.last_seen.date()
    rules = drafting.HouseRules.of(store)
    findings = drafting.lint_text(story.entry_text, day, rules) if story.entry_text else []
    return templating.render(request, "story.html", {"story": story, "findings": findings, "saved": False})


@router.post("/stories/{story_id}/entry")
def save_entry(
    request: Request,
    store: StoreDep,
    user: UserDep,
    story_id: int,
    entry_text: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    compose.write_entry_text(store, story_id, entry_text.strip())  # the story and its draft entries
    story = store.inbox.story(story_id)
    rules = drafting.HouseRules.of(store)
    findings = drafting.lint_text(story.entry_text, story.last_seen.date(), rules) if story.entry_text else []
    if templating.is_htmx(request):
        return templating.render(request, "_entry_form.html", {"story": story, "findings": findings, "saved": True})
    return RedirectResponse(f"/stories/{story_id}", status_code=303)


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
