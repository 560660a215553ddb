"""Benchmark: compose a 3-day brief from a SQLite store of 30,000 enriched generated items (prints, never asserts).

Items are generated with their enrichment and stories stored and drafted (as `mobrief enrich` leaves them), so
the figure is the cost of composing: loading the period's stories, planning entries, house style, saving the draft.
Two cases by default: the items spread over 30 days (a tenth of them in the brief), and all of them inside the 3
days composed (a brief of about 10,000 entries: what shows any cost that grows with the square of a brief's size).

    .venv/bin/python benchmarks/compose.py [--items 30000] [--days 30 | --days 3] [--archive 2000] [--postgres URL]

`--postgres ADMIN_URL` runs each case in a scratch PostgreSQL database instead of a SQLite file.
`--archive N` adds N paragraphs of earlier published briefs, naming people and places, which every story is
matched against for "previously reported".
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import random
import resource
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from mobrief.newsroom import compose, drafting
from mobrief.store import open_store
from mobrief.store.schema import (
    brief_paragraphs,
    brief_sections,
    briefs,
    item_enrichments,
    items,
    sources,
    stories,
    story_items,
)

OUTLETS = ["Медиазона", "Вёрстка", "Агентство", "Уральский курьер", "Новосибирская лента", "ОВД-Инфо"]
PLACES = [("the Belgorod region", "Белгородской области"), ("Buryatia", "Бурятии"), ("Moscow", "Москве"),
          ("the Sverdlovsk region", "Свердловской области"), ("Karelia", "Карелии")]  # fmt: skip
SECTIONS = ["authorities", "recruitment", "soldiers", "legal", "children"]
PERIOD = (dt.date(2024, 5, 20), dt.date(2024, 5, 22))


def generate(store_url: str, n_items: int, days: int, seed: int = 7) -> None:
    """Items over `days` days, in stories of 1–4 outlets, with enrichment rows; 80% of stories on the beat."""
    rng = random.Random(seed)
    store = open_store(store_url)
    # the composed period sits in the middle of a long spread, and holds everything in a short one
    start = dt.datetime.combine(PERIOD[0], dt.time(), dt.UTC) - dt.timedelta(days=max(0, days - 3) // 3)
    now = dt.datetime.now(dt.UTC)
    with store.engine.begin() as conn:
        source_ids = [
            conn.execute(
                sources.insert().values(name=name, kind="jsonl", enabled=False, options={}, state={}, created_at=now)
            ).inserted_primary_key[0]
            for name in OUTLETS
        ]
        item_id = story_id = 0
        while item_id < n_items:
            story_id += 1
            when = start + dt.timedelta(seconds=rng.randrange(days * 86400))
            relevant = rng.random() < 0.8
            section = rng.choice(SECTIONS)
            place, place_ru = rng.choice(PLACES)
            amount = rng.choice([200_000, 1_700_000, 3_000_000])
            size = min(rng.randint(1, 4), n_items - item_id)
            conn.execute(stories.insert().values(id=story_id, title=f"История {story_id}", first_seen=when,
                                                 last_seen=when, outlets=[], places=[place], section=section,
                                                 status="new", pinned=False, updated_at=now))  # fmt: skip
            item_rows, enrich_rows, link_rows = [], [], []
            for k in range(size):
                item_id += 1
                text = (f"В {place_ru} суд рассмотрел дело номер {story_id}: выплата составила {amount:,} рублей, "
                        f"сообщил источник {k}. Подробности уточняются.").replace(",", " ")  # fmt: skip
                item_rows.append({"id": item_id, "source_id": source_ids[k % len(source_ids)],
                                  "external_id": str(item_id), "url": f"https://example.test/{item_id}",
                                  "published_at": when + dt.timedelta(minutes=17 * k), "title": "", "text": text,
                                  "lang": "ru", "author": None, "links": [], "raw": {},
                                  "content_hash": f"{item_id:064d}",
                                  "search_lemmas": "", "snapshot_id": None, "edited_at": None, "ingested_at": now,
                                  "updated_at": now})  # fmt: skip
                enrich_rows.append({"item_id": item_id, "lang": "ru", "relevance": 0.9 if relevant else 0.1,
                                    "is_relevant": relevant, "section": section, "section_confidence": 0.7,
                                    "entities": [{"kind": "person", "text": "Иван Петров", "normalized": "Иван Петров",
                                                  "latin": "Ivan Petrov"}],
                                    "places": [{"name": place, "key": place, "text": place_ru}],
                                    "amounts": [{"currency": "RUB", "value": float(amount), "text": "", "usd": None}],
                                    "stage_versions": {}, "updated_at": now})  # fmt: skip
                link_rows.append({"item_id": item_id, "story_id": story_id, "method": "bench", "score": 1.0})
            conn.execute(items.insert(), item_rows)
            conn.execute(item_enrichments.insert(), enrich_rows)
            conn.execute(story_items.insert(), link_rows)
    store.close()


SURNAMES = ["Petrov", "Ivanov", "Smirnov", "Kuznetsov", "Popov", "Vasiliev", "Sokolov", "Mikhailov", "Novikov",
            "Fedorov", "Morozov", "Volkov", "Alekseev", "Lebedev", "Semenov", "Egorov", "Pavlov", "Kozlov"]  # fmt: skip


def publish_archive(store_url: str, n_paragraphs: int, seed: int = 11) -> None:
    """Published briefs of the 180 days before the period, `n_paragraphs` in all, naming people and places the
    way stories do: what each story is matched against for "previously reported"."""
    rng = random.Random(seed)
    store = open_store(store_url)
    per_brief = 40
    now = dt.datetime.now(dt.UTC)
    with store.engine.begin() as conn:
        for b in range((n_paragraphs + per_brief - 1) // per_brief):
            end = PERIOD[0] - dt.timedelta(days=1 + b)
            brief_id = conn.execute(briefs.insert().values(
                title=f"Mobilization in Russia for {end}", period_start=end, period_end=end, status="published",
                url=f"https://briefs.example/{end}", content_hash=f"{b:064d}", published_at=now, created_at=now,
            )).inserted_primary_key[0]  # fmt: skip
            section_id = conn.execute(
                brief_sections.insert().values(brief_id=brief_id, position=0, key="legal", heading="Legal")
            ).inserted_primary_key[0]
            rows = []
            for k in range(min(per_brief, n_paragraphs - b * per_brief)):
                person, other = rng.sample(SURNAMES, 2)
                place = rng.choice(PLACES)[0]
                text = (f"According to Mediazona, a court in {place} sentenced Ivan {person} to "
                        f"{rng.randint(2, 12)} years; his lawyer, Anna {other}, will appeal.")  # fmt: skip
                rows.append({"section_id": section_id, "position": k, "item_ids": [], "edited": False, "text": text})
            conn.execute(brief_paragraphs.insert(), rows)
    store.close()


@contextlib.contextmanager
def scratch_database(postgres: str | None) -> Iterator[str]:
    """A store URL for one case: a temporary SQLite file, or a database created (and dropped after) on the
    PostgreSQL server whose administrative URL is `postgres`."""
    if postgres is None:
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{Path(tmp) / 'compose.db'}"
        return
    import sqlalchemy as sa

    name = f"mobrief_bench_compose_{os.getpid()}"
    admin = sa.create_engine(postgres, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name}"))
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    try:
        yield str(sa.make_url(postgres).set(database=name).render_as_string(hide_password=False))
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def run(n_items: int, days: int, archive: int = 0, postgres: str | None = None) -> None:
    with scratch_database(postgres) as url:
        started = time.perf_counter()
        generate(url, n_items, days)
        if archive:
            publish_archive(url, archive)
        print(f"generated {n_items:,} enriched items over {days} days" + (f" and {archive:,} published paragraphs"
              if archive else "") + f" in {time.perf_counter() - started:.1f} s")  # fmt: skip
        store = open_store(url)
        began = time.perf_counter()
        drafted = drafting.draft_pending(store)  # as `mobrief enrich` leaves a store: every story drafted
        print(f"  drafted {drafted.drafted + drafted.needs_check:,} stories in {time.perf_counter() - began:.1f} s")
        for label in ("first compose", "compose again"):
            began, cpu = time.perf_counter(), time.process_time()
            composed = compose.compose_brief(store, *PERIOD)
            wall, used = time.perf_counter() - began, time.process_time() - cpu
            entries = sum(len(s.entries) for s in composed.sections)
            print(f"  {label:<14}: {entries:,} entries in {len(composed.sections)} sections, "
                  f"{wall:.2f} s wall, {used:.2f} s CPU")  # fmt: skip
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=30_000)
    parser.add_argument("--days", type=int, action="append", help="days the items spread over (default: 30 and 3)")
    parser.add_argument("--archive", type=int, default=0, help="paragraphs of earlier published briefs (default 0)")
    parser.add_argument("--postgres", metavar="ADMIN_URL", help="run on PostgreSQL: a scratch database is created "
                        "on this server, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/postgres")  # fmt: skip
    args = parser.parse_args()
    for days in args.days or [30, 3]:
        run(args.items, days, args.archive, args.postgres)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MB; floor: < 2 s for a 3-day brief from 30,000 items, even all in those 3 days "
          f"({os.cpu_count()}-core machine)")  # fmt: skip


if __name__ == "__main__":
    main()
