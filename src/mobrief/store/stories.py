"""Stories, their items and the earlier stories they continue: `stories`, `story_items`, `story_links`.

This module is the one writer of those tables and `stories_to_link`: clustering's batches, an editor's merge or
split (store/story_decisions.py), triage (store/inbox.py) and the brief editor's entry text (store/drafts.py)
decide what changes and call the functions at its end inside their own transaction.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from mobrief.errors import NotFound
from mobrief.records import EnrichedItem, StoredSignature, Story, utc
from mobrief.store import id_lists, relevance, search, upserts
from mobrief.store.database import create_engine, reading
from mobrief.store.schema import item_enrichments, items, sources, stories, stories_to_link, story_items, story_links


@dataclass(frozen=True, slots=True, kw_only=True)
class StoryItem:
    """One item of a story, as the story view lists it."""

    item_id: int
    source: str
    url: str | None
    published_at: dt.datetime
    title: str
    text: str
    method: str
    score: float
    is_relevant: bool | None


@dataclass(frozen=True, slots=True, kw_only=True)
class StoryLink:
    """A link from a story to an earlier one it continues, with the evidence."""

    story_id: int
    earlier_story_id: int
    score: float
    reasons: Sequence[Any]
    title: str = ""
    first_seen: dt.datetime | None = None
    last_seen: dt.datetime | None = None


def _enriched_query() -> sa.Select[Any]:
    """Items with their source and what enrichment found: what clustering signs."""
    return sa.select(
        items.c.id,
        sources.c.name.label("source"),
        items.c.external_id,
        items.c.url,
        items.c.published_at,
        items.c.title,
        items.c.text,
        items.c.raw,
        items.c.lang,
        items.c.search_lemmas,
        item_enrichments.c.lang.label("detected_lang"),
        relevance.relevant().label("is_relevant"),
        item_enrichments.c.section,
        item_enrichments.c.editor_section,
        item_enrichments.c.entities,
        item_enrichments.c.places,
        item_enrichments.c.amounts,
    ).join(sources, sources.c.id == items.c.source_id)


def _pending_query(require_enrichment: bool) -> sa.Select[Any]:
    query = (
        _enriched_query()
        .outerjoin(story_items, story_items.c.item_id == items.c.id)
        .where(story_items.c.item_id.is_(None))
    )
    if require_enrichment:
        return query.join(item_enrichments, item_enrichments.c.item_id == items.c.id)
    return query.outerjoin(item_enrichments, item_enrichments.c.item_id == items.c.id)


def _row_to_enriched(row: Any) -> EnrichedItem:
    return EnrichedItem(
        id=row.id,
        source=row.source,
        external_id=row.external_id,
        url=row.url,
        published_at=utc(row.published_at),
        title=row.title or "",
        text=row.text or "",
        raw=dict(row.raw or {}),
        lang=row.detected_lang or row.lang,
        is_relevant=row.is_relevant,
        section=row.editor_section or row.section,
        entities=tuple(e for e in row.entities or () if isinstance(e, Mapping)),
        places=tuple(p for p in row.places or () if isinstance(p, Mapping)),
        amounts=tuple(a for a in row.amounts or () if isinstance(a, Mapping)),
        search_lemmas=row.search_lemmas or "",
    )


def _row_to_story(row: Any, item_ids: Sequence[int] = ()) -> Story:
    return Story(
        id=row.id,
        title=row.title,
        first_seen=utc(row.first_seen),
        last_seen=utc(row.last_seen),
        item_ids=tuple(item_ids),
        outlets=tuple(row.outlets or ()),
        places=tuple(row.places or ()),
        section=row.section,
    )


class StoryRepository:
    """Rows of `stories`, `story_items` and `story_links`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._search = search.search_index_for(engine.dialect.name)

    # ---- what clustering reads ----

    def count_pending(self, *, require_enrichment: bool = True, until: dt.datetime | None = None) -> int:
        """How many items (published before `until`, if given) have no story yet."""
        pending = _pending_query(require_enrichment)
        if until is not None:
            pending = pending.where(items.c.published_at < utc(until))
        query = sa.select(sa.func.count()).select_from(pending.subquery())
        with reading(self.engine) as conn:
            return int(conn.execute(query).scalar() or 0)

    def pending_items(
        self,
        *,
        limit: int = 500,
        require_enrichment: bool = True,
        after: tuple[dt.datetime, int] | None = None,
        until: dt.datetime | None = None,
    ) -> list[EnrichedItem]:
        """The earliest items without a story, in publication order (then id), with what enrichment found;
        `after` (publication time, id) reads on past the last batch, for a reader ahead of the writer, and
        `until` stops before items published at or after it."""
        query = _pending_query(require_enrichment)
        if until is not None:
            query = query.where(items.c.published_at < utc(until))
        if after is not None:
            moment, item_id = utc(after[0]), after[1]
            query = query.where(
                sa.or_(items.c.published_at > moment, sa.and_(items.c.published_at == moment, items.c.id > item_id))
            )
        query = query.order_by(items.c.published_at, items.c.id).limit(limit)
        with reading(self.engine) as conn:
            return [_row_to_enriched(row) for row in conn.execute(query)]

    def pending_batches(
        self, *, batch_size: int, require_enrichment: bool = True, until: dt.datetime | None = None
    ) -> Callable[[], Iterator[list[EnrichedItem]]]:
        """Batches of pending items in publication order, read past each other by a cursor, so a reader can run
        ahead of the writer; called in another process (a forked child), it reads on an engine of its own."""
        url = self.engine.url.render_as_string(hide_password=False)
        parent = os.getpid()

        def read() -> Iterator[list[EnrichedItem]]:
            own = self if os.getpid() == parent else StoryRepository(create_engine(url))
            try:
                after: tuple[dt.datetime, int] | None = None
                while batch := own.pending_items(
                    limit=batch_size, require_enrichment=require_enrichment, after=after, until=until
                ):
                    yield batch
                    after = (batch[-1].published_at, batch[-1].id or 0)
            finally:
                if own is not self:
                    own.engine.dispose()

        return read

    def enriched_items(self, item_ids: Iterable[int]) -> list[EnrichedItem]:
        """Given items with what enrichment found, in publication order (then id): to sign a story again."""
        wanted = sorted(set(item_ids))
        found: list[EnrichedItem] = []
        with reading(self.engine) as conn:
            for start in range(0, len(wanted), 500):
                query = _enriched_query().outerjoin(item_enrichments, item_enrichments.c.item_id == items.c.id)
                query = query.where(items.c.id.in_(wanted[start : start + 500]))
                found.extend(_row_to_enriched(row) for row in conn.execute(query))
        return sorted(found, key=lambda i: (i.published_at, i.id))

    def signatures_seen_since(self, moment: dt.datetime, *, until: dt.datetime | None = None) -> list[StoredSignature]:
        """Profiles of the stories last seen at or after `moment` (and first seen by `until`), in id order."""
        query = sa.select(stories.c.id, stories.c.first_seen, stories.c.last_seen, stories.c.title, stories.c.signature)
        query = query.where(stories.c.last_seen >= moment, stories.c.signature.is_not(None))
        if until is not None:
            query = query.where(stories.c.first_seen <= until)
        with reading(self.engine) as conn:
            rows = list(conn.execute(query.order_by(stories.c.id)))
        return [_row_to_signature(row) for row in rows]

    def signatures_of(self, story_ids: Iterable[int]) -> list[StoredSignature]:
        """Profiles of the given stories, in id order (missing ids are skipped)."""
        wanted = sorted(set(story_ids))
        if not wanted:
            return []
        with reading(self.engine) as conn:
            query = sa.select(
                stories.c.id, stories.c.first_seen, stories.c.last_seen, stories.c.title, stories.c.signature
            ).where(id_lists.among(stories.c.id, wanted, conn.dialect.name), stories.c.signature.is_not(None))
            return [_row_to_signature(row) for row in conn.execute(query.order_by(stories.c.id))]

    # ---- what clustering writes ----

    def assignment_writer(self) -> AssignmentWriter:
        """A writer of one clustering run's batches, a transaction each."""
        return AssignmentWriter(self)

    def to_link(self) -> list[int]:
        """Stories changed by clustering whose links have not been computed since, oldest id first."""
        with reading(self.engine) as conn:
            query = sa.select(stories_to_link.c.story_id).order_by(stories_to_link.c.story_id)
            return [int(i) for i in conn.execute(query).scalars()]

    def unmark_to_link(self, story_ids: Iterable[int]) -> None:
        """Take stories off the list `to_link` reads (they need no links), in one transaction."""
        with self.engine.begin() as conn:
            _unmark_to_link(conn, story_ids)

    def replace_links(self, links_of: Mapping[int, Sequence[Mapping[str, Any]]]) -> None:
        """Set the earlier stories each story continues (story id → dicts with earlier_story_id, score,
        reasons) and take the stories off the list of stories to link, in one transaction: a run killed
        between two calls leaves the stories of the second on the list."""
        ids = sorted(links_of)
        with self.engine.begin() as conn:
            for start in range(0, len(ids), 500):
                conn.execute(story_links.delete().where(story_links.c.story_id.in_(ids[start : start + 500])))
            rows = [{"story_id": story_id, **dict(link)} for story_id in ids for link in links_of[story_id]]
            if rows:
                conn.execute(story_links.insert(), rows)
            _unmark_to_link(conn, ids)

    def forget_all(self) -> int:
        """Delete every story (items keep their text and enrichment), so clustering can start over."""
        with self.engine.begin() as conn:
            conn.execute(story_links.delete())
            conn.execute(stories_to_link.delete())
            conn.execute(story_items.delete())
            return int(conn.execute(stories.delete()).rowcount or 0)

    def set_entry_text(self, story_id: int, text: str) -> None:
        """The editor's English text of a story, kept on the story for every brief that tells it."""
        with self.engine.begin() as conn:
            update_story(conn, story_id, entry_text=text)

    # ---- what editors read ----

    def count(self) -> int:
        with reading(self.engine) as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(stories)).scalar() or 0)

    def get(self, story_id: int) -> Story:
        with reading(self.engine) as conn:
            row = conn.execute(sa.select(stories).where(stories.c.id == story_id)).first()
            if row is None:
                raise NotFound(f"no story with id {story_id} (see `mobrief stories list`)")
            ids = conn.execute(
                sa.select(story_items.c.item_id)
                .join(items, items.c.id == story_items.c.item_id)
                .where(story_items.c.story_id == story_id)
                .order_by(items.c.published_at, items.c.id)
            ).scalars()
            return _row_to_story(row, [int(x) for x in ids])

    def status(self, story_id: int) -> str:
        with reading(self.engine) as conn:
            value = conn.execute(sa.select(stories.c.status).where(stories.c.id == story_id)).scalar()
        if value is None:
            raise NotFound(f"no story with id {story_id} (see `mobrief stories list`)")
        return str(value)

    def recent(
        self,
        *,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        section: str | None = None,
        relevant_only: bool = False,
        limit: int = 100,
        offset: int = 0,
    ) -> list[tuple[Story, int]]:
        """Stories last seen in a period, newest first, each with its number of items."""
        size = sa.func.count(story_items.c.item_id).label("size")
        query = (
            sa.select(stories, size)
            .outerjoin(story_items, story_items.c.story_id == stories.c.id)
            .group_by(stories.c.id)
        )
        if since is not None:
            query = query.where(stories.c.last_seen >= since)
        if until is not None:
            query = query.where(stories.c.first_seen <= until)
        if section is not None:
            query = query.where(stories.c.section == section)
        if relevant_only:
            relevant = (
                sa.select(story_items.c.story_id)
                .join(item_enrichments, item_enrichments.c.item_id == story_items.c.item_id)
                .where(relevance.kept())
            )
            query = query.where(stories.c.id.in_(relevant))
        query = query.order_by(stories.c.last_seen.desc(), stories.c.id.desc()).limit(limit).offset(offset)
        with reading(self.engine) as conn:
            return [(_row_to_story(row), int(row.size)) for row in conn.execute(query)]

    def items_of(self, story_id: int) -> list[StoryItem]:
        """The items of a story in publication order, with how each was matched."""
        query = (
            sa.select(
                items.c.id,
                sources.c.name.label("source"),
                items.c.url,
                items.c.published_at,
                items.c.title,
                items.c.text,
                story_items.c.method,
                story_items.c.score,
                item_enrichments.c.is_relevant,
            )
            .join(story_items, story_items.c.item_id == items.c.id)
            .join(sources, sources.c.id == items.c.source_id)
            .outerjoin(item_enrichments, item_enrichments.c.item_id == items.c.id)
            .where(story_items.c.story_id == story_id)
            .order_by(items.c.published_at, items.c.id)
        )
        with reading(self.engine) as conn:
            return [
                StoryItem(
                    item_id=row.id,
                    source=row.source,
                    url=row.url,
                    published_at=utc(row.published_at),
                    title=row.title or "",
                    text=row.text or "",
                    method=row.method,
                    score=float(row.score),
                    is_relevant=row.is_relevant,
                )
                for row in conn.execute(query)
            ]

    def story_of_item(self, item_id: int) -> int | None:
        with reading(self.engine) as conn:
            value = conn.execute(sa.select(story_items.c.story_id).where(story_items.c.item_id == item_id)).scalar()
        return None if value is None else int(value)

    def links(self, story_id: int) -> list[StoryLink]:
        """The earlier stories this one continues, best first, with their titles and spans."""
        return self._links(
            other=story_links.c.earlier_story_id,
            where=story_links.c.story_id == story_id,
            order=(story_links.c.score.desc(), story_links.c.earlier_story_id),
        )

    def later_links(self, story_id: int) -> list[StoryLink]:
        """The later stories that continue this one."""
        return self._links(
            other=story_links.c.story_id,
            where=story_links.c.earlier_story_id == story_id,
            order=(stories.c.first_seen, stories.c.id),
        )

    def _links(
        self, *, other: sa.ColumnElement[Any], where: sa.ColumnElement[bool], order: tuple[Any, ...]
    ) -> list[StoryLink]:
        """Links with the title and span of the story on the `other` side."""
        query = (
            sa.select(
                story_links.c.story_id,
                story_links.c.earlier_story_id,
                story_links.c.score,
                story_links.c.reasons,
                stories.c.title,
                stories.c.first_seen,
                stories.c.last_seen,
            )
            .join(stories, stories.c.id == other)
            .where(where)
            .order_by(*order)
        )
        with reading(self.engine) as conn:
            return [
                StoryLink(
                    story_id=row.story_id,
                    earlier_story_id=row.earlier_story_id,
                    score=float(row.score),
                    reasons=list(row.reasons or ()),
                    title=row.title,
                    first_seen=utc(row.first_seen),
                    last_seen=utc(row.last_seen),
                )
                for row in conn.execute(query)
            ]

    # ---- what threading reads ----

    def items_matching(
        self, queries: Iterable[Sequence[Sequence[str]]], *, limit: int = 200
    ) -> dict[tuple[tuple[str, ...], ...], list[int]]:
        """For each query (groups of lemmas that must all match, each through any of its lemmas, as they are), the
        items the full-text index ranks first, up to
        `limit` (those `search` pages first, in no particular order): each distinct query asked once, together.

        How many came back tells a caller a name every report repeats from a rare one.
        """
        wanted = list(dict.fromkeys(_groups(groups) for groups in queries if groups))
        if not wanted:
            return {}
        with reading(self.engine) as conn:
            pages = self._search.first_matches(conn, [search.lemma_query(groups) for groups in wanted], limit=limit)
        return dict(zip(wanted, pages, strict=True))

    def some_items_matching(
        self, queries: Iterable[Sequence[Sequence[str]]], *, limit: int
    ) -> dict[tuple[tuple[str, ...], ...], list[int]]:
        """For each query (groups of lemmas, as `items_matching`), up to `limit` of the items matching it, any of them:
        every match when fewer match, so a name every report repeats is told from a rare one, whose items these
        are. Each distinct query asked once, together."""
        wanted = list(dict.fromkeys(_groups(groups) for groups in queries if groups))
        if not wanted:
            return {}
        with reading(self.engine) as conn:
            found = self._search.some_matches(conn, [search.lemma_query(groups) for groups in wanted], limit=limit)
        return dict(zip(wanted, found, strict=True))

    def stories_of_items(self, item_ids: Iterable[int]) -> dict[int, tuple[int, dt.datetime]]:
        """Each given item's story and publication time (items without a story are left out)."""
        wanted = sorted(set(item_ids))
        if not wanted:
            return {}
        with reading(self.engine) as conn:
            query = (
                sa.select(story_items.c.item_id, story_items.c.story_id, items.c.published_at)
                .join(items, items.c.id == story_items.c.item_id)
                .where(id_lists.among(story_items.c.item_id, wanted, conn.dialect.name))
            )
            return {int(row[0]): (int(row[1]), utc(row[2])) for row in conn.execute(query)}


def _groups(query: Sequence[Sequence[str]]) -> tuple[tuple[str, ...], ...]:
    """A query as the key its items are returned under (a plain lemma a group of its own)."""
    return tuple((group,) if isinstance(group, str) else tuple(group) for group in query)


def _unmark_to_link(conn: Connection, story_ids: Iterable[int]) -> None:
    ids = sorted(set(story_ids))
    for start in range(0, len(ids), 500):
        conn.execute(stories_to_link.delete().where(stories_to_link.c.story_id.in_(ids[start : start + 500])))


# new story ids reserved at once on PostgreSQL: 8 for a run with a few new stories (the ids it leaves unused are
# skipped), growing with the stories a batch creates, so a backlog takes them a few hundred a round trip
ID_BLOCK_MIN, ID_BLOCK_MAX = 8, 256


class AssignmentWriter:
    """Clustering's writes, one transaction a batch (`batch()`): ids for the batch's new stories as it assigns
    them, then every story it changed, its items' places and the note that those stories' links are due.

    On PostgreSQL new ids come from the sequence ahead, in blocks doubling with the stories the run creates, and
    the batch's new stories are inserted together at its end; on SQLite a new story is inserted (as a row of
    placeholder the batch's end overwrites) when it gets its id, which costs no round trip there.
    """

    def __init__(self, repository: StoryRepository) -> None:
        self._stories = repository
        self._conn: Connection | None = None
        self._reserved: list[int] = []  # PostgreSQL: ids taken from the sequence ahead, last one handed out first
        self._unwritten: set[int] = set()  # stories of this batch given a reserved id, inserted at its end
        self._given = 0  # reserved ids handed out in this run

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """One batch's transaction: `new_story_id` and `write` go inside it."""
        with self._stories.engine.begin() as conn:
            self._conn = conn
            try:
                yield
            finally:
                self._conn = None
        self._unwritten.clear()

    def _connection(self) -> Connection:
        if self._conn is None:
            raise RuntimeError("clustering writes go inside AssignmentWriter.batch()")
        return self._conn

    def new_story_id(self, first_seen: dt.datetime) -> int:
        """The id of a story the batch creates, first seen at `first_seen`."""
        conn = self._connection()
        if not self._reserved:
            block = min(ID_BLOCK_MAX, max(ID_BLOCK_MIN, self._given))  # doubling as the run creates stories
            self._reserved.extend(reversed(reserve_story_ids(conn, block)))
        if self._reserved:
            self._given += 1
            self._unwritten.add(self._reserved[-1])
            return self._reserved.pop()
        # its columns are written with every changed story's by `write`
        return insert_story(conn, {"first_seen": first_seen, "last_seen": first_seen})

    def write(self, changed: Mapping[int, Mapping[str, Any]], placed: Sequence[Mapping[str, Any]]) -> None:
        """Store the batch: every story it created or changed (story id → columns of `stories`), its items'
        stories (dicts with item_id, story_id, method, score), and that the stories' links are due."""
        conn = self._connection()
        insert_stories(conn, {key: row for key, row in changed.items() if key in self._unwritten})
        update_stories(conn, {key: row for key, row in changed.items() if key not in self._unwritten})
        insert_story_items(conn, placed)
        mark_to_link(conn, changed)


# ---- the writes of stories, story_items and story_links: inside the caller's transaction ----


def insert_story(conn: Connection, values: Mapping[str, Any]) -> int:
    """Insert a story and return its id; `values` are columns of `stories`."""
    row = {"status": "new", "pinned": False, "updated_at": dt.datetime.now(dt.UTC), **values}
    result = conn.execute(stories.insert(), row)  # parameters apart: one compiled statement for every story
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def reserve_story_ids(conn: Connection, count: int) -> list[int]:
    """On PostgreSQL, `count` new story ids from the table's sequence, ascending, for `insert_stories` to write
    later (a story's id without a round trip each; ids a run reserves and does not use are skipped, as a
    rolled-back insert's are); none on SQLite, where `insert_story` costs no round trip."""
    if conn.dialect.name != "postgresql" or count <= 0:
        return []
    query = sa.text("SELECT nextval(pg_get_serial_sequence('stories', 'id')) FROM generate_series(1, :count)")
    return sorted(int(value) for value in conn.execute(query, {"count": count}).scalars())


def insert_stories(conn: Connection, rows: Mapping[int, Mapping[str, Any]]) -> None:
    """Insert stories under ids `reserve_story_ids` gave (story id → columns of `stories`), in one executemany."""
    if rows:
        now = dt.datetime.now(dt.UTC)
        conn.execute(
            stories.insert(),
            [
                {"status": "new", "pinned": False, "updated_at": now, **values, "id": key}
                for key, values in rows.items()
            ],
        )


def update_story(conn: Connection, story_id: int, **values: Any) -> bool:
    """Set columns of a story (and its `updated_at`); whether there was such a story."""
    statement = stories.update().where(stories.c.id == story_id)
    return bool(conn.execute(statement.values(**values, updated_at=dt.datetime.now(dt.UTC))).rowcount)


def update_stories(conn: Connection, changes: Mapping[int, Mapping[str, Any]]) -> None:
    """Set columns of many stories (story id → values) in one executemany; every change sets the same
    columns."""
    if not changes:
        return
    now = dt.datetime.now(dt.UTC)
    statement = stories.update().where(stories.c.id == sa.bindparam("changed_story_id"))
    conn.execute(statement, [{**values, "updated_at": now, "changed_story_id": key} for key, values in changes.items()])


def delete_story(conn: Connection, story_id: int) -> None:
    """Remove a story (its items' places, links and drafts go with it)."""
    conn.execute(stories.delete().where(stories.c.id == story_id))


def mark_to_link(conn: Connection, story_ids: Iterable[int]) -> None:
    """Note that these stories changed and their thread links must be computed again (see `to_link`)."""
    rows = [{"story_id": story_id} for story_id in sorted(set(story_ids))]
    if rows:
        statement = upserts.insert(conn.dialect.name, stories_to_link).on_conflict_do_nothing()
        conn.execute(statement, rows)


def insert_story_items(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Record items' stories: dicts with item_id, story_id, method, score."""
    if rows:
        conn.execute(story_items.insert(), [dict(r) for r in rows])


def place_story_items(conn: Connection, item_ids: Sequence[int], story_id: int, *, method: str, score: float) -> None:
    """Put items (already in some story) into `story_id`, matched by `method` with `score`."""
    if item_ids:
        conn.execute(
            story_items.update()
            .where(story_items.c.item_id.in_(list(item_ids)))
            .values(story_id=story_id, method=method, score=score)
        )


def repoint_links(conn: Connection, absorbed: int, kept: int) -> None:
    """Later stories that continued `absorbed` continue `kept` instead (unless linked to it already)."""
    linked = sa.select(story_links.c.story_id).where(story_links.c.earlier_story_id == kept)
    conn.execute(
        story_links.update()
        .where(
            story_links.c.earlier_story_id == absorbed,
            story_links.c.story_id.not_in(linked),
            story_links.c.story_id != kept,
        )
        .values(earlier_story_id=kept)
    )


def _signature_query() -> sa.Select[Any]:
    return sa.select(stories.c.id, stories.c.first_seen, stories.c.last_seen, stories.c.title, stories.c.signature)


def _row_to_signature(row: Any) -> StoredSignature:
    return StoredSignature(
        story_id=int(row.id),
        first_seen=utc(row.first_seen),
        last_seen=utc(row.last_seen),
        title=row.title or "",
        signature=dict(row.signature or {}),
    )
