"""Passwords (argon2id) and signing in: one answer, in about the same time, whatever went wrong.

Throttling never locks an account: each (email, client address) pair may try FREE_ATTEMPTS times, then waits
a delay that doubles with every further failure (1 s, 2 s, 4 s … at most 15 minutes). The key is the email as
typed, so an unknown email is slowed exactly like a real one and the answers cannot tell them apart; and it
includes the address, so a stranger's failures never slow an editor at her own address. An unknown email
costs the same argon2 work as a real one (a dummy hash with the same parameters).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
from dataclasses import dataclass

from argon2 import Parameters, PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from mobrief.errors import ConfigError
from mobrief.settings import Settings
from mobrief.store import Store
from mobrief.store.users import User, normalize_email

FREE_ATTEMPTS = 5  # attempts in a row before the first wait
LONGEST_WAIT = dt.timedelta(minutes=15)
FORGET_AFTER = dt.timedelta(hours=24)  # a pair with no attempt for this long starts again from nothing
ONE_TIME_PASSWORD_LIFETIME = dt.timedelta(days=3)  # an admin's reset must be used within this
MIN_PASSWORD = 12  # OWASP ASVS 4.0 V2.1.1
MAX_PASSWORD = 128  # V2.1.2: at least 64 allowed, longer refused

# argon2-cffi's parameter sets; "cheapest" exists for tests only (MOBRIEF_ARGON2_PROFILE=cheapest)
PROFILES = {
    "default": profiles.RFC_9106_LOW_MEMORY,  # what argon2-cffi uses by default: 64 MiB, 3 passes
    "high-memory": profiles.RFC_9106_HIGH_MEMORY,
    "cheapest": profiles.CHEAPEST,
}

WRONG = "Wrong email or password."
SLOW_DOWN = "Too many sign-in attempts with this email from your address. Try again in {wait}."


class Passwords:
    """Hash and check passwords with one argon2id parameter set (the parameters travel inside each hash)."""

    def __init__(self, profile: str = "default", *, parameters: Parameters | None = None) -> None:
        if parameters is None and profile not in PROFILES:
            raise ConfigError(f"MOBRIEF_ARGON2_PROFILE must be one of {', '.join(PROFILES)}, not {profile!r}")
        self._hasher = PasswordHasher.from_parameters(parameters or PROFILES[profile])
        # a real hash with the same parameters, checked for unknown emails so they cost the same time
        self._dummy = self._hasher.hash(secrets.token_urlsafe(16))

    @classmethod
    def from_settings(cls, settings: Settings) -> Passwords:
        return cls(settings.extra.get("MOBRIEF_ARGON2_PROFILE", "").strip() or "default")

    def hash(self, password: str) -> str:
        """An argon2id hash of `password` (salted)."""
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def waste_time(self, password: str) -> None:
        """Do the work of checking a password, for an account that does not exist."""
        self.verify(self._dummy, password)

    def needs_rehash(self, password_hash: str) -> bool:
        try:
            return self._hasher.check_needs_rehash(password_hash)
        except InvalidHashError:
            return True


@functools.cache
def _default() -> Passwords:
    return Passwords()


def hash_password(password: str) -> str:
    """An argon2id hash of `password` with the default (strong) parameters."""
    return _default().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    return _default().verify(password_hash, password)


def check_new_password(password: str, *, email: str, current: str | None = None) -> None:
    """Refuse (ConfigError) a new password that is too short or long, the email, or the current password."""
    if len(password) < MIN_PASSWORD:
        raise ConfigError(f"a password needs at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise ConfigError(f"a password has at most {MAX_PASSWORD} characters")
    if password.strip().lower() == normalize_email(email):
        raise ConfigError("a password cannot be the account's email")
    if current is not None and password == current:
        raise ConfigError("the new password must differ from the current one")


def new_one_time_password() -> str:
    """A random password an admin hands over (about 120 bits; easy to read aloud: no look-alike characters)."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    words = ["".join(secrets.choice(alphabet) for _ in range(5)) for _ in range(5)]
    return "-".join(words)


def wait_after(attempts: int) -> dt.timedelta:
    """How long the next attempt waits after `attempts` failures in a row from one address for one email."""
    if attempts < FREE_ATTEMPTS:
        return dt.timedelta(0)
    return min(dt.timedelta(seconds=2 ** (attempts - FREE_ATTEMPTS)), LONGEST_WAIT)


def prune_throttle(store: Store, now: dt.datetime | None = None) -> int:
    """Forget (email, address) pairs with no attempt for FORGET_AFTER; returns how many (run at start-up)."""
    return store.sign_in_throttle.prune((now or dt.datetime.now(dt.UTC)) - FORGET_AFTER)


def throttle_key(email: str, client: str) -> str:
    return hashlib.sha256(f"{normalize_email(email)}\x00{client}".encode()).hexdigest()


def _say(wait: dt.timedelta) -> str:
    seconds = max(1, int(wait.total_seconds() + 0.999))
    if seconds == 1:
        return "a second"
    return f"{seconds} seconds" if seconds < 120 else f"{(seconds + 59) // 60} minutes"


class SignInRefused(Exception):
    """A sign-in attempt failed; the message is safe to show (it never says whether the email exists)."""


@dataclass(frozen=True, slots=True)
class SignInAttempt:
    """Who tried and from where (for the throttle and the audit log)."""

    email: str
    password: str
    client: str


def authenticate(store: Store, passwords: Passwords, attempt: SignInAttempt, now: dt.datetime | None = None) -> User:
    """The user with this email and password, or SignInRefused: wrong, throttled or an expired one-time password.

    Every failure is recorded in the audit log (`auth.sign_in_failed`, with the email as typed).
    """
    moment = now or dt.datetime.now(dt.UTC)
    key = throttle_key(attempt.email, attempt.client)
    wait = store.sign_in_throttle.claim(key, moment, wait_after, forget_after=FORGET_AFTER)
    if wait is not None:
        _failed(store, attempt, "throttled", moment)
        raise SignInRefused(SLOW_DOWN.format(wait=_say(wait)))
    user = store.users.by_email(attempt.email)
    if user is None:
        passwords.waste_time(attempt.password)
        _failed(store, attempt, "wrong", moment)
        raise SignInRefused(WRONG)
    if not passwords.verify(user.password_hash, attempt.password):
        _failed(store, attempt, "wrong", moment)
        raise SignInRefused(WRONG)
    handed_out = user.password_changed_at or user.created_at
    if user.must_change_password and handed_out < moment - ONE_TIME_PASSWORD_LIFETIME:
        _failed(store, attempt, "one-time password expired", moment)
        raise SignInRefused(WRONG)
    store.sign_in_throttle.clear(key)
    if passwords.needs_rehash(user.password_hash):
        store.users.rehash(user.id, passwords.hash(attempt.password))
    return user


def confirm_password(store: Store, passwords: Passwords, user: User, password: str, client: str) -> str | None:
    """Check a signed-in user's current password (asked again before a change): None when right, else why not.

    Throttled like a sign-in, with the same key, so a borrowed session cannot guess the password faster.
    """
    key = throttle_key(user.email, client)
    wait = store.sign_in_throttle.claim(key, dt.datetime.now(dt.UTC), wait_after, forget_after=FORGET_AFTER)
    if wait is not None:
        return SLOW_DOWN.format(wait=_say(wait)).replace("sign-in attempts", "password attempts")
    if not passwords.verify(user.password_hash, password):
        return "The current password is wrong."
    store.sign_in_throttle.clear(key)
    return None


def _failed(store: Store, attempt: SignInAttempt, reason: str, now: dt.datetime) -> None:
    store.audit.record(
        "auth.sign_in_failed",
        actor_email=normalize_email(attempt.email)[:320],
        client=attempt.client,
        detail={"reason": reason},
        at=now,
    )
