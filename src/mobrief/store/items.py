"""Items and their revisions and snapshots: idempotent batched upserts, reads, export and search."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from mobrief import item_limits, lemmas
from mobrief.errors import NotFound
from mobrief.item_limits import Fix
from mobrief.records import Item, Snapshot, digest_part_ids, utc
from mobrief.store import search, upserts
from mobrief.store.database import reading
from mobrief.store.schema import (
    item_enrichments,
    item_revisions,
    items,
    snapshots,
    sources,
    story_items,
)
from mobrief.store.sources import SourceRepository


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceLanguageCount:
    """How many items of one source are in one language, and when the first and last were published."""

    source: str
    lang: str | None
    items: int
    first: dt.datetime
    last: dt.datetime


class ItemNote(NamedTuple):
    """What happened to one item in the store, and why: refused (the database's own words, one line), or
    stored once cleaned of what the database refused."""

    source: str
    external_id: str
    reason: str


@dataclass(slots=True)
class UpsertCounts:
    """What one upsert did: items new, edited (old text kept as a revision), unchanged; refused, and stored
    only once cleaned of what the database refused."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    refreshed: int = 0  # same text, a detail corrected in place (a time read in another zone, views)
    failed: list[ItemNote] = field(default_factory=list)
    cleaned: list[ItemNote] = field(default_factory=list)

    def add(self, other: UpsertCounts) -> None:
        self.inserted += other.inserted
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.refreshed += other.refreshed
        self.failed.extend(other.failed)
        self.cleaned.extend(other.cleaned)


@dataclass(frozen=True, slots=True, kw_only=True)
class Revision:
    """An earlier text of an item, kept when the source edited it."""

    title: str
    text: str
    content_hash: str
    edited_at: dt.datetime | None
    replaced_at: dt.datetime


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else utc(value)


# The columns an item fills itself, in the order of PreparedItem.values; the writer adds source, snapshot, times.
_ROW_COLUMNS = (
    "external_id", "url", "published_at", "title", "text", "lang", "author", "links", "raw", "content_hash",
    "search_lemmas", "edited_at", "edited", "author_id", "forwarded_from", "forwarded_from_id", "reply_to", "views",
    "truncated",
)  # fmt: skip
_JSON_POSITIONS = (_ROW_COLUMNS.index("links"), _ROW_COLUMNS.index("raw"))

# built once (json.dumps builds one per call); NaN is refused, not written as the invalid JSON `NaN`
_JSON_TEXT = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
MAX_SEARCH_CHARS = 400_000  # lemmas kept for search: PostgreSQL's tsvector holds at most 1 MB


class PreparedItem(NamedTuple):
    """An item with the CPU work of storing it done (lemmas for search, content hash, JSON) and no connection
    needed, so a reader process can prepare one batch while the writer stores the last. The JSON columns
    travel as text: it crosses a process boundary three times faster than the objects would. `fixes` says
    what was changed to make the item storable (see `item_limits`)."""

    source: str
    external_id: str
    content_hash: str
    values: tuple[Any, ...]  # the columns of _ROW_COLUMNS; links and raw as JSON text
    snapshot: Snapshot | None
    fixes: tuple[Fix, ...] = ()


def _raw_json(raw: Any, fixes: list[Fix]) -> str:
    """A raw record as JSON text every backend stores; cleaned (and the changes noted) only when it must be.
    A lone surrogate is left to the database to refuse (see `write`): looking for one here would cost more
    than all the rest, and only a JSON Lines file (cleaned as it is read) can carry one."""
    try:
        text: str = _JSON_TEXT(dict(raw))
        if "\\u0000" not in text:
            return text
    except (ValueError, TypeError, RecursionError):  # NaN or infinity, an object JSON has no form for, deep nesting
        pass
    cleaned, found = item_limits.fit_raw(raw)
    fixes.extend(found)
    return _JSON_TEXT(cleaned)


def _content(item: Item) -> bytes | None:
    """What `Item.content_hash` hashes, as UTF-8; None when a lone surrogate makes it unencodable."""
    try:
        return f"{item.title}\n{item.text}".encode()
    except UnicodeEncodeError:
        return None


def prepare_items(
    batch: Iterable[Item], *, max_text_chars: int = item_limits.DEFAULT_MAX_TEXT_CHARS
) -> list[PreparedItem]:
    """Items ready for `ItemRepository.write`, each first fitted to what the store holds (`item_limits`)."""
    search_text, dumps, needs_fitting = lemmas.search_text, _JSON_TEXT, item_limits.needs_fitting
    prepared = []
    for item in batch:
        fixes: list[Fix] = []
        content = _content(item)
        if content is None or needs_fitting(item, max_text_chars, text_encodes=True):
            item, fixes = item_limits.fit_item(item, max_text_chars=max_text_chars)
            content = _content(item) or b""
        content_hash = hashlib.sha256(content).hexdigest()  # = item.content_hash, from the bytes already encoded
        text = f"{item.title}\n{item.text}" if item.title else item.text
        values = (
            item.external_id, item.url, utc(item.published_at), item.title, item.text, item.lang, item.author,
            dumps(list(item.links)) if item.links else "[]", _raw_json(item.raw, fixes), content_hash,
            search_text(text[:MAX_SEARCH_CHARS]), _aware(item.edited_at), item.edited or item.edited_at is not None,
            item.author_id, item.forwarded_from, item.forwarded_from_id, item.reply_to, item.views, item.truncated,
        )  # fmt: skip
        prepared.append(PreparedItem(item.source, item.external_id, content_hash, values, item.snapshot, tuple(fixes)))
    return prepared


_ITEM_COLUMNS = (
    items.c.id,
    sources.c.name.label("source"),
    items.c.external_id,
    items.c.url,
    items.c.published_at,
    items.c.title,
    items.c.text,
    items.c.lang,
    items.c.author,
    items.c.links,
    items.c.raw,
    items.c.edited_at,
    items.c.edited,
    items.c.author_id,
    items.c.forwarded_from,
    items.c.forwarded_from_id,
    items.c.reply_to,
    items.c.views,
    items.c.truncated,
    items.c.deleted_at,
)


def row_to_item(row: Any) -> Item:
    """An Item from a row selected with the item columns (see `select_items`)."""
    return Item(
        id=row.id,
        source=row.source,
        external_id=row.external_id,
        url=row.url,
        published_at=utc(row.published_at),
        title=row.title,
        text=row.text,
        lang=row.lang,
        author=row.author,
        links=tuple(row.links or ()),
        raw=dict(row.raw or {}),
        edited_at=_aware(row.edited_at),
        edited=bool(row.edited),
        author_id=row.author_id,
        forwarded_from=row.forwarded_from,
        forwarded_from_id=row.forwarded_from_id,
        reply_to=row.reply_to,
        views=row.views,
        truncated=bool(row.truncated),
        deleted_at=_aware(row.deleted_at),
    )


def select_items() -> sa.Select[Any]:
    """SELECT of the item columns joined with their source's name."""
    return sa.select(*_ITEM_COLUMNS).join(sources, sources.c.id == items.c.source_id)


class ItemRepository:
    """Rows of `items`, `item_revisions` and `snapshots`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sources = SourceRepository(engine)
        self._search = search.search_index_for(engine.dialect.name)
        self._lz4: bool | None = None  # whether the PostgreSQL server has lz4, asked on the first insert

    # ---- writing ----

    def upsert(self, batch: Sequence[Item], *, kind: str) -> UpsertCounts:
        """Store a batch of items in one transaction: new ones inserted, edited ones updated with a revision.

        Running the same batch again changes nothing, so a killed import can simply be run again.
        """
        return self.write(prepare_items(batch), kind=kind)

    def write(self, batch: Sequence[PreparedItem], *, kind: str) -> UpsertCounts:
        """`upsert` for items already prepared by `prepare_items`.

        Should the database refuse the batch for something in the data, each item is cleaned once more and
        stored in a transaction of its own, so one item the database cannot hold costs only itself: it is
        listed in `failed`. Trouble with the database itself (locked, unreachable) is raised.
        """
        try:
            return self._write(batch, kind=kind)
        except Exception as exc:
            if not _about_the_data(exc):
                raise
        counts = UpsertCounts()
        for prepared in batch:
            cleaned = _cleaned(prepared)
            try:
                counts.add(self._write([cleaned], kind=kind))
            except Exception as exc:
                if not _about_the_data(exc):
                    raise
                counts.failed.append(ItemNote(prepared.source, prepared.external_id, _first_line(exc)))
                continue
            if cleaned.values != prepared.values:
                reason = "NUL or lone surrogates removed once the database refused them"
                counts.cleaned.append(ItemNote(prepared.source, prepared.external_id, reason))
        return counts

    def _write(self, batch: Sequence[PreparedItem], *, kind: str) -> UpsertCounts:
        counts = UpsertCounts()
        if not batch:
            return counts
        now = dt.datetime.now(dt.UTC)
        with self.engine.begin() as conn:
            upserts.immediate(conn)  # SQLite: what is read below is still true when it is written
            source_ids = self._sources.ensure_many({i.source for i in batch}, kind, conn=conn)
            latest: dict[tuple[int, str], PreparedItem] = {}
            for item in batch:  # a batch may repeat a key: the last version wins, as in a sequential run
                latest[(source_ids[item.source], item.external_id)] = item
            existing = self._existing(conn, list(latest))
            new_rows = []
            for (source_id, _), item in latest.items():
                snapshot_id = self._store_snapshot(conn, item.snapshot, now) if item.snapshot else None
                old = existing.get((source_id, item.external_id))
                if old is None:
                    new_rows.append((source_id, snapshot_id, item.values))
                    counts.inserted += 1
                elif old.content_hash == item.content_hash:
                    refreshed = _refreshed(old, item.values)
                    if refreshed:
                        conn.execute(items.update().where(items.c.id == old.id).values(**refreshed, updated_at=now))
                        counts.refreshed += 1
                    else:
                        counts.unchanged += 1
                else:
                    self._replace(conn, old, item, snapshot_id, now)
                    counts.updated += 1
            if new_rows:
                if conn.dialect.name == "postgresql":
                    self._compress_with_lz4(conn)
                after_id = conn.execute(sa.select(sa.func.max(items.c.id))).scalar() or 0
                stored = _insert_items(conn, new_rows, now)
                counts.inserted -= len(new_rows) - stored  # stored meanwhile by another ingest of the same items
                counts.unchanged += len(new_rows) - stored
                self._search.index_new(conn, after_id=after_id)
        return counts

    def _compress_with_lz4(self, conn: Connection) -> None:
        """New rows' long values (raw JSON, text, lemmas, search vector: 2.7 kB a row) compressed with lz4 rather
        than pglz for this transaction, where the server has it: the same values read back, and a 2,000-row insert
        cost the server 210 ms of CPU rather than 300 (pglz was the largest part of what an item's insert costs
        beyond the search floor's)."""
        if self._lz4 is None:
            self._lz4 = bool(conn.exec_driver_sql(_HAS_LZ4).scalar())
        if self._lz4:
            conn.exec_driver_sql("SET LOCAL default_toast_compression = lz4")

    def _existing(self, conn: Connection, keys: list[tuple[int, str]]) -> dict[tuple[int, str], _Stored]:
        if conn.dialect.name == "postgresql":
            rows = _existing_postgres(conn, keys)
            return {(row[1], row[2]): _Stored(row[0], row[3], row[4], row[5], row[6]) for row in rows}
        # one lookup per 500 keys whatever their sources, joined to a VALUES list so SQLite looks each key up in
        # the unique index (a query per source and chunk made 80 a batch of a 40-channel import; SQLite scans
        # the whole index for a row-value IN list); sent through the driver, as SQLAlchemy's handling of a text
        # query's 1,000 parameters cost more than the lookup (22 µs an item)
        found: dict[tuple[int, str], _Stored] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            values = ", ".join(["(?, ?)"] * len(chunk))
            query = f"SELECT {_EXISTING_COLUMNS} FROM (VALUES {values}) AS wanted JOIN items {_EXISTING_JOIN}"
            params = tuple(value for key in chunk for value in key)
            for row in conn.exec_driver_sql(query, params):
                item_id, source_id, external_id, content_hash, published_at, views, deleted_at = row
                stored = _Stored(item_id, content_hash, _sqlite_stored_time(published_at), views, deleted_at)
                found[(source_id, external_id)] = stored
        return found

    def mark_deleted(self, source: str, external_ids: Sequence[str]) -> int:
        """Mark items their source no longer shows as deleted (they stay, citable); how many were newly marked.
        Seen again later, an item loses the mark."""
        now = dt.datetime.now(dt.UTC)
        marked = 0
        with self.engine.begin() as conn:
            source_id = conn.execute(sa.select(sources.c.id).where(sources.c.name == source)).scalar()
            if source_id is None:
                return 0
            for start in range(0, len(external_ids), 500):
                chunk = list(external_ids[start : start + 500])
                posts = sa.select(items.c.external_id, items.c.raw).where(
                    items.c.source_id == source_id, items.c.external_id.in_(chunk)
                )
                parts = [p for row in conn.execute(posts) for p in digest_part_ids(row.external_id, row.raw)]
                marked += self._mark_deleted(conn, source_id, chunk + parts, now)  # a digest's parts go with it
        return marked

    @staticmethod
    def _mark_deleted(conn: Connection, source_id: int, external_ids: list[str], now: dt.datetime) -> int:
        if not external_ids:
            return 0
        query = items.update().where(
            items.c.source_id == source_id, items.c.external_id.in_(external_ids), items.c.deleted_at.is_(None)
        )
        return int(conn.execute(query.values(deleted_at=now, updated_at=now)).rowcount)

    def _replace(
        self, conn: Connection, old: Any, item: PreparedItem, snapshot_id: int | None, now: dt.datetime
    ) -> None:
        old = conn.execute(sa.select(items).where(items.c.id == old.id)).one()
        already = conn.execute(
            sa.select(item_revisions.c.id).where(
                item_revisions.c.item_id == old.id, item_revisions.c.content_hash == old.content_hash
            )
        ).first()
        if already is None:
            conn.execute(
                upserts.insert(conn.dialect.name, item_revisions)
                .values(
                    item_id=old.id,
                    title=old.title,
                    text=old.text,
                    content_hash=old.content_hash,
                    edited_at=old.edited_at,
                    replaced_at=now,
                )
                .on_conflict_do_nothing(index_elements=["item_id", "content_hash"])
            )
        values = _python_values(item.values) | {"updated_at": now, "deleted_at": None}
        if snapshot_id is not None:
            values["snapshot_id"] = snapshot_id
        conn.execute(items.update().where(items.c.id == old.id).values(**values))
        from mobrief.store import enrichments  # enrichments reads items: imported here, not at the top

        enrichments.mark_stale(conn, [old.id])  # places, relevance and section were read from the old text
        # a digest edited to tell fewer stories (or none): the parts it no longer shows are gone upstream
        still = len(digest_part_ids(old.external_id, values["raw"]))
        self._mark_deleted(conn, old.source_id, digest_part_ids(old.external_id, old.raw, after=still), now)

    def _store_snapshot(self, conn: Connection, snapshot: Snapshot, now: dt.datetime) -> int:
        digest = snapshot.sha256
        found = conn.execute(sa.select(snapshots.c.id).where(snapshots.c.sha256 == digest)).scalar()
        if found is not None:
            return int(found)
        conn.execute(
            upserts.insert(conn.dialect.name, snapshots)
            .values(
                url=snapshot.url,
                content_type=snapshot.content_type,
                sha256=digest,
                body=snapshot.body,
                fetched_at=utc(snapshot.fetched_at),
            )
            .on_conflict_do_nothing(index_elements=["sha256"])
        )
        return int(conn.execute(sa.select(snapshots.c.id).where(snapshots.c.sha256 == digest)).scalar_one())

    # ---- reading ----

    def get(self, item_id: int) -> Item:
        with reading(self.engine) as conn:
            row = conn.execute(select_items().where(items.c.id == item_id)).first()
            if row is None:
                raise NotFound(f"no item with id {item_id}")
            item = row_to_item(row)
            snapshot_id = conn.execute(sa.select(items.c.snapshot_id).where(items.c.id == item_id)).scalar()
        if snapshot_id is not None:
            return dataclasses.replace(item, snapshot=self.snapshot(int(snapshot_id)))
        return item

    def get_many(self, item_ids: Iterable[int]) -> list[Item]:
        """Items by id, in the order asked (missing ids left out)."""
        wanted = list(item_ids)
        found: dict[int, Item] = {}
        with reading(self.engine) as conn:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                for row in conn.execute(select_items().where(items.c.id.in_(chunk))):
                    found[row.id] = row_to_item(row)
        return [found[i] for i in wanted if i in found]

    def snapshot(self, snapshot_id: int) -> Snapshot:
        with reading(self.engine) as conn:
            row = conn.execute(sa.select(snapshots).where(snapshots.c.id == snapshot_id)).first()
        if row is None:
            raise NotFound(f"no snapshot with id {snapshot_id}")
        return Snapshot(
            url=row.url, content_type=row.content_type, body=bytes(row.body), fetched_at=utc(row.fetched_at)
        )

    def revisions(self, item_id: int) -> list[Revision]:
        """Earlier texts of an item, oldest first."""
        query = sa.select(item_revisions).where(item_revisions.c.item_id == item_id).order_by(item_revisions.c.id)
        with reading(self.engine) as conn:
            return [
                Revision(
                    title=row.title,
                    text=row.text,
                    content_hash=row.content_hash,
                    edited_at=_aware(row.edited_at),
                    replaced_at=utc(row.replaced_at),
                )
                for row in conn.execute(query)
            ]

    def count(self) -> int:
        with reading(self.engine) as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(items)).scalar() or 0)

    def by_source_and_language(self) -> list[SourceLanguageCount]:
        """How many items each source has in each language (as detected, else as the source said), with the
        time span they cover; by source name."""
        lang = sa.func.coalesce(item_enrichments.c.lang, items.c.lang)
        query = (
            sa.select(
                sources.c.name,
                lang.label("lang"),
                sa.func.count(),
                sa.func.min(items.c.published_at),
                sa.func.max(items.c.published_at),
            )
            .select_from(
                items.join(sources, sources.c.id == items.c.source_id).outerjoin(
                    item_enrichments, item_enrichments.c.item_id == items.c.id
                )
            )
            .group_by(sources.c.name, lang)
            .order_by(sources.c.name)
        )
        with reading(self.engine) as conn:
            return [
                SourceLanguageCount(source=name, lang=language, items=count, first=first, last=last)
                for name, language, count, first, last in conn.execute(query)
            ]

    def page(
        self,
        *,
        source: str | None = None,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        limit: int = 50,
        offset: int = 0,
        newest_first: bool = True,
    ) -> list[Item]:
        """A page of items, filtered by source name and a [since, until) window of published time."""
        query = select_items()
        if source:
            query = query.where(sources.c.name == source)
        if since is not None:
            query = query.where(items.c.published_at >= utc(since))
        if until is not None:
            query = query.where(items.c.published_at < utc(until))
        order = (
            (items.c.published_at.desc(), items.c.id.desc())
            if newest_first
            else (
                items.c.published_at,
                items.c.id,
            )
        )
        query = query.order_by(*order).limit(limit).offset(offset)
        with reading(self.engine) as conn:
            return [row_to_item(row) for row in conn.execute(query)]

    def iter_all(self, *, batch_size: int = 1000) -> Iterator[Item]:
        """Every item in id order, read in pages so memory stays flat."""
        last = 0
        while True:
            query = select_items().where(items.c.id > last).order_by(items.c.id).limit(batch_size)
            with reading(self.engine) as conn:
                page = [row_to_item(row) for row in conn.execute(query)]
            if not page:
                return
            yield from page
            last = page[-1].id or last

    def search(self, query: str, *, limit: int = 20, offset: int = 0) -> list[tuple[Item, float]]:
        """Items whose text contains every word of `query` in any inflection or house spelling, best first within
        each block of the newest matches (see `store.search`; `Store.search.reports` adds story ids and marks)."""
        with reading(self.engine) as conn:
            hits = self._search.search(conn, search.parse_query(query), limit=limit, offset=offset)
        by_id = {item.id: item for item in self.get_many(item_id for item_id, _ in hits)}
        return [(by_id[item_id], score) for item_id, score in hits if item_id in by_id]

    def export_rows(self, *, batch_size: int = 1000) -> Iterator[dict[str, Any]]:
        """Every item as a row of the machine interface's JSONL: the item plus what enrichment found."""
        last = 0
        query = (
            sa.select(
                *_ITEM_COLUMNS,
                item_enrichments.c.lang.label("detected_lang"),
                item_enrichments.c.relevance,
                item_enrichments.c.is_relevant,
                item_enrichments.c.section,
                item_enrichments.c.editor_section,
                item_enrichments.c.section_confidence,
                item_enrichments.c.entities,
                item_enrichments.c.places,
                item_enrichments.c.amounts,
                story_items.c.story_id,
            )
            .join(sources, sources.c.id == items.c.source_id)
            .outerjoin(item_enrichments, item_enrichments.c.item_id == items.c.id)
            .outerjoin(story_items, story_items.c.item_id == items.c.id)
            .order_by(items.c.id)
            .limit(batch_size)
        )
        while True:
            with reading(self.engine) as conn:
                rows = list(conn.execute(query.where(items.c.id > last)))
            if not rows:
                return
            for row in rows:
                yield {
                    "id": row.id,
                    "source": row.source,
                    "external_id": row.external_id,
                    "url": row.url,
                    "published_at": utc(row.published_at).isoformat(),
                    "title": row.title,
                    "text": row.text,
                    "lang": row.detected_lang or row.lang,
                    "relevance": row.relevance,
                    "is_relevant": row.is_relevant,
                    "section": row.editor_section or row.section,
                    "section_confidence": row.section_confidence,
                    "story_id": row.story_id,
                    "entities": row.entities,
                    "places": row.places,
                    "amounts": row.amounts,
                    "links": list(row.links or ()),
                    "author": row.author,
                    "truncated": bool(row.truncated),
                    "deleted_at": utc(row.deleted_at).isoformat() if row.deleted_at else None,
                }
            last = rows[-1].id


_INSERT_COLUMNS = f"source_id, snapshot_id, {', '.join(_ROW_COLUMNS)}, ingested_at, updated_at"


def _sqlite_time(value: dt.datetime | None) -> str | None:
    """A UTC time as SQLAlchemy's SQLite DateTime stores it (naive, microseconds), so both paths agree."""
    if value is None:
        return None
    return utc(value).replace(tzinfo=None).isoformat(" ", "microseconds")


def _aware_time(value: dt.datetime | None) -> dt.datetime | None:
    return value


def _sqlite_stored_time(value: str | None) -> dt.datetime | None:
    """A time as `_sqlite_time` stored it, read back (UTC)."""
    return None if value is None else dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)


class _Stored(NamedTuple):
    """What a batch's write needs of an item already stored under one of its keys."""

    id: int
    content_hash: str
    published_at: dt.datetime | None
    views: int | None
    deleted_at: Any


def _insert_items(conn: Connection, rows: list[tuple[int, int | None, tuple[Any, ...]]], now: dt.datetime) -> int:
    """Insert new rows (source id, snapshot id, prepared values) through one DBAPI executemany, the values
    encoded here (JSON columns as the text `prepare_items` made): SQLAlchemy's per-row bind processing, and on
    PostgreSQL decoding the JSON only to encode it again, was the hot path of a large import. A row another
    ingest stored meanwhile is left as it is; returns how many rows were inserted."""
    marker = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = (
        f"INSERT INTO items ({_INSERT_COLUMNS}) VALUES ({', '.join([marker] * (len(_ROW_COLUMNS) + 4))}) "
        "ON CONFLICT (source_id, external_id) DO NOTHING"
    )
    time = _sqlite_time if conn.dialect.name == "sqlite" else _aware_time
    stamp = time(now)
    result = conn.exec_driver_sql(
        sql,
        [
            (source_id, snapshot_id, v[0], v[1], time(v[2]), v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10],
             time(v[11]), *v[12:], stamp, stamp)
            for source_id, snapshot_id, v in rows
        ],
    )  # fmt: skip
    return len(rows) if result.rowcount < 0 else int(result.rowcount)


_EXISTING_COLUMNS = (
    "items.id, items.source_id, items.external_id, items.content_hash, items.published_at, items.views, "
    "items.deleted_at"
)
_EXISTING_JOIN = "ON items.source_id = wanted.column1 AND items.external_id = wanted.column2"


_HAS_LZ4 = "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"


def _existing_postgres(conn: Connection, keys: list[tuple[int, str]]) -> list[Any]:
    """The stored rows of a batch's keys, in one statement of two arrays, never prepared: psycopg prepares a
    statement run five times, PostgreSQL then keeps a generic plan made while the table was small (a hash join
    over the whole table), and the lookup grew with every row stored: 5 ms a batch at first, 80-150 ms at
    100,000 items (a third of the import's time). Planned each time with its arrays, it reads the unique index."""
    raw = conn.connection.driver_connection
    if raw is None:
        raise RuntimeError("the connection was closed")
    query = (
        f"SELECT {_EXISTING_COLUMNS} FROM unnest(%s::integer[], %s::text[]) AS wanted(column1, column2) "
        f"JOIN items {_EXISTING_JOIN}"
    )
    threshold, raw.prepare_threshold = raw.prepare_threshold, None
    try:  # through SQLAlchemy all the same, which wraps the driver's errors as the rest of `write` expects
        return list(conn.exec_driver_sql(query, ([key[0] for key in keys], [key[1] for key in keys])))
    finally:
        raw.prepare_threshold = threshold


def _python_values(values: tuple[Any, ...]) -> dict[str, Any]:
    """Prepared values as SQLAlchemy binds them: the JSON columns parsed back into objects. A lone surrogate
    raises here as it does in SQLite's driver (SQLAlchemy would write it as an escape PostgreSQL accepts in
    `json` but nowhere else), so both backends clean it the same way (see `ItemRepository.write`)."""
    row = dict(zip(_ROW_COLUMNS, values, strict=True))
    for position in _JSON_POSITIONS:
        if not item_limits.storable(values[position]):
            raise ValueError(f"{_ROW_COLUMNS[position]} holds a lone surrogate or NUL")
    row["links"], row["raw"] = json.loads(row["links"]), json.loads(row["raw"])
    return row


_PUBLISHED, _VIEWS = _ROW_COLUMNS.index("published_at"), _ROW_COLUMNS.index("views")


def _refreshed(old: Any, values: tuple[Any, ...]) -> dict[str, Any]:
    """The details of an item whose text is unchanged that differ from what is stored: its time (an export
    read again with the right --timezone), its view count, and a deletion mark the source has taken back.
    No revision: the text did not change."""
    changed: dict[str, Any] = {}
    if old.deleted_at is not None:
        changed["deleted_at"] = None
    if utc(old.published_at) != values[_PUBLISHED]:
        changed["published_at"] = values[_PUBLISHED]
    if values[_VIEWS] is not None and old.views != values[_VIEWS]:
        changed["views"] = values[_VIEWS]
    return changed


# ---- when the database refuses a batch ----

_DATA_SQLSTATE_CLASSES = ("22", "23", "54")  # data exception, integrity violation, program limit (tsvector size)


def _about_the_data(exc: BaseException) -> bool:
    """Whether the database (or the driver on its way there) refused what a row holds, rather than failing."""
    if isinstance(exc, UnicodeError | ValueError | TypeError | RecursionError | OverflowError):
        return True
    if isinstance(exc, sa.exc.DataError | sa.exc.IntegrityError):
        return True
    if isinstance(exc, sa.exc.StatementError):
        orig = exc.orig
        if isinstance(orig, UnicodeError | ValueError | TypeError | RecursionError | OverflowError):
            return True
        sqlstate = getattr(orig, "sqlstate", None) or ""
        return sqlstate[:2] in _DATA_SQLSTATE_CLASSES or getattr(orig, "sqlite_errorname", "") == "SQLITE_TOOBIG"
    return False


def _first_line(exc: BaseException) -> str:
    """The database's own words about a refused row, without the statement and parameters SQLAlchemy adds."""
    cause = exc.orig if isinstance(exc, sa.exc.StatementError) and exc.orig is not None else exc
    text = str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
    return text[:300]


def _cleaned(prepared: PreparedItem) -> PreparedItem:
    """A prepared item with every text value cleaned of what no backend holds (see `item_limits`)."""
    values = list(prepared.values)
    for position, value in enumerate(values):
        if position in _JSON_POSITIONS:
            values[position] = _JSON_TEXT(item_limits.clean_json(json.loads(value), "", []))
        elif isinstance(value, str):
            values[position] = item_limits.clean_text(value)
    return prepared._replace(values=tuple(values))
