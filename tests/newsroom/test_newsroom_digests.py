"""A channel's evening digest, ingested with the day's reports, never tops the editors' inbox.

Every text here is written for these tests.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from mobrief.newsroom import ingest, processing
from mobrief.records import DIGEST_OF, DIGEST_PARTS
from mobrief.settings import Settings
from mobrief.store import Store
from mobrief.store.inbox import InboxFilter
from mobrief.store.schema import item_enrichments, items, sources, story_items

DAY = "2024-06-03"
REPORTS = [
    ("vyorstka", 9, "В Белгородской области подняли единовременную выплату контрактникам до двух миллионов рублей."),
    ("uralsky", 10, "Белгородские власти увеличили разовую выплату подписавшим контракт до двух миллионов рублей."),
    ("mediazona", 12, "Суд в Калуге приговорил студента к шести годам колонии за попытку поджечь военкомат."),
    ("sibir", 15, "Жёны мобилизованных из Новосибирска вышли на пикет и потребовали вернуть мужей с фронта."),
    ("sport", 16, "Футбольный клуб выиграл домашний матч чемпионата со счётом два один."),
    ("permdaily", 18, "Пермский военкомат рассылает повестки выпускникам колледжей через портал госуслуг."),
]
RECAP = (
    "Вечерний итог: выплаты за контракт растут, суды выносят новые приговоры за поджоги военкоматов, "
    "жёны мобилизованных продолжают требовать ротации. Спасибо, что читаете."
)
BULLETED = (
    "Главное за день\n\n"
    "▪️ Военкомат Перми начал рассылать повестки выпускникам колледжей через портал госуслуг.\n"
    "▪️ Суд в Уфе арестовал двух подростков по делу о поджоге релейного шкафа на железной дороге.\n"
    "▪️ Мэрия открыла после ремонта мост через реку в центре города.\n"
    "▪️ Синоптики обещают похолодание и снегопад к выходным."
)


def _line(source: str, hour: int, text: str, n: int) -> dict[str, Any]:
    return {
        "source": source,
        "url": f"https://{source}.example/{n}",
        "published_at": f"{DAY}T{hour:02d}:00:00+00:00",
        "title": "",
        "text": text,
        "external_id": f"{source}-{n}",
    }


def _stream(path: Path) -> Path:
    lines = [_line(source, hour, text, n) for n, (source, hour, text) in enumerate(REPORTS)]
    lines.append(_line("svodka", 20, BULLETED, 100))
    lines.append(_line("svodka", 22, RECAP, 101))  # the newest post of the day
    path.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n", encoding="utf-8")
    return path


def _run(store: Store, path: Path) -> None:
    settings = Settings(database_url=str(store.engine.url))
    ingest.ingest(store, "jsonl", str(path), settings=settings)
    processing.process_pending(store, settings=settings, draft=False)


def _items(store: Store) -> list[tuple[Any, ...]]:
    stored = [c for c in items.columns if c.name not in {"id", "source_id", "ingested_at", "updated_at"}]
    with store.engine.connect() as conn:
        query = sa.select(sources.c.name, *stored).join(sources).order_by(sources.c.name, items.c.external_id)
        return [tuple(row) for row in conn.execute(query)]


def _rows(store: Store) -> list[tuple[Any, ...]]:
    with store.engine.connect() as conn:
        query = (
            sa.select(items.c.external_id, items.c.text, item_enrichments.c.relevance, item_enrichments.c.is_relevant)
            .join(item_enrichments, item_enrichments.c.item_id == items.c.id)
            .order_by(items.c.external_id)
        )
        return [tuple(row) for row in conn.execute(query)]


def test_the_evening_digest_never_tops_the_inbox(store: Store, tmp_path: Path) -> None:
    _run(store, _stream(tmp_path / "stream.jsonl"))
    page = store.inbox.page(InboxFilter(), limit=50)
    digests = [i for i, row in enumerate(page.rows) if row.outlets == ("svodka",)]
    reports = [i for i, row in enumerate(page.rows) if row.outlets != ("svodka",)]
    # the payment, the sentence, the picket and the notices; no football, weather or bridge
    assert len(reports) == 4 and len(digests) == 1  # the arrest in Ufa no one else reported
    assert max(reports) < min(digests)  # every report of the day above what only the digests tell
    assert [row.from_digest for row in page.rows] == [False] * 4 + [True]
    assert page.rows[digests[0]].title.startswith("Суд в Уфе")
    # the recap lists no story on the beat (its clauses are the reports' stories) but is still there to read
    everything = store.inbox.page(InboxFilter(relevant_only=False), limit=50)
    assert [row.title for row in everything.rows if row.title.startswith("Вечерний итог")]
    assert not any("Главное за день" in row.title for row in everything.rows)  # the bulleted one: told by its parts


def test_a_digests_part_joins_its_story_and_keeps_the_post_as_provenance(store: Store, tmp_path: Path) -> None:
    _run(store, _stream(tmp_path / "stream.jsonl"))
    with store.engine.connect() as conn:
        rows = {row.external_id: row for row in conn.execute(sa.select(items))}
        stories_of = dict(conn.execute(sa.select(items.c.external_id, story_items.c.story_id).join(story_items)).all())
    post = rows["svodka-100"]
    parts = [rows[f"svodka-100#part-{n}"] for n in range(1, 5)]
    for part in parts:
        assert (part.url, part.published_at, part.source_id) == (post.url, post.published_at, post.source_id)
        assert part.raw[DIGEST_OF] == "svodka-100" and part.text in post.text
    assert post.raw[DIGEST_PARTS] == 4
    assert parts[0].text.startswith("Военкомат Перми")  # read without its bullet
    assert stories_of["svodka-100#part-1"] == stories_of["permdaily-5"]  # the notices: told by another outlet too
    assert len({stories_of[part.external_id] for part in parts} | {stories_of["svodka-100"]}) == 5
    story = store.inbox.story(stories_of["permdaily-5"])
    assert {report.item.external_id for report in story.reports} == {"permdaily-5", "svodka-100#part-1"}


def test_importing_the_stream_again_changes_nothing(store: Store, tmp_path: Path) -> None:
    path = _stream(tmp_path / "stream.jsonl")
    _run(store, path)
    first = _rows(store)
    _run(store, path)
    assert _rows(store) == first
    assert len(first) == len(REPORTS) + 2 + 4  # the reports, two digest posts, four parts of the bulleted one


def test_an_import_killed_halfway_and_run_again_stores_what_one_run_stores(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ingest, "INGEST_BATCH", 2)
    path = _stream(tmp_path / "stream.jsonl")
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    _run(store, path)
    whole = _items(store)
    with store.engine.begin() as conn:
        conn.execute(items.delete())
        conn.execute(sources.delete())
    halfway = tmp_path / "halfway.jsonl"  # what batches a killed run stored: the first lines and the digest's parts
    halfway.write_text("".join(lines[:7]), encoding="utf-8")
    _run(store, halfway)
    _run(store, path)
    assert _items(store) == whole


def _deleted(store: Store) -> dict[str, bool]:
    with store.engine.connect() as conn:
        query = sa.select(items.c.external_id, items.c.deleted_at).where(items.c.external_id.like("svodka-100%"))
        return {external_id: deleted_at is not None for external_id, deleted_at in conn.execute(query)}


def test_a_digest_edited_or_deleted_upstream_takes_its_parts_with_it(store: Store, tmp_path: Path) -> None:
    path = _stream(tmp_path / "stream.jsonl")
    _run(store, path)
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    digest = next(line for line in lines if line["external_id"] == "svodka-100")
    shorter = dict(digest, text="\n".join(BULLETED.splitlines()[:5]))  # the weather line taken out
    edited = tmp_path / "edited.jsonl"
    edited.write_text(json.dumps(shorter, ensure_ascii=False) + "\n", encoding="utf-8")
    _run(store, edited)  # the channel edited the post down to three stories
    assert _deleted(store) == {
        "svodka-100": False,
        "svodka-100#part-1": False,
        "svodka-100#part-2": False,
        "svodka-100#part-3": False,
        "svodka-100#part-4": True,
    }
    one = tmp_path / "one.jsonl"
    one.write_text(json.dumps(dict(digest, text=BULLETED.splitlines()[2][3:]), ensure_ascii=False), encoding="utf-8")
    _run(store, one)  # edited down to one story: a report of its own, its parts gone
    assert _deleted(store) == {"svodka-100": False} | {f"svodka-100#part-{n}": True for n in range(1, 5)}
    _run(store, path)  # edited back: every part is shown again
    assert not any(_deleted(store).values())
    assert store.items.mark_deleted("svodka", ["svodka-100"]) == 5  # the post gone upstream, and its parts
    assert all(_deleted(store).values())
