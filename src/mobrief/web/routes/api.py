"""The JSON API over items, stories and briefs (`/api/…`), documented at /docs; same sign-in as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from mobrief.store import search_hits
from mobrief.store.inbox import STORY_STATUSES, InboxFilter
from mobrief.web.deps import StoreDep, UserDep

router = APIRouter(prefix="/api", tags=["api"])


class ItemOut(BaseModel):
    id: int
    source: str
    external_id: str
    url: str | None
    published_at: dt.datetime
    title: str
    text: str
    lang: str | None


class StoryOut(BaseModel):
    id: int
    title: str
    first_seen: dt.datetime
    last_seen: dt.datetime
    section: str | None
    status: str
    outlets: list[str]
    places: list[str]
    amounts: list[dict[str, Any]]
    relevance: float | None
    item_count: int


class ReportOut(BaseModel):
    item: ItemOut
    snapshot_id: int | None
    entities: list[dict[str, Any]]
    places: list[dict[str, Any]]
    amounts: list[dict[str, Any]]


class StoryDetailOut(BaseModel):
    id: int
    title: str
    first_seen: dt.datetime
    last_seen: dt.datetime
    section: str | None
    status: str
    entry_text: str | None
    reports: list[ReportOut]
    earlier: list[dict[str, Any]]


class BriefListingOut(BaseModel):
    id: int
    title: str
    period_start: dt.date | None
    period_end: dt.date | None
    status: str
    published_at: dt.datetime | None
    entries: int


class SnippetOut(BaseModel):
    text: str
    marks: list[tuple[int, int]]  # [start, end) of each matched word in `text`


class SearchHitOut(BaseModel):
    """One hit. Reports: `item_id` (and `story_id` when clustered); stories: `story_id`, `item_ids` (its matching
    reports); paragraphs: `brief_id`, `section_position`, `paragraph_position` (from 0), `paragraph_id`."""

    kind: str  # "report" | "story" | "paragraph"
    item_id: int | None = None
    story_id: int | None = None
    brief_id: int | None = None
    section_position: int | None = None
    paragraph_position: int | None = None
    paragraph_id: int | None = None
    item_ids: list[int] = []
    title: str
    title_marks: list[tuple[int, int]] = []
    when: dt.datetime | dt.date | None
    source: str | None = None
    url: str | None = None
    score: float | None = None
    snippet: SnippetOut


class SearchPageOut(BaseModel):
    query: str
    kind: str
    offset: int
    limit: int
    has_more: bool  # ask again at offset + limit for more
    hits: list[SearchHitOut]


def _snippet(snippet: search_hits.Snippet) -> SnippetOut:
    return SnippetOut(text=snippet.text, marks=list(snippet.marks))


def _search_hit(hit: Any) -> SearchHitOut:
    if isinstance(hit, search_hits.ReportHit):
        return SearchHitOut(
            kind="report",
            item_id=hit.item.id,
            story_id=hit.story_id,
            title=hit.item.title,
            title_marks=list(hit.title_marks),
            when=hit.item.published_at,
            source=hit.item.source,
            url=hit.item.url,
            score=hit.score,
            snippet=_snippet(hit.snippet),
        )
    if isinstance(hit, search_hits.StoryHit):
        return SearchHitOut(
            kind="story",
            story_id=hit.story_id,
            item_ids=list(hit.item_ids),
            title=hit.title,
            title_marks=list(hit.title_marks),
            when=hit.last_seen,
            snippet=_snippet(hit.snippet),
        )
    return SearchHitOut(
        kind="paragraph",
        brief_id=hit.brief_id,
        section_position=hit.section_position,
        paragraph_position=hit.paragraph_position,
        paragraph_id=hit.paragraph_id,
        story_id=hit.story_id,
        title=hit.brief_title,
        when=hit.period_end,
        snippet=_snippet(hit.snippet),
    )


def _item(item: Any) -> ItemOut:
    return ItemOut(
        id=item.id,
        source=item.source,
        external_id=item.external_id,
        url=item.url,
        published_at=item.published_at,
        title=item.title,
        text=item.text,
        lang=item.lang,
    )


@router.get("/items", response_model=list[ItemOut])
def list_items(
    store: StoreDep,
    user: UserDep,
    source: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    q: Annotated[str | None, Query(max_length=300, description="full-text search (any inflection)")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[ItemOut]:
    """Items, newest first, or the best matches of a search."""
    if q:
        return [_item(item) for item, _ in store.items.search(q, limit=limit, offset=offset)]
    page = store.items.page(source=source, since=since, until=until, limit=limit, offset=offset)
    return [_item(item) for item in page]


@router.get("/search", response_model=SearchPageOut)
def search(
    store: StoreDep,
    user: UserDep,
    q: Annotated[str, Query(max_length=300, description="words, in any inflection, Latin or Cyrillic")],
    kind: Annotated[str, Query(pattern="^(reports|stories|paragraphs)$")] = "reports",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=search_hits.MAX_OFFSET)] = 0,
) -> SearchPageOut:
    """One page of reports, stories or published paragraphs matching `q`, each with what links it and the
    offsets of the matched words in its snippet. Reports: best first within each block of the newest 200 matches;
    stories: the story of the newest match first; paragraphs: newest brief first, in reading order."""
    finder = {"reports": store.search.reports, "stories": store.search.stories, "paragraphs": store.search.paragraphs}
    page: Any = finder[kind](q, limit=limit, offset=offset)
    return SearchPageOut(
        query=q,
        kind=kind,
        offset=page.offset,
        limit=page.limit,
        has_more=page.has_more,
        hits=[_search_hit(hit) for hit in page.hits],
    )


@router.get("/items/{item_id}", response_model=ItemOut)
def get_item(store: StoreDep, user: UserDep, item_id: int) -> ItemOut:
    return _item(store.items.get(item_id))


@router.get("/stories", response_model=list[StoryOut])
def list_stories(
    store: StoreDep,
    user: UserDep,
    status: Annotated[str | None, Query(description=f"one of {', '.join(STORY_STATUSES)}")] = None,
    section: str | None = None,
    source: str | None = None,
    lang: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    q: Annotated[str | None, Query(max_length=300)] = None,
    relevant_only: bool = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[StoryOut]:
    """Stories as the inbox lists them, newest first."""
    flt = InboxFilter(
        status=status,
        section=section,
        source=source,
        lang=lang,
        since=since,
        until=until,
        query=q,
        relevant_only=relevant_only,
    )
    page = store.inbox.page(flt, limit=limit, offset=offset)
    return [
        StoryOut(
            id=r.id,
            title=r.title,
            first_seen=r.first_seen,
            last_seen=r.last_seen,
            section=r.section,
            status=r.status,
            outlets=list(r.outlets),
            places=list(r.places),
            amounts=[dict(a) for a in r.amounts],
            relevance=r.relevance,
            item_count=r.item_count,
        )
        for r in page.rows
    ]


@router.get("/stories/{story_id}", response_model=StoryDetailOut)
def get_story(store: StoreDep, user: UserDep, story_id: int) -> StoryDetailOut:
    """A story with every report and what enrichment found in it."""
    story = store.inbox.story(story_id)
    reports = []
    for report in story.reports:
        e = report.enrichment
        reports.append(
            ReportOut(
                item=_item(report.item),
                snapshot_id=report.snapshot_id,
                entities=[{"kind": m.kind, "normalized": m.normalized, "latin": m.latin} for m in e.entities]
                if e
                else [],
                places=[{"name": p.name, "key": p.key} for p in e.places] if e else [],
                amounts=[{"currency": a.currency, "value": a.value, "text": a.text, "usd": a.usd} for a in e.amounts]
                if e
                else [],
            )
        )
    return StoryDetailOut(
        id=story.id,
        title=story.title,
        first_seen=story.first_seen,
        last_seen=story.last_seen,
        section=story.section,
        status=story.status,
        entry_text=story.entry_text,
        reports=reports,
        earlier=[{"id": e.id, "title": e.title, "score": e.score} for e in story.earlier],
    )


@router.get("/briefs", response_model=list[BriefListingOut])
def list_briefs(
    store: StoreDep,
    user: UserDep,
    status: Annotated[str, Query(pattern="^(published|draft)$")] = "published",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[BriefListingOut]:
    """Published briefs (or drafts), newest period first."""
    return [
        BriefListingOut(
            id=b.id,
            title=b.title,
            period_start=b.period_start,
            period_end=b.period_end,
            status=b.status,
            published_at=b.published_at,
            entries=b.entries,
        )
        for b in store.drafts.listing(status, limit=limit, offset=offset)
    ]


@router.get("/briefs/{brief_id}")
def get_brief(store: StoreDep, user: UserDep, brief_id: int) -> dict[str, Any]:
    """One brief in the archive's JSON form: title, period and sections with their paragraphs."""
    return store.briefs.get(brief_id).as_dict()
