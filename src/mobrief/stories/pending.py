"""Assign a batch of signed pending items to stories and say what to store: each story the batch created or
changed with its columns, and each item's story.

The use case (`newsroom.clustering`) reads the pending items in publication order and stores each batch's
result in one transaction; this module only computes, over records and the clusterer's stories.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from mobrief.records import StoredSignature
from mobrief.stories.clustering import StoryClusterer
from mobrief.stories.same_event import StoryProfile
from mobrief.stories.signatures import ItemSignature

BATCH = 500


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


def profiles(stored: Iterable[StoredSignature]) -> Iterator[StoryProfile]:
    """The clustering profiles of stored stories, to load a clusterer with the window's stories."""
    for story in stored:
        yield StoryProfile.from_json(story.story_id, story.first_seen, story.last_seen, story.signature)


@dataclass(slots=True, kw_only=True)
class AssignedBatch:
    """What a batch changed: the stories (id → `stories` columns, in id order), the items' `story_items` rows,
    the stories it created and how each item was matched."""

    stories: dict[int, dict[str, Any]] = field(default_factory=dict)
    placed: list[dict[str, Any]] = field(default_factory=list)
    created: set[int] = field(default_factory=set)
    methods: Counter[str] = field(default_factory=Counter)


def assign_batch(clusterer: StoryClusterer, batch: Sequence[ItemSignature]) -> AssignedBatch:
    """Assign each item of `batch` to a story (new or existing), in order; the stories' columns are read once
    every item is placed."""
    assigned = AssignedBatch()
    changed: dict[int, StoryProfile] = {}  # kept by reference: a story may leave the window within the batch
    for signature, assignment in zip(batch, clusterer.assign_all(batch), strict=True):
        changed[assignment.story_key] = clusterer.stories[assignment.story_key]
        if assignment.created:
            assigned.created.add(assignment.story_key)
        assigned.placed.append(
            {
                "item_id": signature.item_id,
                "story_id": assignment.story_key,
                "method": assignment.method,
                "score": round(float(assignment.score), 6),
            }
        )
        assigned.methods[assignment.method] += 1
    assigned.stories = {story_id: story_values(changed[story_id]) for story_id in sorted(changed)}
    return assigned
