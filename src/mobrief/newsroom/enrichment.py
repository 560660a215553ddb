"""Enrich: give every pending item what the enrich stages find (language, relevance, names, places, sums,
section), in claimed batches, so several processes share the work and a killed run loses nothing.

`mobrief enrich`, the demo and the team server's enrichment tasks run `enrich_pending`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mobrief.records import Item
from mobrief.settings import Settings
from mobrief.store import Store

Progress = Callable[[int, int | None], None]

ENRICH_BATCH = 200


MAX_ATTEMPTS = 2  # runs that may stop while enriching an item (killed, out of memory) before it is set aside
UNFINISHED = "enrichment began twice and never finished (the process was killed, perhaps for memory)"


@dataclass(slots=True, kw_only=True)
class EnrichReport:
    """What one enrichment run did: items (re-)enriched, stages run, how many items are on the beat, and the
    items set aside (id, error): they are left out of enrichment until retried."""

    enriched: int = 0
    relevant: int = 0
    stages_run: dict[str, int] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    set_aside: list[tuple[int, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "enriched": self.enriched,
            "relevant": self.relevant,
            "stages_run": dict(self.stages_run),
            "versions": dict(self.versions),
            "set_aside": [{"item_id": item_id, "error": error} for item_id, error in self.set_aside],
        }


def enrich_options(store: Store, *, settings: Settings) -> Any:
    """The stage options for this store: its trained models (or the shipped defaults) and its rates."""
    from mobrief.enrich import archive_names, relevance, sections, stages

    stored_relevance = store.models.get(relevance.NAME)
    stored_sections = store.models.get(sections.NAME)
    from mobrief.style.rates import RateTable

    rates = RateTable.shipped(store.rates.all())
    return stages.EnrichOptions(
        languages=settings.languages,
        relevance_model=relevance.RelevanceModel.from_json(stored_relevance.data)
        if stored_relevance
        else relevance.default_model(),
        section_model=sections.SectionModel.from_json(stored_sections.data)
        if stored_sections
        else sections.default_model(),
        rates=rates,
        archive_names=archive_names.shipped().merged(
            archive_names.read_names(p.text for p in store.briefs.iter_paragraphs())
        ),
        max_chars=settings.max_item_chars,
    )


def enrich_pending(
    store: Store,
    *,
    settings: Settings,
    progress: Progress | None = None,
    id_range: tuple[int, int] | None = None,
) -> EnrichReport:
    """Enrich every item lacking an enrichment or carrying one from an older stage version, in batches.

    Each batch is committed on its own, so a killed run resumes where it stopped; a second run finds nothing.
    No item can stop the stage: one whose enrichment raises (MemoryError included) is set aside with its
    error, and one a killed run was working on is tried again alone, then set aside if that run is killed
    too (`MAX_ATTEMPTS`). Items set aside wait for `mobrief enrich --retry-set-aside`.
    """
    options = enrich_options(store, settings=settings)
    versions = options.versions()
    report = EnrichReport(versions=versions)
    with store.single_writer("enrich"):
        report.set_aside += [(i, UNFINISHED) for i in store.enrichments.set_aside_unfinished(MAX_ATTEMPTS, UNFINISHED)]
        total = store.enrichments.count_pending(versions)
        if progress:
            progress(0, total)
        after, last = (0, None) if id_range is None else (id_range[0] - 1, id_range[1])
        while True:
            with store.enrichments.claim_pending(versions, after_id=after, limit=ENRICH_BATCH, last_id=last) as claim:
                if not claim.items:
                    break
                enrich_claimed(store, claim.items, options, versions, report)
            after = claim.last_id
            if progress:
                progress(report.enriched, total)
    return report


def enrich_claimed(
    store: Store,
    batch: list[tuple[Item, Any]],
    options: Any,
    versions: Mapping[str, str],
    report: EnrichReport,
) -> None:
    """Enrich a batch of claimed items: fresh ones together, the ones a stopped run was working on one at a
    time, so that a second stop names the item."""
    from mobrief.enrich import stages

    begun = store.enrichments.attempts([item.id or 0 for item, _ in batch])
    fresh = [pair for pair in batch if not begun.get(pair[0].id or 0)]
    for group in [fresh, *([pair] for pair in batch if begun.get(pair[0].id or 0))]:
        _enrich_group(store, group, options, versions, report, stages)


def _enrich_group(
    store: Store,
    group: list[tuple[Item, Any]],
    options: Any,
    versions: Mapping[str, str],
    report: EnrichReport,
    stages: Any,
) -> None:
    """Enrich items and store the results in one transaction; an item that raises is set aside."""
    if not group:
        return
    ids = [item.id or 0 for item, _ in group]
    store.enrichments.begin_attempt(ids)
    results = []
    try:
        for item, previous in group:
            try:
                enrichment = stages.enrich_item(item, options, previous)
            except Exception as exc:  # whatever it is (MemoryError, RecursionError, a bug), it costs one item
                error = f"{type(exc).__name__}: {exc}"[:1000]
                store.enrichments.set_aside(item.id or 0, error)
                report.set_aside.append((item.id or 0, error))
                continue
            done = dict(previous.stage_versions) if previous else {}
            for name in stages.STAGES:
                if done.get(name) != versions[name]:
                    report.stages_run[name] = report.stages_run.get(name, 0) + 1
            results.append(enrichment)
            report.relevant += bool(enrichment.is_relevant)
    except KeyboardInterrupt:  # asked to stop: not the items' fault
        store.enrichments.undo_attempt(ids)
        raise
    store.enrichments.save_many(results)
    report.enriched += len(results)
