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


# ---- what the database refuses costs only the item that holds it ----


def test_a_batch_the_database_refuses_is_stored_item_by_item_cleaned(store: Store) -> None:
    from mobrief.store.items import prepare_items

    good, nul, other = prepare_items([make_item(1), make_item(2), make_item(3)])
    values = list(nul.values)
    values[4] = "на\ud800половину"  # a lone surrogate in the text, put past prepare_items' own cleaning
    counts = store.items.write([good, nul._replace(values=tuple(values)), other], kind="test")
    assert (counts.inserted, counts.failed) == (3, [])
    assert {i.external_id: i.text for i in store.items.page()}["2"] == "на\ufffdполовину"


def test_an_item_the_database_still_refuses_is_listed_and_the_rest_stored(store: Store) -> None:
    from mobrief.store.items import prepare_items

    good, bad = prepare_items([make_item(1), make_item(2)])
    values = list(bad.values)
    values[0] = "x" * 301  # external_id, past its column's 300 characters
    counts = store.items.write([good, bad._replace(external_id=values[0], values=tuple(values))], kind="test")
    if store.dialect == "sqlite":  # SQLite does not hold a VARCHAR to its length
        assert (counts.inserted, counts.failed) == (2, [])
        return
    assert counts.inserted == 1
    (refused,) = counts.failed
    assert refused.external_id == "x" * 301 and "too long" in refused.reason
    assert "INSERT" not in refused.reason  # the database's words, not the statement
    assert [i.external_id for i in store.items.page()] == ["1"]


def test_new_item_fields_round_trip(store: Store) -> None:
    item = make_item(
        1,
        author="Мария",
        author_id="user42",
        forwarded_from="Другой канал",
        forwarded_from_id="https://t.me/other/5",
        reply_to="7",
        views=1200,
        edited=True,
    )
    store.items.upsert([item], kind="test")
    (back,) = store.items.page()
    assert (back.author_id, back.forwarded_from, back.forwarded_from_id, back.reply_to, back.views, back.edited) == (
        "user42",
        "Другой канал",
        "https://t.me/other/5",
        "7",
        1200,
        True,
    )
    assert back.truncated is False


def test_text_over_the_limit_is_cut_flagged_and_kept_whole_in_raw(store: Store) -> None:
    from mobrief.item_limits import FULL_TEXT_KEY
    from mobrief.store.items import prepare_items

    text = "Слово " * 1000
    (prepared,) = prepare_items([make_item(1, text=text)], max_text_chars=100)
    assert [fix.field for fix in prepared.fixes] == ["text"]
    store.items.write([prepared], kind="test")
    (item,) = store.items.page()
    assert item.truncated and len(item.text) <= 100 and text.startswith(item.text)
    assert item.raw[FULL_TEXT_KEY] == text


def test_a_lone_surrogate_in_raw_is_cleaned_once_the_database_refuses_it(store: Store) -> None:
    counts = store.items.upsert([make_item(1, raw={"note": "a\ud800b"}), make_item(2)], kind="test")
    assert (counts.inserted, counts.failed) == (2, [])
    assert [(n.source, n.external_id) for n in counts.cleaned] == [("test-channel", "1")]
    raws = {i.external_id: i.raw for i in store.items.page()}
    assert raws["1"] == {"note": "a\ufffdb"}


def test_a_reimport_of_many_batches_finds_every_stored_item(store: Store) -> None:
    # more batches than psycopg runs a statement before preparing it: the lookup must still find what is stored
    batches = [[make_item(100 * b + n, source=f"channel-{n % 3}") for n in range(20)] for b in range(8)]
    for batch in batches:
        assert store.items.upsert(batch, kind="test").inserted == 20
    edited = make_item(100 * 7 + 5, source="channel-2", text="Исправлено")
    counts = [store.items.upsert(batch, kind="test") for batch in batches[:-1]]
    last = store.items.upsert([*batches[-1][:5], edited, *batches[-1][6:]], kind="test")
    assert [c.unchanged for c in counts] == [20] * 7
    assert (last.inserted, last.updated, last.unchanged) == (0, 1, 19)
    assert store.items.count() == 160


def test_long_values_read_back_whole_whatever_the_compression(store: Store) -> None:
    text = " ".join(f"в военкомат пришли {n} повесток" for n in range(400))  # 12 kB: stored compressed
    store.items.upsert([make_item(1, text=text, raw={"text": text, "views": 3})], kind="test")
    (item,) = store.items.page()
    assert (item.text, item.raw) == (text, {"text": text, "views": 3})
    assert [i.id for i, _ in store.items.search("повесткам")] == [item.id]
    if store.dialect == "postgresql":  # lz4 where the server has it (it is in every build we deploy on)
        with store.engine.connect() as conn:
            lz4 = conn.exec_driver_sql(
                "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
            ).scalar()
            methods = conn.exec_driver_sql("SELECT pg_column_compression(text), pg_column_compression(raw) FROM items")
            assert methods.one() == (("lz4", "lz4") if lz4 else ("pglz", "pglz"))
