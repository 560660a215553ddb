"""Polling that adapts, against a real HTTP server on 127.0.0.1: sooner when a feed brings news, later when
not, backing off on 500s and timeouts, disabled after repeated hard failures with the reason shown."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from typing import Any

import pytest
from click.testing import CliRunner

from mobrief.cli import cli
from mobrief.newsroom import ingest
from mobrief.settings import Settings
from mobrief.store import Store

T0 = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
LIMITS = {"poll_first": 600.0, "poll_shortest": 60.0, "poll_longest": 7200.0}


def rss(entries: int) -> str:
    """An RSS feed with `entries` items, newest first."""
    items = "".join(
        f"<item><title>Сообщение {n}</title><link>https://example.org/{n}</link><guid>post-{n}</guid>"
        f"<description>В Казани задержали мобилизованного номер {n}.</description>"
        f"<pubDate>Sun, 01 Dec 2024 0{n % 10}:00:00 GMT</pubDate></item>"
        for n in range(entries, 0, -1)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{items}</channel></rss>'


def _settings(db_url: str) -> Settings:
    return Settings(database_url=db_url, request_delay=0.0, request_timeout=0.5, **LIMITS)


def _poll(store: Store, db_url: str, when: dt.datetime) -> list[ingest.PollResult]:
    return ingest.poll_due(store, settings=_settings(db_url), now=when)


def test_a_feed_with_news_is_polled_sooner_and_one_without_later(store: Store, db_url: str, http_server: Any) -> None:
    url = http_server.add("/feed.xml", rss(2), headers={"Content-Type": "application/rss+xml"})
    store.sources.add("feed", "feed", url)
    intervals = []
    now = T0
    for entries in (2, 2, 2, 3, 5):
        http_server.add("/feed.xml", rss(entries), headers={"Content-Type": "application/rss+xml"})
        (result,) = _poll(store, db_url, now)
        assert result.report is not None
        intervals.append(result.outcome.interval)
        assert _poll(store, db_url, now) == []  # not due again at once
        now += dt.timedelta(seconds=result.outcome.interval)
    # news (first poll), none, none, news, news: halved, ×1.5, ×1.5, halved, halved
    assert intervals == [300.0, 450.0, 675.0, 337.5, 168.75]
    assert store.items.count() == 5
    assert store.sources.get("feed").next_poll_at == now


def test_500s_and_timeouts_back_off_and_never_disable(store: Store, db_url: str, http_server: Any) -> None:
    broken = http_server.add("/broken.xml", "oops", status=500)
    slow = http_server.add("/slow.xml", rss(1), delay=1.5)
    store.sources.add("broken", "feed", broken)
    store.sources.add("slow", "feed", slow)
    now = T0
    seen: dict[str, list[float]] = {"broken": [], "slow": []}
    for _ in range(4):
        for result in _poll(store, db_url, now):
            assert result.report is None
            seen[result.source].append(result.outcome.interval)
        now += dt.timedelta(hours=3)
    assert seen["broken"] == [1200.0, 2400.0, 4800.0, 7200.0]
    assert seen["slow"] == [1200.0, 2400.0, 4800.0, 7200.0]
    broken_source = store.sources.get("broken")
    assert broken_source.enabled and broken_source.failures == 4
    assert broken_source.last_error == "HTTP 500 Internal Server Error"
    assert "timed out" in (store.sources.get("slow").last_error or "")


def test_a_feed_gone_for_good_is_disabled_with_the_reason_listed(store: Store, db_url: str, http_server: Any) -> None:
    gone = http_server.url("/gone.xml")  # the server answers 404
    store.sources.add("gone", "feed", gone)
    now = T0
    for _ in range(3):
        (result,) = _poll(store, db_url, now)
        now += dt.timedelta(hours=3)
    assert result.outcome.disabled_reason == "3 hard failures in a row, the last: HTTP 404 Not Found"
    assert _poll(store, db_url, now + dt.timedelta(days=30)) == []  # never polled again by itself
    listed = CliRunner().invoke(cli, ["--db", db_url, "source", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    (row,) = json.loads(listed.stdout)
    assert row["enabled"] is False
    assert row["disabled_reason"] == "3 hard failures in a row, the last: HTTP 404 Not Found"
    table = CliRunner().invoke(cli, ["--db", db_url, "source", "list"], env={"COLUMNS": "300"})
    assert "no: 3 hard failures in a row" in table.stdout

    store.sources.add("gone", "feed", gone)  # adding it again enables it
    assert [s.name for s in store.sources.due(now)] == ["gone"]


def test_fetch_watch_polls_in_one_process(db_url: str, store: Store, http_server: Any) -> None:
    url = http_server.add("/feed.xml", rss(3), headers={"Content-Type": "application/rss+xml"})
    store.sources.add("feed", "feed", url)
    done = subprocess.run(
        [sys.executable, "-m", "mobrief", "--db", db_url, "fetch", "--watch", "--rounds", "1", "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "MOBRIEF_REQUEST_DELAY": "0", "MOBRIEF_POLL_FIRST_SECONDS": "600"},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    (line,) = done.stdout.splitlines()
    assert json.loads(line) | {"interval": 0} == {
        "source": "feed",
        "inserted": 3,
        "updated": 0,
        "interval": 0,
        "failures": 0,
        "error": None,
        "disabled_reason": None,
    }
    assert json.loads(line)["interval"] == 300.0
    assert store.items.count() == 3


@pytest.mark.postgres
def test_the_minute_tick_queues_due_polls_for_workers(pg_url: str, http_server: Any) -> None:
    url = http_server.add("/feed.xml", rss(4), headers={"Content-Type": "application/rss+xml"})
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", pg_url, "db", "upgrade"]).exit_code == 0
    assert runner.invoke(cli, ["--db", pg_url, "source", "add", "feed", url, "--name", "feed"]).exit_code == 0
    from mobrief import tasks
    from mobrief.store import open_store

    store = open_store(pg_url)
    try:
        app = tasks.build_app(_settings(pg_url), store)
        with app.open():
            tasks.tick.defer(timestamp=int(dt.datetime.now(dt.UTC).timestamp()))
        worker = subprocess.run(
            [sys.executable, "-m", "mobrief", "--db", pg_url, "worker", "--until-idle", "--json"],
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, "MOBRIEF_REQUEST_DELAY": "0"},
            check=False,
        )
        assert worker.returncode == 0, worker.stderr
        done = json.loads(worker.stdout)
        assert done["polled"] == 1 and done["fetched"] == 4
        assert done["enriched"] == 4 and done["clustered"] == 4
        assert store.sources.get("feed").poll_interval == 450.0  # first poll: 900 s halved
    finally:
        store.close()


@pytest.mark.postgres
def test_a_running_worker_ticks_by_itself_and_polls_what_is_due(pg_url: str, http_server: Any, tmp_path: Any) -> None:
    """The cron wiring: nobody queues the tick; a worker started as systemd starts it does, within its minute."""
    import time

    from mobrief.store import open_store

    url = http_server.add("/feed.xml", rss(3), headers={"Content-Type": "application/rss+xml"})
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", pg_url, "db", "upgrade"]).exit_code == 0
    assert runner.invoke(cli, ["--db", pg_url, "source", "add", "feed", url, "--name", "feed"]).exit_code == 0
    store = open_store(pg_url)
    log = tmp_path / "worker.log"
    with log.open("w") as stderr:  # the worker logs every job: a file, not a pipe nobody drains
        worker = subprocess.Popen(
            [sys.executable, "-m", "mobrief", "--db", pg_url, "worker"],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            env={**os.environ, "MOBRIEF_REQUEST_DELAY": "0"},
        )
    try:
        deadline = time.monotonic() + 150  # the tick of the minute just gone is queued at start; a slow CI box
        while store.items.count() < 3 and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.5)
        assert worker.poll() is None, log.read_text()
        assert store.items.count() == 3, log.read_text()
        assert store.sources.get("feed").poll_interval == 450.0  # polled once, by the tick: 900 s halved
        assert "mobrief.tick" in log.read_text()
    finally:
        worker.terminate()
        worker.wait(timeout=60)
        store.close()
