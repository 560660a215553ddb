"""The archive: published briefs (public at stable URLs, in every rendered form), search, and entity pages."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from mobrief.brief import formats
from mobrief.errors import ConfigError, NotFound
from mobrief.newsroom import background
from mobrief.newsroom.outlets import outlet_names
from mobrief.records import Brief
from mobrief.store import Store
from mobrief.store.drafts import EntryPlace
from mobrief.store.users import User
from mobrief.web import security, templating
from mobrief.web.config import WebConfig
from mobrief.web.deps import EditorDep, OptionalUserDep, RunnerDep, StoreDep, UserDep, WebConfigDep
from mobrief.web.routes import jobs
from mobrief.web.routes.briefs import public_path

router = APIRouter(include_in_schema=False)
ENTITY_KINDS = ("person", "org", "outlet", "unit", "place", "channel", "party")
PUBLIC_FORMATS = ("md", "txt", "json", "telegram", "html")  # URL endings, in the order a brief's page links them
# the standalone HTML render carries its own <style>; it runs no script
STANDALONE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'"


def _published(store: StoreDep, brief_id: int) -> Brief:
    """A published (or withdrawn: its page says so) brief; drafts are not public."""
    brief = store.briefs.get(brief_id)
    if brief.status not in ("published", "withdrawn"):
        raise NotFound(f"no published brief with id {brief_id}")
    return brief


@router.get("/archive")
def archive_page(
    request: Request,
    store: StoreDep,
    user: UserDep,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> Response:
    listing = store.drafts.listing("published", limit=100, offset=offset)
    withdrawn = store.drafts.listing("withdrawn", limit=100) if offset == 0 else []
    return templating.render(
        request,
        "archive.html",
        {
            "briefs": listing,
            "withdrawn": withdrawn,
            "paths": {b.id: public_path(b.id, b.title) for b in [*listing, *withdrawn]},
            "next_offset": offset + 100 if len(listing) == 100 else None,
            "can_import": user.has_role("editor"),
            "max_upload_mb": background.MAX_UPLOAD // 1_000_000,
        }
        | jobs.jobs_context(store, reload=True),
    )


@router.post("/archive/import")
async def import_briefs(
    store: StoreDep,
    user: EditorDep,
    runner: RunnerDep,
    files: Annotated[list[UploadFile], File()],
) -> Response:
    """Queue importing each uploaded file of published briefs (one job a file); the archive page's banner shows
    each file's progress, and what it imported or the line at fault."""
    if not any(f.filename for f in files):
        raise ConfigError("choose a file to import (a brief saved as HTML, Markdown or plain text)")
    for upload in files:
        data = await upload.read(background.MAX_UPLOAD + 1)
        name = upload.filename or "upload"
        await run_in_threadpool(background.import_file, store, name, data, runner, requested_by=user.id)
    return RedirectResponse("/archive", status_code=303)


def _with_url(brief: Brief, config: WebConfig) -> Brief:
    """The brief with its canonical URL: its own (an imported brief's), else under MOBRIEF_PUBLIC_URL."""
    if brief.url or not config.public_url or brief.id is None:
        return brief
    return dataclasses.replace(brief, url=config.public_url + public_path(brief.id, brief.title))


def _cached(response: Response, user: User | None) -> Response:
    """A public answer a shared cache may keep, unless it was made for a signed-in user (then no-store)."""
    if user is None:
        response.headers["Cache-Control"] = security.PUBLIC_CACHE
        response.headers["Vary"] = "Cookie"
    return response


@router.get("/briefs/{brief_id}")
def brief_redirect(store: StoreDep, brief_id: int) -> Response:
    brief = _published(store, brief_id)
    response = RedirectResponse(public_path(brief_id, brief.title), status_code=301)
    response.headers["Cache-Control"] = security.PUBLIC_CACHE
    return response


@router.get("/briefs/{brief_id}/{name}")
def brief_page(
    request: Request, store: StoreDep, config: WebConfigDep, user: OptionalUserDep, brief_id: int, name: str
) -> Response:
    """A published brief, public: `/briefs/<id>/<slug>` as a page, or `.md`, `.txt`, `.json`, `.telegram`."""
    brief = _with_url(_published(store, brief_id), config)
    base = public_path(brief_id, brief.title)
    slug, _, extension = name.partition(".")
    if slug != base.rsplit("/", 1)[1]:
        return RedirectResponse(base + (f".{extension}" if extension else ""), status_code=301)
    withdrawn = brief.status == "withdrawn"
    if not extension:
        links = {ext: f"{base}.{ext}" for ext in PUBLIC_FORMATS}
        context = {
            "brief": brief,
            "preview": False,
            "links": links,
            "revisions": store.revisions.of(brief_id),
            "withdrawn": withdrawn,
            "correction_draft": store.revisions.correction_draft(brief_id) if user and not withdrawn else None,
            # each paragraph's anchor is its id: search links to `#p<id>`
            "anchors": [[entry.id for entry in section.entries] for section in store.drafts.get(brief_id).sections],
        }
        return _cached(templating.render(request, "published.html", context), user)
    form = formats.by_extension(extension) if extension in PUBLIC_FORMATS else None
    if form is None:
        raise NotFound(f"no {extension!r} rendering of a brief")
    if withdrawn:
        raise NotFound(f"brief {brief_id} was withdrawn: see {base}")
    headers: dict[str, str] = {}
    if form.name == "html":
        headers["Content-Security-Policy"] = STANDALONE_POLICY
    headers["Cache-Control"] = security.PUBLIC_CACHE  # the same for everyone: no user, no token in it
    return Response(form.render(brief), media_type=form.media_type, headers=headers)


SEARCH_PAGE = 20


def _search(
    store: Store, q: str, kind: str, offset: int
) -> tuple[dict[str, Any], dict[int, list[EntryPlace]], dict[int, str]]:
    """What the search page shows of `q`: the hits of each kind, the draft entries telling the stories found, and
    the public address of each brief a paragraph was found in."""
    results: dict[str, Any] = {}
    if q.strip():
        if kind == "all":
            found = store.search.overview(q, limit=8)
            results = {"stories": found.stories, "reports": found.reports, "paragraphs": found.paragraphs}
        else:
            finders = {
                "stories": store.search.stories,
                "reports": store.search.reports,
                "paragraphs": store.search.paragraphs,
            }
            results[kind] = finders[kind](q, limit=SEARCH_PAGE, offset=offset)
    story_ids = [h.story_id for h in getattr(results.get("stories"), "hits", ())]
    entries = store.drafts.entries_telling_each(story_ids)
    paths = {h.brief_id: public_path(h.brief_id, h.brief_title) for h in getattr(results.get("paragraphs"), "hits", ())}
    return results, entries, paths


@router.get("/search")
def search_page(
    request: Request,
    store: StoreDep,
    user: UserDep,
    q: Annotated[str, Query(max_length=300)] = "",
    kind: Annotated[str, Query(pattern="^(all|stories|reports|paragraphs)$")] = "all",
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> Response:
    """Stories, reports and published paragraphs in any inflection, Latin or Cyrillic names alike, the matched
    words marked, each hit linked to its story, entry or paragraph; one kind at a time pages on."""
    with store.shared_reads():  # the page's reads on one connection (PostgreSQL)
        # the same search again, while nothing is committed, finds the same: kept (a search indexing paragraphs
        # it found missing commits, so its results are not kept)
        results, entries, paths = store.kept.get(("search", q, kind, offset), lambda: _search(store, q, kind, offset))
        context = {
            "q": q,
            "kind": kind,
            "offset": offset,
            "results": results,
            "entries": entries,
            "paths": paths,
            "outlet_name": outlet_names(store).name,  # one outlet, one name: "Медиазона" is Mediazona
        }
        return templating.render(request, "search.html", context)


def _matches(found: Mapping[str, Any], kind: str, name: str) -> bool:
    wanted = name.casefold()
    if kind != "place" and found.get("kind") != kind:
        return False
    return any(str(found.get(key) or "").casefold() == wanted for key in ("normalized", "latin", "name", "text"))


@router.get("/entities/{kind}/{name}")
def entity_page(
    request: Request,
    store: StoreDep,
    user: UserDep,
    kind: str,
    name: str,
    latin: Annotated[str | None, Query(max_length=300)] = None,
    q: Annotated[str | None, Query(max_length=300, description="words to find it by in reports")] = None,
) -> Response:
    """Mentions of a person, unit, outlet or place over time, in items (via search) and published briefs."""
    if kind not in ENTITY_KINDS:
        raise NotFound(f"no entity kind {kind!r}")
    hits = store.items.search(q or name, limit=300)
    enrichments = store.enrichments.get_many(item.id for item, _ in hits if item.id is not None)
    mentions = []
    for item, _ in hits:
        enrichment = enrichments.get(item.id or 0)
        if enrichment is None:
            continue
        if kind == "place":
            found = [{"name": p.name, "key": p.key, "text": p.text} for p in enrichment.places]
        else:
            found = [{"kind": m.kind, "normalized": m.normalized, "latin": m.latin} for m in enrichment.entities]
        if any(_matches(f, kind, name) or (latin and _matches(f, kind, latin)) for f in found):
            mentions.append(item)
    mentions.sort(key=lambda i: i.published_at, reverse=True)
    by_month: dict[str, list[Any]] = {}
    for item in mentions:
        by_month.setdefault(item.published_at.astimezone(dt.UTC).strftime("%Y-%m"), []).append(item)
    paragraphs = store.drafts.search([latin or name], limit=100)
    return templating.render(
        request,
        "entity.html",
        {"kind": kind, "name": name, "latin": latin, "by_month": by_month, "paragraphs": paragraphs},
    )
