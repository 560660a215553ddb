"""Latency of the web app under 20 simulated editors: inbox, story and search pages over 100,000 items.

Generates a store (items with lemmas, enrichments, stories of 1–4 items), starts a real `mobrief serve`
subprocess and runs N concurrent signed-in editors with httpx (async), each reading a page, pausing briefly
(think time) and reading the next. Prints p50/p95/p99 and errors per page kind; never asserts
(floor: p95 < 300 ms and 0 errors on a 2-core machine).

Usage: python benchmarks/web_load.py [--items 100000] [--editors 20] [--duration 30] [--think 0.2]
       [--backend sqlite|postgresql (a fresh database of that kind) | --db URL] [--reuse] [--writes-every 1.5]

`--writes-every S` adds one more editor who triages a random story (skip, or back to new) about every S seconds,
so pages that keep what they read while nothing is committed (store/kept.py) are measured with commits coming in.

`--backend postgresql` creates (and afterwards drops) a database on the server MOBRIEF_BENCH_PG names
(default postgresql+psycopg://postgres@127.0.0.1:5432/postgres).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import sqlalchemy as sa

from mobrief import lemmas
from mobrief.store import open_store
from mobrief.store.schema import item_enrichments, items, sources, stories, story_items
from mobrief.web import auth

PASSWORD = "benchmark password"
WORDS = (
    "военкомат",
    "мобилизация",
    "повестка",
    "контракт",
    "выплата",
    "суд",
    "приговор",
    "колония",
    "дезертир",
    "солдат",
    "семья",
    "жена",
    "губернатор",
    "министерство",
    "обороны",
    "доброволец",
    "батальон",
    "школа",
    "студент",
    "регион",
    "область",
    "город",
    "полк",
    "рубль",
    "миллион",
    "компенсация",
    "ранение",
    "госпиталь",
    "похороны",
    "протест",
    "задержание",
    "штраф",
    "закон",
    "депутат",
)
PLACES = ["Белгородской области", "Курской области", "Казани", "Перми", "Бурятии", "Якутии", "Москве"]
PLACE_NAMES = {
    "Белгородской области": "the Belgorod region",
    "Курской области": "the Kursk region",
    "Казани": "Kazan",
    "Перми": "Perm",
    "Бурятии": "Buryatia",
    "Якутии": "Yakutia",
    "Москве": "Moscow",
}
SECTIONS = ["authorities", "recruitment", "soldiers", "legal", "children"]
OUTLETS = ["vyorstka", "mediazona", "astra", "sibir_realii", "ngs", "e1", "pepel", "rusnews"]


SYLLABLES = ("ка", "ро", "ми", "ла", "то", "ве", "ни", "су", "да", "ре", "по", "ки", "на", "зо", "лу", "ши")


def filler_words(rng: random.Random, count: int = 3000) -> list[str]:
    """Russian-looking nonce words, so the vocabulary is large and no search term matches half the store."""
    return list(dict.fromkeys("".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))) for _ in range(count)))


def generate(url: str, count: int, seed: int) -> tuple[int, int]:
    """Fill the store at `url` with `count` items in stories; returns (items, stories)."""
    rng = random.Random(seed)
    filler = filler_words(rng)
    store = open_store(url)
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    now = dt.datetime.now(dt.UTC)
    with store.engine.begin() as conn:
        conn.execute(
            sources.insert(),
            [
                {"name": o, "kind": "feed", "enabled": True, "options": {}, "state": {}, "created_at": now}
                for o in OUTLETS
            ],
        )
        source_ids = dict(conn.execute(sa.select(sources.c.name, sources.c.id)).all())  # type: ignore[arg-type]
    item_id = 0
    story_id = 0
    batch_items: list[dict[str, object]] = []
    batch_enrich: list[dict[str, object]] = []
    batch_stories: list[dict[str, object]] = []
    batch_links: list[dict[str, object]] = []

    def flush() -> None:
        with store.engine.begin() as conn:
            conn.execute(items.insert(), batch_items)
            conn.execute(item_enrichments.insert(), batch_enrich)
            conn.execute(stories.insert(), batch_stories)
            conn.execute(story_items.insert(), batch_links)
        for batch in (batch_items, batch_enrich, batch_stories, batch_links):
            batch.clear()

    began = time.perf_counter()
    while item_id < count:
        story_id += 1
        size = min(rng.choice((1, 1, 1, 2, 2, 3, 4)), count - item_id)
        when = start + dt.timedelta(minutes=item_id * 3 + rng.randint(0, 30))
        place = rng.choice(PLACES)
        amount = rng.randint(1, 9) * 100_000
        words = rng.sample(WORDS, 4) + rng.sample(filler, 8)
        section = rng.choice(SECTIONS)
        outlets = rng.sample(OUTLETS, size)
        for k in range(size):
            item_id += 1
            text = f"В {place} " + " ".join(rng.sample(words, 10) + rng.sample(filler, 20)) + f" {amount} рублей."
            batch_items.append(
                {
                    "id": item_id,
                    "source_id": source_ids[outlets[k]],
                    "external_id": str(item_id),
                    "url": f"https://example.org/{outlets[k]}/{item_id}",
                    "published_at": when + dt.timedelta(minutes=k),
                    "title": "",
                    "text": text,
                    "lang": "ru",
                    "author": None,
                    "links": [],
                    "raw": {},
                    "content_hash": f"{item_id:064x}",
                    "search_lemmas": lemmas.search_text(text),
                    "snapshot_id": None,
                    "edited_at": None,
                    "ingested_at": now,
                    "updated_at": now,
                }
            )
            batch_enrich.append(
                {
                    "item_id": item_id,
                    "lang": "ru",
                    "relevance": rng.random(),
                    "is_relevant": rng.random() < 0.8,
                    "section": section,
                    "section_confidence": 0.7,
                    "entities": [],
                    "places": [{"name": PLACE_NAMES[place], "key": place, "text": place}],
                    "amounts": [{"currency": "RUB", "value": amount, "text": f"{amount} рублей", "usd": amount / 90}],
                    "stage_versions": {},
                    "updated_at": now,
                }
            )
            batch_links.append({"item_id": item_id, "story_id": story_id, "method": "new", "score": 1.0})
        batch_stories.append(
            {
                "id": story_id,
                "title": " ".join(words[:6]),
                "first_seen": when,
                "last_seen": when + dt.timedelta(minutes=size - 1),
                "outlets": outlets,
                "places": [PLACE_NAMES[place]],
                "section": section,
                "status": "new",
                "pinned": False,
                "entry_text": None,
                "signature": None,
                "updated_at": now,
            }
        )
        if len(batch_items) >= 5000:
            flush()
    if batch_items:
        flush()
    if store.dialect == "sqlite":  # rows inserted here, not by the store: build the full-text index over them
        with store.engine.begin() as conn:
            conn.exec_driver_sql("INSERT INTO items_fts(items_fts) VALUES ('rebuild')")
    if store.dialect == "postgresql":  # ids were given explicitly: move the sequences past them
        with store.engine.begin() as conn:
            for table in (items, stories):
                top = conn.execute(sa.select(sa.func.max(table.c.id))).scalar()
                conn.execute(sa.select(sa.func.setval(sa.func.pg_get_serial_sequence(table.name, "id"), top)))
            conn.execute(sa.text("ANALYZE"))
    store.close()
    print(f"generated {item_id:,} items in {story_id:,} stories in {time.perf_counter() - began:.1f} s")
    return item_id, story_id


def add_editors(url: str, count: int) -> None:
    """One account per simulated editor: signing in ends the same account's other session."""
    store = open_store(url)
    try:
        taken = {u.email for u in store.users.list()}
        password_hash = auth.hash_password(PASSWORD)
        for n in range(count):
            if editor_email(n) not in taken:
                store.users.add(editor_email(n), password_hash, "editor")
    finally:
        store.close()


def editor_email(n: int) -> str:
    return f"editor-{n}@example.org"


def existing_stories(url: str) -> int:
    store = open_store(url)
    try:
        with store.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(stories)).scalar() or 0)
    finally:
        store.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def sign_in(base: str, n: int) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base, timeout=30)
    page = await client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    response = await client.post(
        "/login", data={"email": editor_email(n), "password": PASSWORD, "csrf_token": token.group(1)}
    )
    assert response.status_code == 303, response.status_code
    return client


async def editor(
    client: httpx.AsyncClient,
    n_stories: int,
    until: float,
    think: float,
    seed: int,
    results: dict[str, list[float]],
    errors: dict[str, int],
    mix: tuple[str, ...],
) -> None:
    rng = random.Random(seed)
    try:
        while time.monotonic() < until:
            kind = rng.choice(mix)
            if kind == "inbox":
                params = {"offset": str(rng.choice((0, 0, 0, 50, 100, 500)))}
                if rng.random() < 0.4:
                    params["section"] = rng.choice(SECTIONS)
                if rng.random() < 0.2:
                    params["source"] = rng.choice(OUTLETS)
                url, query = "/inbox", params
            elif kind == "story":
                url, query = f"/stories/{rng.randint(1, n_stories)}", {}
            else:
                url, query = "/search", {"q": " ".join(rng.sample(WORDS, rng.choice((1, 2))))}
            began = time.perf_counter()
            try:
                response = await client.get(url, params=query)
                ok = response.status_code == 200
            except httpx.HTTPError:
                ok = False
            results[kind].append(time.perf_counter() - began)
            if not ok:
                errors[kind] += 1
            await asyncio.sleep(rng.uniform(0, 2 * think))
    finally:
        await client.aclose()


async def writer(client: httpx.AsyncClient, n_stories: int, until: float, every: float, done: list[int]) -> None:
    """One editor triaging: a random story skipped or put back to new about every `every` seconds."""
    rng = random.Random(99)
    try:
        page = await client.get("/inbox")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token is not None
        while time.monotonic() < until:
            await asyncio.sleep(rng.uniform(0, 2 * every))
            story, status = rng.randint(1, n_stories), rng.choice(("skip", "new"))
            response = await client.post(
                f"/stories/{story}/status", data={"status": status, "csrf_token": token.group(1)}
            )
            if response.status_code == 303:
                done.append(story)
    finally:
        await client.aclose()


def _processes_cpu(pids: list[int]) -> float:
    """CPU time so far of these processes (those that have ended count nothing), from /proc."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _cpu_seconds(pid: int) -> float:
    """CPU time of a process and its children so far (uvicorn's workers are its children)."""
    return _processes_cpu([pid, *_children(pid)])


def _database_backends_cpu(url: str) -> float:
    """CPU time so far of the local PostgreSQL backends serving the benchmark's database (their titles name it)."""
    database = url.rsplit("/", 1)[1].split("?")[0]
    pids = []
    for proc in Path("/proc").iterdir():
        try:
            title = (proc / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if title.startswith("postgres: ") and f" {database} " in title:
            pids.append(int(proc.name))
    return _processes_cpu(pids)


def _tcp_sockets(port: int) -> dict[str, str]:
    """Each IPv4 socket on local `port`, "socket:[inode]" → its state ("0A" listening, "01" established), from
    /proc (Linux)."""
    found = {}
    for fields in map(str.split, Path("/proc/net/tcp").read_text().splitlines()[1:]):
        if int(fields[1].rsplit(":", 1)[1], 16) == port:
            found[f"socket:[{fields[9]}]"] = fields[3]
    return found


def _listening_sockets(port: int) -> int:
    """How many sockets listen on `port` (one a worker process with SO_REUSEPORT)."""
    return sum(state == "0A" for state in _tcp_sockets(port).values())


def _connections_per_worker(pid: int, port: int) -> list[int]:
    """Editors' connections each server process holds: how evenly the workers share them."""
    established = {name for name, state in _tcp_sockets(port).items() if state == "01"}
    held = []
    for process in [pid, *_children(pid)]:
        try:
            fds = [str(fd.readlink()) for fd in Path(f"/proc/{process}/fd").iterdir()]
        except OSError:
            continue
        if count := sum(fd in established for fd in fds):
            held.append(count)
    return sorted(held, reverse=True)


def _children(pid: int) -> list[int]:
    try:
        found = [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []
    return found + [grandchild for child in found for grandchild in _children(child)]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def load(
    base: str,
    n_stories: int,
    editors: int,
    duration: float,
    think: float,
    mix: tuple[str, ...],
    started: Callable[[], None],
    ending: Callable[[], None] = lambda: None,
    writes_every: float = 0.0,
) -> int:
    """Run the editors for `duration` seconds (after they sign in, when `started()` is called; `ending()` half a
    second before the end, while they still hold their connections); returns requests."""
    results: dict[str, list[float]] = {"inbox": [], "story": [], "search": []}
    errors = {"inbox": 0, "story": 0, "search": 0}
    clients = await asyncio.gather(*(sign_in(base, n) for n in range(editors)))  # argon2: not what we time
    writing = await sign_in(base, editors) if writes_every else None
    writes: list[int] = []
    started()
    until = time.monotonic() + duration

    async def near_the_end() -> None:
        await asyncio.sleep(max(0.0, duration - 0.5))
        ending()

    editors_done = [editor(c, n_stories, until, think, n, results, errors, mix) for n, c in enumerate(clients)]
    if writing is not None:
        editors_done.append(writer(writing, n_stories, until, writes_every, writes))
    await asyncio.gather(near_the_end(), *editors_done)
    total = sum(len(v) for v in results.values())
    print(
        f"{editors} editors, {duration:.0f} s, think time ~{think:.2f} s: {total:,} requests ({total / duration:.0f}/s)"
        + (f"; one more editor triaged {len(writes)} stories" if writing is not None else "")
    )
    print(f"{'page':8} {'requests':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for kind, values in results.items():
        if values:
            print(
                f"{kind:8} {len(values):9,} {statistics.median(values) * 1000:8.1f} "
                f"{percentile(values, 0.95):8.1f} {percentile(values, 0.99):8.1f} {errors[kind]:7}"
            )
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--editors", type=int, default=20)
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--think", type=float, default=0.2, help="mean pause between an editor's requests (s)")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--pages", default="inbox,story,search", help="page kinds to read (inbox counts twice)")
    parser.add_argument("--db", help="database URL (default: a fresh database of --backend)")
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reuse", action="store_true", help="use the stories already in --db if it has some")
    parser.add_argument("--writes-every", type=float, default=0.0, help="one more editor triages every ~S s")
    args = parser.parse_args()
    server = os.environ.get("MOBRIEF_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    fresh_pg = None if args.db or args.backend == "sqlite" else f"mobrief_bench_web_{os.getpid()}"
    if fresh_pg:
        admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f"CREATE DATABASE {fresh_pg}")
    print(f"{os.cpu_count()} cores; backend {args.db.split(':')[0] if args.db else args.backend}")
    try:
        run(args, fresh_pg and server.rsplit("/", 1)[0] + "/" + fresh_pg)
    finally:
        if fresh_pg:
            with admin.connect() as conn:
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {fresh_pg} WITH (FORCE)")
            admin.dispose()


def run(args: argparse.Namespace, pg_url: str | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = args.db or pg_url or f"sqlite:///{Path(folder) / 'load.db'}"
        n_stories = existing_stories(url) if args.reuse else 0
        if not n_stories:
            _, n_stories = generate(url, args.items, args.seed)
        add_editors(url, args.editors + (1 if args.writes_every else 0))
        port = _free_port()
        env = {**os.environ, "MOBRIEF_SECRET_KEY": "benchmark-secret-0123456789"}
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "mobrief",
                "--db",
                url,
                "serve",
                "--port",
                str(port),
                "--workers",
                str(args.workers),
            ],
            env=env,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise SystemExit("mobrief serve did not start") from None
                    time.sleep(0.3)
            while args.workers > 1 and sys.platform.startswith("linux") and _listening_sockets(port) < args.workers:
                if time.monotonic() > deadline:  # the editors' connections stay with the workers that were up
                    raise SystemExit("not every worker of mobrief serve started listening")
                time.sleep(0.3)
            mix = tuple(p for p in args.pages.split(",") for _ in range(2 if p == "inbox" else 1))
            mark: list[float] = []

            spread: list[int] = []
            local_pg = url.startswith("postgresql") and ("127.0.0.1" in url or "localhost" in url)

            def backends_cpu() -> float:
                return _database_backends_cpu(url) if local_pg and sys.platform.startswith("linux") else 0.0

            def started() -> None:
                mark[:] = [_cpu_seconds(server.pid), time.process_time(), time.monotonic(), backends_cpu()]
                spread[:] = _connections_per_worker(server.pid, port) if sys.platform.startswith("linux") else []

            spread_at_end: list[int] = []

            def ending() -> None:
                if spread:
                    spread_at_end[:] = _connections_per_worker(server.pid, port)

            requests = asyncio.run(
                load(base, n_stories, args.editors, args.duration, args.think, mix, started, ending, args.writes_every)
            )
            wall = time.monotonic() - mark[2]
            server_cpu, client_cpu = _cpu_seconds(server.pid) - mark[0], time.process_time() - mark[1]
            print(
                f"CPU: server {server_cpu / max(requests, 1) * 1000:.1f} ms a request ({server_cpu / wall:.2f} cores), "
                f"this load generator {client_cpu / max(requests, 1) * 1000:.1f} ms a request "
                f"({client_cpu / wall:.2f} cores); load average {os.getloadavg()[0]:.1f}"
            )
            if local_pg:
                backends = backends_cpu() - mark[3]
                print(
                    f"PostgreSQL's backends for this database: {backends / max(requests, 1) * 1000:.1f} ms a request "
                    f"({backends / wall:.2f} cores)"
                )
            if spread:
                print(
                    f"editors' connections held by each server process: {', '.join(map(str, spread))} at the start, "
                    f"{', '.join(map(str, spread_at_end))} at the end"
                )
        finally:
            server.terminate()
            server.wait(timeout=20)


if __name__ == "__main__":
    main()
