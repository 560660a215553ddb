"""Reads end with COMMIT: on PostgreSQL the statements psycopg prepared on a pooled connection outlive each read,
so a page's queries are not planned afresh every time; a read's failure still rolls back."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from mobrief.store import database, open_store
from mobrief.store.database import reading
from mobrief.store.schema import stories


@pytest.mark.postgres
def test_repeated_reads_keep_their_prepared_statements(pg_url: str) -> None:
    store = open_store(pg_url)
    try:
        for _ in range(8):  # psycopg prepares a statement on its fifth run on one connection
            assert store.stories.count() == 0
        with store.engine.connect() as conn:  # one thread: the pool hands back the one connection it made
            prepared = conn.exec_driver_sql("SELECT statement FROM pg_prepared_statements").scalars().all()
        assert any("stories" in statement for statement in prepared), prepared
    finally:
        store.close()


def test_a_read_that_fails_rolls_back_and_the_connection_serves_again(db_url: str) -> None:
    store = open_store(db_url)
    try:
        with pytest.raises(sa.exc.DBAPIError), reading(store.engine) as conn:
            conn.execute(sa.text("SELECT no_such_column FROM stories"))
        with reading(store.engine) as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(stories)).scalar() == 0
    finally:
        store.close()


def test_the_store_reads_through_reading() -> None:
    """A read ended the default way would drop the connection's prepared statements again: outside the
    connection's own setup (migrations, lanes, the queue's schema), a connection is taken for a transaction."""
    package = Path(__file__).resolve().parents[2] / "src" / "mobrief" / "store"
    allowed = {"database.py", "lanes.py", "queue_schema.py"}
    found = [
        f"{path.name}:{number}"
        for path in sorted(package.glob("*.py"))
        if path.name not in allowed
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "engine.connect()" in line and "conn.begin()" not in line
    ]
    assert found == []


@pytest.mark.postgres
def test_a_connection_closed_while_idle_is_replaced_on_checkout(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    store = open_store(pg_url)
    try:
        with reading(store.engine) as conn:  # the pool's one connection, now idle
            backend = conn.execute(sa.text("SELECT pg_backend_pid()")).scalar()
        admin = sa.create_engine(pg_url)
        with admin.begin() as conn:  # as a server restart or an idle timeout would
            conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
        admin.dispose()
        monkeypatch.setattr(database, "PING_AFTER_IDLE_SECONDS", 0.0)
        assert store.stories.count() == 0  # checked on checkout, replaced, and the read goes through
        with reading(store.engine) as conn:
            assert conn.execute(sa.text("SELECT pg_backend_pid()")).scalar() != backend
    finally:
        store.close()


@pytest.mark.postgres
def test_a_connection_in_steady_use_is_not_pinged(pg_url: str) -> None:
    store = open_store(pg_url)
    checkouts: list[object] = []
    pings: list[object] = []
    real_ping = store.engine.dialect.do_ping

    def counted_ping(dbapi_connection: object) -> bool:
        pings.append(dbapi_connection)
        return real_ping(dbapi_connection)

    try:
        store.stories.count()
        sa.event.listen(store.engine, "checkout", lambda *args: checkouts.append(args))
        store.engine.dialect.do_ping = counted_ping  # type: ignore[method-assign]
        for _ in range(5):
            store.stories.count()
        assert len(checkouts) == 5 and pings == []  # five checkouts, no round trip spent checking them
    finally:
        store.close()


def test_shared_reads_take_one_connection_on_postgresql_and_see_writes_committed_meanwhile(db_url: str) -> None:
    """A web page's reads share one checkout and transaction on PostgreSQL (each still sees what other
    connections committed before it ran, as alone); on SQLite each read keeps its own."""
    store = open_store(db_url)
    checkouts: list[object] = []
    sa.event.listen(store.engine, "checkout", lambda *args: checkouts.append(args))
    try:
        with store.shared_reads():
            assert store.stories.count() == 0
            with store.engine.begin() as conn:  # another request's write, committed while the page reads
                conn.execute(
                    stories.insert().values(
                        title="t",
                        first_seen=sa.func.now(),
                        last_seen=sa.func.now(),
                        outlets=[],
                        places=[],
                        status="new",
                        pinned=False,
                        updated_at=sa.func.now(),
                    )
                )
            assert store.stories.count() == 1
            with reading(store.engine) as first, reading(store.engine) as second:
                assert (first is second) == (store.dialect == "postgresql")
        reads = len(checkouts) - 1  # less the write's
        assert reads == (1 if store.dialect == "postgresql" else 4), reads
        # a failing read ends the page's transaction (rolled back) and leaves the pool's connection usable
        with pytest.raises(sa.exc.DBAPIError), store.shared_reads(), reading(store.engine) as conn:
            conn.execute(sa.text("SELECT no_such_column FROM stories"))
        assert store.stories.count() == 1
    finally:
        store.close()
