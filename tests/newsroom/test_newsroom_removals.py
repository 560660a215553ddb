"""A story an editor removed from a draft stays out when the draft is composed again, until it is put back."""

from __future__ import annotations

import datetime as dt

from factories import add_story, make_item
from mobrief.newsroom import compose
from mobrief.store import Store

JUNE_3 = dt.date(2024, 6, 3)
WHEN = dt.datetime(2024, 6, 3, 9, 0, tzinfo=dt.UTC)


def test_a_removed_story_stays_out_until_put_back(store: Store) -> None:
    kept = add_story(store, [make_item(1, source="a", text="Суд вынес приговор активисту.", published_at=WHEN)],
                     section="legal")  # fmt: skip
    removed = add_story(store, [make_item(2, source="b", text="Суд арестовал студента.", published_at=WHEN)],
                        section="legal")  # fmt: skip
    composed = compose.compose_brief(store, JUNE_3, JUNE_3)
    entry = next(e for s in composed.sections for e in s.entries if e.story_id == removed)
    assert store.drafts.delete_entry(entry.entry_id or 0, editor="editor@example.org") == removed
    again = compose.compose_draft(store, composed.id)
    assert [e.story_id for s in again.sections for e in s.entries] == [kept]
    (gone,) = store.drafts.removed_stories(composed.id)
    assert (gone.story_id, gone.editor) == (removed, "editor@example.org")
    store.drafts.restore_story(composed.id, removed)
    back = compose.compose_draft(store, composed.id)
    assert sorted(e.story_id for s in back.sections for e in s.entries) == sorted([kept, removed])
