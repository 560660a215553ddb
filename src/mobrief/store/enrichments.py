"""What enrichment found per item (`item_enrichments`): pending work, batched upserts, editors' decisions."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from mobrief.errors import NotFound
from mobrief.records import Amount, Enrichment, Item, Mention, Place, utc
from mobrief.store import upserts
from mobrief.store.database import reading
from mobrief.store.items import row_to_item, select_items
from mobrief.store.schema import enrichment_failures, item_enrichments, items

EDITOR_DECISIONS = ("keep", "skip")


@dataclass(frozen=True, slots=True, kw_only=True)
class PendingClaim:
    """Items claimed for enrichment (each with what is stored for it), and the last id the claim looked at."""

    items: list[tuple[Item, Enrichment | None]]
    last_id: int


def versions_text(versions: Mapping[str, str]) -> str:
    """The stage versions as the JSON text stored for them (sorted keys), so SQL can compare it as text."""
    return json.dumps(dict(sorted(versions.items())))


def mention_to_json(mention: Mention) -> dict[str, Any]:
    return {
        "kind": mention.kind,
        "text": mention.text,
        "normalized": mention.normalized,
        "latin": mention.latin,
    }


def place_to_json(place: Place) -> dict[str, Any]:
    return {"name": place.name, "key": place.key, "text": place.text, "kind": place.kind}


def amount_to_json(amount: Amount) -> dict[str, Any]:
    return {
        "currency": amount.currency,
        "value": amount.value,
        "text": amount.text,
        "usd": amount.usd,
        "value_to": amount.value_to,
        "per": amount.per,
    }


def _mention(data: Mapping[str, Any]) -> Mention:
    return Mention(
        kind=str(data.get("kind", "")),
        text=str(data.get("text", "")),
        normalized=str(data.get("normalized", "")),
        latin=str(data.get("latin", "")),
    )


def _place(data: Mapping[str, Any]) -> Place:
    return Place(
        key=str(data.get("key", "")),
        name=str(data.get("name", "")),
        text=str(data.get("text", "")),
        kind=str(data.get("kind", "region")),
    )


def _amount(data: Mapping[str, Any]) -> Amount:
    return Amount(
        currency=str(data.get("currency", "")),
        value=float(data.get("value") or 0.0),
        text=str(data.get("text", "")),
        usd=data.get("usd"),
        value_to=data.get("value_to"),
        per=data.get("per"),
    )


def row_to_enrichment(row: Any) -> Enrichment:
    """An Enrichment from a row of `item_enrichments`."""
    return Enrichment(
        item_id=row.item_id,
        lang=row.lang,
        relevance=row.relevance,
        is_relevant=row.is_relevant,
        section=row.section,
        section_confidence=row.section_confidence,
        entities=tuple(_mention(e) for e in row.entities or ()),
        places=tuple(_place(p) for p in row.places or ()),
        amounts=tuple(_amount(a) for a in row.amounts or ()),
        stage_versions=dict(row.stage_versions or {}),
        editor_section=row.editor_section,
        editor_decision=row.editor_decision,
    )


def _values(enrichment: Enrichment, now: dt.datetime) -> dict[str, Any]:
    return {
        "lang": enrichment.lang,
        "relevance": enrichment.relevance,
        "is_relevant": enrichment.is_relevant,
        "section": enrichment.section,
        "section_confidence": enrichment.section_confidence,
        "entities": [mention_to_json(m) for m in enrichment.entities],
        "places": [place_to_json(p) for p in enrichment.places],
        "amounts": [amount_to_json(a) for a in enrichment.amounts],
        "stage_versions": dict(sorted(enrichment.stage_versions.items())),
        "updated_at": now,
    }


def mark_stale(conn: Connection, item_ids: Sequence[int]) -> None:
    """Have items enriched again, inside the caller's transaction (their text changed upstream): every stage's
    version is cleared, so the next run reads the new text; editors' section and decision stay."""
    if item_ids:
        conn.execute(
            sa.update(item_enrichments).where(item_enrichments.c.item_id.in_(list(item_ids))).values(stage_versions={})
        )


class EnrichmentRepository:
    """Rows of `item_enrichments`: one per enriched item; editors' fields survive re-enrichment."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # ---- pending work ----

    def _stale(self, expected: Mapping[str, str]) -> sa.ColumnElement[bool]:
        return sa.or_(
            item_enrichments.c.item_id.is_(None),
            sa.cast(item_enrichments.c.stage_versions, sa.Text) != versions_text(expected),
        )

    @staticmethod
    def _not_set_aside() -> sa.ColumnElement[bool]:
        return sa.or_(enrichment_failures.c.set_aside.is_(None), enrichment_failures.c.set_aside.is_(False))

    def count_pending(self, expected: Mapping[str, str]) -> int:
        """Items lacking an enrichment or with one from an older version of some stage (an upper bound),
        leaving out the items set aside."""
        query = (
            sa.select(sa.func.count())
            .select_from(
                items.outerjoin(item_enrichments, item_enrichments.c.item_id == items.c.id).outerjoin(
                    enrichment_failures, enrichment_failures.c.item_id == items.c.id
                )
            )
            .where(self._stale(expected), self._not_set_aside())
        )
        with reading(self.engine) as conn:
            return int(conn.execute(query).scalar() or 0)

    def _pending_query(self, expected: Mapping[str, str]) -> sa.Select[Any]:
        return (
            select_items()
            .add_columns(*(c.label(f"e_{c.name}") for c in item_enrichments.c))
            .outerjoin(item_enrichments, item_enrichments.c.item_id == items.c.id)
            .outerjoin(enrichment_failures, enrichment_failures.c.item_id == items.c.id)
            .where(self._stale(expected), self._not_set_aside())
            .order_by(items.c.id)
        )

    @staticmethod
    def _still_pending(rows: Iterable[Any], expected: Mapping[str, str]) -> list[tuple[Item, Enrichment | None]]:
        out: list[tuple[Item, Enrichment | None]] = []
        for row in rows:
            stored = None
            if row.e_item_id is not None:
                stored = row_to_enrichment(
                    SimpleNamespace(**{c.name: getattr(row, f"e_{c.name}") for c in item_enrichments.c})
                )
                if dict(stored.stage_versions) == dict(expected):
                    continue  # same versions, stored as different JSON text
            out.append((row_to_item(row), stored))
        return out

    def first_unenriched_time(self) -> dt.datetime | None:
        """When the earliest item that enrichment has not yet seen was published (items set aside left
        out): clustering on many workers stops there, so items reach it in publication order."""
        query = (
            sa.select(sa.func.min(items.c.published_at))
            .select_from(
                items.outerjoin(item_enrichments, item_enrichments.c.item_id == items.c.id).outerjoin(
                    enrichment_failures, enrichment_failures.c.item_id == items.c.id
                )
            )
            .where(item_enrichments.c.item_id.is_(None), self._not_set_aside())
        )
        with reading(self.engine) as conn:
            found = conn.execute(query).scalar()
        return None if found is None else utc(found)

    def pending_ids(self, expected: Mapping[str, str]) -> list[int]:
        """Ids of every item that needs enriching (an upper bound, as `count_pending`), in order."""
        query = (
            sa.select(items.c.id)
            .select_from(
                items.outerjoin(item_enrichments, item_enrichments.c.item_id == items.c.id).outerjoin(
                    enrichment_failures, enrichment_failures.c.item_id == items.c.id
                )
            )
            .where(self._stale(expected), self._not_set_aside())
            .order_by(items.c.id)
        )
        with reading(self.engine) as conn:
            return [int(i) for i in conn.execute(query).scalars()]

    def pending(
        self, expected: Mapping[str, str], *, after_id: int = 0, limit: int = 200
    ) -> list[tuple[Item, Enrichment | None]]:
        """The next items after `after_id` with a missing or stale enrichment, plus what is stored; items set
        aside are left out."""
        query = self._pending_query(expected).limit(limit)
        out: list[tuple[Item, Enrichment | None]] = []
        while not out:
            with reading(self.engine) as conn:
                rows = list(conn.execute(query.where(items.c.id > after_id)))
            out = self._still_pending(rows, expected)
            if len(rows) < limit:
                break
            after_id = max(int(row.id) for row in rows)
        return out

    @contextlib.contextmanager
    def claim_pending(
        self, expected: Mapping[str, str], *, after_id: int = 0, limit: int = 200, last_id: int | None = None
    ) -> Iterator[PendingClaim]:
        """The next pending items after `after_id`, claimed until the block ends, so that no other process
        enriches them meanwhile; `PendingClaim.last_id` is where the next claim starts.

        PostgreSQL locks the rows (`FOR NO KEY UPDATE SKIP LOCKED`: a second worker takes the next items,
        and the locks die with a killed worker's connection). SQLite has one writer, which the caller holds
        (`lanes.single_writer`), so nothing is locked there. `last_id` bounds the ids claimed.
        """
        bound = sa.true() if last_id is None else items.c.id <= last_id
        if self.engine.dialect.name != "postgresql":
            query = self._pending_query(expected).where(bound).limit(limit)
            while True:
                with reading(self.engine) as conn:
                    rows = list(conn.execute(query.where(items.c.id > after_id)))
                found = self._still_pending(rows, expected)
                after_id = max((int(row.id) for row in rows), default=after_id)
                if found or len(rows) < limit:
                    break
            yield PendingClaim(items=found, last_id=after_id)
            return
        claim = (
            sa.select(items.c.id)
            .select_from(
                items.outerjoin(item_enrichments, item_enrichments.c.item_id == items.c.id).outerjoin(
                    enrichment_failures, enrichment_failures.c.item_id == items.c.id
                )
            )
            .where(self._stale(expected), self._not_set_aside(), bound)
            .order_by(items.c.id)
            .limit(limit)
            .with_for_update(of=items, skip_locked=True, key_share=True)
        )
        with self.engine.connect() as conn, conn.begin():
            while True:
                ids = [int(i) for i in conn.execute(claim.where(items.c.id > after_id)).scalars()]
                if not ids:
                    found = []
                    break
                after_id = max(ids)
                # read again now the rows are ours: a worker that finished them just before is seen here
                claimed = conn.execute(self._pending_query(expected).where(items.c.id.in_(ids)))
                found = self._still_pending(claimed, expected)
                if found or len(ids) < limit:
                    break
            yield PendingClaim(items=found, last_id=after_id)

    # ---- writing ----

    def save_many(self, batch: Sequence[Enrichment]) -> None:
        """Store a batch of enrichments in one transaction, keeping the editors' section and decision (and
        forgetting the attempts `begin_attempt` noted for these items)."""
        if not batch:
            return
        now = dt.datetime.now(dt.UTC)
        with self.engine.begin() as conn:
            ids = [e.item_id for e in batch]
            for start in range(0, len(ids), 500):
                conn.execute(
                    sa.delete(enrichment_failures).where(enrichment_failures.c.item_id.in_(ids[start : start + 500]))
                )
            # an upsert: another process may have stored the same item meanwhile (the last result wins)
            statement = upserts.insert(conn.dialect.name, item_enrichments)
            statement = statement.on_conflict_do_update(
                index_elements=["item_id"],
                set_={name: statement.excluded[name] for name in _values(batch[0], now)},
            )
            rows = [{"item_id": e.item_id, **_values(e, now)} for e in batch]
            for start in range(0, len(rows), 200):
                conn.execute(statement, rows[start : start + 200])

    # ---- items enrichment could not finish ----

    def begin_attempt(self, item_ids: Sequence[int]) -> None:
        """Note that a run begins enriching these items; `save_many` forgets it once their results are
        stored, so a count left behind means a run stopped on them (killed, out of memory)."""
        if not item_ids:
            return
        now = dt.datetime.now(dt.UTC)
        statement = upserts.insert(self.engine.dialect.name, enrichment_failures)
        statement = statement.on_conflict_do_update(
            index_elements=["item_id"],
            set_={"attempts": enrichment_failures.c.attempts + 1, "updated_at": now},
        )
        with self.engine.begin() as conn:
            conn.execute(
                statement, [{"item_id": i, "attempts": 1, "set_aside": False, "updated_at": now} for i in item_ids]
            )

    def undo_attempt(self, item_ids: Sequence[int]) -> None:
        """Take back `begin_attempt` for items a run was asked to stop on (Ctrl-C): not their fault."""
        if not item_ids:
            return
        with self.engine.begin() as conn:
            conn.execute(
                sa.update(enrichment_failures)
                .where(enrichment_failures.c.item_id.in_(list(item_ids)), enrichment_failures.c.set_aside.is_(False))
                .values(attempts=enrichment_failures.c.attempts - 1)
            )
            conn.execute(
                sa.delete(enrichment_failures).where(
                    enrichment_failures.c.attempts <= 0, enrichment_failures.c.set_aside.is_(False)
                )
            )

    def attempts(self, item_ids: Sequence[int]) -> dict[int, int]:
        """How many runs began each of these items without finishing it (items never begun are left out)."""
        with reading(self.engine) as conn:
            return self._attempted(conn, item_ids)

    def _attempted(self, conn: Connection, item_ids: Sequence[int]) -> dict[int, int]:
        found: dict[int, int] = {}
        for start in range(0, len(item_ids), 500):
            query = sa.select(enrichment_failures.c.item_id, enrichment_failures.c.attempts).where(
                enrichment_failures.c.item_id.in_(list(item_ids[start : start + 500]))
            )
            found.update({int(row.item_id): int(row.attempts) for row in conn.execute(query)})
        return found

    def set_aside(self, item_id: int, error: str) -> None:
        """Leave an item out of enrichment, with the error that stopped it, until `retry_set_aside`."""
        now = dt.datetime.now(dt.UTC)
        values = {"set_aside": True, "error": error, "updated_at": now}
        with self.engine.begin() as conn:
            conn.execute(
                upserts.insert(conn.dialect.name, enrichment_failures)
                .values(item_id=item_id, attempts=0, **values)
                .on_conflict_do_update(index_elements=["item_id"], set_=values)
            )

    def set_aside_unfinished(self, max_attempts: int, error: str) -> list[int]:
        """Set aside every item that `max_attempts` runs began and none finished; their ids."""
        query = sa.select(enrichment_failures.c.item_id).where(
            enrichment_failures.c.attempts >= max_attempts, enrichment_failures.c.set_aside.is_(False)
        )
        if self.engine.dialect.name == "postgresql":
            # an item another worker has claimed is being enriched right now, not stuck: leave it to that worker
            query = query.join(items, items.c.id == enrichment_failures.c.item_id).with_for_update(
                of=items, skip_locked=True, key_share=True
            )
        with self.engine.begin() as conn:
            ids = [int(i) for i in conn.execute(query).scalars()]
            if ids:
                conn.execute(
                    sa.update(enrichment_failures)
                    .where(enrichment_failures.c.item_id.in_(ids))
                    .values(set_aside=True, error=error, updated_at=dt.datetime.now(dt.UTC))
                )
        return ids

    def list_set_aside(self) -> list[tuple[int, str]]:
        """(item id, error) of every item set aside, oldest id first."""
        query = (
            sa.select(enrichment_failures.c.item_id, enrichment_failures.c.error)
            .where(enrichment_failures.c.set_aside.is_(True))
            .order_by(enrichment_failures.c.item_id)
        )
        with reading(self.engine) as conn:
            return [(int(row.item_id), str(row.error or "")) for row in conn.execute(query)]

    def retry_set_aside(self) -> int:
        """Give every item set aside another chance (after a fix, or a larger machine); how many."""
        with self.engine.begin() as conn:
            return int(conn.execute(sa.delete(enrichment_failures)).rowcount or 0)

    def _ensure_row(self, conn: Connection, item_id: int) -> None:
        if not conn.execute(sa.select(items.c.id).where(items.c.id == item_id)).first():
            raise NotFound(f"no item with id {item_id}")
        conn.execute(
            upserts.insert(conn.dialect.name, item_enrichments)
            .values(item_id=item_id, stage_versions={}, updated_at=dt.datetime.now(dt.UTC))
            .on_conflict_do_nothing(index_elements=["item_id"])
        )

    def set_editor_decision(self, item_id: int, decision: str | None) -> None:
        """Record an editor's keep/skip (None clears it): what `relevance train` learns from."""
        with self.engine.begin() as conn:
            self._ensure_row(conn, item_id)
            self.set_editor_decisions(conn, [item_id], decision)

    def set_editor_decisions(self, conn: Connection, item_ids: Sequence[int], decision: str | None) -> None:
        """Record an editor's keep/skip (None clears it) on items that exist, inside the caller's transaction
        (a story's items take its decision together with it)."""
        if decision is not None and decision not in EDITOR_DECISIONS:
            raise ValueError(f"decision must be one of {EDITOR_DECISIONS}, not {decision!r}")
        self._set_editor_values(conn, item_ids, editor_decision=decision)

    def set_editor_section(self, item_id: int, section: str | None) -> None:
        """Record an editor's section for an item (None clears it); it wins over the model's."""
        with self.engine.begin() as conn:
            self._ensure_row(conn, item_id)
            self.set_editor_sections(conn, [item_id], section)

    def set_editor_sections(self, conn: Connection, item_ids: Sequence[int], section: str | None) -> None:
        """Record an editor's section (None clears it) on items that exist, inside the caller's transaction."""
        self._set_editor_values(conn, item_ids, editor_section=section)

    def _set_editor_values(self, conn: Connection, item_ids: Sequence[int], **values: str | None) -> None:
        """Set editor columns of items, adding the enrichment row an item not yet enriched lacks; ids in order,
        so two editors deciding on overlapping stories lock rows in the same order."""
        ids = sorted(set(item_ids))
        now = dt.datetime.now(dt.UTC)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            conn.execute(
                upserts.insert(conn.dialect.name, item_enrichments).on_conflict_do_nothing(index_elements=["item_id"]),
                [{"item_id": item_id, "stage_versions": {}, "updated_at": now} for item_id in chunk],
            )
            changed = sa.update(item_enrichments).where(item_enrichments.c.item_id.in_(chunk))
            conn.execute(changed.values(**values, updated_at=now))

    # ---- reading ----

    def get(self, item_id: int) -> Enrichment | None:
        with reading(self.engine) as conn:
            query = sa.select(item_enrichments).where(item_enrichments.c.item_id == item_id)
            row = conn.execute(query).first()
        return None if row is None else row_to_enrichment(row)

    def get_many(self, item_ids: Iterable[int]) -> dict[int, Enrichment]:
        """Enrichments of the given items that exist, by item id."""
        ids = list(item_ids)
        out: dict[int, Enrichment] = {}
        with reading(self.engine) as conn:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                query = sa.select(item_enrichments).where(item_enrichments.c.item_id.in_(chunk))
                for row in conn.execute(query):
                    out[int(row.item_id)] = row_to_enrichment(row)
        return out

    def _iter_labelled(self, column: sa.Column[Any], batch_size: int) -> Iterator[tuple[Item, str]]:
        last = 0
        query = (
            select_items()
            .add_columns(column.label("label"))
            .join(item_enrichments, item_enrichments.c.item_id == items.c.id)
            .where(column.is_not(None))
            .order_by(items.c.id)
            .limit(batch_size)
        )
        while True:
            with reading(self.engine) as conn:
                rows = list(conn.execute(query.where(items.c.id > last)))
            if not rows:
                return
            for row in rows:
                yield row_to_item(row), str(row.label)
            last = int(rows[-1].id)

    def iter_editor_decisions(self, *, batch_size: int = 500) -> Iterator[tuple[Item, str]]:
        """Items an editor kept or skipped, with the decision: relevance training data."""
        return self._iter_labelled(item_enrichments.c.editor_decision, batch_size)

    def iter_editor_sections(self, *, batch_size: int = 500) -> Iterator[tuple[Item, str]]:
        """Items an editor put in a section, with the section key: section training data."""
        return self._iter_labelled(item_enrichments.c.editor_section, batch_size)
