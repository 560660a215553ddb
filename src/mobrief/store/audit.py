"""The audit log (`audit_log`): who did what, when and from where. Rows are added, never changed.

Actions are dotted names, the room first: `auth.sign_in`, `auth.sign_in_failed`, `auth.sign_out`,
`auth.sign_out_everywhere`, `auth.password_changed`, `auth.password_reset`, `user.added`, `user.removed`,
`user.role_changed`, `brief.published`, `brief.corrected`, `brief.withdrawn`. A brief's history is
`list(target=("brief", brief_id))`.

Pass `conn` to `record` to write the entry in the caller's transaction, so a change and its entry are kept
or lost together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from mobrief.records import utc
from mobrief.store.database import reading
from mobrief.store.schema import audit_log


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEntry:
    """One thing done: `actor_email` stays readable after the account is removed (`actor_id` becomes None)."""

    id: int
    at: dt.datetime
    action: str
    actor_id: int | None
    actor_email: str | None
    client: str | None
    target_kind: str | None
    target_id: int | None
    detail: Mapping[str, Any] = field(default_factory=dict)


def _row_to_entry(row: Any) -> AuditEntry:
    return AuditEntry(
        id=row.id,
        at=utc(row.at),
        action=row.action,
        actor_id=row.actor_id,
        actor_email=row.actor_email,
        client=row.client,
        target_kind=row.target_kind,
        target_id=row.target_id,
        detail=dict(row.detail or {}),
    )


class AuditLog:
    """Rows of `audit_log`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def record(
        self,
        action: str,
        *,
        actor_id: int | None = None,
        actor_email: str | None = None,
        client: str | None = None,
        target: tuple[str, int] | None = None,
        detail: Mapping[str, Any] | None = None,
        at: dt.datetime | None = None,
        conn: Connection | None = None,
    ) -> int:
        """Add an entry; returns its id. `client` is the address (or "cli"); `target` is (kind, id)."""
        values = {
            "at": at or dt.datetime.now(dt.UTC),
            "action": action[:60],
            "actor_id": actor_id,
            "actor_email": None if actor_email is None else actor_email[:320],
            "client": None if client is None else client[:64],
            "target_kind": None if target is None else target[0],
            "target_id": None if target is None else target[1],
            "detail": dict(detail or {}),
        }
        if conn is not None:
            return int(conn.execute(sa.insert(audit_log).values(**values)).inserted_primary_key[0])  # type: ignore[index]
        with self.engine.begin() as own:
            return int(own.execute(sa.insert(audit_log).values(**values)).inserted_primary_key[0])  # type: ignore[index]

    def list(
        self,
        *,
        action: str | None = None,
        actor_id: int | None = None,
        target: tuple[str, int] | None = None,
        before_id: int | None = None,
        limit: int = 100,
    ) -> list[AuditEntry]:
        """Entries newest first, filtered; page with `before_id` (the last id of the previous page).

        `action` matches a whole name, or a room when it ends with a dot (`"auth."`).
        """
        query = sa.select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
        if action:
            query = query.where(
                audit_log.c.action.startswith(action, autoescape=True)
                if action.endswith(".")
                else audit_log.c.action == action
            )
        if actor_id is not None:
            query = query.where(audit_log.c.actor_id == actor_id)
        if target is not None:
            query = query.where(audit_log.c.target_kind == target[0], audit_log.c.target_id == target[1])
        if before_id is not None:
            query = query.where(audit_log.c.id < before_id)
        with reading(self.engine) as conn:
            return [_row_to_entry(row) for row in conn.execute(query)]
