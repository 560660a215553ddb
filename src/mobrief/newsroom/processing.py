"""Process what came in: enrich the pending items, give them their stories and threads, draft the stories.

The one place that knows the order of the stages; `mobrief enrich`, `mobrief demo` and `mobrief stories
cluster` run it (the team server's tasks one stage per job). Each stage commits its own batches, so a killed
run resumes where it stopped.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from mobrief.brief.draft_stories import DraftRun, recent_since
from mobrief.errors import ConfigError
from mobrief.newsroom import clustering, drafting, enrichment
from mobrief.newsroom.clustering import ClusterReport
from mobrief.settings import Settings
from mobrief.store import Store

# what a caller shows while a stage runs: given the stage's name, a context yielding update(done, total)
StageProgress = Callable[[str], AbstractContextManager[clustering.Progress | None]]


@dataclass(frozen=True, slots=True, kw_only=True)
class ProcessingReport:
    """What one run did at each stage (drafts is None when drafting was not asked for)."""

    enriched: enrichment.EnrichReport
    clustered: ClusterReport
    drafts: DraftRun | None

    def as_dict(self) -> dict[str, Any]:
        summary = self.enriched.as_dict() | {"stories": self.clustered.as_dict()}
        if self.drafts is not None:
            summary["drafts"] = self.drafts.as_dict(with_ids=False)
        return summary


def _quiet(_stage: str) -> AbstractContextManager[clustering.Progress | None]:
    return contextlib.nullcontext(None)


def process_pending(
    store: Store, *, settings: Settings, draft: bool = True, progress: StageProgress = _quiet
) -> ProcessingReport:
    """Enrich every pending item, cluster what enrichment finished, then (unless `draft` is False) draft
    the recent stories that need it."""
    with progress("enriching") as update:
        enriched = enrichment.enrich_pending(store, settings=settings, progress=update)
    with progress("clustering") as update:
        clustered = clustering.cluster_pending(store, settings=settings, progress=update)
    drafts = None
    if draft:
        with progress("drafting") as update:
            drafts = draft_recent(store, progress=update)
    return ProcessingReport(enriched=enriched, clustered=clustered, drafts=drafts)


def draft_recent(store: Store, *, progress: clustering.Progress | None = None) -> DraftRun:
    """Draft the recent stories that need a draft, one run at a time (the drafting lane): a second run waits,
    then finds them drafted."""
    with store.hold_lane("drafting"):
        return drafting.draft_pending(store, seen_since=recent_since(), progress=progress)


def cluster_stories(
    store: Store,
    *,
    settings: Settings,
    rebuild: bool = False,
    unenriched: bool = False,
    progress: clustering.Progress | None = None,
) -> tuple[ClusterReport, int]:
    """Give every item without a story its story (`unenriched`: items enrichment has not seen too). With
    `rebuild`, forget every story first, then apply the editors' merges, moves and splits again; returns
    the clustering report and how many of those decisions changed something."""
    import datetime as dt

    from mobrief.newsroom import story_edits

    if settings.story_window_hours <= 0:  # checked before anything is forgotten
        raise ConfigError("MOBRIEF_STORY_WINDOW_HOURS must be positive")
    if rebuild:
        store.stories.forget_all()
    report = clustering.cluster_pending_items(
        store,
        window=dt.timedelta(hours=settings.story_window_hours),
        progress=progress,
        require_enrichment=not unenriched,
        batch_size=settings.cluster_batch,
    )
    replayed = story_edits.replay_decisions(store) if rebuild else 0
    return report, replayed
