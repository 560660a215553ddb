"""The item store on both backends: idempotent upserts, revisions, snapshots, search by lemma."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from factories import BASE_TIME, make_item
from mobrief.errors import NotFound
from mobrief.records import Snapshot
from mobrief.store import Store
from mobrief.store.schema import item_revisions, items, snapshots


def test_upsert_inserts_then_changes_nothing(store: Store) -> None:
    batch = [make_item(n) for n in range(1, 6)]
    first = store.items.upsert(batch, kind="test")
    again = store.items.upsert(batch, kind="test")
    assert (first.inserted, first.updated, first.unchanged) == (5, 0, 0)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 5)
    assert store.items.count() == 5


def test_times_come_back_as_aware_utc(store: Store) -> None:
    moscow = dt.timezone(dt.timedelta(hours=3))
    store.items.upsert([make_item(1, published_at=dt.datetime(2024, 6, 3, 0, 30, tzinfo=moscow))], kind="test")
    (item,) = store.items.page()
    assert item.published_at == dt.datetime(2024, 6, 2, 21, 30, tzinfo=dt.UTC)
    assert item.published_at.utcoffset() == dt.timedelta(0)


def test_edited_item_is_updated_and_keeps_old_text_as_revision(store: Store) -> None:
    store.items.upsert([make_item(1, text="Первая версия")], kind="test")
    edited = make_item(1, text="Исправленная версия", edited_at=BASE_TIME + dt.timedelta(hours=1))
    counts = store.items.upsert([edited], kind="test")
    assert counts.updated == 1
    (item,) = store.items.page()
    assert item.text == "Исправленная версия"
    assert item.edited_at == BASE_TIME + dt.timedelta(hours=1)
    assert [r.text for r in store.items.revisions(item.id or 0)] == ["Первая версия"]
    # the same edit again changes nothing, and no second revision appears
    assert store.items.upsert([edited], kind="test").unchanged == 1
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(item_revisions)).scalar() == 1


def test_same_external_id_in_two_sources_are_two_items(store: Store) -> None:
    store.items.upsert([make_item(1, source="a"), make_item(1, source="b")], kind="test")
    assert store.items.count() == 2
    assert {i.source for i in store.items.page()} == {"a", "b"}


def test_repeated_key_inside_one_batch_keeps_the_last_version(store: Store) -> None:
    counts = store.items.upsert([make_item(1, text="старый"), make_item(1, text="новый")], kind="test")
    assert counts.inserted == 1
    assert store.items.page()[0].text == "новый"


def test_snapshot_bytes_are_kept_and_shared_by_hash(store: Store) -> None:
    body = "<html><body>Статья</body></html>".encode()
    snap = Snapshot(url="http://example.test/a", content_type="text/html", body=body, fetched_at=BASE_TIME)
    store.items.upsert([make_item(1, snapshot=snap), make_item(2, snapshot=snap)], kind="test")
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(snapshots)).scalar() == 1
        item_id = conn.execute(sa.select(items.c.id).where(items.c.external_id == "1")).scalar()
    item = store.items.get(int(item_id or 0))
    assert item.snapshot is not None
    assert item.snapshot.body == body
    assert item.snapshot.sha256 == snap.sha256


def test_get_unknown_item_names_the_id(store: Store) -> None:
    with pytest.raises(NotFound, match="no item with id 999"):
        store.items.get(999)


def test_search_finds_every_inflection(store: Store) -> None:
    store.items.upsert(
        [
            make_item(1, text="Жители жаловались на военкоматы района."),
            make_item(2, text="У здания военкомата собрались матери мобилизованных."),
            make_item(3, text="В городе открыли новый парк."),
        ],
        kind="test",
    )
    hits = store.items.search("военкомат")
    assert {item.external_id for item, _ in hits} == {"1", "2"}
    assert {item.external_id for item, _ in store.items.search("военкоматом")} == {"1", "2"}
    assert [item.external_id for item, _ in store.items.search("матерей мобилизованного")] == ["2"]


def test_search_input_is_data_not_syntax(store: Store) -> None:
    store.items.upsert([make_item(1, text='Цитата "в кавычках" и OR NEAR *')], kind="test")
    for query in ['"', "OR", "NEAR(", "*", "'; DROP TABLE items; --", 'кавычках"']:
        store.items.search(query)  # must not raise
    assert store.items.count() == 1
    assert [i.external_id for i, _ in store.items.search('"кавычки"')] == ["1"]


def test_search_follows_edits(store: Store) -> None:
    store.items.upsert([make_item(1, text="Повестки раздавали у метро")], kind="test")
    store.items.upsert([make_item(1, text="Листовки раздавали у метро")], kind="test")
    assert store.items.search("повестка") == []
    assert len(store.items.search("листовка")) == 1


def test_page_filters_by_window_and_source(store: Store) -> None:
    store.items.upsert([make_item(n, source="a" if n % 2 else "b") for n in range(1, 11)], kind="test")
    since = BASE_TIME + dt.timedelta(minutes=3)
    until = BASE_TIME + dt.timedelta(minutes=7)
    page = store.items.page(since=since, until=until)
    assert [i.external_id for i in page] == ["6", "5", "4", "3"]
    assert {i.source for i in store.items.page(source="b")} == {"b"}


def test_export_rows_have_the_machine_interface_fields(store: Store) -> None:
    store.items.upsert([make_item(1, lang="ru")], kind="test")
    (row,) = list(store.items.export_rows())
    for key in (
        "id", "source", "external_id", "url", "published_at", "title", "text", "lang", "relevance",
        "is_relevant", "section", "section_confidence", "story_id", "entities", "places", "amounts",
    ):  # fmt: skip
        assert key in row
    assert row["published_at"] == "2024-06-02T09:01:00+00:00"
    assert row["relevance"] is None  # filled by a later stage
