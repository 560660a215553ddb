"""Finished background jobs are forgotten after MOBRIEF_JOBS_KEPT_DAYS: when a job is recorded (the laptop), and
by the minute tick on the team server; unfinished jobs stay whatever their age (both backends)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest
import sqlalchemy as sa

from mobrief import tasks
from mobrief.errors import ConfigError
from mobrief.newsroom import background
from mobrief.settings import Settings
from mobrief.store import Store, open_store
from mobrief.store.jobs import BackgroundJob
from mobrief.store.schema import background_jobs

NOW = dt.datetime.now(dt.UTC)


def _age(store: Store, job_id: int, *, created: dt.timedelta, finished: dt.timedelta | None) -> None:
    """Make a job look as old as said: created, and (when given) finished, that long ago."""
    values = {"created_at": NOW - created, "finished_at": None if finished is None else NOW - finished}
    with store.engine.begin() as conn:
        conn.execute(background_jobs.update().where(background_jobs.c.id == job_id).values(**values))


def _jobs_of_every_age(store: Store) -> dict[str, int]:
    """Jobs done and failed 20 days and 1 day ago, one running and one queued for 30 days (stuck)."""
    made: dict[str, int] = {}
    for name, ended, state in [
        ("done-old", 20, "done"),
        ("failed-old", 20, "failed"),
        ("done-new", 1, "done"),
        ("running-old", None, "running"),
        ("queued-old", None, "queued"),
    ]:
        job = store.jobs.create("import", brief_id=None, runner="in-process", requested_by=None, file_name=name)
        if state == "done":
            store.jobs.finish(job.id, "1 brief")
        elif state == "failed":
            store.jobs.fail(job.id, "bad file")
        elif state == "running":
            store.jobs.start(job.id, owner="elsewhere:1")
        _age(store, job.id, created=dt.timedelta(days=30), finished=None if ended is None else dt.timedelta(days=ended))
        made[name] = job.id
    return made


def _left(store: Store) -> set[str]:
    with store.engine.connect() as conn:
        return set(conn.execute(sa.select(background_jobs.c.file_name)).scalars())


def test_finished_jobs_older_than_kept_are_pruned_and_unfinished_ones_never(store: Store) -> None:
    _jobs_of_every_age(store)
    assert background.prune_finished(store, dt.timedelta(days=14)) == 2
    assert _left(store) == {"done-new", "running-old", "queued-old"}
    assert background.prune_finished(store, dt.timedelta(days=14)) == 0
    assert background.prune_finished(store, dt.timedelta(hours=1)) == 1
    assert _left(store) == {"running-old", "queued-old"}


class _Later:
    """A runner that keeps what it is handed (nothing runs here: this test is about the rows)."""

    name = background.IN_PROCESS

    def __init__(self, kept: dt.timedelta) -> None:
        self.kept = kept
        self.handed: list[int] = []

    def submit(self, job: BackgroundJob) -> None:
        self.handed.append(job.id)

    def close(self) -> None:
        return None


def test_recording_a_job_prunes_the_old_ones(store: Store) -> None:
    _jobs_of_every_age(store)
    runner = _Later(dt.timedelta(days=14))
    job = background.import_file(store, "brief.md", b"# Mobilization in Russia for June 3, 2024\n", runner,
                                 requested_by=None)  # fmt: skip
    assert runner.handed == [job.id]
    assert _left(store) == {"done-new", "running-old", "queued-old", "brief.md"}


def test_the_setting_is_read_and_checked() -> None:
    assert Settings.from_env({}).jobs_kept_days == 14.0
    assert Settings.from_env({"MOBRIEF_JOBS_KEPT_DAYS": "2.5"}).jobs_kept_days == 2.5
    for bad in ("a week", "-1", "nan"):
        with pytest.raises(ConfigError, match=f"MOBRIEF_JOBS_KEPT_DAYS must be a number of days .*{bad}"):
            Settings.from_env({"MOBRIEF_JOBS_KEPT_DAYS": bad})


@pytest.mark.postgres
def test_the_minute_tick_prunes_on_the_team_server(pg_url: str) -> None:
    store = open_store(pg_url)
    try:
        tasks.apply_schema(store)
        _jobs_of_every_age(store)
        app = tasks.build_app(Settings.from_env({}, db=pg_url), store)
        with app.open():
            tasks.tick.defer(timestamp=int(NOW.timestamp()))
        worker = subprocess.run(
            [sys.executable, "-m", "mobrief", "--db", pg_url, "worker", "--until-idle", "--json"],
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, "MOBRIEF_JOBS_KEPT_DAYS": "0.5"},  # the worker's setting, not the default
            check=False,
        )
        assert worker.returncode == 0, worker.stderr
        assert _left(store) == {"running-old", "queued-old"}
    finally:
        store.close()
