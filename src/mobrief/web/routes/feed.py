"""The public Atom feed of published briefs (`/feed.atom`), rendered by the brief room's Atom renderer."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import Response

from mobrief.brief import render_atom
from mobrief.web.deps import StoreDep
from mobrief.web.routes.briefs import public_path

router = APIRouter(include_in_schema=False)
FEED_SIZE = 30


@router.get("/feed.atom")
def feed(request: Request, store: StoreDep) -> Response:
    """The newest briefs published with mobrief (imported archive briefs have no publication time)."""
    base = str(request.base_url).rstrip("/")
    listing = [b for b in store.drafts.listing("published", limit=FEED_SIZE) if b.published_at is not None]
    listing.sort(key=lambda b: b.published_at or dt.datetime.min.replace(tzinfo=dt.UTC), reverse=True)
    entries = [
        render_atom.FeedEntry(
            brief=store.briefs.get(b.id), url=base + public_path(b.id, b.title), published_at=b.published_at
        )
        for b in listing
    ]
    body = render_atom.render_atom(entries, feed_url=base + "/feed.atom")
    return Response(body, media_type="application/atom+xml; charset=utf-8")
