"""The task queue's tables on real PostgreSQL: created on a fresh database, and an older queue brought to the
installed Procrastinate by its migration scripts, ending where a fresh one starts."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from mobrief.errors import ConfigError
from mobrief.store import open_store, queue_schema

pytestmark = pytest.mark.postgres

OLDER = (3, 3, 0)  # a release with scripts after it (3.4.0 added a job state and a function)


def _catalog(url: str) -> dict[str, list[tuple[str, ...]]]:
    """What the queue is made of: tables and columns, functions and their arguments, enum values, indexes."""
    engine = sa.create_engine(url)
    queries = {
        "columns": "SELECT table_name, column_name, data_type, is_nullable, coalesce(column_default, '') "
        "FROM information_schema.columns WHERE table_name LIKE 'procrastinate%'",
        "functions": "SELECT proname, pg_get_function_identity_arguments(oid) FROM pg_proc "
        "WHERE proname LIKE 'procrastinate%'",
        "enums": "SELECT t.typname, e.enumlabel FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid "
        "WHERE t.typname LIKE 'procrastinate%'",
        "indexes": "SELECT tablename, indexdef FROM pg_indexes WHERE tablename LIKE 'procrastinate%'",
    }
    try:
        with engine.connect() as conn:
            return {k: sorted(tuple(map(str, row)) for row in conn.execute(sa.text(q))) for k, q in queries.items()}
    finally:
        engine.dispose()


def _build_older_queue(url: str) -> None:
    """The queue as `db upgrade` left it under Procrastinate 3.3.0: its first schema and every script to 3.3.0."""
    store = open_store(url)
    try:
        with store.engine.connect() as conn:
            for script in queue_schema.scripts_between((-1, 0, 0), OLDER):
                queue_schema._run_script(conn, script.sql)
                conn.commit()
            queue_schema._record(conn, OLDER)
            conn.commit()
    finally:
        store.close()


def test_a_fresh_database_gets_the_whole_queue_once(pg_url: str) -> None:
    store = open_store(pg_url)
    try:
        first = queue_schema.upgrade_queue(store.engine)
        again = queue_schema.upgrade_queue(store.engine)
        with store.engine.connect() as conn:
            held = queue_schema.held_version(conn)
    finally:
        store.close()
    installed = queue_schema.installed_version()
    assert first.created and not first.applied and first.version == ".".join(map(str, installed))
    assert not again.created and not again.applied
    assert held == installed


def test_an_older_queue_is_brought_to_what_a_fresh_one_is(pg_url: str, other_pg_url: str) -> None:
    _build_older_queue(pg_url)
    fresh = open_store(other_pg_url)
    older = open_store(pg_url)
    try:
        queue_schema.upgrade_queue(fresh.engine)
        assert _catalog(pg_url) != _catalog(other_pg_url)  # before: the older queue lacks what 3.4.0 added
        upgrade = queue_schema.upgrade_queue(older.engine)
        with older.engine.connect() as conn:
            held = queue_schema.held_version(conn)
    finally:
        fresh.close()
        older.close()
    expected = [s.name for s in queue_schema.migration_scripts() if s.version > OLDER]
    assert upgrade.applied == tuple(expected) and expected  # every later script, in order
    assert held == queue_schema.installed_version()
    assert _catalog(pg_url) == _catalog(other_pg_url)


def test_a_failing_script_stops_the_upgrade_at_the_last_good_version(pg_url: str, monkeypatch) -> None:
    _build_older_queue(pg_url)
    good, bad = (3, 4, 0), (3, 5, 0)
    scripts = [
        queue_schema.Script(good, "03.04.00_01_good.sql", "CREATE TABLE procrastinate_good (id int);"),
        queue_schema.Script(bad, "03.05.00_01_bad.sql", "CREATE TABLE procrastinate_bad (id int); SELEC 1;"),
    ]
    monkeypatch.setattr(queue_schema, "migration_scripts", lambda: scripts)
    store = open_store(pg_url)
    try:
        said = r"stays at Procrastinate 3\.4\.0: .*03\.05\.00_01_bad\.sql failed: .*SELEC"
        with pytest.raises(ConfigError, match=said):
            queue_schema.upgrade_queue(store.engine, target=(3, 6, 0))
        with store.engine.connect() as conn:
            held = queue_schema.held_version(conn)
            tables = {r[0] for r in conn.execute(sa.text("SELECT tablename FROM pg_tables"))}
    finally:
        store.close()
    assert held == good  # the good script counts; the bad one left nothing behind
    assert "procrastinate_good" in tables and "procrastinate_bad" not in tables


def test_a_queue_from_before_the_record_counts_as_the_installed_version(pg_url: str) -> None:
    from procrastinate import schema

    store = open_store(pg_url)
    try:
        with store.engine.connect() as conn:
            queue_schema._run_sql(conn, schema.SchemaManager.get_schema())
            conn.connection.commit()
        upgrade = queue_schema.upgrade_queue(store.engine)
        with store.engine.connect() as conn:
            held = queue_schema.held_version(conn)
    finally:
        store.close()
    assert not upgrade.created and not upgrade.applied
    assert held == queue_schema.installed_version()


def test_a_queue_newer_than_the_installed_procrastinate_is_refused(pg_url: str) -> None:
    store = open_store(pg_url)
    try:
        queue_schema.upgrade_queue(store.engine)
        with store.engine.begin() as conn:
            conn.execute(sa.text(f"UPDATE {queue_schema.VERSION_TABLE} SET version = '99.1.0'"))
        with pytest.raises(ConfigError, match=r"Procrastinate 99\.1\.0, newer than the installed"):
            queue_schema.upgrade_queue(store.engine)
    finally:
        store.close()


def test_versions_read_as_releases_name_them() -> None:
    assert queue_schema.parse_version("3.10.0") == (3, 10, 0)
    assert queue_schema.parse_version("3.11.0rc1") == (3, 11, 0)
    assert queue_schema.parse_version("4") == (4, 0, 0)
    assert (3, 4, 0) > (3, 3, 0) and (3, 10, 0) > (3, 9, 9)  # compared as numbers, not text
    names = [s.name for s in queue_schema.migration_scripts()]
    assert names[0].startswith("00.00.00_01") and names.index("03.04.00_01_pre_add_retry_failed_job_procedure.sql") < (
        names.index("03.04.00_50_post_add_retry_failed_job_procedure.sql")
    )
    with pytest.raises(ConfigError, match="not a version"):
        queue_schema.parse_version("latest")
