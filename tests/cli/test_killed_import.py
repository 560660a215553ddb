"""A killed import (kill -9 half-way through a large export), run again, equals an uninterrupted run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from factories import write_telegram_export
from mobrief.store.schema import item_revisions, items, snapshots, sources

VOLATILE = {"ingested_at", "updated_at", "created_at", "replaced_at"}  # when we stored it, not what we stored


def _ingest(db: str, export: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mobrief",
            "--db",
            db,
            "ingest",
            "telegram-export",
            str(export),
            "--channel",
            "test_chan",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _dump(db: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every stored row but its times; on PostgreSQL without the rows' own ids, in the order of what they hold:
    a sequence does not give back the ids a killed transaction took, so the ids of a rerun's rows differ."""
    engine = sa.create_engine(db)
    postgres = db.startswith("postgresql")
    dump = {}
    with engine.connect() as conn:
        for table in (sources, items, item_revisions, snapshots):
            columns = [c for c in table.columns if c.name not in VOLATILE and not (postgres and c.name == "id")]
            rows = [tuple(row) for row in conn.execute(sa.select(*columns).order_by(*table.primary_key.columns))]
            dump[table.name] = sorted(rows, key=repr) if postgres else rows
    engine.dispose()
    return dump


def _count(db: str) -> int:
    engine = sa.create_engine(db)
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text("SELECT count(*) FROM items")).scalar() or 0)
    except sa.exc.OperationalError:  # tables not created yet
        return 0
    finally:
        engine.dispose()


def _processes_reading(export: Path) -> list[int]:
    """Live processes whose command line names the export (the killed import and any reader it left)."""
    found = []
    for proc_dir in Path("/proc").glob("[0-9]*"):
        try:
            command = (proc_dir / "cmdline").read_bytes()
            state = (proc_dir / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if str(export).encode() in command and state != "Z":
            found.append(int(proc_dir.name))
    return found


def test_killed_import_rerun_equals_uninterrupted_run(tmp_path: Path) -> None:
    _killed_rerun_equals_uninterrupted_run(
        tmp_path, f"sqlite:///{tmp_path / 'killed.db'}", f"sqlite:///{tmp_path / 'clean.db'}"
    )


@pytest.mark.postgres
def test_killed_import_rerun_equals_uninterrupted_run_on_postgresql(
    tmp_path: Path, pg_url: str, other_pg_url: str
) -> None:
    _killed_rerun_equals_uninterrupted_run(tmp_path, pg_url, other_pg_url)


def _killed_rerun_equals_uninterrupted_run(tmp_path: Path, killed_db: str, clean_db: str) -> None:
    export = tmp_path / "result.json"
    write_telegram_export(export, 20_000)

    proc = _ingest(killed_db, export)
    deadline = time.monotonic() + 300
    while _count(killed_db) < 2_000 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "the import finished before it could be killed: make the export larger"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    stored_when_killed = _count(killed_db)
    assert 0 < stored_when_killed < 20_000
    deadline = time.monotonic() + 60  # the reader process it forked for this large file ends on its own
    while _processes_reading(export) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _processes_reading(export) == []

    assert _ingest(killed_db, export).wait(timeout=600) == 0
    assert _ingest(clean_db, export).wait(timeout=600) == 0
    killed, clean = _dump(killed_db), _dump(clean_db)
    assert len(clean["items"]) == 20_000
    assert killed == clean
