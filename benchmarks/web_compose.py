"""Benchmark: composing from the web app, queued (prints, never asserts).

On a SQLite store of generated enriched items (benchmarks/compose.py's), an editor's "Compose draft" through
the app (httpx over ASGI, the laptop's in-process runner): how long the POST takes to answer, how long until the
page's status says done, and how fast the status poll the page sends every second answers while composing runs
beside it; then the same compose called directly, as the request used to run it.

    .venv/bin/python benchmarks/web_compose.py [--items 30000] [--days 30] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from compose import PERIOD, generate

from mobrief.newsroom import compose as composing
from mobrief.newsroom import drafting
from mobrief.settings import Settings
from mobrief.store import open_store
from mobrief.web import auth
from mobrief.web.app import create_app

PASSWORD = "benchmark password"


async def through_the_app(url: str) -> tuple[float, float, list[float], str]:
    """(POST answered in s, done after s, status poll latencies in s, end state) for one compose."""
    store = open_store(url)
    env = {"MOBRIEF_SECRET_KEY": "benchmark-secret-0123456789", "MOBRIEF_ARGON2_PROFILE": "cheapest"}
    app = create_app(Settings.from_env(env, db=url), store=store)
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            page = await client.get("/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
            assert token is not None
            form = {"email": "editor@example.org", "password": PASSWORD, "csrf_token": token.group(1)}
            await client.post("/login", data=form)
            page = await client.get("/drafts")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
            assert token is not None
            form = {"start": PERIOD[0].isoformat(), "end": PERIOD[1].isoformat(), "confirm": "1"}
            began = time.perf_counter()
            answer = await client.post("/drafts", data=form | {"csrf_token": token.group(1)})
            answered = time.perf_counter() - began
            brief_id = int(answer.headers["location"].rsplit("/", 1)[1])
            polls: list[float] = []
            while True:
                asked = time.perf_counter()
                status = await client.get(f"/drafts/{brief_id}/composing")
                polls.append(time.perf_counter() - asked)
                state = re.search(r'data-state="([a-z]+)"', status.text)
                assert state is not None
                if state.group(1) not in ("queued", "running"):
                    return answered, time.perf_counter() - began, polls, state.group(1)
                await asyncio.sleep(0.25)
    finally:
        app.state.jobs.close()
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=30_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'web_compose.db'}"
        generate(url, args.items, args.days)
        store = open_store(url)
        drafting.draft_pending(store)  # as `mobrief enrich` leaves a store
        store.users.add("editor@example.org", auth.Passwords("cheapest").hash(PASSWORD), "editor")
        store.close()
        print(f"{args.items:,} items over {args.days} days; composing {PERIOD[0]} – {PERIOD[1]}")
        for run in range(args.runs):  # alternating: queued through the app, then directly as the request did
            answered, done, polls, state = asyncio.run(through_the_app(url))
            store = open_store(url)
            began, cpu = time.perf_counter(), time.process_time()
            composing.compose_brief(store, *PERIOD)
            direct, direct_cpu = time.perf_counter() - began, time.process_time() - cpu
            store.close()
            print(
                f"  run {run + 1}: POST answered in {answered * 1000:.0f} ms, {state} after {done:.2f} s; "
                f"status polls {len(polls)}, median {statistics.median(polls) * 1000:.0f} ms, "
                f"max {max(polls) * 1000:.0f} ms | the compose alone (what the request used to wait for) "
                f"{direct:.2f} s wall, {direct_cpu:.2f} s CPU"
            )


if __name__ == "__main__":
    main()
