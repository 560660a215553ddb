"""The team server's queue on real PostgreSQL: `mobrief worker` processes share a backlog, each item enriched
once; a worker killed with SIGKILL mid-batch is replaced and the end state equals an uninterrupted run."""

from __future__ import annotations

import json
import os
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
from mobrief.cli import cli
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
