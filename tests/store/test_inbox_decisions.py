"""An editor's decision on a story is one transaction: the story and every report in it change together."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from factories import add_story, make_item
from mobrief.store import Store
from mobrief.store.schema import item_enrichments, stories


def _editor_columns(store: Store, item_ids: tuple[int, ...]) -> dict[int, tuple[str | None, str | None]]:
    query = sa.select(
        item_enrichments.c.item_id, item_enrichments.c.editor_decision, item_enrichments.c.editor_section
    ).where(item_enrichments.c.item_id.in_(item_ids))
    with store.engine.connect() as conn:
        return {row.item_id: (row.editor_decision, row.editor_section) for row in conn.execute(query)}


def _transactions(store: Store) -> list[int]:
    begun: list[int] = []
    sa.event.listen(store.engine, "begin", lambda conn: begun.append(1))
    return begun


def test_a_status_gives_every_report_of_the_story_its_decision_in_one_transaction(store: Store) -> None:
    story_id = add_story(store, [make_item(n) for n in range(1, 5)])
    item_ids = store.stories.get(story_id).item_ids
    begun = _transactions(store)

    store.inbox.set_status(story_id, "brief")
    assert len(begun) == 1
    assert store.stories.status(story_id) == "brief"
    assert set(_editor_columns(store, item_ids).values()) == {("keep", None)}

    store.inbox.set_status(story_id, "skip")
    assert set(_editor_columns(store, item_ids).values()) == {("skip", None)}
    store.inbox.set_status(story_id, "new")
    assert set(_editor_columns(store, item_ids).values()) == {(None, None)}

    begun.clear()
    store.inbox.set_section(story_id, "courts")
    assert len(begun) == 1
    assert set(_editor_columns(store, item_ids).values()) == {(None, "courts")}


def test_a_report_not_yet_enriched_takes_the_decision_too(store: Store) -> None:
    story_id = add_story(store, [make_item(1), make_item(2)])
    item_ids = store.stories.get(story_id).item_ids
    with store.engine.begin() as conn:
        conn.execute(sa.delete(item_enrichments).where(item_enrichments.c.item_id == item_ids[1]))

    store.inbox.set_status(story_id, "skip")
    assert _editor_columns(store, item_ids) == {item_ids[0]: ("skip", None), item_ids[1]: ("skip", None)}


def test_a_decision_that_fails_on_the_reports_leaves_the_story_as_it_was(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    story_id = add_story(store, [make_item(1), make_item(2)])

    def fail(*args: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(store.enrichments, "set_editor_decisions", fail)
    with pytest.raises(RuntimeError):
        store.inbox.set_status(story_id, "brief")
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(stories.c.status).where(stories.c.id == story_id)).scalar() == "new"


def test_a_missing_story_is_named(store: Store) -> None:
    with pytest.raises(Exception, match="no story with id 999"):
        store.inbox.set_status(999, "brief")
