"""A channel's evening digest, ingested with the day's reports, never tops the editors' inbox.

Every text here is written for these tests.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from mobrief.newsroom import ingest, processing
from mobrief.settings import Settings
from mobrief.store import Store
from mobrief.store.inbox import InboxFilter
from mobrief.store.schema import item_enrichments, items

DAY = "2024-06-03"
REPORTS = [
    ("vyorstka", 9, "В Белгородской области подняли единовременную выплату контрактникам до двух миллионов рублей."),
    ("uralsky", 10, "Белгородские власти увеличили разовую выплату подписавшим контракт до двух миллионов рублей."),
    ("mediazona", 12, "Суд в Калуге приговорил студента к шести годам колонии за попытку поджечь военкомат."),
    ("sibir", 15, "Жёны мобилизованных из Новосибирска вышли на пикет и потребовали вернуть мужей с фронта."),
    ("sport", 16, "Футбольный клуб выиграл домашний матч чемпионата со счётом два один."),
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
    digests = [i for i, row in enumerate(page.rows) if "svodka" in row.outlets]
    reports = [i for i, row in enumerate(page.rows) if "svodka" not in row.outlets]
    assert len(digests) == 2 and len(reports) == 3  # the payment, the sentence and the picket; no football
    assert max(reports) < min(digests)  # every report of the day above the digests


def test_importing_the_stream_again_changes_nothing(store: Store, tmp_path: Path) -> None:
    path = _stream(tmp_path / "stream.jsonl")
    _run(store, path)
    first = _rows(store)
    _run(store, path)
    assert _rows(store) == first
    assert len(first) >= len(REPORTS) + 2
