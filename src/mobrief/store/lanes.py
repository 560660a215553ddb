"""Lanes: work that only one process may do at a time (clustering, drafting), whatever machine it runs on.

On PostgreSQL a lane is a session advisory lock held on a connection of its own; on SQLite it is an
exclusive `flock` on a file beside the database. Both are released by the operating system or the server
when the holder dies, so a killed run never leaves a lane closed, and no lease has to time out.
"""

from __future__ import annotations

import contextlib
import zlib
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine


def lane_key(name: str) -> int:
    """The advisory-lock key of a lane: a stable 31-bit number from its name."""
    return zlib.crc32(f"mobrief:{name}".encode()) & 0x7FFFFFFF


@contextlib.contextmanager
def hold_lane(engine: Engine, name: str) -> Iterator[None]:
    """Wait until no other process holds lane `name`, then hold it until the block ends."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": lane_key(name)})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": lane_key(name)})
                conn.commit()
        return
    database = engine.url.database
    if not database or database == ":memory:":
        yield  # a database no other process can open has one process in every lane
        return
    import fcntl

    path = Path(f"{database}.{name}.lock")
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def single_writer(engine: Engine, name: str) -> contextlib.AbstractContextManager[None]:
    """A lane on SQLite, where one process writes at a time anyway; nothing on PostgreSQL, where work is
    claimed row by row (`FOR NO KEY UPDATE SKIP LOCKED`) and many processes share it."""
    if engine.dialect.name == "postgresql":
        return contextlib.nullcontext()
    return hold_lane(engine, name)
