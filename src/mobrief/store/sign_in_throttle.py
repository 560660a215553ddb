"""Sign-in attempts per key (`sign_in_throttle`): how many failed in a row, and when the next may be tried.

The policy (which key, how long a wait) is the web room's; this module makes claiming an attempt atomic on both
backends: a compare-and-set update, so two requests racing on one key cannot both get through one wait.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from mobrief.records import utc
from mobrief.store.database import reading
from mobrief.store.schema import sign_in_throttle

RACED = dt.timedelta(seconds=1)  # the wait told to the loser of a race for the same key


class SignInThrottleRepository:
    """Rows of `sign_in_throttle`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def claim(
        self,
        key: str,
        now: dt.datetime,
        wait_after: Callable[[int], dt.timedelta],
        *,
        forget_after: dt.timedelta,
    ) -> dt.timedelta | None:
        """Count one attempt for `key`: None when it may go ahead, else how long is left to wait.

        An attempt is counted as a failure before the password is checked (`clear` forgets it on success),
        so parallel guesses are counted too. After the n-th attempt in a row the next one waits
        `wait_after(n)`; a key untouched for `forget_after` starts again from nothing.
        """
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(sign_in_throttle).where(sign_in_throttle.c.key == key)).first()
            if row is not None:
                not_before, last = utc(row.not_before), utc(row.last_attempt)
                if not_before > now:
                    return not_before - now
                failures = 0 if now - last > forget_after else int(row.failures)
                claimed = conn.execute(
                    sa.update(sign_in_throttle)
                    .where(sign_in_throttle.c.key == key, sign_in_throttle.c.failures == row.failures)
                    .values(failures=failures + 1, not_before=now + wait_after(failures + 1), last_attempt=now)
                ).rowcount
                return None if claimed else RACED
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    sa.insert(sign_in_throttle).values(
                        key=key, failures=1, not_before=now + wait_after(1), last_attempt=now
                    )
                )
        except IntegrityError:  # another request inserted the same key first
            return RACED
        return None

    def clear(self, key: str) -> None:
        """Forget the attempts counted for `key` (a successful sign-in)."""
        with self.engine.begin() as conn:
            conn.execute(sa.delete(sign_in_throttle).where(sign_in_throttle.c.key == key))

    def failures(self, key: str) -> int:
        with reading(self.engine) as conn:
            found = conn.execute(sa.select(sign_in_throttle.c.failures).where(sign_in_throttle.c.key == key)).scalar()
        return int(found or 0)

    def prune(self, before: dt.datetime) -> int:
        """Delete keys whose last attempt is older than `before`; returns how many."""
        with self.engine.begin() as conn:
            query = sa.delete(sign_in_throttle).where(sign_in_throttle.c.last_attempt < before)
            return int(conn.execute(query).rowcount)
