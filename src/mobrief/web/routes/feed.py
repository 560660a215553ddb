"""The public Atom feed of published briefs (`/feed.atom`), corrections and withdrawals included.

Ids and links start from MOBRIEF_PUBLIC_URL, never from the request's Host header (which a client chooses).
Without a public URL the links are relative to the feed (RFC 4287 allows it) and the ids are URNs.
"""

from __future__ import annotations

import dataclasses

from fastapi import APIRouter
from fastapi.responses import Response

from mobrief.brief import render_atom
from mobrief.newsroom import publish
from mobrief.web import security
from mobrief.web.deps import StoreDep, WebConfigDep
from mobrief.web.routes.briefs import public_path

router = APIRouter(include_in_schema=False)
FEED_SIZE = 30


@router.get("/feed.atom")
def feed(store: StoreDep, config: WebConfigDep) -> Response:
    """The newest briefs published with mobrief, the most recently changed first."""
    base = config.public_url
    entries = publish.feed_entries(store, lambda brief: base + public_path(brief.id or 0, brief.title), limit=FEED_SIZE)
    if not base:
        entries = [dataclasses.replace(e, entry_id=f"urn:mobrief:brief:{e.brief.id}") for e in entries]
    body = render_atom.render_atom(entries, feed_url=base + "/feed.atom", feed_id=None if base else "urn:mobrief:feed")
    headers = {"Cache-Control": security.PUBLIC_CACHE}
    return Response(body, media_type="application/atom+xml; charset=utf-8", headers=headers)
