"""Benchmark: the `frames` backend on generated stories (prints, never asserts).

Stories are generated from Russian sentences written for mobrief (every kind of event, varied names, places and
sums) and enriched by the real enrichment stages before timing starts. Printed: stories per CPU-second of
`frames` alone, then the time to draft and compose a 3-day brief of 300 stories in a SQLite store.

    .venv/bin/python benchmarks/drafting.py [--stories 300]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import random
import resource
import statistics
import tempfile
import time
from pathlib import Path

from mobrief.brief.drafting import frames
from mobrief.brief.drafting.records import DraftContext, Report, StoryReports
from mobrief.enrich.entities import find_entities
from mobrief.enrich.money import parse_amounts
from mobrief.enrich.places import find_places
from mobrief.newsroom import compose, drafting
from mobrief.store import open_store
from mobrief.store.schema import item_enrichments, items, sources, stories, story_items

PERIOD = (dt.date(2024, 5, 20), dt.date(2024, 5, 22))
OUTLETS = ["Медиазона", "Вёрстка", "Агентство", "ОВД-Инфо", "Уральский курьер"]
NAMES = ["Ивана Петрова", "Сергея Смирнова", "Алексея Кузнецова", "Дмитрия Волкова", "Андрея Соколова"]
PLACES = ["Курской области", "Бурятии", "Свердловской области", "Карелии", "Татарстане", "Белгородской области"]
TEMPLATES = [
    "Суд в {place} приговорил {age}-летнего {name} к {years} годам колонии строгого режима по делу о госизмене.",
    "В {place} задержали {age}-летнего студента по подозрению в поджоге военкомата; возбуждено дело о диверсии.",
    "В {place} единовременную выплату за заключение контракта увеличили до {sum} млн рублей.",
    "Жёны мобилизованных из {place} записали видеообращение к Владимиру Путину с требованием ротации.",
    "Госдума приняла законопроект о статусе ветерана боевых действий для добровольцев из {place}.",
    "В {place} похоронили мобилизованного {name}, погибшего в зоне СВО.",
    "Военнослужащий из {place} самовольно оставил часть; гарнизонный суд дал ему {years} лет колонии общего режима.",
    "В школах {place} ученики начнут изучать начальную военную подготовку.",
    "В {place} появилась реклама контрактной службы с выплатой {sum} млн рублей.",
    "Против {name} возбудили уголовное дело о дискредитации армии в {place}.",
]


def generated_texts(n: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    texts = []
    for _ in range(n):
        fill = {"place": rng.choice(PLACES), "name": rng.choice(NAMES), "age": rng.randint(19, 60),
                "years": rng.randint(2, 20), "sum": rng.choice(["1,5", "2", "3", "0,8"])}  # fmt: skip
        first = rng.choice(TEMPLATES).format(**fill)
        second = rng.choice(TEMPLATES).format(**fill)
        texts.append(f"{first} Об этом сообщает местное издание. {second}")
    return texts


def enriched(text: str, item_id: int) -> Report:
    return Report(
        item_id=item_id,
        outlet=OUTLETS[item_id % len(OUTLETS)],
        text=text,
        published_at=dt.datetime(2024, 5, 21, tzinfo=dt.UTC),
        lang="ru",
        relevance=0.9,
        entities=tuple(dataclasses.asdict(m) for m in find_entities(text, lang="ru")),
        places=tuple(dataclasses.asdict(p) for p in find_places(text)),
        amounts=tuple(dataclasses.asdict(a) for a in parse_amounts(text)),
    )


def store_stories(url: str, reports: list[Report]) -> None:
    """Each report its own story inside the period, as `mobrief enrich` leaves them (before drafting)."""
    store = open_store(url)
    now = dt.datetime.now(dt.UTC)
    with store.engine.begin() as conn:
        source_ids = {
            name: conn.execute(
                sources.insert().values(name=name, kind="jsonl", enabled=False, options={}, state={}, created_at=now)
            ).inserted_primary_key[0]
            for name in OUTLETS
        }
        for n, report in enumerate(reports, 1):
            when = dt.datetime.combine(PERIOD[0], dt.time(), dt.UTC) + dt.timedelta(minutes=14 * n)
            conn.execute(stories.insert().values(id=n, title=report.text[:60], first_seen=when, last_seen=when,
                                                 outlets=[], places=[], section="legal", status="new", pinned=False,
                                                 updated_at=now))  # fmt: skip
            conn.execute(items.insert().values(id=n, source_id=source_ids[report.outlet], external_id=str(n),
                                               url=f"https://example.test/{n}", published_at=when, title="",
                                               text=report.text, lang="ru", author=None, links=[], raw={},
                                               content_hash=f"{n:064d}", search_lemmas="", snapshot_id=None,
                                               edited_at=None, ingested_at=now, updated_at=now))  # fmt: skip
            conn.execute(item_enrichments.insert().values(item_id=n, lang="ru", relevance=0.9, is_relevant=True,
                                                          section="legal", section_confidence=0.7,
                                                          entities=list(report.entities), places=list(report.places),
                                                          amounts=list(report.amounts), stage_versions={},
                                                          updated_at=now))  # fmt: skip
            conn.execute(story_items.insert().values(item_id=n, story_id=n, method="bench", score=1.0))
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=300)
    args = parser.parse_args()
    reports = [enriched(text, n) for n, text in enumerate(generated_texts(args.stories), 1)]
    context = DraftContext()
    backend = frames.FramesBackend()
    stories_in = [StoryReports(story_id=r.item_id, reports=(r,)) for r in reports]
    rates = []
    for _ in range(3):
        cpu = time.process_time()
        for one in stories_in:
            backend.draft(one, context)
        rates.append(len(stories_in) / max(time.process_time() - cpu, 1e-9))
    print(f"frames: {statistics.median(rates):,.0f} stories per CPU-second (median of 3: "
          f"{', '.join(f'{r:,.0f}' for r in rates)})")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'drafting.db'}"
        store_stories(url, reports)
        store = open_store(url)
        began, cpu = time.perf_counter(), time.process_time()
        run = drafting.draft_pending(store)
        drafted_at = time.perf_counter()
        composed = compose.compose_brief(store, *PERIOD)
        wall, used = time.perf_counter() - began, time.process_time() - cpu
        entries = [e for s in composed.sections for e in s.entries]
        print(f"3-day brief of {len(entries)} stories: drafted {run.drafted} (+{run.needs_check} to check) in "
              f"{drafted_at - began:.2f} s, drafted and composed in {wall:.2f} s wall, {used:.2f} s CPU "
              f"(floor: under 5 s)")  # fmt: skip
        print(f"entries still a scaffold: {sum('[To write]' in e.text for e in entries)}")
        store.close()
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
