"""A post edited upstream is enriched again: its places, relevance and section follow the text it now holds.

Every text here is written for these tests.
"""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa

from mobrief.newsroom import ingest, processing
from mobrief.settings import Settings
from mobrief.store import Store
from mobrief.store.schema import item_enrichments, items

POST = {
    "source": "channel",
    "url": "https://t.example/channel/1",
    "published_at": "2024-06-04T10:00:00+03:00",
    "lang": "ru",
    "external_id": "1",
}


def _run(store: Store, path: Path, text: str) -> None:
    path.write_text(json.dumps(POST | {"text": text}, ensure_ascii=False) + "\n", encoding="utf-8")
    settings = Settings(database_url=str(store.engine.url))
    ingest.ingest(store, "jsonl", str(path), settings=settings)
    processing.process_pending(store, settings=settings, draft=False)


def _places(store: Store) -> list[str]:
    with store.engine.connect() as conn:
        stored = conn.execute(
            sa.select(item_enrichments.c.places).join(items).where(items.c.external_id == "1")
        ).scalar_one()
    return [place["name"] for place in stored]


def test_a_post_edited_upstream_is_enriched_again(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "posts.jsonl"
    _run(store, path, "В Самаре военкомат вручил повестки двенадцати рабочим завода.")
    assert _places(store) == ["Samara"]
    _run(store, path, "В Туле военкомат вручил повестки двенадцати рабочим завода.")
    assert _places(store) == ["Tula"]
    store.enrichments.set_editor_section(_item_id(store), "recruitment")
    _run(store, path, "В Туле и Калуге военкомат вручил повестки двенадцати рабочим завода.")
    assert _places(store) == ["Tula", "Kaluga"]
    assert store.enrichments.get(_item_id(store)).editor_section == "recruitment"  # an editor's choice stays


def _item_id(store: Store) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(sa.select(items.c.id).where(items.c.external_id == "1")).scalar_one())
