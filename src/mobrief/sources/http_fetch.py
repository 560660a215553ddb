"""Polite HTTP GETs for the network adapters: one client setup, bounded retries on 429, clear failures.

Every failure a user can meet (timeout, refused connection, 404, still rate-limited after retrying) becomes a
`SourceUnavailable` that names the URL, so the adapters never leak an httpx exception.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Mapping

import httpx

from mobrief import __version__
from mobrief.errors import SourceUnavailable
from mobrief.settings import Settings

USER_AGENT = f"mobrief/{__version__} (news monitoring)"
MAX_RETRIES = 3  # after the first attempt, on 429 and 503 only
MAX_WAIT = 60.0  # seconds: a longer Retry-After is cut to this
RETRIED_STATUSES = frozenset({429, 503})


def make_client(settings: Settings) -> httpx.Client:
    """An httpx client with our timeout, redirects followed and an honest User-Agent."""
    return httpx.Client(
        timeout=settings.request_timeout,
        follow_redirects=True,
        headers={"User-Agent": USER_AGENT, "Accept-Language": "ru,en;q=0.8"},
    )


def retry_after_seconds(value: str | None, default: float) -> float:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date), bounded by MAX_WAIT."""
    if not value:
        return min(default, MAX_WAIT)
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_WAIT)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return min(default, MAX_WAIT)
    return max(0.0, min(when.timestamp() - time.time(), MAX_WAIT))


def fetch(
    client: httpx.Client,
    url: str,
    *,
    settings: Settings,
    headers: Mapping[str, str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> httpx.Response:
    """GET `url`: a 2xx or 304 response; retries 429/503 (honouring Retry-After); else SourceUnavailable."""
    backoff = max(settings.request_delay, 0.5)
    for attempt in range(MAX_RETRIES + 1):
        try:
            response = client.get(url, headers=dict(headers or {}))
        except httpx.TimeoutException:
            reason = f"no answer within {settings.request_timeout:g} s (timed out)"
            raise SourceUnavailable(url, reason) from None
        except httpx.HTTPError as exc:
            raise SourceUnavailable(url, f"cannot fetch: {exc}") from None
        except (httpx.InvalidURL, ValueError) as exc:  # a control character, a bad IDNA label, a huge URL
            raise SourceUnavailable(url, f"not an address that can be fetched: {exc}") from None
        if response.status_code in RETRIED_STATUSES and attempt < MAX_RETRIES:
            sleep(retry_after_seconds(response.headers.get("Retry-After"), backoff * 2**attempt))
            continue
        if response.status_code == 304 or response.is_success:
            return response
        if response.status_code == 429:
            raise SourceUnavailable(url, f"HTTP 429 Too Many Requests, still after {MAX_RETRIES} retries")
        if response.status_code == 404:
            raise SourceUnavailable(url, "HTTP 404 Not Found")
        raise SourceUnavailable(url, f"HTTP {response.status_code} {response.reason_phrase}".strip())
    raise AssertionError("unreachable")  # pragma: no cover
