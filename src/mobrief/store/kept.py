"""Reads a process keeps while nothing has been committed to the database since it made them.

A commit token says whether any connection, of any process, has committed a write since a moment: SQLite's
`PRAGMA data_version` on a connection of its own that never writes (it changes when another connection commits),
PostgreSQL's `pg_current_snapshot()` (a commit either moves its xmax or leaves its list of transactions in
progress; read-only transactions take no transaction id, and the snapshot covers every database of the server, so
another database's writes only make us read again). A value read after taking a token is kept with it and given
back while the token is still the same: nothing it was read from can have changed. The web pages keep the
signed-in session, the outlet names and the jobs banner's jobs this way, rather than reading them on every page.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import sqlite3
import threading
from collections.abc import Callable, Hashable, Iterator
from typing import Any, TypeVar

from sqlalchemy.engine import Engine

T = TypeVar("T")
KEEP_AT_MOST = 5_000  # values a process keeps at once (a new commit token drops them all anyway)

_block_token: contextvars.ContextVar[list[Hashable | None] | None] = contextvars.ContextVar(
    "kept_block_token", default=None
)


class CommitWatch:
    """Takes commit tokens of one database; None when it cannot tell (an in-memory database, a lost connection)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._lock = threading.Lock()
        self._connection: Any = None
        self._pid = 0
        url = engine.url
        self._dialect = engine.dialect.name
        self._sqlite_path = url.database if self._dialect == "sqlite" else None
        self._errors: tuple[type[Exception], ...] = (sqlite3.Error,)
        if self._dialect == "postgresql":
            import psycopg

            self._errors = (psycopg.Error,)

    def token(self) -> Hashable | None:
        if self._dialect == "sqlite" and self._sqlite_path in (None, "", ":memory:"):
            return None  # another connection would open another database
        if self._dialect not in ("sqlite", "postgresql"):
            return None
        with self._lock:
            try:
                connection = self._open()
                if self._dialect == "sqlite":
                    return int(connection.execute("PRAGMA data_version").fetchone()[0])
                return str(connection.execute("SELECT pg_current_snapshot()::text").fetchone()[0])
            except self._errors:  # a watch that cannot tell keeps nothing: the pages read afresh
                self._drop()
                return None

    def _open(self) -> Any:
        if self._connection is not None and self._pid == os.getpid():
            return self._connection
        self._connection = None  # a forked worker never shares its parent's connection
        if self._dialect == "sqlite":
            connection: Any = sqlite3.connect(str(self._sqlite_path), check_same_thread=False, isolation_level=None)
        else:
            import psycopg

            url = self._engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
            connection = psycopg.connect(url, autocommit=True)
        self._connection, self._pid = connection, os.getpid()
        return connection

    def _drop(self) -> None:
        if self._connection is not None and self._pid == os.getpid():
            with contextlib.suppress(Exception):
                self._connection.close()
        self._connection = None

    def close(self) -> None:
        with self._lock:
            self._drop()


class KeptReads:
    """Values read from the database, each kept under the commit token taken before it was read, and given back
    while the database's token is still that one. One generation at a time: a new token drops every value."""

    def __init__(self, watch: CommitWatch, limit: int = KEEP_AT_MOST) -> None:
        self.watch = watch
        self.limit = limit
        self._lock = threading.Lock()
        self._token: Hashable | None = None
        self._values: dict[Hashable, Any] = {}

    def token(self) -> Hashable | None:
        """The commit token now, or the one taken for the enclosing `block` (taken at its first use)."""
        held = _block_token.get()
        if held is None:
            return self.watch.token()
        if not held:
            held.append(self.watch.token())
        return held[0]

    @contextlib.contextmanager
    def block(self) -> Iterator[None]:
        """One commit token for the block's kept reads (a web page's): a round trip on PostgreSQL, taken once."""
        if _block_token.get() is not None:
            yield
            return
        reset = _block_token.set([])
        try:
            yield
        finally:
            _block_token.reset(reset)

    def get(self, key: Hashable, read: Callable[[], T]) -> T:
        """The value kept under `key` if nothing was committed since it was read, else `read()` (kept).

        The token is taken before reading, so a value is never kept under a token newer than what it saw."""
        token = self.token()
        if token is None:
            return read()
        with self._lock:
            if token == self._token and key in self._values:
                value: T = self._values[key]
                return value
        value = read()
        with self._lock:
            if token != self._token:
                if self.watch.token() != token:  # a commit since: what was read may be out of date already
                    return value
                self._token, self._values = token, {}
            if len(self._values) >= self.limit:
                self._values.clear()
            self._values[key] = value
        return value

    def forget(self) -> None:
        """Drop every kept value (this process wrote: its next pages read afresh even before the token moves)."""
        with self._lock:
            self._values.clear()
