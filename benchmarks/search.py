"""Benchmark: report, story and brief search at a million items on SQLite and PostgreSQL, beside a bare FTS5 floor.

Generates N Russian items (default 1,000,000): real word forms (every form pymorphy3 gives the lemmas of our own
example sentences), lemmas drawn Zipf-distributed, one of 12 beat templates per item, and a rare surname in one
item of five. Writes them as JSONL and ingests that file through `mobrief ingest jsonl`'s own path
(`newsroom.ingest.ingest`) into a fresh SQLite file and a fresh PostgreSQL database, beside a floor measured in the same
run (json + lemmas + one executemany per 2,000 rows into a bare table with its full-text index). Then groups the
items into stories of 1–4, publishes briefs of English and Russian paragraphs, and times 20 queries of each kind
(rare word, common word, inflected form, two words) for reports, stories and brief paragraphs. Prints p50/p95 and
the ratio to the floors; never asserts.

    .venv/bin/python benchmarks/search.py [--items 1000000] [--backends sqlite,postgresql] [--keep DIR [--reuse]]

PostgreSQL: MOBRIEF_BENCH_PG (default postgresql+psycopg://postgres@127.0.0.1:5432/postgres) names the server; the
benchmark creates and drops its own database there.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from mobrief import lemmas
from mobrief.newsroom import ingest as ingesting
from mobrief.records import Brief, BriefSection
from mobrief.settings import Settings
from mobrief.store import open_store
from mobrief.store.schema import items, stories, story_items

PG_SERVER = os.environ.get("MOBRIEF_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
START = dt.datetime(2023, 1, 1, tzinfo=dt.UTC)
TEMPLATES = (
    "{place} военкомат разослал повестки мужчинам, {tail}",
    "{place} жёны мобилизованных вышли на пикет, {tail}",
    "{place} власти повысили выплату за подписание контракта до {n} тысяч рублей, {tail}",
    "{place} суд приговорил местного жителя к {n} годам колонии за поджог военкомата, {tail}",
    "{place} сотрудники Росгвардии задержали участников акции, {tail}",
    "{place} студентам колледжа предложили заключить контракт, {tail}",
    "{place} матери срочников пожаловались на отправку сыновей в приграничные районы, {tail}",
    "{place} неизвестные подожгли дверь военного комиссариата, {tail}",
    "{place} силовики пришли с обысками к родственникам добровольца, {tail}",
    "{place} депутаты приняли закон о новых льготах для участников войны, {tail}",
    "{place} мобилизованный пожаловался, что не может получить операцию, {tail}",
    "{place} в школах провели урок с участием ветеранов, {tail}",
)
PLACES = ("В Белгородской области", "В Бурятии", "В Москве", "В Казани", "В Перми", "В Якутии", "На Кубани")
SURNAME_STEMS = (
    "Пушкар", "Сорокин", "Васильк", "Михайлов", "Егор", "Кузнец", "Смирн", "Лебед", "Козл", "Новик", "Морозк", "Волк",
    "Зайц", "Павл", "Семён", "Голуб", "Виноград", "Богдан", "Воробь", "Фёдор",
)  # fmt: skip
SURNAME_ENDS = ("ов", "ев", "ин", "ский", "енко")


def vocabulary(seed: int) -> tuple[list[list[str]], list[str]]:
    """Word families (every form of a lemma, as pymorphy3 inflects it), in a random rank order, and surnames."""
    corpus = resources.files("mobrief.enrich").joinpath("data/relevance_corpus.jsonl").read_text("utf-8")
    words = {w.lower() for line in corpus.splitlines() if line.strip() for w in lemmas.words(json.loads(line)["text"])}
    import pymorphy3

    morph = pymorphy3.MorphAnalyzer(lang="ru")
    families: dict[str, set[str]] = {}
    for word in sorted(words):
        if not lemmas.is_cyrillic(word) or len(word) < 2:
            continue
        parse = morph.parse(word)[0]
        forms = {str(f.word) for f in parse.lexeme if "-" not in str(f.word)} or {word}
        families.setdefault(str(parse.normal_form), set()).update(forms)
    rng = random.Random(seed)
    ranked = [sorted(forms) for _, forms in sorted(families.items())]
    rng.shuffle(ranked)
    surnames = [f"{stem}{end}{k}" if k else f"{stem}{end}" for k in ("", "ин", "ов") for stem in SURNAME_STEMS
                for end in SURNAME_ENDS]  # fmt: skip
    return ranked, surnames


def zipf_sampler(n: int, rng: random.Random) -> Callable[[int], list[int]]:
    weights = [1.0 / (rank + 1) for rank in range(n)]
    return lambda k: rng.choices(range(n), weights=weights, k=k)


def generate(path: Path, count: int, seed: int) -> dict[str, Any]:
    """Write `count` items as JSONL; returns the vocabulary the queries are drawn from."""
    rng = random.Random(seed)
    families, surnames = vocabulary(seed)
    draw = zipf_sampler(len(families), rng)
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            ranks = draw(rng.randint(20, 60))
            tail = " ".join(rng.choice(families[r]) for r in ranks)
            text = rng.choice(TEMPLATES).format(place=rng.choice(PLACES), n=rng.randint(2, 9), tail=tail) + "."
            if rng.random() < 0.2:
                text += f" Об этом рассказал {rng.choice(surnames)}."
            when = START + dt.timedelta(seconds=n * 45 + rng.randint(0, 40))
            row = {"source": f"channel_{n % 40}", "external_id": str(n), "url": f"https://t.me/channel_{n % 40}/{n}",
                   "published_at": when.isoformat(), "title": "", "text": text, "lang": "ru"}  # fmt: skip
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return {"families": families, "surnames": surnames}


def queries(vocab: dict[str, Any], seed: int) -> dict[str, list[str]]:
    """20 queries of each kind: rare (a surname), common (a top-ranked word), inflected (another form of a
    mid-ranked word than its lemma), two words (two of the top 200)."""
    rng = random.Random(seed + 1)
    families: list[list[str]] = vocab["families"]
    top = families[:30]
    mid = [f for f in families[30:400] if len(f) > 3]
    return {
        "rare": [rng.choice(vocab["surnames"]) + rng.choice(("", "а", "у")) for _ in range(20)],
        "common": [rng.choice(f) for f in rng.sample(top, 20)],
        "inflected": [rng.choice(f[1:]) for f in rng.sample(mid, 20)],
        "two words": [
            f"{rng.choice(a)} {rng.choice(b)}" for a, b in (rng.sample(families[:200], 2) for _ in range(20))
        ],
    }


# ---- the floor: parse, lemmas, insert, index; nothing else ----


def floor_sqlite(path: Path, folder: Path) -> float:
    db = sqlite3.connect(folder / "floor.db")
    db.executescript(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
        "CREATE TABLE items (id INTEGER PRIMARY KEY, source TEXT, external_id TEXT, url TEXT, published_at TEXT,"
        " title TEXT, text TEXT, lang TEXT, search_lemmas TEXT, UNIQUE (source, external_id));"
        "CREATE VIRTUAL TABLE items_fts USING fts5(search_lemmas, content='items', content_rowid='id',"
        " tokenize='ascii');"
    )
    began = time.perf_counter()
    count = 0
    for batch in _floor_batches(path):
        top = db.execute("SELECT coalesce(max(id), 0) FROM items").fetchone()[0]
        db.executemany("INSERT INTO items (source, external_id, url, published_at, title, text, lang, search_lemmas)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", batch)  # fmt: skip
        db.execute(
            "INSERT INTO items_fts(rowid, search_lemmas) SELECT id, search_lemmas FROM items WHERE id > ?", (top,)
        )
        db.commit()
        count += len(batch)
    elapsed = time.perf_counter() - began
    db.close()
    return count / elapsed


def floor_postgres(path: Path, url: str) -> float:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS floor_items")
        conn.exec_driver_sql(
            "CREATE TABLE floor_items (id serial PRIMARY KEY, source text, external_id text, url text,"
            " published_at timestamptz, title text, text text, lang text, search_lemmas text,"
            " search_vector tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_lemmas)) STORED,"
            " UNIQUE (source, external_id))"
        )
        conn.exec_driver_sql("CREATE INDEX ON floor_items USING GIN (search_vector)")
    began = time.perf_counter()
    count = 0
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for batch in _floor_batches(path):
            cursor.executemany("INSERT INTO floor_items (source, external_id, url, published_at, title, text, lang,"
                               " search_lemmas) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)", batch)  # fmt: skip
            raw.commit()
            count += len(batch)
        elapsed = time.perf_counter() - began
        cursor.execute("DROP TABLE floor_items")
        raw.commit()
    finally:
        raw.close()
        engine.dispose()
    return count / elapsed


def _floor_batches(path: Path) -> Any:
    batch = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            text = f"{row['title']}\n{row['text']}" if row["title"] else row["text"]
            batch.append((row["source"], row["external_id"], row["url"], row["published_at"], row["title"],
                          row["text"], row["lang"], lemmas.search_text(text)))  # fmt: skip
            if len(batch) == 2000:
                yield batch
                batch = []
    if batch:
        yield batch


# ---- the store as mobrief fills it ----


def ingest(url: str, path: Path) -> float:
    store = open_store(url)
    began = time.perf_counter()
    report = ingesting.ingest(store, "jsonl", str(path), settings=Settings.from_env({}, db=url))
    rate = report.read / (time.perf_counter() - began)
    store.close()
    return rate


def add_stories_and_briefs(url: str, vocab: dict[str, Any], seed: int) -> None:
    """Stories of 1–4 consecutive items (as clustering would leave them) and 600 published briefs of 30
    paragraphs, a third of them quoting Russian."""
    rng = random.Random(seed + 2)
    store = open_store(url)
    now = dt.datetime.now(dt.UTC)
    with store.engine.begin() as conn:
        ids = [int(i) for i in conn.execute(sa.select(items.c.id).order_by(items.c.id)).scalars()]
        rows, links, at, story_id = [], [], 0, 0
        while at < len(ids):
            size = min(rng.choice((1, 1, 2, 3, 4)), len(ids) - at)
            story_id += 1
            when = START + dt.timedelta(seconds=ids[at] * 45)
            rows.append({"id": story_id, "title": f"История {story_id}", "first_seen": when, "last_seen": when,
                         "outlets": [], "places": [], "section": "authorities", "status": "new", "pinned": False,
                         "entry_text": None, "signature": None, "updated_at": now})  # fmt: skip
            links += [
                {"item_id": i, "story_id": story_id, "method": "bench", "score": 1.0} for i in ids[at : at + size]
            ]
            at += size
            if len(rows) >= 5000:
                conn.execute(stories.insert(), rows)
                conn.execute(story_items.insert(), links)
                rows, links = [], []
        if rows:
            conn.execute(stories.insert(), rows)
            conn.execute(story_items.insert(), links)
        if store.dialect == "postgresql":
            conn.exec_driver_sql(
                "SELECT setval(pg_get_serial_sequence('stories', 'id'), (SELECT max(id) FROM stories))"
            )
    english = (
        "Police detained {w} protesters near the draft office.",
        "Mobilized soldiers complained about {w}.",
        "A court sentenced a deserter from {w} to five years.",
        "Officials promised {w} rubles to volunteers.",
    )
    families: list[list[str]] = vocab["families"]
    for b in range(600):
        end = (START + dt.timedelta(days=2 * b)).date()
        paragraphs = []
        for _ in range(30):
            words = " ".join(rng.choice(rng.choice(families[:300])) for _ in range(rng.randint(3, 12)))
            text = rng.choice(english).format(w=rng.choice(vocab["surnames"]))
            paragraphs.append(f"{text} [{words}]" if rng.random() < 0.33 else text)
        brief = Brief(title=f"Mobilization in Russia, brief {b}", period_start=end - dt.timedelta(days=1),
                      period_end=end, sections=(BriefSection(key="authorities", heading="Authorities",
                                                             paragraphs=tuple(paragraphs)),))  # fmt: skip
        store.briefs.save(brief)
    store.search.refresh_paragraphs()
    if store.dialect == "postgresql":
        with store.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    store.close()


def percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered) * 1000, ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] * 1000


def time_searches(url: str, kinds: dict[str, list[str]]) -> dict[tuple[str, str], tuple[float, float]]:
    store = open_store(url)
    out = {}
    finders = {"reports": store.search.reports, "stories": store.search.stories, "briefs": store.search.paragraphs}
    for what, find in finders.items():
        find("прогрев")  # warm the lemma cache and the connection pool
        for kind, texts in kinds.items():
            times = []
            for text in texts:
                began = time.perf_counter()
                find(text, limit=20)
                times.append(time.perf_counter() - began)
            out[(what, kind)] = percentiles(times)
    store.close()
    return out


def time_fts5_floor(path: Path, kinds: dict[str, list[str]]) -> dict[str, dict[str, tuple[float, float]]]:
    """The same queries as bare FTS5 statements on the same file: bm25 over every match, and newest first."""
    from mobrief.store.search_sqlite import fts5_match

    db = sqlite3.connect(path)
    statements = {
        "bm25": "SELECT rowid FROM items_fts WHERE items_fts MATCH ? ORDER BY rank LIMIT 20",
        "newest": "SELECT rowid FROM items_fts WHERE items_fts MATCH ? ORDER BY rowid DESC LIMIT 20",
    }
    out: dict[str, dict[str, tuple[float, float]]] = {}
    for name, sql in statements.items():
        out[name] = {}
        for kind, texts in kinds.items():
            times = []
            for text in texts:
                match = fts5_match(list(dict.fromkeys(lemmas.lemmatize(text))))
                began = time.perf_counter()
                db.execute(sql, (match,)).fetchall()
                times.append(time.perf_counter() - began)
            out[name][kind] = percentiles(times)
    db.close()
    return out


def time_cli(url: str, word: str) -> float:
    began = time.perf_counter()
    subprocess.run([sys.executable, "-m", "mobrief", "--db", url, "items", "search", word, "--json"],
                   check=True, capture_output=True)  # fmt: skip
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--keep", help="keep the generated file, the SQLite file and the PostgreSQL database")
    parser.add_argument("--reuse", action="store_true", help="time searches on what an earlier --keep run kept")
    args = parser.parse_args()
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    print(f"{os.cpu_count()} cores; {args.items:,} items; backends: {', '.join(backends)}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        data = folder / f"items-{args.items}.jsonl"
        began = time.perf_counter()
        if args.reuse:
            vocab: dict[str, Any] = dict(zip(("families", "surnames"), vocabulary(args.seed), strict=True))
        else:
            vocab = generate(data, args.items, args.seed)
            print(f"generated {data.stat().st_size / 1e6:.0f} MB of JSONL in {time.perf_counter() - began:.0f} s")
        kinds = queries(vocab, args.seed)
        sqlite_path = folder / f"search-{args.items}.db"
        pg_name = f"mobrief_bench_search_{args.items}" if args.keep else f"mobrief_bench_search_{os.getpid()}"
        pg_url = PG_SERVER.rsplit("/", 1)[0] + "/" + pg_name
        urls = {"sqlite": f"sqlite:///{sqlite_path}", "postgresql": pg_url}
        admin = sa.create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
        try:
            results = {}
            for backend in backends:
                if args.reuse:
                    results[backend] = time_searches(urls[backend], kinds)
                    continue
                if backend == "sqlite":
                    for suffix in ("", "-wal", "-shm"):
                        Path(f"{sqlite_path}{suffix}").unlink(missing_ok=True)
                    floor = floor_sqlite(data, folder)
                    (folder / "floor.db").unlink(missing_ok=True)
                else:
                    with admin.connect() as conn:
                        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {pg_name} WITH (FORCE)")
                        conn.exec_driver_sql(f"CREATE DATABASE {pg_name}")
                    floor = floor_postgres(data, pg_url)
                rate = ingest(urls[backend], data)
                print(f"{backend:10} ingest {rate:8,.0f} items/s; floor (json + lemmas + insert + index) "
                      f"{floor:8,.0f} items/s; ratio {rate / floor:.2f}")  # fmt: skip
                add_stories_and_briefs(urls[backend], vocab, args.seed)
                results[backend] = time_searches(urls[backend], kinds)
                cli = time_cli(urls[backend], "повестки")
                print(f"{backend:10} `mobrief items search повестки` (a new process) {cli:.2f} s")
            fts = time_fts5_floor(sqlite_path, kinds) if "sqlite" in backends else None
            floors = f" {'FTS5 bm25 p50/p95':>20} {'FTS5 newest':>14} {'p95 / bm25 p95':>16}" if fts else ""
            print(f"\n{'search':8} {'kind':10} " + " ".join(f"{b + ' p50/p95 ms':>26}" for b in backends) + floors)
            for what, kind in results[backends[0]]:
                line = f"{what:8} {kind:10} " + " ".join(
                    f"{results[b][(what, kind)][0]:12.1f} / {results[b][(what, kind)][1]:9.1f}" for b in backends
                )
                if fts and what == "reports":
                    bm25, newest = fts["bm25"][kind], fts["newest"][kind]
                    ratios = "/".join(f"{results[b][(what, kind)][1] / bm25[1]:.2f}" for b in backends)
                    line += f" {bm25[0]:8.1f} / {bm25[1]:8.1f} {newest[0]:5.1f} / {newest[1]:5.1f} {ratios:>16}"
                print(line)
            print("floor: p95 < 100 ms for every kind on both backends; ingest ≥ 0.5× its floor")
        finally:
            if "postgresql" in backends and not args.keep:
                with admin.connect() as conn:
                    conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {pg_name} WITH (FORCE)")
            admin.dispose()


if __name__ == "__main__":
    main()
