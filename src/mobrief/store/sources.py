"""Configured sources: what to poll, with which adapter and options, and the state kept between polls."""

from __future__ import annotations

import builtins
import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from mobrief.errors import NotFound
from mobrief.records import Source, utc
from mobrief.store import upserts
from mobrief.store.database import reading
from mobrief.store.schema import sources


def _row_to_source(row: Any) -> Source:
    return Source(
        id=row.id,
        name=row.name,
        stream=row.kind,
        url=row.location or "",
        enabled=bool(row.enabled),
        state=dict(row.state or {}),
        poll_interval=row.poll_interval,
        next_poll_at=None if row.next_poll_at is None else utc(row.next_poll_at),
        last_polled_at=None if row.last_polled_at is None else utc(row.last_polled_at),
        failures=int(row.failures or 0),
        last_error=row.last_error,
        disabled_reason=row.disabled_reason,
    )


class SourceRepository:
    """Rows of `sources`: one per configured feed or channel, and one per outlet seen in imported files."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def ensure(self, name: str, kind: str, *, conn: Connection | None = None) -> int:
        """The id of the source called `name`, created (without a location to poll) when new."""
        if conn is None:
            with self.engine.begin() as own:
                return self.ensure(name, kind, conn=own)
        found = conn.execute(sa.select(sources.c.id).where(sources.c.name == name)).scalar()
        if found is not None:
            return int(found)
        # another process may name the same new outlet at this moment: whoever inserts second finds it
        conn.execute(
            upserts.insert(conn.dialect.name, sources)
            .values(
                name=name,
                kind=kind,
                location=None,
                enabled=False,
                options={},
                state={},
                created_at=dt.datetime.now(dt.UTC),
            )
            .on_conflict_do_nothing(index_elements=["name"])
        )
        return int(conn.execute(sa.select(sources.c.id).where(sources.c.name == name)).scalar_one())

    def ensure_many(self, names: Iterable[str], kind: str, *, conn: Connection) -> dict[str, int]:
        """`ensure` for every name of a batch, with one query when they all exist (an import names the same
        40 channels in every batch: a query each was 40 round trips a batch)."""
        wanted = set(names)
        found = {
            str(row.name): int(row.id)
            for row in conn.execute(sa.select(sources.c.id, sources.c.name).where(sources.c.name.in_(wanted)))
        }
        # in name order: two ingests adding the same new outlets lock them in one order, never a deadlock
        for name in sorted(wanted - set(found)):
            found[name] = self.ensure(name, kind, conn=conn)
        return found

    def add(self, name: str, kind: str, location: str, options: Mapping[str, Any] | None = None) -> Source:
        """Configure a source to poll; an existing source of that name gets the new location and options."""
        with self.engine.begin() as conn:
            source_id = self.ensure(name, kind, conn=conn)
            conn.execute(
                sources.update()
                .where(sources.c.id == source_id)
                .values(
                    kind=kind,
                    location=location,
                    options=dict(options or {}),
                    enabled=True,
                    disabled_reason=None,
                    failures=0,
                    hard_failures=0,
                    next_poll_at=None,
                )
            )
        return self.get(name)

    def get(self, name: str) -> Source:
        with reading(self.engine) as conn:
            row = conn.execute(sa.select(sources).where(sources.c.name == name)).first()
        if row is None:
            raise NotFound(f"no source named {name!r} (see `mobrief source list`)")
        return _row_to_source(row)

    def options(self, name: str) -> dict[str, Any]:
        with reading(self.engine) as conn:
            value = conn.execute(sa.select(sources.c.options).where(sources.c.name == name)).scalar()
        return dict(value or {})

    def list(self, *, enabled_only: bool = False) -> list[Source]:
        query = sa.select(sources).order_by(sources.c.name)
        if enabled_only:
            query = query.where(sources.c.enabled.is_(True), sources.c.location.is_not(None))
        with reading(self.engine) as conn:
            return [_row_to_source(row) for row in conn.execute(query)]

    def remove(self, name: str, *, keep_items: bool = True) -> None:
        """Stop polling a source; its items stay unless `keep_items` is False."""
        with self.engine.begin() as conn:
            if keep_items:
                result = conn.execute(
                    sources.update().where(sources.c.name == name).values(enabled=False, location=None)
                )
            else:
                result = conn.execute(sources.delete().where(sources.c.name == name))
        if result.rowcount == 0:
            raise NotFound(f"no source named {name!r} (see `mobrief source list`)")

    def state(self, name: str) -> dict[str, Any]:
        with reading(self.engine) as conn:
            value = conn.execute(sa.select(sources.c.state).where(sources.c.name == name)).scalar()
        return dict(value or {})

    def save_state(self, name: str, state: Mapping[str, Any]) -> None:
        with self.engine.begin() as conn:
            conn.execute(sources.update().where(sources.c.name == name).values(state=dict(state)))

    # ---- the polling schedule ----

    def due(self, now: dt.datetime) -> builtins.list[Source]:
        """Enabled sources with a location whose next poll is due at `now` (never polled ones first)."""
        query = (
            sa.select(sources)
            .where(
                sources.c.enabled.is_(True),
                sources.c.location.is_not(None),
                sa.or_(sources.c.next_poll_at.is_(None), sources.c.next_poll_at <= utc(now)),
            )
            .order_by(sources.c.next_poll_at.is_not(None), sources.c.next_poll_at, sources.c.name)
        )
        with reading(self.engine) as conn:
            return [_row_to_source(row) for row in conn.execute(query)]

    def next_due_at(self) -> dt.datetime | None:
        """When the next enabled source is due, or None when no source is polled."""
        query = sa.select(sa.func.min(sources.c.next_poll_at)).where(
            sources.c.enabled.is_(True), sources.c.location.is_not(None)
        )
        with reading(self.engine) as conn:
            found = conn.execute(query).scalar()
        return None if found is None else utc(found)

    def hard_failures(self, name: str) -> int:
        with reading(self.engine) as conn:
            return int(conn.execute(sa.select(sources.c.hard_failures).where(sources.c.name == name)).scalar() or 0)

    def record_poll(
        self,
        name: str,
        *,
        polled_at: dt.datetime,
        interval: float,
        failures: int,
        hard_failures: int,
        error: str | None,
        disabled_reason: str | None,
    ) -> None:
        """Store a poll's outcome: the next poll `interval` seconds after `polled_at`; a disabled reason
        stops polling until the source is added again."""
        values: dict[str, Any] = {
            "poll_interval": interval,
            "last_polled_at": utc(polled_at),
            "next_poll_at": utc(polled_at) + dt.timedelta(seconds=interval),
            "failures": failures,
            "hard_failures": hard_failures,
            "last_error": error,
        }
        if disabled_reason is not None:
            values |= {"enabled": False, "disabled_reason": disabled_reason}
        with self.engine.begin() as conn:
            conn.execute(sources.update().where(sources.c.name == name).values(**values))
