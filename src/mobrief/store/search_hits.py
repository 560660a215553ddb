"""What a search gives a reader: pages of reports, stories and published paragraphs, each hit carrying what a page
needs to link it (item, story, brief and paragraph position) and to mark the words that matched.

Marks are computed here, the same way on both backends: a word is marked when its lemma (or the word itself,
lower-cased) is one of the query's terms, so «военкоматы» is marked for the query «военкомат» and "Pushkaryov's"
for «Пушкарев». They are [start, end) character offsets into the text they belong to.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from mobrief import lemmas
from mobrief.records import Item, utc
from mobrief.store import id_lists, search
from mobrief.store.database import reading
from mobrief.store.items import row_to_item, select_items
from mobrief.store.schema import brief_paragraphs, brief_sections, briefs, items, paragraph_search, stories, story_items
from mobrief.store.search import SearchQuery

Mark = tuple[int, int]
SNIPPET_CHARS = 240
MAX_OFFSET = 100_000  # deep pages cost a scan of the matches before them; nobody reads that far
H = TypeVar("H")


@dataclass(frozen=True, slots=True, kw_only=True)
class Snippet:
    """A passage of a text around its first match, cut at word boundaries ("…" where cut), with its marks."""

    text: str
    marks: tuple[Mark, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportHit:
    """An item that matched: link it by `item.id` (and `story_id`); mark `title_marks` in `item.title` and
    `text_marks` in `item.text`, or show `snippet`."""

    item: Item
    story_id: int | None
    score: float
    title_marks: tuple[Mark, ...]
    text_marks: tuple[Mark, ...]
    snippet: Snippet


@dataclass(frozen=True, slots=True, kw_only=True)
class StoryHit:
    """A story with matching reports, newest match first; `snippet` is from its newest matching report."""

    story_id: int
    title: str
    title_marks: tuple[Mark, ...]
    status: str
    section: str | None
    last_seen: dt.datetime
    item_ids: tuple[int, ...]  # its reports that matched (among the matches looked at), newest first
    snippet: Snippet


@dataclass(frozen=True, slots=True, kw_only=True)
class ParagraphHit:
    """A paragraph of a published brief: link it as brief `brief_id`, section number `section_position`,
    paragraph number `paragraph_position` (both from 0, in reading order) or by `paragraph_id`."""

    brief_id: int
    brief_title: str
    period_end: dt.date | None
    section_key: str
    section_position: int
    paragraph_position: int
    paragraph_id: int
    story_id: int | None
    text: str
    marks: tuple[Mark, ...]
    snippet: Snippet


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchPage(Generic[H]):
    """One page of hits; `has_more` says whether asking at `offset + limit` finds more."""

    query: str
    hits: tuple[H, ...]
    offset: int
    limit: int
    has_more: bool


def find_marks(text: str, query: SearchQuery) -> tuple[Mark, ...]:
    """Offsets of the words of `text` that `query` matched."""
    terms = query.terms
    if not terms or not text:
        return ()
    marks = []
    for match in lemmas.WORD_RE.finditer(text):
        word = match.group(0)
        low = word.lower()
        if lemmas.lemma(word) in terms or low in terms or any(p in terms for p in _parts(low)):
            marks.append((match.start(), match.end()))
    return tuple(marks)


def _parts(word: str) -> list[str]:
    # the indexes split "санкт-петербург" and "governor's" into parts too
    if "-" not in word and "'" not in word:
        return []
    return [lemmas.lemma(p) for p in word.replace("'", "-").split("-") if p]


def make_snippet(text: str, marks: Sequence[Mark], width: int = SNIPPET_CHARS) -> Snippet:
    """The passage of `text` around its first mark (or its start), about `width` characters long."""
    if len(text) <= width:
        return Snippet(text=text, marks=tuple(marks))
    first = marks[0][0] if marks else 0
    start = max(0, first - width // 3)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < first else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > (marks[0][1] if marks else start) else end
    lead, tail = ("…" if start else ""), ("…" if end < len(text) else "")
    shift = len(lead) - start
    inside = tuple((a + shift, b + shift) for a, b in marks if a >= start and b <= end)
    return Snippet(text=lead + text[start:end] + tail, marks=inside)


@dataclass(frozen=True, slots=True, kw_only=True)
class Overview:
    """The first page of each kind of hit for one query."""

    stories: SearchPage[StoryHit]
    reports: SearchPage[ReportHit]
    paragraphs: SearchPage[ParagraphHit]


class SearchRepository:
    """Searches of reports, stories and published paragraphs, a page at a time."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._index = search.search_index_for(engine.dialect.name)

    def reports(self, text: str, *, limit: int = 20, offset: int = 0) -> SearchPage[ReportHit]:
        """Items matching `text`, best first within each block of the newest matches."""
        query = search.parse_query(text)
        offset = min(max(offset, 0), MAX_OFFSET)
        if not query:
            return SearchPage(query=text, hits=(), offset=offset, limit=limit, has_more=False)
        with reading(self.engine) as conn:
            found = self._index.search(conn, query, limit=limit + 1, offset=offset)
            return self._report_page(conn, query, text, found, limit=limit, offset=offset)

    def stories(self, text: str, *, limit: int = 20, offset: int = 0) -> SearchPage[StoryHit]:
        """Stories with reports matching `text`, the story of the newest match first."""
        query = search.parse_query(text)
        offset = min(max(offset, 0), MAX_OFFSET)
        if not query:
            return SearchPage(query=text, hits=(), offset=offset, limit=limit, has_more=False)
        with reading(self.engine) as conn:
            return self._story_page(conn, query, text, limit=limit, offset=offset)

    def overview(self, text: str, *, limit: int) -> Overview:
        """The first `limit` stories, reports and paragraphs matching `text` (what a search page shows before
        a reader picks one kind): equal to asking each, but stories and reports share one read of the newest
        matches (`CANDIDATES` of them: reports rank them, stories follow them newest first)."""
        query = search.parse_query(text)
        limit = min(limit, search.CANDIDATES - 1)
        if not query:
            return Overview(
                stories=SearchPage(query=text, hits=(), offset=0, limit=limit, has_more=False),
                reports=SearchPage(query=text, hits=(), offset=0, limit=limit, has_more=False),
                paragraphs=SearchPage(query=text, hits=(), offset=0, limit=limit, has_more=False),
            )
        with reading(self.engine) as conn:
            block = self._index.rank_block(conn, query, skip=0, size=search.CANDIDATES)
            reports = self._report_page(conn, query, text, block[: limit + 1], limit=limit, offset=0)
            newest_first = sorted((item_id for item_id, _ in block), reverse=True)
            found_stories = self._story_page(conn, query, text, limit=limit, offset=0, first=newest_first)
        return Overview(stories=found_stories, reports=reports, paragraphs=self.paragraphs(text, limit=limit))

    def _report_page(
        self,
        conn: Connection,
        query: SearchQuery,
        text: str,
        found: Sequence[tuple[int, float]],
        *,
        limit: int,
        offset: int,
    ) -> SearchPage[ReportHit]:
        by_id = _items_with_stories(conn, [item_id for item_id, _ in found[:limit]])
        hits = []
        for item_id, score in found[:limit]:
            if item_id not in by_id:
                continue
            item, story_id = by_id[item_id]
            text_marks = find_marks(item.text, query)
            hits.append(
                ReportHit(
                    item=item,
                    story_id=story_id,
                    score=score,
                    title_marks=find_marks(item.title, query),
                    text_marks=text_marks,
                    snippet=make_snippet(item.text, text_marks),
                )
            )
        return SearchPage(query=text, hits=tuple(hits), offset=offset, limit=limit, has_more=len(found) > limit)

    def _story_page(
        self,
        conn: Connection,
        query: SearchQuery,
        text: str,
        *,
        limit: int,
        offset: int,
        first: Sequence[int] | None = None,
    ) -> SearchPage[StoryHit]:
        """`first`, when given, is the newest `CANDIDATES` matches, already read."""
        order: dict[int, list[int]] = {}
        skip = 0
        while len(order) <= offset + limit:
            if skip == 0 and first is not None:
                ids = list(first)
            else:
                ids = self._index.newest(conn, query, limit=search.CANDIDATES, offset=skip)
            for item_id, story_id in _stories_of(conn, ids):
                order.setdefault(story_id, []).append(item_id)
            if len(ids) < search.CANDIDATES or skip >= MAX_OFFSET:
                break
            skip += search.CANDIDATES
        page = list(order)[offset : offset + limit]
        story_rows = {
            row.id: row
            for row in conn.execute(
                sa.select(
                    stories.c.id, stories.c.title, stories.c.status, stories.c.section, stories.c.last_seen
                ).where(id_lists.among(stories.c.id, page, conn.dialect.name))
            )
        }
        newest = {i.id: i for i in _items(conn, [order[s][0] for s in page])}
        hits = []
        for story_id in page:
            row, item = story_rows.get(story_id), newest.get(order[story_id][0])
            if row is None or item is None:
                continue
            hits.append(
                StoryHit(
                    story_id=story_id,
                    title=row.title or "",
                    title_marks=find_marks(row.title or "", query),
                    status=row.status,
                    section=row.section,
                    last_seen=utc(row.last_seen),
                    item_ids=tuple(order[story_id]),
                    snippet=make_snippet(item.text, find_marks(item.text, query)),
                )
            )
        return SearchPage(
            query=text, hits=tuple(hits), offset=offset, limit=limit, has_more=len(order) > offset + limit
        )

    def paragraphs(self, text: str, *, limit: int = 20, offset: int = 0) -> SearchPage[ParagraphHit]:
        """Paragraphs of published briefs matching `text`, newest brief first, in reading order within one."""
        query = search.parse_query(text)
        offset = min(max(offset, 0), MAX_OFFSET)
        if not query:
            return SearchPage(query=text, hits=(), offset=offset, limit=limit, has_more=False)
        self.refresh_paragraphs()
        with reading(self.engine) as conn:
            ids = self._index.paragraph_ids(conn, query)
            rows = list(
                conn.execute(
                    sa.select(
                        brief_paragraphs.c.id,
                        brief_paragraphs.c.text,
                        brief_paragraphs.c.position,
                        brief_paragraphs.c.story_id,
                        brief_sections.c.key,
                        brief_sections.c.position.label("section_position"),
                        briefs.c.id.label("brief_id"),
                        briefs.c.title,
                        briefs.c.period_end,
                    )
                    .select_from(
                        brief_paragraphs.join(
                            brief_sections, brief_sections.c.id == brief_paragraphs.c.section_id
                        ).join(briefs, briefs.c.id == brief_sections.c.brief_id)
                    )
                    .where(
                        id_lists.among(brief_paragraphs.c.id, ids, conn.dialect.name), briefs.c.status == "published"
                    )
                    .order_by(
                        briefs.c.period_end.desc(),
                        briefs.c.id.desc(),
                        brief_sections.c.position,
                        brief_paragraphs.c.position,
                        brief_paragraphs.c.id,
                    )
                    .limit(limit + 1)
                    .offset(offset)
                )
            )
        hits = []
        for row in rows[:limit]:
            marks = find_marks(row.text, query)
            hits.append(
                ParagraphHit(
                    brief_id=row.brief_id,
                    brief_title=row.title,
                    period_end=row.period_end,
                    section_key=row.key,
                    section_position=row.section_position,
                    paragraph_position=row.position,
                    paragraph_id=row.id,
                    story_id=row.story_id,
                    text=row.text,
                    marks=marks,
                    snippet=make_snippet(row.text, marks),
                )
            )
        return SearchPage(query=text, hits=tuple(hits), offset=offset, limit=limit, has_more=len(rows) > limit)

    def refresh_paragraphs(self) -> int:
        """Lemmatise the published paragraphs not yet in `paragraph_search` (new, or their text changed since);
        returns how many."""
        missing = (
            sa.select(brief_paragraphs.c.id, brief_paragraphs.c.text)
            .select_from(
                brief_paragraphs.join(brief_sections, brief_sections.c.id == brief_paragraphs.c.section_id)
                .join(briefs, briefs.c.id == brief_sections.c.brief_id)
                .outerjoin(paragraph_search, paragraph_search.c.paragraph_id == brief_paragraphs.c.id)
            )
            .where(briefs.c.status == "published", paragraph_search.c.paragraph_id.is_(None))
        )
        with reading(self.engine) as conn:  # most searches find none missing: no transaction of their own to write
            rows = [{"paragraph_id": r.id, "search_lemmas": lemmas.search_text(r.text)} for r in conn.execute(missing)]
        if rows:
            with self.engine.begin() as conn:
                conn.execute(paragraph_search.insert(), rows)
        return len(rows)


def _items(conn: Connection, ids: Sequence[int]) -> list[Item]:
    if not ids:
        return []
    return [
        row_to_item(row)
        for row in conn.execute(select_items().where(id_lists.among(items.c.id, ids, conn.dialect.name)))
    ]


def _items_with_stories(conn: Connection, ids: Sequence[int]) -> dict[int, tuple[Item, int | None]]:
    if not ids:
        return {}
    query = (
        select_items()
        .add_columns(story_items.c.story_id)
        .outerjoin(story_items, story_items.c.item_id == items.c.id)
        .where(id_lists.among(items.c.id, ids, conn.dialect.name))
    )
    return {row.id: (row_to_item(row), row.story_id) for row in conn.execute(query)}


def _stories_of(conn: Connection, ids: Sequence[int]) -> list[tuple[int, int]]:
    """(item id, story id) for the items of `ids` that have a story, in the order of `ids`."""
    if not ids:
        return []
    query = sa.select(story_items.c.item_id, story_items.c.story_id).where(
        id_lists.among(story_items.c.item_id, ids, conn.dialect.name)
    )
    story_of = {int(row[0]): int(row[1]) for row in conn.execute(query)}
    return [(i, story_of[i]) for i in ids if i in story_of]
