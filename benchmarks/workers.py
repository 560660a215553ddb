"""Items/s to ingest and enrich (then cluster) a generated backlog on the team server with 1 and 2 workers.

Each run gets a fresh PostgreSQL database: `mobrief db upgrade`, `ingest jsonl`, `enrich --defer`, then N
`mobrief worker --until-idle` processes drain the queue. Prints the rate per run, the median and the spread,
and the ratio of 2 workers to 1; never asserts. Runs alternate 1 and 2 workers, so a machine shared with
other jobs loads both alike.

Usage: python benchmarks/workers.py [--cases 150] [--runs 3] [--batch 50] [--pg postgresql+psycopg://…/postgres]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from importlib import resources
from pathlib import Path

import sqlalchemy as sa

NAMES = [f"{first} {last}" for first in ("Алексей", "Иван", "Олег", "Павел") for last in ("Лапин", "Зуев", "Гущин")]
CITIES = ["Казани", "Самаре", "Перми", "Уфе", "Томске"]
STAGES = ["В {where} задержали мобилизованного {name}.", "Суд в {where} арестовал мобилизованного {name}."]


def write_backlog(path: Path, cases: int, seed: int = 7) -> int:
    """Cases of two stages each, retold by two or three outlets, from our own example sentences."""
    corpus = resources.files("mobrief.enrich").joinpath("data/relevance_corpus.jsonl").read_text("utf-8")
    sentences = [json.loads(line)["text"] for line in corpus.splitlines() if line.strip()]
    sentences = [s for s in sentences if any("а" <= ch <= "я" for ch in s) and len(s) > 60]
    rng = random.Random(seed)
    start = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    lines = []
    for case in range(cases):
        name, where = f"{rng.choice(NAMES)} {case}", CITIES[case % len(CITIES)]
        background = rng.sample(sentences, 4)
        for stage, template in enumerate(STAGES):
            when = start + dt.timedelta(hours=case * 5, days=stage * 6)
            text = " ".join([template.format(name=name, where=where), *background, rng.choice(sentences)])
            for n, outlet in enumerate(rng.sample(["a", "b", "c"], rng.choice([2, 3]))):
                lines.append(
                    {
                        "source": f"outlet-{outlet}",
                        "external_id": f"{case}-{stage}-{outlet}",
                        "published_at": (when + dt.timedelta(minutes=30 * n)).isoformat(),
                        "title": text.split(".")[0],
                        "text": text,
                    }
                )
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    return len(lines)


def mobrief(url: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "mobrief", "--db", url, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def finish(proc: subprocess.Popen[str]) -> str:
    out, err = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"mobrief failed: {err}")
    return out


def one_run(admin_url: str, backlog: Path, items: int, workers: int, batch: int) -> tuple[float, float]:
    """(items/s of ingest + enrichment + clustering, items/s of the workers' drain alone) on a fresh database."""
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"mobrief_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    url = admin_url.rsplit("/", 1)[0] + "/" + name
    try:
        finish(mobrief(url, "db", "upgrade"))
        started = time.perf_counter()
        finish(mobrief(url, "ingest", "jsonl", str(backlog), "--json"))
        finish(mobrief(url, "enrich", "--defer", "--batch", str(batch), "--json"))
        queued = time.perf_counter()
        procs = [mobrief(url, "worker", "--until-idle", "--json") for _ in range(workers)]
        enriched = sum(json.loads(finish(proc)).get("enriched", 0) for proc in procs)
        ended = time.perf_counter()
        if enriched != items:
            print(f"  warning: {enriched} items enriched of {items}")
        return items / (ended - started), items / (ended - queued)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=150)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--batch", type=int, default=50)
    ap.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        backlog = Path(tmp) / "backlog.jsonl"
        items = write_backlog(backlog, args.cases)
        print(f"backlog: {items} items; enrich jobs of {args.batch}; {args.runs} runs each, alternating")
        rates: dict[int, list[tuple[float, float]]] = {1: [], 2: []}
        for run in range(args.runs):
            for workers in (1, 2):
                total, drain = one_run(args.pg, backlog, items, workers, args.batch)
                rates[workers].append((total, drain))
                print(f"  run {run + 1}, {workers} worker{'s' * (workers > 1)}: {total:6.1f} items/s end to end, "
                      f"{drain:6.1f} items/s drain")  # fmt: skip
    for workers in (1, 2):
        totals = [t for t, _ in rates[workers]]
        drains = [d for _, d in rates[workers]]
        print(
            f"{workers} worker{'s' * (workers > 1)}: median {statistics.median(totals):6.1f} items/s end to end "
            f"(min {min(totals):.1f}, max {max(totals):.1f}); drain median {statistics.median(drains):.1f}"
        )
    one = statistics.median(t for t, _ in rates[1])
    two = statistics.median(t for t, _ in rates[2])
    ratios = [b[0] / a[0] for a, b in zip(rates[1], rates[2], strict=True)]
    print(f"ratio 2 workers / 1: {two / one:.2f} (per run: {', '.join(f'{r:.2f}' for r in ratios)})")


if __name__ == "__main__":
    main()
