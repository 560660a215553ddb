"""What the web app reads from MOBRIEF_* settings, checked once when the app is built.

- MOBRIEF_PUBLIC_URL: the canonical base of feed ids, links and a brief's `url`; when it is https, cookies are
  `Secure` (and `__Host-` prefixed) and HSTS is sent.
- MOBRIEF_SECURE_COOKIES: `1` or `0` overrides what the public URL implies (e.g. `1` behind TLS with no public URL).
- MOBRIEF_TRUSTED_PROXIES: addresses or networks whose `X-Forwarded-For` is believed (see `proxies`).
- MOBRIEF_SESSION_IDLE_MINUTES (30) and MOBRIEF_SESSION_HOURS (12): a session ends after this long unused, and
  this long after sign-in whatever happens (OWASP ASVS 4.0 level 2, V3.3.2).
- MOBRIEF_API_DOCS: `0` turns `/docs` off (it is on for signed-in users, with its assets served from here).
- MOBRIEF_WEB_THREADS (2 on SQLite, 3 on PostgreSQL): pages a worker process renders at once; the rest wait
  their turn. Pages are Python work under one interpreter lock: more threads than that only interleave, each
  slowing all the others and paying for the lock's hand-overs (20 editors on 2 cores: p95 ~350 ms with 40 threads
  a worker, ~100 with 2). On PostgreSQL a page also waits for the server's answers, a dozen round trips, while a
  third thread can run (100,000 items, 20 editors and one triaging, 2 workers: inbox p95 473/319 ms with 2
  threads, 271/254 with 3). Add worker processes (`serve --workers N`) for more pages at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from mobrief.errors import ConfigError
from mobrief.settings import Settings
from mobrief.web import proxies

HSTS = "max-age=31536000; includeSubDomains"


def _flag(settings: Settings, name: str) -> bool | None:
    value = settings.extra.get(name, "").strip().lower()
    if not value:
        return None
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be 1 or 0, not {value!r}")


def _positive(settings: Settings, name: str, default: float) -> float:
    value = settings.extra.get(name, "").strip()
    if not value:
        return default
    try:
        number = float(value)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number, not {value!r}") from exc
    if not number > 0:
        raise ConfigError(f"{name} must be above 0, not {value!r}")
    return number


def _default_threads(settings: Settings) -> int:
    """Pages at once a worker: 3 on PostgreSQL, whose pages also wait for the server's answers; 2 on SQLite."""
    return 3 if settings.database_url.startswith("postgres") else 2


def _whole(settings: Settings, name: str, default: int) -> int:
    number = _positive(settings, name, default)
    if number != int(number):
        raise ConfigError(f"{name} must be a whole number, not {number!r}")
    return int(number)


@dataclass(frozen=True, slots=True, kw_only=True)
class WebConfig:
    """The web app's security settings."""

    public_url: str = ""
    secure_cookies: bool = False
    hsts: bool = False
    trusted_proxies: tuple[proxies.Network, ...] = ()
    session_idle: dt.timedelta = dt.timedelta(minutes=30)
    session_lifetime: dt.timedelta = dt.timedelta(hours=12)
    api_docs: bool = True
    page_threads: int = 2

    @classmethod
    def from_settings(cls, settings: Settings) -> WebConfig:
        https = settings.public_url.startswith("https://")
        secure = _flag(settings, "MOBRIEF_SECURE_COOKIES")
        return cls(
            public_url=settings.public_url,
            secure_cookies=https if secure is None else secure,
            hsts=https,
            trusted_proxies=proxies.parse_trusted_proxies(settings.extra.get("MOBRIEF_TRUSTED_PROXIES", "")),
            session_idle=dt.timedelta(minutes=_positive(settings, "MOBRIEF_SESSION_IDLE_MINUTES", 30)),
            session_lifetime=dt.timedelta(hours=_positive(settings, "MOBRIEF_SESSION_HOURS", 12)),
            api_docs=_flag(settings, "MOBRIEF_API_DOCS") is not False,
            page_threads=_whole(settings, "MOBRIEF_WEB_THREADS", _default_threads(settings)),
        )
