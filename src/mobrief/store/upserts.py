"""INSERT … ON CONFLICT for either backend: a write that two processes can make at once without a collision.

SQLite and PostgreSQL spell it alike, but SQLAlchemy builds it from each dialect's own `insert`.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite


def insert(dialect: str, table: sa.Table) -> Any:
    """An `insert(table)` with `on_conflict_do_nothing` / `on_conflict_do_update` for `dialect`."""
    if dialect == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def immediate(conn: sa.Connection) -> None:
    """Take SQLite's write lock now, at the start of a transaction that reads before it writes, so no other
    writer slips in between (PostgreSQL relies on constraints and upserts instead)."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")
