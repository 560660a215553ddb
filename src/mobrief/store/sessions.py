"""Signed-in sessions (`sessions`): one row per browser, found by the hash of its cookie's token.

Only a sha256 of the token is stored, so a copy of the database does not sign anyone in. The web room decides
when a session has ended (idle and absolute timeouts); this module keeps the rows, and is their one writer: an
account's password change ends its sessions through `delete_for_user`, inside the users repository's transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from mobrief.records import utc
from mobrief.store.database import reading
from mobrief.store.schema import sessions, users
from mobrief.store.users import User, user_from_row


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredSession:
    """One signed-in browser: whose it is, its CSRF token, where and when it was opened and last used."""

    id: int
    user_id: int
    csrf: str
    client: str | None
    user_agent: str | None
    created_at: dt.datetime
    last_seen_at: dt.datetime


def _row_to_session(row: Any) -> StoredSession:
    return StoredSession(
        id=row.id,
        user_id=row.user_id,
        csrf=row.csrf,
        client=row.client,
        user_agent=row.user_agent,
        created_at=utc(row.created_at),
        last_seen_at=utc(row.last_seen_at),
    )


_SESSION_COLUMNS = [c.label(f"s_{c.name}") for c in sessions.c if c.name != "token_hash"]


class SessionRepository:
    """Rows of `sessions`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(
        self,
        token_hash: str,
        user_id: int,
        *,
        csrf: str,
        client: str | None,
        user_agent: str | None,
        now: dt.datetime,
    ) -> StoredSession:
        client, user_agent = (client or "")[:64] or None, (user_agent or "")[:300] or None
        values = {"csrf": csrf, "client": client, "user_agent": user_agent, "created_at": now, "last_seen_at": now}
        with self.engine.begin() as conn:
            query = sa.insert(sessions).values(token_hash=token_hash, user_id=user_id, **values)
            new_id = conn.execute(query).inserted_primary_key[0]  # type: ignore[index]
        return StoredSession(
            id=int(new_id),
            user_id=user_id,
            csrf=csrf,
            client=client,
            user_agent=user_agent,
            created_at=now,
            last_seen_at=now,
        )

    def find(self, token_hash: str) -> tuple[StoredSession, User] | None:
        """The session with this token hash and its account, in one query (every signed-in request asks)."""
        query = (
            sa.select(*_SESSION_COLUMNS, users)
            .select_from(sessions.join(users, users.c.id == sessions.c.user_id))
            .where(sessions.c.token_hash == token_hash)
        )
        with reading(self.engine) as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        mapping = row._mapping
        session = StoredSession(
            id=mapping["s_id"],
            user_id=mapping["s_user_id"],
            csrf=mapping["s_csrf"],
            client=mapping["s_client"],
            user_agent=mapping["s_user_agent"],
            created_at=utc(mapping["s_created_at"]),
            last_seen_at=utc(mapping["s_last_seen_at"]),
        )
        return session, user_from_row(row)

    def touch(self, session_id: int, now: dt.datetime) -> None:
        """Record that the session was used now (the idle timeout counts from here)."""
        with self.engine.begin() as conn:
            conn.execute(sa.update(sessions).where(sessions.c.id == session_id).values(last_seen_at=now))

    def remove(self, session_id: int, *, user_id: int | None = None) -> bool:
        """End one session (of `user_id` only, when given); True when there was one."""
        query = sa.delete(sessions).where(sessions.c.id == session_id)
        if user_id is not None:
            query = query.where(sessions.c.user_id == user_id)
        with self.engine.begin() as conn:
            return bool(conn.execute(query).rowcount)

    def remove_for_user(self, user_id: int, *, keep: int | None = None) -> int:
        """End every session of an account (but `keep`, when given); returns how many ended."""
        with self.engine.begin() as conn:
            return delete_for_user(conn, user_id, keep=keep)

    def for_user(self, user_id: int) -> list[StoredSession]:
        """An account's sessions, most recently used first."""
        query = (
            sa.select(*[c for c in sessions.c if c.name != "token_hash"])
            .where(sessions.c.user_id == user_id)
            .order_by(sessions.c.last_seen_at.desc(), sessions.c.id.desc())
        )
        with reading(self.engine) as conn:
            return [_row_to_session(row) for row in conn.execute(query)]

    def remove_expired(self, *, idle_since: dt.datetime, created_before: dt.datetime) -> int:
        """Delete sessions unused since `idle_since` or opened before `created_before`; returns how many."""
        query = sa.delete(sessions).where(
            sa.or_(sessions.c.last_seen_at < idle_since, sessions.c.created_at < created_before)
        )
        with self.engine.begin() as conn:
            return int(conn.execute(query).rowcount)


def delete_for_user(conn: Connection, user_id: int, *, keep: int | None = None) -> int:
    """Inside the caller's transaction, end every session of an account (but `keep`, when given); how many."""
    query = sa.delete(sessions).where(sessions.c.user_id == user_id)
    if keep is not None:
        query = query.where(sessions.c.id != keep)
    return int(conn.execute(query).rowcount)
