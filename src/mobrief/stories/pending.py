"""Give every item without a story its story, in publication order, then link changed stories to earlier ones.

Items are read in batches; each batch is one transaction, so a killed run loses at most one batch and
the next run picks up exactly where it stopped (an item is pending until its `story_items` row exists).
Only the stories seen within the window before the first pending item are loaded, so a run costs what
the window holds, not what the archive holds. On a backlog, a forked child reads and signs the next batch
while this process assigns and writes the last (`signing`).
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Connection

from mobrief.records import EnrichedItem
from mobrief.store import Store, lanes, open_store
from mobrief.stories import signing, threads
from mobrief.stories.clustering import StoryClusterer
from mobrief.stories.same_event import DEFAULT_WEIGHTS, MatchWeights, StoryProfile
from mobrief.stories.signatures import ItemSignature

BATCH = 500

Progress = Callable[[int, int | None], None]


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


def story_values(profile: StoryProfile) -> dict[str, Any]:
    """The `stories` columns that follow from a profile."""
    return {
        "title": profile.title,
        "first_seen": profile.first_seen,
        "last_seen": profile.last_seen,
        "outlets": list(profile.outlets),
        "places": profile.place_list(),
        "section": profile.section,
        "signature": profile.to_json(),
    }


# new story ids reserved at once on PostgreSQL: 8 for a run with a few new stories (the ids it leaves unused are
# skipped), growing with the stories a batch creates, so a backlog takes them a few hundred a round trip
ID_BLOCK_MIN, ID_BLOCK_MAX = 8, 256

SIGN_ASIDE_MIN = 2000  # pending items from which signing in a second process pays for starting it


def _shareable(store: Store) -> bool:
    """Whether another process can open the same database (not an in-memory SQLite one)."""
    url = store.engine.url
    return not (url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"))


def _pending_reader(
    store: Store, *, batch_size: int, require_enrichment: bool, until: dt.datetime | None = None
) -> signing.ItemBatches:
    """Batches of pending items in publication order, read past each other by a cursor, so a reader can run
    ahead of the writer; in another process it opens its own connection to the same database."""
    url = store.engine.url.render_as_string(hide_password=False)
    parent = os.getpid()

    def read() -> Iterator[list[EnrichedItem]]:
        own = store if os.getpid() == parent else open_store(url, migrate=False)
        try:
            after: tuple[dt.datetime, int] | None = None
            while batch := own.stories.pending_items(
                limit=batch_size, require_enrichment=require_enrichment, after=after, until=until
            ):
                yield batch
                after = (batch[-1].published_at, batch[-1].id or 0)
        finally:
            if own is not store:
                own.close()

    return read


def cluster_pending_items(
    store: Store,
    *,
    window: dt.timedelta = dt.timedelta(hours=72),
    weights: MatchWeights = DEFAULT_WEIGHTS,
    progress: Progress | None = None,
    require_enrichment: bool = True,
    link_threads: bool = True,
    batch_size: int = BATCH,
    until: dt.datetime | None = None,
) -> ClusterReport:
    """Assign every pending item to a story (new or existing) and store the result batch by batch, then link
    every story changed by this run or by a run that stopped before linking.

    One run at a time (the clustering lane): assignment depends on the order items arrive in, so a second
    run waits for the first and then finds its work done. `until` leaves items published at or after it
    pending.
    """
    with lanes.hold_lane(store.engine, "clustering"):
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


def link_marked_stories(store: Store) -> int:
    """Compute the thread links of every story clustering changed since they were last computed; a batch of
    stories' links and their leaving the list are one transaction, so a killed run resumes where it stopped."""
    marked = store.stories.to_link()
    on_beat = {s.story_id for s in store.stories.signatures_of(marked) if s.signature.get("relevant")}
    with store.engine.begin() as conn:
        store.stories.unmark_to_link(conn, [story_id for story_id in marked if story_id not in on_beat])
    return threads.link_stories(store, sorted(on_beat))


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
    clusterer: StoryClusterer | None = None
    created: set[int] = set()
    touched: set[int] = set()
    conn_box: list[Connection] = []
    reserved: list[int] = []  # PostgreSQL: ids taken from the sequence ahead, in growing blocks
    unwritten: set[int] = set()  # stories of this batch given a reserved id, inserted at its end
    given = [0]  # reserved ids handed out in this run

    def new_story(signature: ItemSignature) -> int:
        if not reserved:
            block = min(ID_BLOCK_MAX, max(ID_BLOCK_MIN, given[0]))  # doubling as the run creates stories
            reserved.extend(reversed(store.stories.reserve_ids(conn_box[0], block)))
        if reserved:
            given[0] += 1
            unwritten.add(reserved[-1])
            return reserved.pop()
        profile = StoryProfile.start(0, signature)
        # the profile itself is written with every changed story at the end of the batch
        return store.stories.create(conn_box[0], story_values(profile) | {"signature": None})

    aside = total >= SIGN_ASIDE_MIN and _shareable(store)
    reader = _pending_reader(store, batch_size=batch_size, require_enrichment=require_enrichment, until=until)
    for batch in signing.signed_batches(reader, aside=aside):
        if clusterer is None:
            clusterer = StoryClusterer(window=window, weights=weights, new_key=new_story)
            since = batch[0].published_at - window
            clusterer.load(
                StoryProfile.from_json(s.story_id, s.first_seen, s.last_seen, s.signature)
                for s in store.stories.signatures_seen_since(since)
            )
        changed: dict[int, StoryProfile] = {}  # kept by reference: a story may leave the window within the batch
        rows = []
        with store.engine.begin() as conn:
            conn_box[:] = [conn]
            for signature, assignment in zip(batch, clusterer.assign_all(batch), strict=True):
                changed[assignment.story_key] = clusterer.stories[assignment.story_key]
                if assignment.created:
                    created.add(assignment.story_key)
                rows.append(
                    {
                        "item_id": signature.item_id,
                        "story_id": assignment.story_key,
                        "method": assignment.method,
                        "score": round(float(assignment.score), 6),
                    }
                )
                report.methods[assignment.method] += 1
            values = {story_id: story_values(changed[story_id]) for story_id in sorted(changed)}
            store.stories.insert_many(conn, {key: row for key, row in values.items() if key in unwritten})
            store.stories.update_many(conn, {key: row for key, row in values.items() if key not in unwritten})
            store.stories.add_items(conn, rows)
            store.stories.mark_to_link(conn, changed)
        touched |= set(changed)
        unwritten.clear()
        report.items += len(batch)
        if progress is not None:
            progress(report.items, total)
    report.stories_created = len(created)
    report.stories_updated = len(touched - created)
    report.story_ids = sorted(touched)
    return report
