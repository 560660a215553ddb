"""When to poll a source next: sooner after a poll that brought news, later after one that brought none,
backing off on failures and giving up after repeated hard ones (as Media Cloud's rss-fetcher does).

A hard failure is one that waiting will not cure: the server says the feed is gone or forbidden (HTTP 4xx
other than 408 and 429), or what it serves is not a feed. Timeouts, 5xx and refused connections are soft:
they back off but never disable a source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mobrief.errors import SourceUnavailable

_STATUS = re.compile(r"\bHTTP (\d{3})\b")


@dataclass(frozen=True, slots=True, kw_only=True)
class PollLimits:
    """Bounds of the schedule, in seconds, and how many hard failures in a row disable a source."""

    first: float = 900.0
    shortest: float = 120.0
    longest: float = 6 * 3600.0
    hard_failures_to_disable: int = 3


@dataclass(frozen=True, slots=True, kw_only=True)
class PollOutcome:
    """A source's schedule after one poll: the interval until the next, failures in a row (hard ones
    apart), the error if the poll failed, and why the source is now disabled, if it is."""

    interval: float
    failures: int = 0
    hard_failures: int = 0
    error: str | None = None
    disabled_reason: str | None = None


def is_hard_failure(error: SourceUnavailable) -> bool:
    """Whether waiting would not help: the feed is gone, forbidden, or not a feed."""
    if error.reason.startswith("not a feed"):
        return True
    status = _STATUS.search(error.reason)
    return status is not None and 400 <= int(status.group(1)) < 500 and int(status.group(1)) not in (408, 429)


def after_success(interval: float | None, new_items: int, limits: PollLimits) -> PollOutcome:
    """Halve the interval after a poll that brought new or edited items, lengthen it by half otherwise."""
    current = interval or limits.first
    changed = current / 2 if new_items else current * 1.5
    return PollOutcome(interval=min(limits.longest, max(limits.shortest, changed)))


def after_failure(
    interval: float | None, failures: int, hard_failures: int, error: SourceUnavailable, limits: PollLimits
) -> PollOutcome:
    """Double the interval (up to the longest); disable the source after too many hard failures in a row."""
    current = interval or limits.first
    hard = is_hard_failure(error)
    hard_in_a_row = hard_failures + 1 if hard else 0
    disabled = None
    if hard_in_a_row >= limits.hard_failures_to_disable:
        disabled = f"{hard_in_a_row} hard failures in a row, the last: {error.reason}"
    return PollOutcome(
        interval=min(limits.longest, max(limits.shortest, current * 2)),
        failures=failures + 1,
        hard_failures=hard_in_a_row,
        error=error.reason,
        disabled_reason=disabled,
    )
