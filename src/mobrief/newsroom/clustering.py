"""Cluster: give every pending item its story, in publication order, then link changed stories to earlier ones.

Items are read in batches; each batch's stories are one transaction, so a killed run loses at most one batch
and the next run picks up exactly where it stopped (an item is pending until its `story_items` row exists).
Only the stories seen within the window before the first pending item are loaded, so a run costs what the
window holds, not what the archive holds. On a backlog, a forked child reads and signs the next batch while
this process assigns and writes the last (`stories.signing`). `stories/` computes; the store reads and writes.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from mobrief.settings import Settings
from mobrief.store import Store
from mobrief.stories import pending, signing, threads
from mobrief.stories.clustering import StoryClusterer
from mobrief.stories.same_event import DEFAULT_WEIGHTS, MatchWeights
from mobrief.stories.signatures import ItemSignature

Progress = Callable[[int, int | None], None]

SIGN_ASIDE_MIN = 2000  # pending items from which signing in a second process pays for starting it
LINK_BATCH = 200  # stories whose links are found together and stored in one transaction


@dataclass(slots=True, kw_only=True)
class ClusterReport:
    """What one clustering run did, for the CLI summary and `--json`."""

    items: int = 0
    stories_created: int = 0
    stories_updated: int = 0
    methods: Counter[str] = field(default_factory=Counter)
    links: int = 0
    story_ids: list[int] = field(default_factory=list)  # every story created or changed, in id order

    def as_dict(self) -> dict[str, Any]:
        return {
            "items": self.items,
            "stories_created": self.stories_created,
            "stories_updated": self.stories_updated,
            "methods": dict(sorted(self.methods.items())),
            "links": self.links,
        }


def cluster_pending(
    store: Store, *, settings: Settings, progress: Progress | None = None, behind_enrichment: bool = False
) -> ClusterReport:
    """Give every enriched item without a story its story (same event in the window), then link threads.

    `behind_enrichment` stops before the earliest item enrichment has not reached, so that when many workers
    enrich batches in any order, clustering still meets items in publication order (the same stories as one
    process would make).
    """
    return cluster_pending_items(
        store,
        window=dt.timedelta(hours=settings.story_window_hours),
        progress=progress,
        batch_size=settings.cluster_batch,
        until=store.enrichments.first_unenriched_time() if behind_enrichment else None,
    )


def cluster_pending_items(
    store: Store,
    *,
    window: dt.timedelta = dt.timedelta(hours=72),
    weights: MatchWeights = DEFAULT_WEIGHTS,
    progress: Progress | None = None,
    require_enrichment: bool = True,
    link_threads: bool = True,
    batch_size: int = pending.BATCH,
    until: dt.datetime | None = None,
) -> ClusterReport:
    """Assign every pending item to a story (new or existing) and store the result batch by batch, then link
    every story changed by this run or by a run that stopped before linking.

    One run at a time (the clustering lane): assignment depends on the order items arrive in, so a second
    run waits for the first and then finds its work done. `until` leaves items published at or after it
    pending.
    """
    with store.hold_lane("clustering"):
        report = _assign_pending(
            store,
            window=window,
            weights=weights,
            progress=progress,
            require_enrichment=require_enrichment,
            batch_size=batch_size,
            until=until,
        )
        if link_threads:
            report.links = link_marked_stories(store)
    return report


def _assign_pending(
    store: Store,
    *,
    window: dt.timedelta,
    weights: MatchWeights,
    progress: Progress | None,
    require_enrichment: bool,
    batch_size: int,
    until: dt.datetime | None,
) -> ClusterReport:
    report = ClusterReport()
    total = store.stories.count_pending(require_enrichment=require_enrichment, until=until)
    if progress is not None:
        progress(0, total)
    writer = store.stories.assignment_writer()

    def new_story(signature: ItemSignature) -> int:
        return writer.new_story_id(signature.published_at)

    clusterer: StoryClusterer | None = None
    created: set[int] = set()
    touched: set[int] = set()
    aside = total >= SIGN_ASIDE_MIN and not store.in_memory
    reader = store.stories.pending_batches(batch_size=batch_size, require_enrichment=require_enrichment, until=until)
    for batch in signing.signed_batches(reader, aside=aside):
        if clusterer is None:
            clusterer = StoryClusterer(window=window, weights=weights, new_key=new_story)
            clusterer.load(pending.profiles(store.stories.signatures_seen_since(batch[0].published_at - window)))
        with writer.batch():
            assigned = pending.assign_batch(clusterer, batch)
            writer.write(assigned.stories, assigned.placed)
        created |= assigned.created
        touched |= set(assigned.stories)
        report.methods.update(assigned.methods)
        report.items += len(batch)
        if progress is not None:
            progress(report.items, total)
    report.stories_created = len(created)
    report.stories_updated = len(touched - created)
    report.story_ids = sorted(touched)
    return report


def link_marked_stories(store: Store) -> int:
    """Compute the thread links of every story clustering changed since they were last computed; a batch of
    stories' links and their leaving the list are one transaction, so a killed run resumes where it stopped."""
    marked = store.stories.to_link()
    on_beat = {s.story_id for s in store.stories.signatures_of(marked) if s.signature.get("relevant")}
    store.stories.unmark_to_link([story_id for story_id in marked if story_id not in on_beat])
    return link_stories(store, sorted(on_beat))


def link_stories(store: Store, story_ids: Iterable[int], *, lookback: dt.timedelta = threads.LOOKBACK) -> int:
    """Recompute and store the earlier-story links of each story, `LINK_BATCH` stories a transaction (a killed
    run loses one batch at most); returns how many links were stored."""
    ids = list(dict.fromkeys(story_ids))
    stored = 0
    index = threads.RememberingIndex(store.stories)  # batches share most searches and candidates
    for start in range(0, len(ids), LINK_BATCH):
        batch = ids[start : start + LINK_BATCH]
        found = threads.find_earlier_stories_of(index, batch, lookback=lookback)
        store.stories.replace_links({story_id: [link.row() for link in found.get(story_id, [])] for story_id in batch})
        stored += sum(len(links) for links in found.values())
    return stored


def thread_links(
    store: Store, story_id: int, *, lookback: dt.timedelta = threads.LOOKBACK, save: bool = False
) -> list[threads.ThreadLink]:
    """The earlier stories `story_id` may continue, found afresh; with `save`, stored as its links (replacing
    the ones it had)."""
    links = threads.find_earlier_stories(store.stories, story_id, lookback=lookback)
    if save:
        store.stories.replace_links({story_id: [link.row() for link in links]})
    return links
