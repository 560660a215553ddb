"""Publish a draft, the one way the CLI and the web app both take: review it, refuse while an entry is unfinished
unless the editor leaves it out, freeze it, record who did; render every format to files and rewrite the Atom feed.
A published brief is corrected (a new version with a note) or withdrawn in the open, never silently changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from mobrief.brief import render_atom, review
from mobrief.brief.publish import brief_slug, check_renders, long_date, notice_of, write_formats
from mobrief.errors import ConfigError, MobriefError
from mobrief.newsroom.review import review_draft
from mobrief.records import Brief
from mobrief.store import Store
from mobrief.style import dates

FEED_SIZE = 50


@dataclass(frozen=True, slots=True, kw_only=True)
class Published:
    """Where a published brief's files were written."""

    brief_id: int
    title: str
    files: dict[str, Path]
    feed: Path


class PublishRefused(MobriefError):
    """Publishing was refused: entries are unfinished (scaffolds, fact-guard failures, lint findings, Russian
    text) and the editor did not leave them out."""

    def __init__(self, brief_id: int, entries: list[review.EntryReview]) -> None:
        self.brief_id = brief_id
        self.entries = entries
        listed = "; ".join(
            f"entry {e.entry_id} (story {e.story_id}): {', '.join(p.message for p in e.problems[:2])}"
            for e in entries[:5]
        )
        more = f" and {len(entries) - 5} more" if len(entries) > 5 else ""
        noun = "entry" if len(entries) == 1 else "entries"
        super().__init__(
            f"brief {brief_id} has {len(entries)} unfinished {noun}: {listed}{more}. "
            "Fix them, or leave them out of this brief explicitly"
        )


def publish_draft(
    store: Store,
    brief_id: int,
    *,
    leave_out: Iterable[int] = (),
    note: str | None = None,
    editor: str | None = None,
    actor_id: int | None = None,
    client: str | None = None,
    now: dt.datetime | None = None,
) -> Brief:
    """Publish draft `brief_id` in the store: refused (`PublishRefused`) while an entry is unfinished and not in
    `leave_out`; the entries in `leave_out` are not published. A draft correcting a published brief replaces
    that brief's text (same id and URL) and needs `note`, the "Corrected on …" text readers see. The audit log
    records who (`actor_id`, `editor`'s email) published it from where (`client`: an address, or "cli")."""
    draft = store.drafts.get(brief_id)
    if draft.status != "draft":
        raise ConfigError(f"brief {brief_id} is {draft.status}: only a draft can be published")
    checked = review_draft(store, brief_id)
    out = set(leave_out) & {e.entry_id for e in checked.entries}
    left = checked.unresolved(out)
    if left:
        raise PublishRefused(brief_id, left)
    if not [e for e in checked.entries if e.entry_id not in out and e.text.strip()]:
        raise ConfigError(f"brief {brief_id} has nothing left to publish")
    moment = now or dt.datetime.now(dt.UTC)
    if draft.corrects_brief_id is not None:
        if not (note or "").strip():
            raise ConfigError("say what the correction changes: readers see this note")
        target = store.revisions.publish_correction(brief_id, note or "", editor, moment, leave_out=sorted(out))
        brief = store.briefs.get(target)
    else:
        title = draft.title
        if draft.period_start and draft.period_end:
            title = dates.format_title(draft.period_start, draft.period_end)
        store.drafts.publish(brief_id, title, moment, leave_out=sorted(out))
        brief = store.briefs.get(brief_id)
    check_renders(brief)
    assert brief.id is not None
    store.audit.record(
        "brief.published", actor_id=actor_id, actor_email=editor, client=client, target=("brief", brief.id)
    )
    return brief


def start_correction(store: Store, brief_id: int) -> int:
    """The draft that corrects published brief `brief_id` (a copy of it; the open one when there is one)."""
    return store.revisions.start_correction(brief_id)


def withdraw_brief(
    store: Store,
    brief_id: int,
    note: str,
    *,
    editor: str | None = None,
    now: dt.datetime | None = None,
    actor_id: int | None = None,
    client: str | None = None,
) -> None:
    """Take a published brief back: its page and its feed entry say so, with `note`; the audit log records who
    (`actor_id`, `editor`) and from where (`client`: an address, or "cli"), in the same transaction."""
    when = now or dt.datetime.now(dt.UTC)
    store.revisions.withdraw(brief_id, note, editor, when, actor_id=actor_id, client=client)


def feed_entries(store: Store, url_of: Callable[[Brief], str], *, limit: int = 50) -> list[render_atom.FeedEntry]:
    """The newest briefs mobrief published (imported archive briefs have no publication time), corrected and
    withdrawn ones with their notes, the most recently changed first."""
    listing = [
        b
        for status in ("published", "withdrawn")
        for b in store.drafts.listing(status, limit=limit)
        if b.published_at is not None
    ]
    revisions = store.revisions.of_many([b.id for b in listing])
    entries = []
    for listed in listing:
        brief = store.briefs.get(listed.id)
        changes = revisions.get(listed.id, [])
        notes = tuple(f"{notice_of(r.kind)} on {long_date(r.created_at)}: {r.note}" for r in changes)
        entries.append(
            render_atom.FeedEntry(
                brief=brief,
                url=url_of(brief),
                published_at=listed.published_at,
                updated_at=max((r.created_at for r in changes), default=listed.published_at),
                notes=notes,
                withdrawn=brief.status == "withdrawn",
            )
        )
    entries.sort(key=lambda e: e.updated_at or dt.datetime.min.replace(tzinfo=dt.UTC), reverse=True)
    return entries[:limit]


def write_feed(store: Store, folder: Path, base_url: str) -> Path:
    """`folder/feed.atom` listing the newest briefs mobrief published (not imported ones), with corrections and
    withdrawals."""
    entries = feed_entries(store, lambda brief: f"{base_url.rstrip('/')}/{brief_slug(brief)}.html", limit=FEED_SIZE)
    path = folder / "feed.atom"
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(render_atom.render_atom(entries, feed_url=f"{base_url.rstrip('/')}/feed.atom"), encoding="utf-8")
    return path


def publish_brief(
    store: Store,
    brief_id: int,
    folder: Path,
    *,
    base_url: str,
    now: dt.datetime | None = None,
    leave_out: Iterable[int] = (),
    note: str | None = None,
    editor: str | None = None,
    client: str | None = None,
) -> Published:
    """Publish draft `brief_id` (`publish_draft`), then write its formats and the feed into `folder`."""
    brief = publish_draft(store, brief_id, leave_out=leave_out, note=note, editor=editor, client=client, now=now)
    assert brief.id is not None
    files = write_formats(brief, folder)
    return Published(brief_id=brief.id, title=brief.title, files=files, feed=write_feed(store, folder, base_url))
