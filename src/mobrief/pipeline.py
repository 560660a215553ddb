"""Run the stages in-process, as plain functions over a store: ingest, then enrichment and clustering.

`tasks.py` (team server) wraps these same functions as queue tasks; nothing here assumes one process.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mobrief.errors import BadRecord
from mobrief.records import Item
from mobrief.settings import Settings
from mobrief.sources import registry
from mobrief.store import Store
from mobrief.store.items import UpsertCounts

INGEST_BATCH = 1000

Progress = Callable[[int, int | None], None]


@dataclass(slots=True, kw_only=True)
class IngestReport:
    """What one ingest run did, for the CLI summary and `--json`."""

    kind: str
    location: str
    source: str
    read: int = 0
    counts: UpsertCounts = field(default_factory=UpsertCounts)
    bad: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)
    sources_seen: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "location": self.location,
            "source": self.source,
            "read": self.read,
            "inserted": self.counts.inserted,
            "updated": self.counts.updated,
            "unchanged": self.counts.unchanged,
            "skipped": len(self.bad),
            "bad_records": self.bad,
            "warnings": self.warnings,
            "counters": self.counters,
            "sources": self.sources_seen,
        }


def make_adapter(
    kind: str,
    *,
    settings: Settings,
    options: Mapping[str, Any] | None = None,
    state: Mapping[str, Any] | None = None,
) -> tuple[registry.SourceAdapter, registry.SourceContext]:
    """Build the adapter registered as `kind`, with a context carrying settings and saved state."""
    adapters = registry.load_builtin_sources()
    if kind not in adapters:
        from mobrief.errors import ConfigError

        raise ConfigError(f"unknown source kind {kind!r}; known: {', '.join(sorted(adapters))}")
    context = registry.SourceContext(settings=settings, state=dict(state or {}))
    clean = {k: v for k, v in (options or {}).items() if v is not None}
    return adapters[kind](context, **clean), context


def ingest(
    store: Store,
    kind: str,
    location: str,
    *,
    settings: Settings,
    options: Mapping[str, Any] | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Read `location` with the `kind` adapter and store its items in batches, one transaction each.

    Bad records are reported and skipped; the good records of the same input are stored. The state an
    adapter keeps (ETag, last id) is saved only after the whole read, so a killed run re-reads from the
    last saved state and the idempotent upsert makes the result identical to an uninterrupted run.
    """
    adapter, context = make_adapter(kind, settings=settings, options=options)
    source_name = adapter.source_name(location)
    known = {s.name for s in store.sources.list()}
    if source_name in known:
        context.state.update(store.sources.state(source_name))
    context.progress = progress
    report = IngestReport(kind=kind, location=location, source=source_name)
    batch: list[Item] = []

    def flush() -> None:
        report.counts.add(store.items.upsert(batch, kind=kind))
        for item in batch:
            report.sources_seen[item.source] = report.sources_seen.get(item.source, 0) + 1
        batch.clear()

    for record in adapter.read(location):
        if isinstance(record, BadRecord):
            report.bad.append(str(record))
            continue
        report.read += 1
        batch.append(record)
        if len(batch) >= INGEST_BATCH:
            flush()
    flush()
    report.warnings = list(context.warnings)
    report.counters = dict(context.counters)
    if context.state:
        store.sources.ensure(source_name, kind)
        store.sources.save_state(source_name, context.state)
    return report


def ingest_items(store: Store, batch: list[Item], *, kind: str) -> UpsertCounts:
    """Store items built elsewhere (a manual note, a test) exactly as an ingest would."""
    return store.items.upsert(batch, kind=kind)
