"""The brief follows the stories: compose again every open draft that a change to some stories touches."""

from __future__ import annotations

from collections.abc import Iterable

from mobrief.brief import compose
from mobrief.errors import NotFound
from mobrief.store import Store


def recompose_for_stories(store: Store, story_ids: Iterable[int]) -> list[int]:
    """Compose again the open drafts that tell one of these stories or whose period meets one of their reports;
    returns the draft ids composed (editors' texts, order and removals are kept, as always)."""
    wanted = set(story_ids)
    spans = []
    for story_id in sorted(wanted):
        try:
            story = store.stories.get(story_id)
        except NotFound:  # folded into another story meanwhile
            continue
        spans.append((story.first_seen.date(), story.last_seen.date()))
    composed = []
    for draft in store.drafts.listing("draft", limit=500):
        if draft.period_start is None or draft.period_end is None:
            continue
        overlaps = any(first <= draft.period_end and last >= draft.period_start for first, last in spans)
        if overlaps or wanted & store.drafts.story_ids(draft.id):
            compose.compose_draft(store, draft.id)
            composed.append(draft.id)
    return composed
