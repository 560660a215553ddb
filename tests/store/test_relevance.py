"""The rule "an editor's keep or skip overrides the model's relevance" reads the same wherever the store applies it:
what clustering reads, the inbox's relevant stories, and what composing reads for a period."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from factories import BASE_TIME, add_story, make_item
from mobrief.store import Store
from mobrief.store.schema import item_enrichments

# (editor's decision, model's is_relevant) → relevance after the editor: written out, not computed
CASES = [
    (None, True, True),
    (None, False, False),
    (None, None, None),
    ("keep", True, True),
    ("keep", False, True),
    ("keep", None, True),
    ("skip", True, False),
    ("skip", False, False),
    ("skip", None, False),
]


@pytest.mark.parametrize(("decision", "model", "expected"), CASES)
def test_an_editors_decision_overrides_the_model_everywhere(
    store: Store, decision: str | None, model: bool | None, expected: bool | None
) -> None:
    story_id = add_story(store, [make_item(1)])
    (item_id,) = store.stories.get(story_id).item_ids
    with store.engine.begin() as conn:
        conn.execute(
            sa.update(item_enrichments)
            .where(item_enrichments.c.item_id == item_id)
            .values(editor_decision=decision, is_relevant=model)
        )
    day = BASE_TIME.date()
    kept = expected is True

    (enriched,) = store.stories.enriched_items([item_id])
    assert enriched.is_relevant is expected
    listed = [story.id for story, _ in store.stories.recent(relevant_only=True)]
    assert listed == ([story_id] if kept else [])
    assert store.periods.relevant_story_ids(day, day) == ([story_id] if kept else [])
    assert [s.id for s in store.periods.load_period_stories(day, day)] == ([story_id] if kept else [])
    assert store.periods.latest_unpublished_day() == (day if kept else None)


def test_what_clustering_reads_of_an_unenriched_item_is_unknown(store: Store) -> None:
    store.items.upsert([make_item(1, published_at=BASE_TIME - dt.timedelta(days=1))], kind="test")
    (pending,) = store.stories.pending_items(require_enrichment=False)
    assert pending.is_relevant is None
