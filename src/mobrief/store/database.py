"""Open a database by URL, bring its schema to the newest migration, and hand out repositories."""

from __future__ import annotations

import contextlib
import contextvars
import functools
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from mobrief.errors import ConfigError, DatabaseUnavailable
from mobrief.store import json_columns, lanes

if TYPE_CHECKING:
    from mobrief.store.audit import AuditLog
    from mobrief.store.briefs import BriefRepository
    from mobrief.store.drafts import DraftRepository
    from mobrief.store.enrichments import EnrichmentRepository
    from mobrief.store.glossary import GlossaryRepository
    from mobrief.store.inbox import InboxRepository
    from mobrief.store.items import ItemRepository
    from mobrief.store.jobs import BackgroundJobRepository
    from mobrief.store.kept import KeptReads
    from mobrief.store.models import ModelRepository
    from mobrief.store.outlets import OutletAliasRepository
    from mobrief.store.period_stories import PeriodRepository
    from mobrief.store.rates import RateRepository
    from mobrief.store.revisions import RevisionRepository
    from mobrief.store.search_hits import SearchRepository
    from mobrief.store.sessions import SessionRepository
    from mobrief.store.sign_in_throttle import SignInThrottleRepository
    from mobrief.store.sources import SourceRepository
    from mobrief.store.stories import StoryRepository
    from mobrief.store.story_decisions import StoryDecisionRepository
    from mobrief.store.story_drafts import StoryDraftRepository
    from mobrief.store.suggestions import SuggestionRepository
    from mobrief.store.users import UserRepository

ALEMBIC_DIR = Path(__file__).parent / "alembic"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def create_engine(url: str) -> Engine:
    """An engine for `url` with mobrief's connection settings (WAL and foreign keys on SQLite)."""
    if url.startswith("postgresql"):
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        try:
            import psycopg  # noqa: F401
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise ConfigError("PostgreSQL needs the driver: pip install 'mobrief[postgres]'") from exc
        # a connection per thread the web app serves with (20 editors at once) rather than queueing for 5
        engine = sa.create_engine(url, pool_size=10, max_overflow=10, json_serializer=json_columns.encode)
        _ping_when_idle(engine)
        return engine
    if not url.startswith("sqlite"):
        raise ConfigError(f"unsupported database URL {url!r}: use sqlite:///PATH or postgresql+psycopg://…")
    engine = sa.create_engine(url, json_serializer=json_columns.encode)
    sa.event.listen(engine, "connect", _sqlite_pragmas)
    return engine


PING_AFTER_IDLE_SECONDS = 10.0


def _ping_when_idle(engine: Engine) -> None:
    """Check a pooled connection before use only when it sat unused a while (a server restart or an idle timeout
    may have closed it), where pool_pre_ping cost a round trip on every checkout, six a web page. A connection
    that dies while in steady use fails one statement; the pool then drops every connection older than that."""

    @sa.event.listens_for(engine, "checkin")
    def _checked_in(dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @sa.event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        since = record.info.pop("idle_since", None)
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise sa.exc.DisconnectionError(f"a pooled connection was closed while idle: {exc}") from exc


_shared_reads: contextvars.ContextVar[sa.Connection | None] = contextvars.ContextVar("shared_reads", default=None)


@contextlib.contextmanager
def reading(engine: Engine) -> Iterator[sa.Connection]:
    """A connection for reads only, its transaction ended with COMMIT (the same as a rollback when nothing was
    written). Ended the default way, by ROLLBACK, it made psycopg forget every statement it had prepared on that
    connection, so PostgreSQL planned each read afresh: most of the database's work on a web page.

    Inside `Store.shared_reads` it is that block's connection and transaction."""
    shared = _shared_reads.get()
    if shared is not None and shared.engine is engine:
        yield shared
        return
    with engine.begin() as conn:
        yield conn


def alembic_config(engine: Engine) -> Any:
    """An Alembic config that migrates `engine` with the scripts shipped inside the package."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(ALEMBIC_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run every migration up to `revision`; a no-op on an up-to-date database."""
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = alembic_config(engine)
    head = ScriptDirectory.from_config(config).get_current_head()
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    if revision == "head" and current == head:
        return
    command.upgrade(config, revision)


def _check_reachable(engine: Engine) -> None:
    """Connect once, so that a database that cannot be opened says which and why rather than failing in a migration."""
    location = engine.url.render_as_string(hide_password=True)
    if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        folder = Path(str(engine.url.database)).expanduser().parent
        if not folder.is_dir():
            engine.dispose()
            raise DatabaseUnavailable(location, f"the folder {folder} does not exist")
    try:
        with engine.connect():
            pass
    except sa.exc.DBAPIError as exc:
        engine.dispose()
        reason = " ".join(str(exc.orig).split()) or type(exc.orig).__name__
        raise DatabaseUnavailable(location, reason) from exc


class Store:
    """The one store of a newsroom: an engine plus a repository per kind of record."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def in_memory(self) -> bool:
        """Whether no other process can open this database (an in-memory SQLite one)."""
        url = self.engine.url
        return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")

    @contextlib.contextmanager
    def shared_reads(self) -> Iterator[None]:
        """On PostgreSQL, every read of the block (`reading` in this thread) on one connection in one transaction:
        a web page's half-dozen reads cost one pool checkout, one BEGIN and one COMMIT, where each read paid for its
        own (BEGIN and COMMIT are a round trip each). Under READ COMMITTED each statement still sees what was
        committed when it began, as it did alone; writes keep their own transactions. On SQLite, where a read
        transaction would hold one snapshot for the whole block, each read stays its own. On both, the block's kept
        reads (`kept`) share one commit token."""
        with self.kept.block():  # one commit token for the block's kept reads
            if self.dialect != "postgresql" or _shared_reads.get() is not None:
                yield
                return
            with self.engine.begin() as conn:
                token = _shared_reads.set(conn)
                try:
                    yield
                finally:
                    _shared_reads.reset(token)

    def transaction(self) -> AbstractContextManager[sa.Connection]:
        """One transaction for a use case that writes through several repositories' functions (a story edit)."""
        return self.engine.begin()

    def upgrade(self) -> None:
        """Bring the schema to the newest migration (`mobrief db upgrade`)."""
        upgrade(self.engine)

    def hold_lane(self, name: str) -> AbstractContextManager[None]:
        """Wait until no other process holds lane `name` (clustering, drafting), then hold it for the block."""
        return lanes.hold_lane(self.engine, name)

    def single_writer(self, name: str) -> AbstractContextManager[None]:
        """Lane `name` on SQLite, where one process writes at a time anyway; nothing on PostgreSQL, where work
        is claimed row by row."""
        return lanes.single_writer(self.engine, name)

    @functools.cached_property
    def kept(self) -> KeptReads:
        """Reads this process keeps while nothing has been committed to the database since (store/kept.py)."""
        from mobrief.store.kept import CommitWatch, KeptReads

        return KeptReads(CommitWatch(self.engine))

    @functools.cached_property
    def items(self) -> ItemRepository:
        from mobrief.store.items import ItemRepository

        return ItemRepository(self.engine)

    @functools.cached_property
    def jobs(self) -> BackgroundJobRepository:
        from mobrief.store.jobs import BackgroundJobRepository

        return BackgroundJobRepository(self.engine)

    @functools.cached_property
    def sources(self) -> SourceRepository:
        from mobrief.store.sources import SourceRepository

        return SourceRepository(self.engine)

    @functools.cached_property
    def briefs(self) -> BriefRepository:
        from mobrief.store.briefs import BriefRepository

        return BriefRepository(self.engine)

    @functools.cached_property
    def glossary(self) -> GlossaryRepository:
        from mobrief.store.glossary import GlossaryRepository

        return GlossaryRepository(self.engine)

    @functools.cached_property
    def rates(self) -> RateRepository:
        from mobrief.store.rates import RateRepository

        return RateRepository(self.engine)

    @functools.cached_property
    def enrichments(self) -> EnrichmentRepository:
        from mobrief.store.enrichments import EnrichmentRepository

        return EnrichmentRepository(self.engine)

    @functools.cached_property
    def models(self) -> ModelRepository:
        from mobrief.store.models import ModelRepository

        return ModelRepository(self.engine)

    @functools.cached_property
    def search(self) -> SearchRepository:
        """Searches of reports, stories and published paragraphs, a page at a time."""
        from mobrief.store.search_hits import SearchRepository

        return SearchRepository(self.engine)

    @functools.cached_property
    def stories(self) -> StoryRepository:
        from mobrief.store.stories import StoryRepository

        return StoryRepository(self.engine)

    @functools.cached_property
    def story_decisions(self) -> StoryDecisionRepository:
        from mobrief.store.story_decisions import StoryDecisionRepository

        return StoryDecisionRepository(self.engine, self.drafts)

    @functools.cached_property
    def story_drafts(self) -> StoryDraftRepository:
        from mobrief.store.story_drafts import StoryDraftRepository

        return StoryDraftRepository(self.engine)

    @functools.cached_property
    def outlet_aliases(self) -> OutletAliasRepository:
        from mobrief.store.outlets import OutletAliasRepository

        return OutletAliasRepository(self.engine)

    @functools.cached_property
    def suggestions(self) -> SuggestionRepository:
        from mobrief.store.suggestions import SuggestionRepository

        return SuggestionRepository(self.engine)

    @functools.cached_property
    def revisions(self) -> RevisionRepository:
        from mobrief.store.revisions import RevisionRepository

        return RevisionRepository(self.engine)

    @functools.cached_property
    def users(self) -> UserRepository:
        from mobrief.store.users import UserRepository

        return UserRepository(self.engine)

    @functools.cached_property
    def sessions(self) -> SessionRepository:
        from mobrief.store.sessions import SessionRepository

        return SessionRepository(self.engine)

    @functools.cached_property
    def sign_in_throttle(self) -> SignInThrottleRepository:
        from mobrief.store.sign_in_throttle import SignInThrottleRepository

        return SignInThrottleRepository(self.engine)

    @functools.cached_property
    def audit(self) -> AuditLog:
        """Who did what, when and from where (`audit.record(...)`, `audit.list(...)`)."""
        from mobrief.store.audit import AuditLog

        return AuditLog(self.engine)

    @functools.cached_property
    def inbox(self) -> InboxRepository:
        from mobrief.store.inbox import InboxRepository

        return InboxRepository(self.engine, self.enrichments)

    @functools.cached_property
    def periods(self) -> PeriodRepository:
        """What composing reads about a period: its relevant stories, the briefs they continue, overlaps."""
        from mobrief.store.period_stories import PeriodRepository

        return PeriodRepository(self.engine)

    @functools.cached_property
    def drafts(self) -> DraftRepository:
        from mobrief.store.drafts import DraftRepository

        return DraftRepository(self.engine)

    def close(self) -> None:
        if "kept" in self.__dict__:
            self.kept.watch.close()
        self.engine.dispose()


def open_store(url: str, *, migrate: bool = True) -> Store:
    """Open (and by default migrate) the database at `url`; a database that cannot be reached is one clear error."""
    engine = create_engine(url)
    _check_reachable(engine)
    if migrate:
        upgrade(engine)
    return Store(engine)
