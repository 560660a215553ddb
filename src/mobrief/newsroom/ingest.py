"""Ingest: read a source with its adapter and store its items in batches; poll configured sources on a schedule.

`mobrief ingest`, `fetch` and the demo call these in-process; the team server's tasks (`tasks.py`) poll
sources with the same functions on any number of workers: nothing here assumes one process.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mobrief import forked_stream
from mobrief.enrich import digests
from mobrief.errors import BadRecord, SourceUnavailable
from mobrief.records import Item
from mobrief.settings import Settings
from mobrief.sources import polling, registry
from mobrief.store import Store
from mobrief.store.items import PreparedItem, UpsertCounts, prepare_items

INGEST_BATCH = 2000  # items per transaction: what a killed import can lose and redo

Progress = Callable[[int, int | None], None]


@dataclass(slots=True, kw_only=True)
class IngestReport:
    """What one ingest run did, for the CLI summary and `--json`.

    `bad` lists the records that could not be used (one line each, naming file, record and field) and
    `unusable` counts them by cause; `fixes` and `cleaned` do the same for records stored after a change
    (NUL removed, text cut at the size limit).
    """

    kind: str
    location: str
    source: str
    read: int = 0
    counts: UpsertCounts = field(default_factory=UpsertCounts)
    bad: list[str] = field(default_factory=list)
    unusable: dict[str, int] = field(default_factory=dict)
    fixes: list[str] = field(default_factory=list)
    cleaned: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)
    sources_seen: dict[str, int] = field(default_factory=dict)

    @property
    def stored(self) -> int:
        """Items of this input now in the store: new, edited, or already there (perhaps with a detail refreshed)."""
        return self.counts.inserted + self.counts.updated + self.counts.unchanged + self.counts.refreshed

    def add_bad(self, line: str, cause: str) -> None:
        self.bad.append(line)
        self.unusable[cause] = self.unusable.get(cause, 0) + 1

    def add_fix(self, line: str, cause: str) -> None:
        self.fixes.append(line)
        self.cleaned[cause] = self.cleaned.get(cause, 0) + 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "location": self.location,
            "source": self.source,
            "read": self.read,
            "inserted": self.counts.inserted,
            "updated": self.counts.updated,
            "unchanged": self.counts.unchanged,
            "refreshed": self.counts.refreshed,
            "skipped": len(self.bad),
            "bad_records": self.bad,
            "unusable": dict(sorted(self.unusable.items(), key=lambda kv: (-kv[1], kv[0]))),
            "cleaned": dict(sorted(self.cleaned.items(), key=lambda kv: (-kv[1], kv[0]))),
            "cleaned_records": self.fixes,
            "warnings": self.warnings,
            "counters": self.counters,
            "sources": self.sources_seen,
        }


STORE_REFUSED = "refused by the database"
STORE_CLEANED = "cleaned once the database refused it"


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
    A large local file is read and prepared in a forked child while this one writes (see `_read_aside`).
    """
    adapter, context = make_adapter(kind, settings=settings, options=options)
    source_name = adapter.source_name(location)
    known = {s.name for s in store.sources.list()}
    if source_name in known:
        context.state.update(store.sources.state(source_name))
    report = IngestReport(kind=kind, location=location, source=source_name)
    if _worth_a_reader_process(location):
        batches = _read_aside(kind, location, settings, options, context)
    else:
        context.progress = progress
        batches = _read_here(adapter, location, settings.max_item_chars)
    for prepared, bad, position in batches:
        for record in bad:
            report.add_bad(str(record), record.cause)
        report.read += len(prepared)
        counts = store.items.write(prepared, kind=kind)
        report.counts.add(counts)
        for item in prepared:
            report.sources_seen[item.source] = report.sources_seen.get(item.source, 0) + 1
            for fix in item.fixes:
                where = f"{location}: {item.source} item {item.external_id}"
                report.add_fix(f"{where} [{fix.field}]: {fix.reason}", fix.cause)
        for note in counts.failed:
            report.add_bad(f"{location}: {note.source} item {note.external_id}: {note.reason}", STORE_REFUSED)
        for note in counts.cleaned:
            report.add_fix(f"{location}: {note.source} item {note.external_id}: {note.reason}", STORE_CLEANED)
        if progress is not None and position is not None:
            progress(*position)
    report.warnings = list(context.warnings)
    report.counters = dict(context.counters)
    for line in context.fixes:
        report.fixes.append(line)
    for cause, n in context.fix_causes.items():
        report.cleaned[cause] = report.cleaned.get(cause, 0) + n
    for source, external_ids in context.gone.items():
        store.items.mark_deleted(source, external_ids)
    if context.state:
        store.sources.ensure(source_name, kind)
        store.sources.save_state(source_name, context.state)
    return report


def poll_source(store: Store, name: str, *, settings: Settings, progress: Progress | None = None) -> IngestReport:
    """Poll one configured source (`mobrief source add`) once, with its adapter and options."""
    source = store.sources.get(name)
    return ingest(
        store, source.stream, source.url, settings=settings, options=store.sources.options(name), progress=progress
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class PollResult:
    """One scheduled poll of a source: what it stored (None when it failed) and the schedule it left."""

    source: str
    report: IngestReport | None
    outcome: polling.PollOutcome

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "inserted": self.report.counts.inserted if self.report else 0,
            "updated": self.report.counts.updated if self.report else 0,
            "interval": self.outcome.interval,
            "failures": self.outcome.failures,
            "error": self.outcome.error,
            "disabled_reason": self.outcome.disabled_reason,
        }


def poll_limits(settings: Settings) -> polling.PollLimits:
    return polling.PollLimits(first=settings.poll_first, shortest=settings.poll_shortest, longest=settings.poll_longest)


def poll_and_schedule(store: Store, name: str, *, settings: Settings, now: dt.datetime | None = None) -> PollResult:
    """Poll a source once and set its next poll: sooner when it brought news, later when not, backing off
    on failures; repeated hard failures disable it, with the reason `mobrief source list` shows."""
    when = now or dt.datetime.now(dt.UTC)
    source = store.sources.get(name)
    limits = poll_limits(settings)
    report: IngestReport | None = None
    try:
        report = poll_source(store, name, settings=settings)
    except SourceUnavailable as exc:
        hard = store.sources.hard_failures(name)
        outcome = polling.after_failure(source.poll_interval, source.failures, hard, exc, limits)
    else:
        outcome = polling.after_success(source.poll_interval, report.counts.inserted + report.counts.updated, limits)
    store.sources.record_poll(
        name,
        polled_at=when,
        interval=outcome.interval,
        failures=outcome.failures,
        hard_failures=outcome.hard_failures,
        error=outcome.error,
        disabled_reason=outcome.disabled_reason,
    )
    return PollResult(source=name, report=report, outcome=outcome)


def poll_due(store: Store, *, settings: Settings, now: dt.datetime | None = None) -> list[PollResult]:
    """Poll every source whose next poll is due (`mobrief fetch --watch` on a laptop, one round)."""
    when = now or dt.datetime.now(dt.UTC)
    return [poll_and_schedule(store, s.name, settings=settings, now=when) for s in store.sources.due(when)]


Position = tuple[int, int | None]  # (done, total) of a read, as adapters report progress
# prepared items, the bad records met among them, and how far the read got (None when the adapter reports it)
Batches = Iterator[tuple[list[PreparedItem], list[BadRecord], Position | None]]


def _read_here(adapter: registry.SourceAdapter, location: str, max_text_chars: int) -> Batches:
    batch: list[Item] = []
    bad: list[BadRecord] = []
    for record in adapter.read(location):
        if isinstance(record, BadRecord):
            bad.append(record)
            continue
        batch.extend(digests.with_parts(record))  # a digest post, then each story it tells as a report
        if len(batch) >= INGEST_BATCH:
            yield prepare_items(batch, max_text_chars=max_text_chars), bad, None
            batch, bad = [], []
    yield prepare_items(batch, max_text_chars=max_text_chars), bad, None


# ---- reading a large file in a second process ----

READER_PROCESS_MIN_BYTES = 4_000_000  # below this, starting a process costs more than it saves


def _worth_a_reader_process(location: str) -> bool:
    if not forked_stream.available():
        return False
    try:
        return Path(location).stat().st_size >= READER_PROCESS_MIN_BYTES
    except (OSError, ValueError):
        return False  # a URL, a channel name, a missing file: read here, where the adapter reports it


def _read_aside(
    kind: str,
    location: str,
    settings: Settings,
    options: Mapping[str, Any] | None,
    context: registry.SourceContext,
) -> Batches:
    """Batches read and prepared by a forked child while this process writes the last one (parsing and
    preparing is half the work); the child's warnings, counters and state end up in `context`."""

    def read_in_child() -> Iterator[tuple[str, Any]]:
        adapter, child_context = make_adapter(kind, settings=settings, options=options, state=context.state)
        position: list[Position] = [(0, None)]
        child_context.progress = lambda done, total: position.__setitem__(0, (done, total))
        for prepared, bad, _ in _read_here(adapter, location, settings.max_item_chars):
            yield "batch", (prepared, bad, position[0])
        yield (
            "end",
            (
                child_context.warnings,
                child_context.counters,
                child_context.state,
                child_context.fixes,
                child_context.fix_causes,
                child_context.gone,
            ),
        )

    for what, value in forked_stream.forked_stream(read_in_child, name=f"mobrief reader {location}"):
        if what == "batch":
            yield value
        else:
            warnings, counters, state, fixes, fix_causes, gone = value
            context.gone.update(gone)
            context.warnings.extend(warnings)
            context.counters.update(counters)
            context.fixes.extend(fixes)
            context.fix_causes.update(fix_causes)
            context.state.clear()
            context.state.update(state)


def ingest_items(store: Store, batch: list[Item], *, kind: str) -> UpsertCounts:
    """Store items built elsewhere (a manual note, a test) exactly as an ingest would."""
    return store.items.upsert(list(digests.split_digests(batch)), kind=kind)
