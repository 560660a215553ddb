"""Benchmark: ingest a generated Telegram Desktop export into SQLite, against a bare json+executemany floor.

Prints messages/s for `mobrief.newsroom.ingest.ingest(store, "telegram-export", …)` and for the floor (`json.load`
of the same file + one `executemany` per 1,000 rows into a bare table), their ratio, and each run's peak RSS.
Each run happens in its own child process so its peak RSS is its own; mobrief reads a file this large in a
reader process of its own, whose CPU time is counted and whose peak RSS is printed beside. Never asserts.

    .venv/bin/python benchmarks/ingest_telegram.py --messages 200000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

CHANNEL = "bench_channel"
START = 1_717_200_000  # 2024-06-01 00:00 UTC

# Fictional sentence parts, combined at random into posts that read like the channels we follow.
SUBJECTS = [
    "В Белгородской области",
    "На Белгородчине",
    "В Республике Бурятия",
    "В Москве",
    "В Санкт-Петербурге",
    "В Свердловской области",
    "В Краснодарском крае",
    "В Новосибирске",
    "В Башкортостане",
    "В Пермском крае",
    "В Якутии",
    "В Курской области",
]
EVENTS = [
    "военкомат разослал повестки мужчинам, которые уже прошли срочную службу",
    "жёны мобилизованных вышли на пикет с требованием вернуть мужей домой",
    "власти повысили единовременную выплату за подписание контракта с Минобороны до {money}",
    "суд приговорил местного жителя к {years} годам колонии за поджог военкомата",
    "сотрудники Росгвардии задержали участников акции у здания администрации",
    "студентам колледжа предложили заключить контракт и получить {money}",
    "матери срочников пожаловались, что их сыновей отправляют в приграничные районы",
    "неизвестные подожгли дверь военного комиссариата, возбуждено уголовное дело",
    "силовики пришли с обысками к родственникам добровольца, отказавшегося вернуться на фронт",
    "депутаты приняли закон о новых льготах для участников «специальной военной операции»",
    "мобилизованный пожаловался, что девять месяцев не может получить операцию",
    "в школах провели урок «Разговоры о важном» с участием ветеранов СВО",
]
DETAILS = [
    "Об этом сообщает телеграм-канал «Вёрстка».",
    "Как пишет «Медиазона», задержанным грозит до пяти лет лишения свободы.",
    "По данным «Агентства», таких случаев за последний месяц стало больше.",
    "Родственники просят не публиковать их имена, опасаясь давления.",
    "В пресс-службе регионального правительства от комментариев отказались.",
    "Ранее в регионе уже выплачивали по 65 000 рублей в месяц семьям добровольцев.",
    "Адвокат намерен обжаловать решение суда.",
    "Фото: очевидцы.",
    "Подписывайтесь на наш канал, чтобы не пропустить главное.",
]
MONEY = ["3 млн рублей", "200 тыс. руб.", "2 млн рублей", "1,7 млн руб.", "500 000 рублей", "1 200 000 ₽"]
HOSTS = ["verstka.media", "zona.media", "agents.media", "example.org", "gov-region.example.ru"]


def _sentence(rng: random.Random) -> str:
    event = rng.choice(EVENTS).format(money=rng.choice(MONEY), years=rng.randint(2, 14))
    return f"{rng.choice(SUBJECTS)} {event}."


def make_message(rng: random.Random, message_id: int) -> dict[str, Any]:
    """One generated channel post (or, rarely, a service message) in Telegram Desktop's export shape."""
    stamp = START + message_id * 17
    date = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(stamp + 3 * 3600))
    if rng.random() < 0.01:
        return {
            "id": message_id,
            "type": "service",
            "date": date,
            "date_unixtime": str(stamp),
            "actor": "Бенчмарк",
            "actor_id": "channel1000000001",
            "action": "pin_message",
            "message_id": message_id - 1,
            "text": "",
            "text_entities": [],
        }
    entities: list[dict[str, Any]] = []
    if rng.random() < 0.5:
        entities.append({"type": "bold", "text": "⚡️ " + rng.choice(SUBJECTS) + "\n"})
    for _ in range(rng.randint(1, 2)):
        entities.append({"type": "plain", "text": _sentence(rng) + " "})
    if rng.random() < 0.7:
        host = rng.choice(HOSTS)
        entities.append(
            {"type": "text_link", "text": "Подробнее", "href": f"https://{host}/news/{rng.randint(1, 10**6)}"}
        )
        entities.append({"type": "plain", "text": "\n\n"})
    if rng.random() < 0.5:
        entities.append({"type": "plain", "text": rng.choice(DETAILS) + " "})
    if rng.random() < 0.3:
        entities.append({"type": "hashtag", "text": "#мобилизация"})
    text: Any = [e if e["type"] != "plain" else e["text"] for e in entities]
    if len(entities) == 1:
        text = entities[0]["text"]
    message: dict[str, Any] = {
        "id": message_id,
        "type": "message",
        "date": date,
        "date_unixtime": str(stamp),
        "from": "Бенчмарк",
        "from_id": "channel1000000001",
    }
    if rng.random() < 0.05:
        message["edited"] = date
        message["edited_unixtime"] = str(stamp + 600)
    if rng.random() < 0.05:
        message["forwarded_from"] = "Вёрстка"
    if rng.random() < 0.2:
        message["photo"] = f"photos/photo_{message_id}@01-06-2024_00-00-00.jpg"
        message["width"] = 1280
        message["height"] = 853
    message["text"] = text
    message["text_entities"] = entities
    return message


def generate_export(path: Path, messages: int, seed: int = 2024) -> None:
    """Write a single-chat export of `messages` posts, one at a time, so generating needs little memory."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        out.write('{\n "name": "Бенчмарк",\n "type": "public_channel",\n "id": 1000000001,\n "messages": [\n')
        for message_id in range(1, messages + 1):
            out.write(
                ("  " if message_id == 1 else ",\n  ") + json.dumps(make_message(rng, message_id), ensure_ascii=False)
            )
        out.write("\n ]\n}\n")


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children (mobrief reads a large file in a second process):
    on a shared machine it says more than the wall clock does."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def _peak_child_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def run_mobrief(export: Path, db: Path) -> dict[str, Any]:
    """Child: the real ingest into a fresh SQLite store."""
    from mobrief.newsroom import ingest
    from mobrief.settings import Settings
    from mobrief.store import open_store

    url = f"sqlite:///{db}"
    store = open_store(url)
    cpu_started = _cpu_seconds()
    started = time.perf_counter()
    report = ingest.ingest(
        store,
        "telegram-export",
        str(export),
        settings=Settings(database_url=url),
        options={"channel": CHANNEL},
    )
    elapsed = time.perf_counter() - started
    cpu = _cpu_seconds() - cpu_started
    store.close()
    return {
        "seconds": elapsed,
        "cpu_seconds": cpu,
        "stored": report.counts.inserted,
        "read": report.read,
        "skipped": len(report.bad),
        "counters": report.counters,
        "peak_rss_mb": _peak_rss_mb(),
        "reader_rss_mb": _peak_child_rss_mb(),
    }


def run_floor(export: Path, db: Path) -> dict[str, Any]:
    """Child: `json.load` the whole file, then one executemany per 1,000 rows into a bare table."""
    cpu_started = _cpu_seconds()
    started = time.perf_counter()
    with export.open("rb") as file:
        data = json.load(file)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")
    columns = "id INTEGER PRIMARY KEY, published_at INTEGER, text TEXT, links TEXT, raw TEXT"
    conn.execute(f"CREATE TABLE messages ({columns})")
    rows: list[tuple[Any, ...]] = []
    stored = 0
    for message in data["messages"]:
        if message.get("type") != "message":
            continue
        entities = message.get("text_entities") or []
        text = "".join(e.get("text", "") for e in entities)
        links = [e["href"] for e in entities if "href" in e]
        raw = {k: v for k, v in message.items() if k not in ("text", "text_entities")}
        rows.append((message["id"], int(message["date_unixtime"]), text, json.dumps(links), json.dumps(raw)))
        if len(rows) == 1000:
            with conn:
                conn.executemany("INSERT INTO messages VALUES (?, ?, ?, ?, ?)", rows)
            stored += len(rows)
            rows.clear()
    with conn:
        conn.executemany("INSERT INTO messages VALUES (?, ?, ?, ?, ?)", rows)
    stored += len(rows)
    conn.close()
    return {
        "seconds": time.perf_counter() - started,
        "cpu_seconds": _cpu_seconds() - cpu_started,
        "stored": stored,
        "peak_rss_mb": _peak_rss_mb(),
    }


def _child(mode: str, export: Path, db: Path) -> dict[str, Any]:
    completed = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(export), str(db)],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--child", nargs=3, metavar=("MODE", "EXPORT", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, export, db = args.child
        result = run_mobrief(Path(export), Path(db)) if mode == "mobrief" else run_floor(Path(export), Path(db))
        print(json.dumps(result))
        return

    with tempfile.TemporaryDirectory(prefix="mobrief-bench-") as tmp:
        export = Path(tmp) / "result.json"
        started = time.perf_counter()
        generate_export(export, args.messages)
        size_mb = export.stat().st_size / 1e6
        took = time.perf_counter() - started
        print(f"generated {args.messages:,} messages, {size_mb:,.0f} MB in {took:.1f} s")
        floor = _child("floor", export, Path(tmp) / "floor.db")
        mobrief = _child("mobrief", export, Path(tmp) / "mobrief.db")
    floor_rate = floor["stored"] / floor["seconds"]
    mobrief_rate = mobrief["read"] / mobrief["seconds"]
    for label, run, count, rate in (
        ("floor   json.load + executemany", floor, floor["stored"], floor_rate),
        ("mobrief ingest telegram-export ", mobrief, mobrief["read"], mobrief_rate),
    ):
        print(
            f"{label}: {count:>8,} msgs  {run['seconds']:6.1f} s wall  {rate:>7,.0f} msg/s  "
            f"({count / run['cpu_seconds']:>7,.0f} msg per CPU-second)  peak RSS {run['peak_rss_mb']:,.0f} MB"
            + (f" (+ reader process {run['reader_rss_mb']:,.0f} MB)" if run.get("reader_rss_mb") else "")
        )
    cpu_ratio = (mobrief["read"] / mobrief["cpu_seconds"]) / (floor["stored"] / floor["cpu_seconds"])
    print(f"ratio mobrief/floor: {mobrief_rate / floor_rate:.2f} wall, {cpu_ratio:.2f} CPU")
    print(f"counters: {mobrief['counters']}, skipped: {mobrief['skipped']}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print("target: >= 10,000 msg/s and peak RSS < 400 MB")


if __name__ == "__main__":
    main()
