"""Search keeps its results: the same items in the same order for the same query, page by page, on both backends.

`tests/data/search_order.json` was written by the search code as it stood before the speed work of issue 17
(ranking everything on SQLite, the newest 500 matches on PostgreSQL), over the corpus in `search_corpus.py`.
Since then a name also finds its other-alphabet spelling (`WIDENED`): there the old hits keep their order and
every hit added is a report with that spelling.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from search_corpus import PAGES, QUERIES, corpus

from mobrief import lemmas
from mobrief.store import Store, open_store, search

# query → words the hits it gained carry (a name in the other alphabet)
WIDENED = {
    "Росгвардия": ("Rosgvardia",),
    "Пушкарев": ("Pushkaryov",),
    "Пушкарёва": ("Pushkaryov",),
    "Pushkaryov": ("Пушкарёв", "Пушкарева", "Пушкарёву"),
}
PINNED = json.loads((Path(__file__).parents[1] / "data" / "search_order.json").read_text(encoding="utf-8"))


@pytest.fixture
def filled(store: Store) -> Store:
    items = corpus()
    for start in range(0, len(items), 50):
        store.items.upsert(items[start : start + 50], kind="test")
    return store


@pytest.fixture
def filled_pg(pg_url: str) -> Iterator[Store]:
    """The same items in PostgreSQL alone, for what only its index and planner do."""
    store = open_store(pg_url)
    try:
        items = corpus()
        for start in range(0, len(items), 50):
            store.items.upsert(items[start : start + 50], kind="test")
        yield store
    finally:
        store.close()


def _ids(store: Store, query: str, limit: int, offset: int) -> list[str]:
    return [item.external_id for item, _ in store.items.search(query, limit=limit, offset=offset)]


def test_search_returns_the_pinned_items_in_the_pinned_order(filled: Store) -> None:
    pinned = PINNED[filled.dialect]["search"]
    found = {
        query: {f"{limit}/{offset}": _ids(filled, query, limit, offset) for limit, offset in PAGES} for query in QUERIES
    }
    unchanged = [q for q in QUERIES if q not in WIDENED]
    assert {q: found[q] for q in unchanged} == {q: pinned[q] for q in unchanged}
    texts = {item.external_id: f"{item.title} {item.text}" for item in corpus()}
    for query, spellings in WIDENED.items():
        now, before = found[query]["500/0"], pinned[query]["500/0"]
        remaining = iter(now)
        assert all(hit in remaining for hit in before), query  # the old hits, in their old order
        added = set(now) - set(before)
        assert added, query
        assert all(any(s.lower() in texts[hit].lower() for s in spellings) for hit in added), query


def test_newest_matches_are_the_pinned_ones(filled: Store) -> None:
    pinned = PINNED[filled.dialect]["newest"]
    index = search.search_index_for(filled.dialect)
    found = {}
    for query in QUERIES:
        with filled.engine.connect() as conn:
            ids = index.newest(conn, lemmas.query_terms(query), limit=15)
        external = {item.id: item.external_id for item in filled.items.get_many(ids)}
        found[query] = [external[i] for i in ids]
    assert found == {query: pinned[query] for query in QUERIES}


def test_newest_matches_in_small_windows_are_every_match_newest_first(
    filled: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mobrief import lemmas
    from mobrief.store import search_postgres

    # walks and windows of a few rows, so that a corpus of 240 items goes through every way of reading the index
    monkeypatch.setattr(search_postgres, "WALK_SPAN", 0.01)
    monkeypatch.setattr(search_postgres, "WINDOW_MATCHES", 0.01)
    monkeypatch.setattr(search_postgres, "GROWTH", 2)
    stored = {item.id: set(lemmas.lemmatize(f"{item.title}\n{item.text}")) for item in filled.items.iter_all()}
    index = search.search_index_for(filled.dialect)
    for text in ("военкомат", "повесток", "поджог", "суд колония", "жена губернатор", "Пушкарев", "дезертир"):
        query = search.parse_query(text)
        wanted = sorted(
            (i for i, words in stored.items() if all(words & set(group) for group in query.groups)), reverse=True
        )
        for limit, offset in ((3, 0), (50, 0), (500, 0), (5, 4)):
            with filled.engine.connect() as conn:
                assert index.newest(conn, query, limit=limit, offset=offset) == wanted[offset : offset + limit], text
            if filled.dialect != "postgresql":
                continue
            tsquery, params = search_postgres.tsquery_sql(query)
            for plan in ("walk", "all", "windows"):
                with filled.engine.connect() as conn:
                    found = search_postgres.newest_ids(conn, tsquery, params, skip=offset, size=limit, plan=plan)
                assert found == wanted[offset : offset + limit], (text, plan)


def test_the_cheapest_plan_walks_for_a_common_word_and_reads_the_index_for_a_rare_one() -> None:
    from mobrief.store import search_postgres

    assert search_postgres.cheapest_plan(200_000, 1_000_000, 200) == "walk"
    assert search_postgres.cheapest_plan(5_000, 1_000_000, 200) == "windows"
    assert search_postgres.cheapest_plan(300, 1_000_000, 200) == "all"


@pytest.mark.parametrize("windows", ["planned", "small"])
def test_searches_run_together_find_what_each_finds_alone(
    filled: Store, monkeypatch: pytest.MonkeyPatch, windows: str
) -> None:
    from mobrief.store import search_postgres

    if windows == "small":  # walks and windows of a few rows: the searches take different numbers of steps
        monkeypatch.setattr(search_postgres, "WALK_SPAN", 0.01)
        monkeypatch.setattr(search_postgres, "WINDOW_MATCHES", 0.01)
        monkeypatch.setattr(search_postgres, "GROWTH", 2)
    index = search.search_index_for(filled.dialect)
    queries = [search.parse_query(q) for q in QUERIES] + [search.exact_query(lemmas.query_terms(q)) for q in QUERIES]
    queries += [search.SearchQuery(groups=()), search.exact_query(["несуществующееслово"])]
    for limit in (3, 120, 200):
        with filled.engine.begin() as conn:
            together = [sorted(ids) for ids in index.first_matches(conn, queries, limit=limit)]
        with filled.engine.begin() as conn:
            alone = [sorted(i for i, _ in index.search(conn, query, limit=limit, offset=0)) for query in queries]
        assert together == alone, limit
        assert sum(map(bool, together)) >= len(QUERIES)  # most queries find something


def test_a_search_reads_the_newest_id_by_the_primary_key_whatever_scans_the_last_one_left(filled_pg: Store) -> None:
    """Searches sent together run one after another in a transaction, so the bitmap scans of one search's windows
    are in force when the next asks for the newest id: under them max(id) read every row of the table."""
    from mobrief.store import search_postgres

    steps = search_postgres.newest_steps(*search_postgres.tsquery_sql(search.parse_query(QUERIES[0])), size=3)
    plans = []
    with filled_pg.engine.begin() as conn:
        conn.execute(sa.text(search_postgres._BITMAPS_ONLY))  # as an earlier search's windows leave them
        for sql, params in next(steps):
            if "max(id)" in sql:
                plans.append(json.dumps(conn.execute(sa.text(f"EXPLAIN (FORMAT JSON) {sql}"), params).scalar_one()))
            conn.execute(sa.text(sql), params)
    assert len(plans) == 1 and "Index Only Scan" in plans[0] and "Bitmap" not in plans[0], plans


def test_items_stored_leave_nothing_in_the_search_index_pending_list(filled_pg: Store) -> None:
    """GIN keeps new rows' entries in a pending list that every search reads through until vacuum merges it (a
    fresh import is clustered at once, autovacuum or not): the store merges it as it stores items."""
    merge = sa.text("SELECT gin_clean_pending_list('ix_items_search_vector'::regclass)")
    with filled_pg.engine.begin() as conn:
        assert conn.execute(merge).scalar_one() == 0  # pages it would have merged: none left


def test_some_matches_are_every_match_or_as_many_as_asked(filled: Store) -> None:
    from mobrief import lemmas

    stored = {item.id: set(lemmas.lemmatize(f"{item.title}\n{item.text}")) for item in filled.items.iter_all()}
    index = search.search_index_for(filled.dialect)
    queries = [search.exact_query(lemmas.query_terms(q)) for q in QUERIES] + [search.SearchQuery(groups=())]
    capped = 0
    for limit in (1, 5, 120):
        with filled.engine.begin() as conn:
            found = index.some_matches(conn, queries, limit=limit)
        for query, ids in zip(queries, found, strict=True):
            matching = {i for i, words in stored.items() if query and all(words & set(g) for g in query.groups)}
            assert len(ids) == len(set(ids)) == min(limit, len(matching)), (query, limit)
            assert set(ids) <= matching, (query, limit)
            capped += len(matching) > limit
    assert capped  # some query matched more than it was asked for
