"""What the editors' inbox and story page read and change: paged, filtered story lists and a story's reports.

Every list is one indexed page query (stories by `last_seen`, filters as EXISTS sub-queries, search
through the store's full-text index) plus one query for the details of that page's stories, so a page
costs the same with 100,000 items as with 100.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from mobrief.errors import ConfigError, NotFound
from mobrief.records import DIGEST_PART_MARK, Enrichment, Item, utc
from mobrief.store import id_lists, json_columns, search
from mobrief.store import stories as story_store
from mobrief.store.database import reading
from mobrief.store.enrichments import EnrichmentRepository, row_to_enrichment
from mobrief.store.items import row_to_item, select_items
from mobrief.store.schema import item_enrichments, items, sources, stories, story_items, story_links

STORY_STATUSES = ("new", "skip", "brief")
SEARCH_LIMIT = 500  # a text search narrows the inbox to the stories of at most this many newest matching items

_MONEY = frozenset({"RUB", "USD", "EUR"})


@dataclass(frozen=True, slots=True, kw_only=True)
class InboxFilter:
    """What an editor narrowed the inbox to; None means no restriction."""

    section: str | None = None  # a section key, or "none" for stories without a section
    source: str | None = None
    sources: tuple[str, ...] = ()  # any of these source names (one outlet's aliases)
    lang: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    query: str | None = None
    status: str | None = "new"
    relevant_only: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class InboxRow:
    """One story as the inbox lists it."""

    id: int
    title: str
    first_seen: dt.datetime
    last_seen: dt.datetime
    section: str | None
    status: str
    has_entry: bool
    outlets: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    amounts: tuple[Mapping[str, Any], ...] = ()
    languages: tuple[str, ...] = ()
    relevance: float | None = None
    item_count: int = 0
    entry_text: str | None = None
    english: str = ""  # the title (or opening) of an English report in the story, if there is one
    people: tuple[str, ...] = ()  # people enrichment found, as the house spells them
    from_digest: bool = False  # every report of it was read out of a digest post: listed below the day's reports


@dataclass(frozen=True, slots=True, kw_only=True)
class InboxCounts:
    """Stories per status and, within the status shown, per section (key "" for no section)."""

    statuses: dict[str, int]
    sections: dict[str, int]


@dataclass(frozen=True, slots=True, kw_only=True)
class InboxPage:
    rows: tuple[InboxRow, ...]
    offset: int
    limit: int
    has_more: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Report:
    """One item of a story with what enrichment found in it and the id of its fetch-time snapshot."""

    item: Item
    enrichment: Enrichment | None
    snapshot_id: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class EarlierStory:
    id: int
    title: str
    last_seen: dt.datetime
    score: float
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class StoryDetail:
    """A story with every report in it and the earlier stories it continues."""

    id: int
    title: str
    first_seen: dt.datetime
    last_seen: dt.datetime
    section: str | None
    status: str
    entry_text: str | None
    outlets: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    reports: tuple[Report, ...] = ()
    earlier: tuple[EarlierStory, ...] = field(default=())


def _strings(values: Iterable[Any]) -> tuple[str, ...]:
    out: dict[str, None] = {}
    for value in values:
        if isinstance(value, Mapping):
            value = value.get("name") or value.get("latin") or value.get("text")
        if value:
            out[str(value)] = None
    return tuple(out)


def _amount_key(amount: Mapping[str, Any]) -> tuple[Any, ...]:
    return (amount.get("currency"), amount.get("value"), amount.get("value_to"))


class InboxRepository:
    """Paged story lists for the inbox, a story's reports, and the editors' decisions on a story."""

    def __init__(self, engine: Engine, enrichments: EnrichmentRepository) -> None:
        self.engine = engine
        self._dialect = engine.dialect.name
        self._enrichments = enrichments  # the one writer of the items' editor decisions and sections

    # ---- the inbox ----

    def _items_of_story(self) -> sa.Select[Any]:
        return (
            sa.select(sa.literal(1))
            .select_from(story_items.join(items, items.c.id == story_items.c.item_id))
            .where(story_items.c.story_id == stories.c.id)
        )

    def _row_query(self) -> sa.Select[Any]:
        return sa.select(
            stories.c.id,
            stories.c.title,
            stories.c.first_seen,
            stories.c.last_seen,
            stories.c.section,
            stories.c.status,
            stories.c.outlets,
            stories.c.places,
            (stories.c.entry_text.is_not(None) & (stories.c.entry_text != "")).label("has_entry"),
            stories.c.entry_text,
        )

    def row(self, story_id: int) -> InboxRow:
        """One story as the inbox lists it (what an htmx action swaps in after changing it)."""
        with reading(self.engine) as conn:
            rows = list(conn.execute(self._row_query().where(stories.c.id == story_id)))
            if not rows:
                raise NotFound(f"no story with id {story_id}")
            return self._build_rows(conn, rows)[0]

    def _filtered(
        self, query: sa.Select[Any], flt: InboxFilter, *, status: bool = True, section: bool = True
    ) -> sa.Select[Any]:
        """`query` narrowed by every filter but the text search (and, when told, not by status or section)."""
        if status and flt.status:
            query = query.where(stories.c.status == flt.status)
        if section and flt.section == "none":
            query = query.where(stories.c.section.is_(None))
        elif section and flt.section:
            query = query.where(stories.c.section == flt.section)
        if flt.since is not None:
            query = query.where(stories.c.last_seen >= utc(flt.since))
        if flt.until is not None:
            query = query.where(stories.c.last_seen < utc(flt.until))
        names = (*flt.sources, *((flt.source,) if flt.source else ()))
        if names:
            source_ids = sa.select(sources.c.id).where(sources.c.name.in_(names))
            query = query.where(self._items_of_story().where(items.c.source_id.in_(source_ids)).exists())
        if flt.lang:
            lang_query = (
                self._items_of_story()
                .outerjoin(item_enrichments, item_enrichments.c.item_id == items.c.id)
                .where(sa.func.coalesce(item_enrichments.c.lang, items.c.lang) == flt.lang)
            )
            query = query.where(lang_query.exists())
        if flt.relevant_only:
            relevant = (
                sa.select(sa.literal(1))
                .select_from(story_items.join(item_enrichments, item_enrichments.c.item_id == story_items.c.item_id))
                .where(story_items.c.story_id == stories.c.id, item_enrichments.c.is_relevant.is_(True))
            )
            query = query.where(relevant.exists())
        return query

    def page(self, flt: InboxFilter, *, limit: int = 50, offset: int = 0) -> InboxPage:
        """One page of stories, newest first (by last report), filtered as `flt` says."""
        query = self._filtered(self._row_query(), flt)
        with reading(self.engine) as conn:
            if flt.query and flt.query.strip():
                hits = self._newest_matches(conn, search.parse_query(flt.query))
                if not hits:
                    return InboxPage(rows=(), offset=offset, limit=limit, has_more=False)
                story_ids = sa.select(story_items.c.story_id).where(
                    id_lists.among(story_items.c.item_id, hits, self._dialect)
                )
                query = query.where(stories.c.id.in_(story_ids))
            query = query.order_by(stories.c.last_seen.desc(), stories.c.id.desc()).limit(limit + 1)
            rows = list(conn.execute(query.offset(offset)))
            has_more = len(rows) > limit
            out = self._build_rows(conn, rows[:limit])
        # within a day, the most relevant story first and what only digests tell last; across days, newest first
        out.sort(key=lambda r: (r.last_seen.date(), not r.from_digest, r.relevance or 0.0), reverse=True)
        return InboxPage(rows=tuple(out), offset=offset, limit=limit, has_more=has_more)

    def counts(self, flt: InboxFilter) -> InboxCounts:
        """How many stories each status tab holds under the other filters, and how many of the shown status
        each section holds (what the inbox's tabs and section picker say)."""
        base = self._filtered(sa.select(stories.c.status, stories.c.section), flt, status=False, section=False)
        with reading(self.engine) as conn:
            if flt.query and flt.query.strip():
                hits = self._newest_matches(conn, search.parse_query(flt.query))
                matching = id_lists.among(story_items.c.item_id, hits, self._dialect)
                base = base.where(stories.c.id.in_(sa.select(story_items.c.story_id).where(matching)))
            grouped = base.subquery()
            query = sa.select(grouped.c.status, grouped.c.section, sa.func.count()).group_by(
                grouped.c.status, grouped.c.section
            )
            rows = [(str(st), str(sec or ""), int(n)) for st, sec, n in conn.execute(query)]
        statuses: dict[str, int] = {"all": 0}
        sections: dict[str, int] = {}
        for status, section, n in rows:
            statuses[status] = statuses.get(status, 0) + n
            statuses["all"] += n
            if flt.status in (None, status):
                sections[section] = sections.get(section, 0) + n
        return InboxCounts(statuses=statuses, sections=sections)

    def newest_report(self) -> dt.datetime | None:
        """When the newest story was last seen (the end of the triage window)."""
        with reading(self.engine) as conn:
            value = conn.execute(sa.select(sa.func.max(stories.c.last_seen))).scalar()
        return None if value is None else utc(value)

    def _newest_matches(self, conn: sa.Connection, query: search.SearchQuery) -> list[int]:
        # the inbox is ordered by time, not by rank: ask the index for the newest matches, unranked
        return search.search_index_for(self._dialect).newest(conn, query, limit=SEARCH_LIMIT)

    def _build_rows(self, conn: sa.Connection, rows: Sequence[Any]) -> list[InboxRow]:
        details = self._details(conn, [row.id for row in rows])
        out = []
        for row in rows:
            info = details.get(row.id, {})
            out.append(
                InboxRow(
                    id=row.id,
                    title=row.title or "",
                    first_seen=utc(row.first_seen),
                    last_seen=utc(row.last_seen),
                    section=row.section,
                    status=row.status,
                    has_entry=bool(row.has_entry),
                    outlets=_strings(row.outlets or ()) or tuple(info.get("outlets", ())),
                    places=_strings(row.places or ()) or tuple(info.get("places", ())),
                    amounts=tuple(info.get("amounts", ())),
                    languages=tuple(sorted(info.get("languages", ()))),
                    relevance=info.get("relevance"),
                    item_count=int(info.get("count", 0)),
                    entry_text=row.entry_text,
                    english=str(info.get("english") or ""),
                    people=tuple(info.get("people", ())),
                    from_digest=bool(info.get("from_digest")),
                )
            )
        return out

    def _details(self, conn: sa.Connection, story_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        if not story_ids:
            return {}
        query = (
            sa.select(
                story_items.c.story_id,
                sources.c.name.label("source"),
                sa.func.coalesce(item_enrichments.c.lang, items.c.lang).label("lang"),
                item_enrichments.c.relevance,
                items.c.title,
                sa.func.substr(items.c.text, 1, 300).label("opening"),
                items.c.external_id.contains(DIGEST_PART_MARK, autoescape=True).label("from_digest"),
                # as text, decoded below in one call: a page's reports hold a few hundred of these lists
                json_columns.as_text(item_enrichments.c.places),
                json_columns.as_text(item_enrichments.c.amounts),
                json_columns.as_text(item_enrichments.c.entities),
            )
            .select_from(
                story_items.join(items, items.c.id == story_items.c.item_id)
                .join(sources, sources.c.id == items.c.source_id)
                .outerjoin(item_enrichments, item_enrichments.c.item_id == items.c.id)
            )
            .where(id_lists.among(story_items.c.story_id, story_ids, self._dialect))
        )
        out: dict[int, dict[str, Any]] = {}
        rows = conn.execute(query).all()
        lists = json_columns.decode_lists([text for row in rows for text in row[-3:]])
        for at, row in enumerate(rows):
            places, amounts, entities = lists[3 * at : 3 * at + 3]
            info = out.setdefault(
                row.story_id,
                {
                    "outlets": {},
                    "places": {},
                    "amounts": {},
                    "languages": set(),
                    "relevance": None,
                    "count": 0,
                    "english": "",
                    "people": {},
                    "from_digest": True,
                },
            )
            info["from_digest"] = info["from_digest"] and bool(row.from_digest)
            if row.lang == "en" and not info["english"]:
                info["english"] = (row.title or row.opening or "").strip()
            for entity in entities:
                if isinstance(entity, Mapping) and entity.get("kind") == "person" and entity.get("latin"):
                    info["people"][str(entity["latin"])] = None
            info["count"] += 1
            info["outlets"][row.source] = None
            if row.lang:
                info["languages"].add(row.lang)
            if row.relevance is not None:
                info["relevance"] = max(info["relevance"] or 0.0, float(row.relevance))
            for place in _strings(places):
                info["places"][place] = None
            for amount in amounts:
                # sums of money only: a prison term («шесть лет») or a head count is not an amount of money
                if isinstance(amount, Mapping) and amount.get("currency") in _MONEY:
                    info["amounts"].setdefault(_amount_key(amount), amount)
        for info in out.values():
            info["outlets"] = list(info["outlets"])
            info["places"] = list(info["places"])
            info["amounts"] = list(info["amounts"].values())[:6]
            info["people"] = list(info["people"])[:4]
        return out

    def source_names(self) -> list[str]:
        with reading(self.engine) as conn:
            return [str(n) for n in conn.execute(sa.select(sources.c.name).order_by(sources.c.name)).scalars()]

    # ---- one story ----

    def story(self, story_id: int) -> StoryDetail:
        """A story with its reports (oldest first) and the earlier stories it continues (best first)."""
        with reading(self.engine) as conn:
            row = conn.execute(sa.select(stories).where(stories.c.id == story_id)).first()
            if row is None:
                raise NotFound(f"no story with id {story_id}")
            report_rows = list(
                conn.execute(
                    select_items()
                    .add_columns(items.c.snapshot_id, *(c.label(f"e_{c.name}") for c in item_enrichments.c))
                    .join(story_items, story_items.c.item_id == items.c.id)
                    .outerjoin(item_enrichments, item_enrichments.c.item_id == items.c.id)
                    .where(story_items.c.story_id == story_id)
                    .order_by(items.c.published_at, items.c.id)
                )
            )
            earlier_rows = list(
                conn.execute(
                    sa.select(
                        stories.c.id,
                        stories.c.title,
                        stories.c.last_seen,
                        story_links.c.score,
                        story_links.c.reasons,
                    )
                    .join(story_links, story_links.c.earlier_story_id == stories.c.id)
                    .where(story_links.c.story_id == story_id)
                    .order_by(story_links.c.score.desc())
                    .limit(20)
                )
            )
        reports = []
        for r in report_rows:
            enrichment = None
            if r.e_item_id is not None:
                enrichment = row_to_enrichment(
                    SimpleNamespace(**{c.name: getattr(r, f"e_{c.name}") for c in item_enrichments.c})
                )
            reports.append(Report(item=row_to_item(r), enrichment=enrichment, snapshot_id=r.snapshot_id))
        return StoryDetail(
            id=row.id,
            title=row.title or "",
            first_seen=utc(row.first_seen),
            last_seen=utc(row.last_seen),
            section=row.section,
            status=row.status,
            entry_text=row.entry_text,
            outlets=_strings(row.outlets or ()) or _strings(r.item.source for r in reports),
            places=_strings(row.places or ()),
            reports=tuple(reports),
            earlier=tuple(
                EarlierStory(
                    id=e.id,
                    title=e.title or "",
                    last_seen=utc(e.last_seen),
                    score=float(e.score),
                    reasons=tuple(str(x) for x in (e.reasons or ())),
                )
                for e in earlier_rows
            ),
        )

    def item_ids(self, story_id: int) -> list[int]:
        query = sa.select(story_items.c.item_id).where(story_items.c.story_id == story_id)
        with reading(self.engine) as conn:
            return [int(i) for i in conn.execute(query.order_by(story_items.c.item_id)).scalars()]

    def snapshot_of_item(self, item_id: int) -> int | None:
        with reading(self.engine) as conn:
            value = conn.execute(sa.select(items.c.snapshot_id).where(items.c.id == item_id)).scalar()
        return None if value is None else int(value)

    # ---- the editors' decisions ----

    def _update(self, conn: Connection, story_id: int, **values: Any) -> list[int]:
        """Set columns of a story; returns its items' ids (in order)."""
        if not story_store.update_story(conn, story_id, **values):
            raise NotFound(f"no story with id {story_id}")
        query = sa.select(story_items.c.item_id).where(story_items.c.story_id == story_id)
        return [int(i) for i in conn.execute(query.order_by(story_items.c.item_id)).scalars()]

    def set_status(self, story_id: int, status: str) -> None:
        """Mark a story new, skipped or for the brief; its items get the matching keep/skip decision, in the same
        transaction."""
        if status not in STORY_STATUSES:
            raise ConfigError(f"status must be one of {', '.join(STORY_STATUSES)}, not {status!r}")
        decision = {"new": None, "skip": "skip", "brief": "keep"}[status]
        with self.engine.begin() as conn:
            item_ids = self._update(conn, story_id, status=status)
            self._enrichments.set_editor_decisions(conn, item_ids, decision)

    def set_section(self, story_id: int, section: str | None) -> None:
        """Put a story in a section; its items get it as the editor's section (section training reads it), in
        the same transaction."""
        with self.engine.begin() as conn:
            item_ids = self._update(conn, story_id, section=section)
            self._enrichments.set_editor_sections(conn, item_ids, section)
