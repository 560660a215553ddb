"""Ingest through a reader process (large local files) stores exactly what an in-process read stores."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from factories import write_telegram_export
from mobrief.errors import SourceUnavailable
from mobrief.newsroom import ingest
from mobrief.settings import Settings
from mobrief.store import Store, open_store
from mobrief.store.schema import items, sources

STORED = [c for c in items.columns if c.name not in {"id", "source_id", "ingested_at", "updated_at"}]


def _ingest(store: Store, path: Path, *, aside: bool, monkeypatch: pytest.MonkeyPatch, **kw: Any) -> Any:
    monkeypatch.setattr(ingest, "READER_PROCESS_MIN_BYTES", 0 if aside else 10**12)
    settings = Settings(database_url=str(store.engine.url))
    return ingest.ingest(store, "telegram-export", str(path), settings=settings, **kw)


def _rows(store: Store) -> list[tuple[Any, ...]]:
    with store.engine.connect() as conn:
        query = sa.select(sources.c.name, *STORED).join(sources).order_by(items.c.external_id)
        return [tuple(row) for row in conn.execute(query)]


def _export_with_a_bad_message_and_a_service_message(path: Path) -> None:
    write_telegram_export(path, 30)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["messages"][4]["date_unixtime"] = "yesterday"
    data["messages"][7] = {"id": 8, "type": "service", "date_unixtime": "1717300000", "action": "pin_message"}
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def test_reader_process_stores_the_same_rows_and_reports_the_same(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    export = tmp_path / "result.json"
    _export_with_a_bad_message_and_a_service_message(export)
    store = open_store(db_url)
    here = _ingest(store, export, aside=False, monkeypatch=monkeypatch)
    expected = _rows(store)
    with store.engine.begin() as conn:
        conn.execute(items.delete())
        conn.execute(sources.delete())

    aside = _ingest(store, export, aside=True, monkeypatch=monkeypatch)
    assert _rows(store) == expected
    assert len(expected) == 28
    assert (aside.read, aside.counts.inserted, aside.counters, aside.sources_seen) == (
        here.read,
        here.counts.inserted,
        here.counters,
        here.sources_seen,
    )
    assert aside.counters == {"service messages skipped": 1}
    assert len(aside.bad) == 1 and "date_unixtime" in aside.bad[0] and str(export) in aside.bad[0]
    again = _ingest(store, export, aside=True, monkeypatch=monkeypatch)
    assert (again.counts.inserted, again.counts.unchanged) == (0, 28)
    assert [item.id for item, _ in store.items.search("военкомат")]  # new rows are in the full-text index
    store.close()


def test_reader_process_reports_progress_up_to_the_file_size(
    sqlite_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    export = tmp_path / "result.json"
    write_telegram_export(export, 5000)
    positions: list[tuple[int, int | None]] = []
    report = _ingest(
        sqlite_store, export, aside=True, monkeypatch=monkeypatch, progress=lambda d, t: positions.append((d, t))
    )
    assert report.read == 5000
    assert len(positions) >= 3  # one per batch of 2,000
    assert positions[-1] == (export.stat().st_size, export.stat().st_size)
    assert [done for done, _ in positions] == sorted(done for done, _ in positions)


def test_truncated_file_read_aside_keeps_the_complete_messages(
    sqlite_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    export = tmp_path / "result.json"
    write_telegram_export(export, 50)
    export.write_bytes(export.read_bytes()[: export.stat().st_size * 2 // 3])
    report = _ingest(sqlite_store, export, aside=True, monkeypatch=monkeypatch)
    assert 0 < report.read < 50
    assert sqlite_store.items.count() == report.read
    assert len(report.bad) == 1 and "truncated" in report.bad[0]


def test_a_failure_in_the_reader_process_is_raised_here(
    sqlite_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    export = tmp_path / "result.json"
    write_telegram_export(export, 10)

    def unreadable(self: Any, location: str) -> Any:
        raise SourceUnavailable(location, "the disk went away")
        yield  # a generator, as adapters' read() are

    from mobrief.sources.telegram_export import TelegramExport

    monkeypatch.setattr(TelegramExport, "read", unreadable)
    with pytest.raises(SourceUnavailable, match="the disk went away") as raised:
        _ingest(sqlite_store, export, aside=True, monkeypatch=monkeypatch)
    assert raised.value.location == str(export)
    assert sqlite_store.items.count() == 0
