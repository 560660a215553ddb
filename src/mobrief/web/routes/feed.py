"""The public Atom feed of published briefs (`/feed.atom`), corrections and withdrawals included."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from mobrief.brief import publish, render_atom
from mobrief.web.deps import StoreDep
from mobrief.web.routes.briefs import public_path

router = APIRouter(include_in_schema=False)
FEED_SIZE = 30


@router.get("/feed.atom")
def feed(request: Request, store: StoreDep) -> Response:
    """The newest briefs published with mobrief, the most recently changed first."""
    base = str(request.base_url).rstrip("/")
    entries = publish.feed_entries(store, lambda brief: base + public_path(brief.id or 0, brief.title), limit=FEED_SIZE)
    body = render_atom.render_atom(entries, feed_url=base + "/feed.atom")
    return Response(body, media_type="application/atom+xml; charset=utf-8")
