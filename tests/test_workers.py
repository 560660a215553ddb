"""The team server's queue on real PostgreSQL: `mobrief worker` processes share a backlog, each item enriched
once; a worker killed with SIGKILL mid-batch is replaced and the end state equals an uninterrupted run; the
clustering lane never runs twice at once."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from backlog import stories_and_links, write_backlog
from mobrief import tasks
from mobrief.cli import cli
from mobrief.settings import Settings
from mobrief.store import open_store
from mobrief.store.schema import item_enrichments, stories_to_link

pytestmark = pytest.mark.postgres

CASES = 40


def _mobrief(db_url: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "mobrief", "--db", db_url, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(proc: subprocess.Popen[str]) -> dict[str, Any]:
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    assert "Traceback" not in err, err
    return dict(json.loads(out))


def _run(db_url: str, *args: str) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["--db", db_url, *args, "--json"])
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout))


@pytest.fixture
def backlog(tmp_path: Path) -> tuple[Path, int]:
    path = tmp_path / "backlog.jsonl"
    return path, write_backlog(path, CASES)


@pytest.fixture
def workers() -> Iterator[list[subprocess.Popen[str]]]:
    """Worker processes a test starts; any still running at the end is killed (none is left behind)."""
    started: list[subprocess.Popen[str]] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()


def _queue_backlog(db_url: str, backlog: Path, batch: int) -> int:
    assert _run(db_url, "db", "upgrade")["queue_schema_created"] is True
    _run(db_url, "ingest", "jsonl", str(backlog))
    return int(_run(db_url, "enrich", "--defer", "--batch", str(batch))["queued"])


def _count(db_url: str, query: str) -> int:
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text(query)).scalar() or 0)
    finally:
        engine.dispose()


def _end_state(db_url: str) -> tuple[Any, ...]:
    engine = sa.create_engine(db_url)
    try:
        columns = [c for c in item_enrichments.columns if c.name != "updated_at"]
        with engine.connect() as conn:
            # items have the same ids in both databases: the same backlog ingested the same way
            enrichments = [tuple(row) for row in conn.execute(sa.select(*columns).order_by(item_enrichments.c.item_id))]
            left_to_link = conn.execute(sa.select(sa.func.count()).select_from(stories_to_link)).scalar()
        return enrichments, stories_and_links(engine), left_to_link
    finally:
        engine.dispose()


def test_two_workers_drain_one_backlog_enriching_each_item_once(
    pg_url: str, backlog: tuple[Path, int], workers: list[subprocess.Popen[str]]
) -> None:
    path, total = backlog
    assert _queue_backlog(pg_url, path, batch=20) == 15
    workers += [_mobrief(pg_url, "worker", "--until-idle", "--json") for _ in range(2)]
    done = [_finish(proc) for proc in workers]
    assert sum(d.get("enriched", 0) for d in done) == total
    assert all(d.get("enriched", 0) > 0 for d in done), done  # both took a share
    assert _count(pg_url, "SELECT count(*) FROM item_enrichments") == total
    assert _count(pg_url, "SELECT count(*) FROM story_items") == total
    assert _count(pg_url, "SELECT count(*) FROM procrastinate_jobs WHERE status <> 'succeeded'") == 0


def test_jobs_lists_what_the_queue_holds(pg_url: str, backlog: tuple[Path, int]) -> None:
    path, _ = backlog
    _queue_backlog(pg_url, path, batch=100)
    result = CliRunner().invoke(cli, ["--db", pg_url, "jobs", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [{"task": "mobrief.enrich_items", "status": "todo", "jobs": 3, "retried": 0}]


def test_a_worker_killed_mid_batch_is_replaced_and_nothing_is_lost(
    pg_url: str, other_pg_url: str, backlog: tuple[Path, int], workers: list[subprocess.Popen[str]]
) -> None:
    path, total = backlog
    _queue_backlog(other_pg_url, path, batch=30)
    _finish(_mobrief(other_pg_url, "worker", "--until-idle", "--json"))
    uninterrupted = _end_state(other_pg_url)
    assert len(uninterrupted[0]) == total

    _queue_backlog(pg_url, path, batch=30)
    killed = _mobrief(pg_url, "worker", "--json")
    workers.append(killed)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and killed.poll() is None:
        succeeded = _count(pg_url, "SELECT count(*) FROM procrastinate_jobs WHERE status = 'succeeded'")
        if succeeded >= 2 and _count(pg_url, "SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing'"):
            break  # two jobs done, the next one under way
        time.sleep(0.05)
    assert killed.poll() is None, killed.communicate()
    os.kill(killed.pid, signal.SIGKILL)
    killed.communicate()
    assert _count(pg_url, "SELECT count(*) FROM item_enrichments") < total

    replacement = _mobrief(pg_url, "worker", "--until-idle", "--stalled-after", "2", "--json")
    workers.append(replacement)
    _finish(replacement)
    assert _end_state(pg_url) == uninterrupted
    assert _count(pg_url, "SELECT count(*) FROM procrastinate_jobs WHERE status NOT IN ('succeeded')") == 0
    assert _count(pg_url, "SELECT count(*) FROM story_items") == total


LANE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) INFO mobrief\.tasks: clustering lane: (started|ended)$")


def _lane_runs(logs: list[str]) -> list[tuple[dt.datetime, dt.datetime]]:
    """Each clustering run as (start, end), from the workers' logs (one worker's runs in its log's order)."""
    runs = []
    for log in logs:
        opened: list[dt.datetime] = []
        for line in log.splitlines():
            found = LANE.match(line)
            if not found:
                continue
            when = dt.datetime.strptime(found.group(1), "%Y-%m-%d %H:%M:%S,%f")
            if found.group(2) == "started":
                opened.append(when)
            else:
                runs.append((opened.pop(0), when))
        assert opened == []  # every run that started ended
    return sorted(runs)


def test_the_clustering_lane_never_runs_twice_at_once(
    pg_url: str, backlog: tuple[Path, int], workers: list[subprocess.Popen[str]]
) -> None:
    path, total = backlog
    queued = _queue_backlog(pg_url, path, batch=5)  # each batch queues clustering when it is done
    store = open_store(pg_url)
    try:
        with tasks.build_app(Settings(database_url=pg_url), store).open():
            for n in range(6):  # and six clustering jobs at once, each past the lane's queueing lock
                tasks.cluster_pending.configure(queueing_lock=f"extra-{n}").defer()
    finally:
        store.close()
    assert _count(pg_url, "SELECT count(*) FROM procrastinate_jobs WHERE lock = 'clustering'") == 6
    workers += [_mobrief(pg_url, "worker", "--until-idle", "--concurrency", "2", "--json") for _ in range(2)]
    logs = []
    for proc in workers:
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0 and "Traceback" not in err, err
        logs.append(err)
    runs = _lane_runs(logs)
    clustering_jobs = _count(
        pg_url, "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'mobrief.cluster_pending'"
    )
    assert len(runs) == clustering_jobs >= 6 + 1  # the six, and the lane's own as enrichment went on
    assert queued >= 10  # enrichment jobs running beside the lane on the other worker slots
    overlaps = [(a, b) for a, b in itertools.pairwise(runs) if b[0] < a[1]]
    assert overlaps == []  # each run starts once the one before has ended, whichever worker ran which
    # the queue's own record says the same: a job of the lane starts only after the previous one succeeded
    engine = sa.create_engine(pg_url)
    try:
        with engine.connect() as conn:
            events = conn.execute(
                sa.text(
                    "SELECT e.job_id, e.type::text AS type, e.at FROM procrastinate_events e "
                    "JOIN procrastinate_jobs j ON j.id = e.job_id "
                    "WHERE j.lock = 'clustering' AND e.type IN ('started', 'succeeded') ORDER BY e.at, e.id"
                )
            ).all()
    finally:
        engine.dispose()
    running = peak = 0
    for event in events:
        running += 1 if event.type == "started" else -1
        peak = max(peak, running)
    assert peak == 1 and running == 0
    assert _count(pg_url, "SELECT count(*) FROM story_items") == total
