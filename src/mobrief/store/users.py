"""The newsroom's accounts (`users`): email, argon2 hash, role, and the failed-login count for throttling."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from mobrief.errors import ConfigError, NotFound
from mobrief.records import utc
from mobrief.store.schema import users

ROLES = ("volunteer", "editor", "admin")


@dataclass(frozen=True, slots=True, kw_only=True)
class User:
    """One account; `password_hash` is an argon2 hash, never a password."""

    id: int
    email: str
    role: str
    password_hash: str
    failed_logins: int = 0
    locked_until: dt.datetime | None = None
    created_at: dt.datetime

    def has_role(self, role: str) -> bool:
        """True when this account may do what `role` may: admin ⊃ editor ⊃ volunteer."""
        return ROLES.index(self.role) >= ROLES.index(role)


def normalize_email(email: str) -> str:
    """Emails compare case-insensitively and without surrounding blanks."""
    return email.strip().lower()


def _row_to_user(row: Any) -> User:
    return User(
        id=row.id,
        email=row.email,
        role=row.role,
        password_hash=row.password_hash,
        failed_logins=row.failed_logins or 0,
        locked_until=None if row.locked_until is None else utc(row.locked_until),
        created_at=utc(row.created_at),
    )


class UserRepository:
    """Rows of `users`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, email: str, password_hash: str, role: str) -> User:
        """Create an account; an email already taken or an unknown role is a ConfigError."""
        if role not in ROLES:
            raise ConfigError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        address = normalize_email(email)
        if "@" not in address or len(address) > 320:
            raise ConfigError(f"not an email address: {email!r}")
        values = {
            "email": address,
            "password_hash": password_hash,
            "role": role,
            "failed_logins": 0,
            "created_at": dt.datetime.now(dt.UTC),
        }
        try:
            with self.engine.begin() as conn:
                new_id = conn.execute(sa.insert(users).values(**values)).inserted_primary_key[0]  # type: ignore[index]
        except IntegrityError as exc:
            raise ConfigError(f"a user {address} already exists") from exc
        return self.get(int(new_id))

    def get(self, user_id: int) -> User:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(users).where(users.c.id == user_id)).first()
        if row is None:
            raise NotFound(f"no user with id {user_id}")
        return _row_to_user(row)

    def find(self, user_id: int) -> User | None:
        """The account with `user_id`, or None (a session may outlive its account)."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(users).where(users.c.id == user_id)).first()
        return None if row is None else _row_to_user(row)

    def by_email(self, email: str) -> User | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(users).where(users.c.email == normalize_email(email))).first()
        return None if row is None else _row_to_user(row)

    def list(self) -> list[User]:
        with self.engine.connect() as conn:
            return [_row_to_user(row) for row in conn.execute(sa.select(users).order_by(users.c.email))]

    def remove(self, email: str) -> None:
        with self.engine.begin() as conn:
            deleted = conn.execute(sa.delete(users).where(users.c.email == normalize_email(email))).rowcount
        if not deleted:
            raise NotFound(f"no user {normalize_email(email)}")

    def set_role(self, email: str, role: str) -> None:
        if role not in ROLES:
            raise ConfigError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        with self.engine.begin() as conn:
            query = sa.update(users).where(users.c.email == normalize_email(email)).values(role=role)
            if not conn.execute(query).rowcount:
                raise NotFound(f"no user {normalize_email(email)}")

    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(sa.update(users).where(users.c.id == user_id).values(password_hash=password_hash))

    def record_failure(self, user_id: int, *, lock_after: int, lock_for: dt.timedelta) -> User:
        """Count a failed sign-in; from the `lock_after`-th failure in a row, lock the account for `lock_for`.

        The counter is incremented in SQL so concurrent attempts cannot both read the old value.
        """
        now = dt.datetime.now(dt.UTC)
        with self.engine.begin() as conn:
            conn.execute(sa.update(users).where(users.c.id == user_id).values(failed_logins=users.c.failed_logins + 1))
            failures = conn.execute(sa.select(users.c.failed_logins).where(users.c.id == user_id)).scalar()
            if failures is not None and failures >= lock_after:
                # each failure past the threshold doubles the lock, capped at a day
                factor = min(2 ** (int(failures) - lock_after), 96)
                conn.execute(sa.update(users).where(users.c.id == user_id).values(locked_until=now + lock_for * factor))
        return self.get(user_id)

    def record_success(self, user_id: int) -> None:
        """A successful sign-in clears the failure counter and any lock."""
        with self.engine.begin() as conn:
            conn.execute(sa.update(users).where(users.c.id == user_id).values(failed_logins=0, locked_until=None))
