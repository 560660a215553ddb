"""Work is claimed, never collided on: commands run at once (real processes) share the work and both succeed,
and a clustering run killed with SIGKILL, run again, leaves the stories and thread links of an uninterrupted run.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from backlog import stories_and_links, write_backlog
from mobrief.newsroom import enrichment, ingest
from mobrief.settings import Settings
from mobrief.store import Store
from mobrief.store.schema import item_enrichments, items, sources, stories_to_link, story_items, story_links

CASES = 40


def _mobrief(db_url: str, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "mobrief", "--db", db_url, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


def _finish(proc: subprocess.Popen[str]) -> dict[str, Any]:
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    assert "Traceback" not in err, err
    return dict(json.loads(out))


def _count(engine: sa.Engine, table: sa.Table) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar() or 0)


def test_two_ingests_naming_new_outlets_at_once_store_each_item_once(db_url: str, store: Store, tmp_path: Path) -> None:
    backlog = tmp_path / "backlog.jsonl"
    total = write_backlog(backlog, CASES)
    runs = [_mobrief(db_url, "ingest", "jsonl", str(backlog), "--json") for _ in range(2)]
    reports = [_finish(run) for run in runs]
    assert sum(report["inserted"] for report in reports) == total
    assert sum(report["inserted"] + report["unchanged"] for report in reports) == 2 * total
    assert _count(store.engine, items) == total
    with store.engine.connect() as conn:
        names = sorted(conn.execute(sa.select(sources.c.name)).scalars())
    assert names == ["outlet-a", "outlet-b", "outlet-c"]


def test_two_enrich_runs_at_once_enrich_each_item_once(db_url: str, store: Store, tmp_path: Path) -> None:
    backlog = tmp_path / "backlog.jsonl"
    total = write_backlog(backlog, CASES)
    ingest.ingest(store, "jsonl", str(backlog), settings=Settings(database_url=db_url))
    runs = [_mobrief(db_url, "enrich", "--json") for _ in range(2)]
    reports = [_finish(run) for run in runs]
    assert sum(report["enriched"] for report in reports) == total
    assert sum(report["stories"]["items"] for report in reports) == total
    assert _count(store.engine, item_enrichments) == total
    assert _count(store.engine, story_items) == total
    assert _count(store.engine, stories_to_link) == 0


def test_a_killed_clustering_run_run_again_leaves_no_link_missing(db_url: str, store: Store, tmp_path: Path) -> None:
    backlog = tmp_path / "backlog.jsonl"
    total = write_backlog(backlog, CASES)
    settings = Settings(database_url=db_url)
    ingest.ingest(store, "jsonl", str(backlog), settings=settings)
    enrichment.enrich_pending(store, settings=settings)
    _finish(_mobrief(db_url, "stories", "cluster", "--json"))
    uninterrupted = stories_and_links(store.engine)
    assert len(uninterrupted[1]) > 50  # the backlog's cases are threads

    store.stories.forget_all()
    small_batches = {"MOBRIEF_CLUSTER_BATCH": "10"}
    killed = _mobrief(db_url, "stories", "cluster", "--json", env=small_batches)
    deadline = time.monotonic() + 300
    while _count(store.engine, story_items) == 0 and killed.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert killed.poll() is None, "clustering finished before it could be killed: make the backlog larger"
    os.kill(killed.pid, signal.SIGKILL)
    killed.communicate()
    assert 0 < _count(store.engine, story_items) < total or _count(store.engine, story_links) < len(uninterrupted[1])

    _finish(_mobrief(db_url, "stories", "cluster", "--json", env=small_batches))
    assert _count(store.engine, stories_to_link) == 0
    assert stories_and_links(store.engine) == uninterrupted
