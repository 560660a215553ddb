"""Publish a draft: freeze it, render every format to files, and rewrite the Atom feed of published briefs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from mobrief.brief import render_atom, render_html, render_json, render_markdown, render_telegram, render_text
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


def brief_slug(brief: Brief) -> str:
    """A stable file and URL name: `mobilization-in-russia-for-june-2-3-2024`."""
    return render_html.slug(brief.title)


def write_formats(brief: Brief, folder: Path) -> dict[str, Path]:
    """Every published format of a brief, written under `folder`; returns format → path."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = brief_slug(brief)
    texts = {
        "html": (f"{stem}.html", render_html.render_html(brief)),
        "markdown": (f"{stem}.md", render_markdown.render_markdown(brief)),
        "telegram": (f"{stem}.telegram.txt", "\n\n-----\n\n".join(render_telegram.render_telegram(brief))),
        "json": (f"{stem}.json", render_json.render_json(brief)),
        "text": (f"{stem}.txt", render_text.render_text(brief)),
    }
    paths = {}
    for fmt, (name, text) in texts.items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        paths[fmt] = path
    return paths


def write_feed(store: Store, folder: Path, base_url: str) -> Path:
    """`folder/feed.atom` listing the newest published briefs that mobrief published (not imported ones)."""
    listing = [b for b in store.drafts.listing("published", limit=FEED_SIZE) if b.published_at is not None]
    listing.sort(key=lambda b: b.published_at or dt.datetime.min.replace(tzinfo=dt.UTC), reverse=True)
    entries = []
    for listed in listing:
        brief = store.briefs.get(listed.id)
        entries.append(
            render_atom.FeedEntry(
                brief=brief,
                url=f"{base_url.rstrip('/')}/{brief_slug(brief)}.html",
                published_at=listed.published_at,
            )
        )
    path = folder / "feed.atom"
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(render_atom.render_atom(entries, feed_url=f"{base_url.rstrip('/')}/feed.atom"), encoding="utf-8")
    return path


def publish_brief(
    store: Store, brief_id: int, folder: Path, *, base_url: str, now: dt.datetime | None = None
) -> Published:
    """Freeze draft `brief_id` under its house title, then write its formats and the feed into `folder`."""
    draft = store.drafts.get(brief_id)
    title = draft.title
    if draft.period_start and draft.period_end:
        title = dates.format_title(draft.period_start, draft.period_end)
    store.drafts.publish(brief_id, title, now or dt.datetime.now(dt.UTC))
    brief = store.briefs.get(brief_id)
    files = write_formats(brief, folder)
    return Published(brief_id=brief_id, title=brief.title, files=files, feed=write_feed(store, folder, base_url))
