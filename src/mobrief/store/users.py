"""The newsroom's accounts (`users`): email, argon2 hash, role, and whether the password is a one-time one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from mobrief.errors import ConfigError, NotFound
from mobrief.records import utc
from mobrief.store.database import reading
from mobrief.store.schema import users

ROLES = ("volunteer", "editor", "admin")


@dataclass(frozen=True, slots=True, kw_only=True)
class User:
    """One account; `password_hash` is an argon2 hash, never a password."""

    id: int
    email: str
    role: str
    password_hash: str
    must_change_password: bool = False  # set by an admin's reset: the password was given out and is one-time
    password_changed_at: dt.datetime | None = None
    created_at: dt.datetime

    def has_role(self, role: str) -> bool:
        """True when this account may do what `role` may: admin ⊃ editor ⊃ volunteer."""
        return ROLES.index(self.role) >= ROLES.index(role)


def normalize_email(email: str) -> str:
    """Emails compare case-insensitively and without surrounding blanks."""
    return email.strip().lower()


def user_from_row(row: Any) -> User:
    return User(
        id=row.id,
        email=row.email,
        role=row.role,
        password_hash=row.password_hash,
        must_change_password=bool(row.must_change_password),
        password_changed_at=None if row.password_changed_at is None else utc(row.password_changed_at),
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
        now = dt.datetime.now(dt.UTC)
        values = {
            "email": address,
            "password_hash": password_hash,
            "role": role,
            "must_change_password": False,
            "password_changed_at": now,
            "created_at": now,
        }
        try:
            with self.engine.begin() as conn:
                new_id = conn.execute(sa.insert(users).values(**values)).inserted_primary_key[0]  # type: ignore[index]
        except IntegrityError as exc:
            raise ConfigError(f"a user {address} already exists") from exc
        return self.get(int(new_id))

    def get(self, user_id: int) -> User:
        with reading(self.engine) as conn:
            row = conn.execute(sa.select(users).where(users.c.id == user_id)).first()
        if row is None:
            raise NotFound(f"no user with id {user_id}")
        return user_from_row(row)

    def find(self, user_id: int) -> User | None:
        """The account with `user_id`, or None (a session may outlive its account)."""
        with reading(self.engine) as conn:
            row = conn.execute(sa.select(users).where(users.c.id == user_id)).first()
        return None if row is None else user_from_row(row)

    def by_email(self, email: str) -> User | None:
        with reading(self.engine) as conn:
            row = conn.execute(sa.select(users).where(users.c.email == normalize_email(email))).first()
        return None if row is None else user_from_row(row)

    def list(self) -> list[User]:
        with reading(self.engine) as conn:
            return [user_from_row(row) for row in conn.execute(sa.select(users).order_by(users.c.email))]

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

    def set_password_hash(self, user_id: int, password_hash: str, *, one_time: bool = False) -> None:
        """Store a new hash and end every session of the account, in one transaction.

        `one_time` marks a password an admin gave out, to be replaced at the next sign-in.
        """
        values = {
            "password_hash": password_hash,
            "must_change_password": one_time,
            "password_changed_at": dt.datetime.now(dt.UTC),
        }
        with self.engine.begin() as conn:
            if not conn.execute(sa.update(users).where(users.c.id == user_id).values(**values)).rowcount:
                raise NotFound(f"no user with id {user_id}")
            from mobrief.store import sessions  # the writer of `sessions`, which imports this module's records

            sessions.delete_for_user(conn, user_id)

    def rehash(self, user_id: int, password_hash: str) -> None:
        """The same password under stronger hashing parameters (nothing else about the account changes)."""
        with self.engine.begin() as conn:
            conn.execute(sa.update(users).where(users.c.id == user_id).values(password_hash=password_hash))
