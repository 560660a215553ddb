"""The task queue's tables (Procrastinate's, PostgreSQL only): created from its schema on a fresh database, and
brought up to the installed Procrastinate by its own migration scripts when a newer one is installed.

Procrastinate ships its full schema and one SQL script per change, but keeps no record of the version a database
holds (it dropped its version table), and a newer release's code expects the newer tables. So the version the
queue was last brought to is kept here, in `queue_schema_version`: `mobrief db upgrade` after `pip install -U`
runs the scripts of every release in between, in order, each in a transaction of its own. A queue created before
this record existed counts as the installed version's (what `db upgrade` created then).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import metadata, resources

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from mobrief.errors import ConfigError

Version = tuple[int, int, int]
VERSION_TABLE = "queue_schema_version"
_SCRIPT = re.compile(r"^(\d+)\.(\d+)\.(\d+)_(\d+)_[\w-]+\.sql$")
_LOCK = 0x6D6F6272  # advisory lock key ("mobr"): two `db upgrade` at once take turns


@dataclass(frozen=True, slots=True)
class Script:
    """One of Procrastinate's migration scripts: the release that brought it, its order there, its SQL."""

    version: Version
    name: str
    sql: str


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueUpgrade:
    """What `upgrade_queue` did: created the queue, ran these scripts (by file name), and the version now held."""

    created: bool
    applied: tuple[str, ...]
    version: str


def parse_version(text: str) -> Version:
    """`3.10.0` → (3, 10, 0); a pre-release or local suffix is ignored (`3.11.0rc1` → (3, 11, 0))."""
    numbers = re.findall(r"\d+", text)[:3]
    if not numbers:
        raise ConfigError(f"not a version number: {text!r}")
    major, minor, patch = (int(n) for n in [*numbers, "0", "0"][:3])
    return major, minor, patch


def installed_version() -> Version:
    return parse_version(metadata.version("procrastinate"))


def _text(version: Version) -> str:
    return ".".join(str(n) for n in version)


def migration_scripts() -> list[Script]:
    """Every migration script the installed Procrastinate ships, in the order they are meant to run."""
    folder = resources.files("procrastinate.sql") / "migrations"
    found = []
    for entry in folder.iterdir():
        match = _SCRIPT.match(entry.name)
        if match:
            version = (int(match[1]), int(match[2]), int(match[3]))
            found.append((version, int(match[4]), Script(version, entry.name, entry.read_text(encoding="utf-8"))))
    return [script for _, _, script in sorted(found, key=lambda f: (f[0], f[1], f[2].name))]


def scripts_between(held: Version, target: Version) -> list[Script]:
    """The scripts a queue at `held` needs to reach `target`: those of every release after it, up to `target`."""
    return [s for s in migration_scripts() if held < s.version <= target]


def held_version(conn: Connection) -> Version | None:
    """The version recorded for the queue, or None when none is (no queue, or one from before the record)."""
    if not conn.execute(sa.text(f"SELECT to_regclass('{VERSION_TABLE}') IS NOT NULL")).scalar():
        return None
    value = conn.execute(sa.text(f"SELECT version FROM {VERSION_TABLE}")).scalar()
    return None if value is None else parse_version(str(value))


def _run_sql(conn: Connection, sql: str) -> None:
    driver = conn.connection.driver_connection
    assert driver is not None
    driver.execute(sql)  # psycopg: several statements, no parameters (% is literal)


_NEW_ENUM_VALUE = re.compile(r"^\s*(--[^\n]*\n\s*)*ALTER\s+TYPE\s+\S+\s+ADD\s+VALUE", re.IGNORECASE)


def _run_script(conn: Connection, sql: str) -> None:
    """One migration script, statement by statement in one transaction, committed early after a statement that
    adds an enum value: PostgreSQL lets a transaction use a new enum value only once it is committed, and the
    scripts are written for psql, which runs each statement on its own (sqlparse splits them, dollar quotes
    and all)."""
    import sqlparse

    for statement in sqlparse.split(sql):
        if not statement.strip() or not sqlparse.format(statement, strip_comments=True).strip():
            continue
        _run_sql(conn, statement)
        if _NEW_ENUM_VALUE.match(statement):
            conn.connection.commit()  # the statement went to the driver itself: commit there


def _record(conn: Connection, version: Version) -> None:
    conn.execute(sa.text(f"CREATE TABLE IF NOT EXISTS {VERSION_TABLE} (version TEXT NOT NULL)"))
    conn.execute(sa.text(f"DELETE FROM {VERSION_TABLE}"))
    conn.execute(sa.text(f"INSERT INTO {VERSION_TABLE} (version) VALUES (:v)"), {"v": _text(version)})


def upgrade_queue(engine: Engine, *, target: Version | None = None) -> QueueUpgrade:
    """Create the queue's tables, or run the scripts that bring them to `target` (the installed Procrastinate)."""
    from procrastinate import schema

    target = target or installed_version()
    with engine.connect() as conn:
        conn.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": _LOCK})
        conn.commit()
        try:
            exists = bool(conn.execute(sa.text("SELECT to_regclass('procrastinate_jobs') IS NOT NULL")).scalar())
            held = held_version(conn)
            conn.commit()
            if not exists:
                _run_sql(conn, schema.SchemaManager.get_schema())
                _record(conn, target)
                conn.commit()
                return QueueUpgrade(created=True, applied=(), version=_text(target))
            if held is None:  # created by a `db upgrade` from before the record: by the version installed then
                _record(conn, target)
                conn.commit()
                return QueueUpgrade(created=False, applied=(), version=_text(target))
            if held > target:
                raise ConfigError(
                    f"the task queue's tables are from Procrastinate {_text(held)}, newer than the installed "
                    f"{_text(target)}: install procrastinate>={_text(held)}"
                )
            applied = []
            for script in scripts_between(held, target):
                try:
                    _run_script(conn, script.sql)
                except Exception as exc:  # the driver's error, whatever its class: name the script it came from
                    raise ConfigError(
                        f"the task queue stays at Procrastinate {_text(held)}: its migration script "
                        f"{script.name} failed: {exc}"
                    ) from exc
                _record(conn, script.version)
                conn.commit()  # one script, one transaction: a failure leaves the queue at the last good version
                held = script.version
                applied.append(script.name)
            _record(conn, target)
            conn.commit()
            return QueueUpgrade(created=False, applied=tuple(applied), version=_text(target))
        finally:
            conn.rollback()
            conn.connection.rollback()  # a failed script's statements went to the driver itself
            conn.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": _LOCK})
            conn.commit()
