"""Shared fixtures: environment isolation, real SQLite and PostgreSQL stores, a real local HTTP server."""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from mobrief.store import Store, open_store

DATA = Path(__file__).parent / "data"
PG_ADMIN_URL = os.environ.get("MOBRIEF_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
TEMPLATE_DB = f"mobrief_test_template_{os.getpid()}"  # per session: parallel runs never share it


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees the developer's MOBRIEF_* settings or writes into the working directory."""
    for key in list(os.environ):
        if key.startswith("MOBRIEF_") and key != "MOBRIEF_REQUIRE_POSTGRES":
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)


# ---- PostgreSQL: migrate a template once, copy it for each test (procrastinate's pattern) ----


def _pg_admin():  # type: ignore[no-untyped-def]
    import sqlalchemy as sa

    return sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str | None]:
    """Name of a migrated template database, or None (and a skip) when no server answers."""
    import sqlalchemy as sa

    try:
        admin = _pg_admin()
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {TEMPLATE_DB} WITH (FORCE)"))
            conn.execute(sa.text(f"CREATE DATABASE {TEMPLATE_DB}"))
    except Exception as exc:
        if os.environ.get("MOBRIEF_REQUIRE_POSTGRES") == "1":
            raise RuntimeError(f"PostgreSQL is required here but not reachable at {PG_ADMIN_URL}: {exc}") from exc
        yield None
        return
    store = open_store(_pg_url(TEMPLATE_DB))
    store.close()
    yield TEMPLATE_DB
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {TEMPLATE_DB} WITH (FORCE)"))
    admin.dispose()


def _pg_url(name: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database URL on each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.db'}"
        open_store(url).close()
        yield url
        return
    yield from _fresh_pg_database(request)


@pytest.fixture
def pg_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh, migrated PostgreSQL database URL, for what only PostgreSQL has (the team server's queue)."""
    yield from _fresh_pg_database(request)


@pytest.fixture
def other_pg_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A second fresh PostgreSQL database, for a run to compare with."""
    yield from _fresh_pg_database(request)


def _fresh_pg_database(request: pytest.FixtureRequest) -> Iterator[str]:
    template = request.getfixturevalue("pg_template")
    if template is None:
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL} (set MOBRIEF_REQUIRE_POSTGRES=1 to fail instead)")
    import sqlalchemy as sa

    name = f"mobrief_test_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {name} TEMPLATE {template}"))
    try:
        yield _pg_url(name)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """An open store on each backend."""
    opened = open_store(db_url)
    yield opened
    opened.close()


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    """An open SQLite store, for tests about logic rather than backends."""
    opened = open_store(f"sqlite:///{tmp_path / 'logic.db'}")
    yield opened
    opened.close()


# ---- a real HTTP server on 127.0.0.1 ----


@dataclass
class Route:
    """What the local server answers for one path."""

    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    etag: str | None = None
    last_modified: str | None = None
    handler: Callable[[BaseHTTPRequestHandler], tuple[int, dict[str, str], bytes]] | None = None


@dataclass
class LocalServer:
    """A threaded HTTP server whose routes tests set; it records every request it gets."""

    base_url: str
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def add(self, path: str, body: bytes | str = b"", **kwargs: object) -> str:
        data = body.encode() if isinstance(body, str) else body
        self.routes[path] = Route(body=data, **kwargs)  # type: ignore[arg-type]
        return self.url(path)

    def url(self, path: str) -> str:
        return self.base_url + path


def _handler_for(server: LocalServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            server.requests.append((self.path, dict(self.headers.items())))
            route = server.routes.get(self.path) or server.routes.get(self.path.split("?")[0] + "?*")
            if route is None:
                self._send(404, {"Content-Type": "text/plain"}, b"not found")
                return
            if route.delay:
                time.sleep(route.delay)
            if route.handler is not None:
                self._send(*route.handler(self))
                return
            headers = {"Content-Type": "text/html; charset=utf-8", **route.headers}
            if route.etag:
                headers["ETag"] = route.etag
                if self.headers.get("If-None-Match") == route.etag:
                    self._send(304, headers, b"")
                    return
            if route.last_modified:
                headers["Last-Modified"] = route.last_modified
                if self.headers.get("If-Modified-Since") == route.last_modified and not route.etag:
                    self._send(304, headers, b"")
                    return
            self._send(route.status, headers, route.body)

        def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
            try:
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

    return Handler


@pytest.fixture
def http_server() -> Iterator[LocalServer]:
    """A fresh real HTTP server on 127.0.0.1 and a free port, for fetch tests."""
    local = LocalServer(base_url="")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(local))
    httpd.daemon_threads = True
    local.base_url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield local
    httpd.shutdown()
    httpd.server_close()
