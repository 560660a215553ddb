"""A list of ids as one parameter selects exactly the rows a plain IN would, on both backends, however long."""

from __future__ import annotations

import sqlalchemy as sa

from factories import add_story, make_item
from mobrief.store import Store, id_lists
from mobrief.store.schema import stories


def _among(store: Store, ids: list[int]) -> list[int]:
    query = (
        sa.select(stories.c.id)
        .where(id_lists.among(stories.c.id, ids, store.engine.dialect.name))
        .order_by(stories.c.id)
    )
    with store.engine.connect() as conn:
        return [int(i) for i in conn.execute(query).scalars()]


def test_among_selects_the_listed_ids(store: Store) -> None:
    made = [add_story(store, [make_item(n)]) for n in range(1, 6)]
    assert _among(store, [made[3], made[0], 10**9]) == [made[0], made[3]]
    assert _among(store, [made[1], made[1]]) == [made[1]]
    assert _among(store, []) == []
    # more ids than SQLite once allowed parameters (32,766), in one statement
    assert _among(store, list(range(40_000, 0, -1))) == made
