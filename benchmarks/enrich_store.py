"""Benchmark: `mobrief enrich` on the same items in SQLite and in PostgreSQL, stage by stage (prints, never asserts).

Generates N Russian items of about 150–200 words (as benchmarks/enrich.py does, dated over the last days so
drafting takes them), stores them in a fresh SQLite file and a fresh PostgreSQL database, then runs what
`mobrief enrich` runs: enrichment, clustering and drafting, timing each. Rounds alternate the order of the
backends, so a machine shared with other jobs loads both alike. Floor: PostgreSQL within 1.3× of SQLite.

    .venv/bin/python benchmarks/enrich_store.py [--items 5000] [--rounds 2] [--backends sqlite,postgresql]

PostgreSQL: MOBRIEF_BENCH_PG (default postgresql+psycopg://postgres@127.0.0.1:5432/postgres) names the server; the
benchmark creates and drops its own database there.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import sqlalchemy as sa

from mobrief.brief import draft_stories
from mobrief.newsroom import clustering, drafting, enrichment, ingest
from mobrief.records import Item
from mobrief.settings import Settings
from mobrief.store import open_store

sys.path.insert(0, str(Path(__file__).parent))
from web_load import _database_backends_cpu

from enrich import generate  # the documents benchmarks/enrich.py times

PG_SERVER = os.environ.get("MOBRIEF_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def dated(items: list[Item]) -> list[Item]:
    """The documents spread over the last three days, 40 outlets, so clustering and drafting see a live desk."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    return [
        replace(
            item, id=None, source=f"channel_{n % 40}", published_at=now - dt.timedelta(seconds=50 * (len(items) - n))
        )
        for n, item in enumerate(items)
    ]


def run(url: str, items: list[Item]) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
    """Seconds spent enriching, clustering and drafting `items` in a fresh store at `url`: wall, this process's
    CPU (less sensitive to a shared machine's load), and on a local PostgreSQL its backends' CPU for the
    database (those alive at the stage's end: a process's own engine closed within the stage is not counted)."""
    store = open_store(url)
    settings = Settings.from_env({}, db=url)
    for start in range(0, len(items), 2000):
        ingest.ingest_items(store, items[start : start + 2000], kind="jsonl")
    stages = {
        "enrich": lambda: enrichment.enrich_pending(store, settings=settings),
        "cluster": lambda: clustering.cluster_pending(store, settings=settings),
        "draft": lambda: drafting.draft_pending(store, seen_since=draft_stories.recent_since({})),
    }
    local_pg = url.startswith("postgresql") and "127.0.0.1" in url and sys.platform.startswith("linux")

    def backends() -> float:
        return _database_backends_cpu(url) if local_pg else 0.0

    times, cpu, server = {}, {}, {}
    for name, stage in stages.items():
        began, began_cpu, began_server = time.perf_counter(), time.process_time(), backends()
        stage()
        times[name], cpu[name] = time.perf_counter() - began, time.process_time() - began_cpu
        server[name] = backends() - began_server
    times["total"], cpu["total"], server["total"] = sum(times.values()), sum(cpu.values()), sum(server.values())
    store.close()
    return times, cpu, server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    items = dated(generate(args.items, args.seed))
    print(f"{os.cpu_count()} cores; {len(items):,} items; backends: {', '.join(backends)}")
    admin = sa.create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    pg_name = f"mobrief_bench_enrich_{os.getpid()}"
    results: dict[str, list[dict[str, float]]] = {b: [] for b in backends}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for number in range(args.rounds):
                for backend in backends if number % 2 == 0 else backends[::-1]:
                    if backend == "sqlite":
                        url = f"sqlite:///{Path(tmp) / f'enrich-{number}.db'}"
                    else:
                        with admin.connect() as conn:
                            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {pg_name} WITH (FORCE)")
                            conn.exec_driver_sql(f"CREATE DATABASE {pg_name}")
                        url = PG_SERVER.rsplit("/", 1)[0] + "/" + pg_name
                    times, cpu, server = run(url, items)
                    results[backend].append(times)
                    print(
                        f"round {number + 1} {backend:10} "
                        + "  ".join(
                            f"{k} {v:6.1f} s (CPU {cpu[k]:5.1f}" + (f", server {server[k]:5.1f})" if server[k] else ")")
                            for k, v in times.items()
                        )
                        + f"  load {os.getloadavg()[0]:.1f}"
                    )
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {pg_name} WITH (FORCE)")
        admin.dispose()
    if "sqlite" in results and "postgresql" in results:
        for phase in ("enrich", "cluster", "draft", "total"):
            ratios = [
                pg[phase] / lite[phase] for lite, pg in zip(results["sqlite"], results["postgresql"], strict=True)
            ]
            print(f"{phase:8} PostgreSQL / SQLite: " + ", ".join(f"{r:.2f}" for r in ratios))
    print("floor: PostgreSQL total within 1.3× of SQLite")


if __name__ == "__main__":
    main()
