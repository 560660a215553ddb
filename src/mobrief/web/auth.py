"""Passwords (argon2), sessions in signed cookies (itsdangerous) and sign-in throttling.

A session is a small signed document `{uid, csrf}` in an HttpOnly, SameSite=Lax cookie: no session table,
and the CSRF token is bound to it. Throttling works at two levels: per account (the `users` row counts
failures and locks the account, the lock doubling with every further failure) and per client address (in
memory, so guessing across many accounts is slowed too).
"""

from __future__ import annotations

import datetime as dt
import functools
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from itsdangerous import BadSignature, URLSafeTimedSerializer

from mobrief.store import Store
from mobrief.store.users import User

SESSION_COOKIE = "mobrief_session"
SESSION_MAX_AGE = 14 * 24 * 3600
LOCK_AFTER = 5  # failures in a row before an account is locked
LOCK_FOR = dt.timedelta(minutes=1)
CLIENT_FAILURES = 20  # failures from one address within CLIENT_WINDOW before it is refused
CLIENT_WINDOW = 600.0


@functools.cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    return _hasher().hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    """An argon2id hash of `password` (salted; the parameters travel inside the hash)."""
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True, slots=True)
class Session:
    """What the session cookie carries: the signed-in user (None for a visitor) and the CSRF token."""

    user_id: int | None
    csrf: str

    @classmethod
    def fresh(cls, user_id: int | None = None) -> Session:
        return cls(user_id=user_id, csrf=secrets.token_urlsafe(32))

    def signed_in(self, user_id: int) -> Session:
        """A new session for `user_id` with a new CSRF token (a token seen before sign-in is not reused)."""
        return Session.fresh(user_id)


class SessionCodec:
    """Sign and read session cookies with the app's secret key; a cookie older than the max age is refused."""

    def __init__(self, secret_key: str, max_age: int = SESSION_MAX_AGE) -> None:
        self._serializer = URLSafeTimedSerializer(secret_key, salt="mobrief-session")
        self.max_age = max_age

    def dumps(self, session: Session) -> str:
        return str(self._serializer.dumps({"uid": session.user_id, "csrf": session.csrf}))

    def loads(self, cookie: str) -> Session | None:
        try:
            data = self._serializer.loads(cookie, max_age=self.max_age)
        except (BadSignature, ValueError, TypeError):
            return None
        if not isinstance(data, dict) or not isinstance(data.get("csrf"), str):
            return None
        uid = data.get("uid")
        if uid is not None and not isinstance(uid, int):
            return None
        return Session(user_id=uid, csrf=data["csrf"])


class ClientThrottle:
    """Failed sign-ins per client address in a sliding window, in memory."""

    def __init__(self, limit: int = CLIENT_FAILURES, window: float = CLIENT_WINDOW) -> None:
        self.limit = limit
        self.window = window
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, client: str, now: float) -> deque[float]:
        failures = self._failures.setdefault(client, deque())
        while failures and failures[0] < now - self.window:
            failures.popleft()
        return failures

    def blocked(self, client: str) -> bool:
        with self._lock:
            return len(self._recent(client, time.monotonic())) >= self.limit

    def fail(self, client: str) -> None:
        with self._lock:
            self._recent(client, time.monotonic()).append(time.monotonic())

    def clear(self, client: str) -> None:
        with self._lock:
            self._failures.pop(client, None)


class SignInRefused(Exception):
    """A sign-in attempt failed; the message is safe to show (it never says whether the email exists)."""


def authenticate(store: Store, throttle: ClientThrottle, client: str, email: str, password: str) -> User:
    """The user with this email and password, or SignInRefused (wrong, locked or throttled)."""
    if throttle.blocked(client):
        raise SignInRefused("Too many failed sign-ins from this address. Try again in a few minutes.")
    user = store.users.by_email(email)
    now = dt.datetime.now(dt.UTC)
    if user is None:
        verify_password(_dummy_hash(), password)  # the same work as for a real account: no timing oracle
        throttle.fail(client)
        raise SignInRefused("Wrong email or password.")
    if user.locked_until is not None and user.locked_until > now:
        throttle.fail(client)
        raise SignInRefused("Too many failed sign-ins for this account. Try again in a few minutes.")
    if not verify_password(user.password_hash, password):
        throttle.fail(client)
        store.users.record_failure(user.id, lock_after=LOCK_AFTER, lock_for=LOCK_FOR)
        raise SignInRefused("Wrong email or password.")
    store.users.record_success(user.id)
    throttle.clear(client)
    if _hasher().check_needs_rehash(user.password_hash):
        store.users.set_password_hash(user.id, hash_password(password))
    return user
