"""Settings read from MOBRIEF_* environment variables and command-line options, built in one place."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from mobrief.errors import ConfigError
from mobrief.item_limits import DEFAULT_MAX_TEXT_CHARS

DEFAULT_DATABASE_URL = "sqlite:///mobrief.db"
DEFAULT_LANGUAGES = ("ru", "uk", "en")


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """Everything configurable; built by `from_env` so tests pass a plain dict."""

    database_url: str = DEFAULT_DATABASE_URL
    languages: tuple[str, ...] = DEFAULT_LANGUAGES
    telegram_base_url: str = "https://t.me"
    request_delay: float = 1.0
    request_timeout: float = 20.0
    story_window_hours: float = 72.0
    cluster_batch: int = 500  # items per clustering transaction: what a killed run can lose and redo
    # polling schedule of configured sources, in seconds (see sources.polling): first interval, bounds
    poll_first: float = 900.0
    poll_shortest: float = 120.0
    poll_longest: float = 6 * 3600.0
    max_item_chars: int = DEFAULT_MAX_TEXT_CHARS  # text beyond this is cut (kept whole in raw): see item_limits
    secret_key: str = ""
    jobs_kept_days: float = 14.0  # how long the web app's finished background jobs (done, failed) are kept
    # where readers reach the newsroom (`https://briefs.example.org`): the base of feed ids, links and a
    # published brief's `url`; never taken from a request's Host header. "" = not configured.
    public_url: str = ""
    extra: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: Mapping[str, str], *, db: str | None = None) -> Settings:
        """Settings from an environment mapping; an explicit `db` wins over MOBRIEF_DATABASE_URL."""
        languages = environ.get("MOBRIEF_LANGUAGES")
        return cls(
            database_url=db or environ.get("MOBRIEF_DATABASE_URL") or DEFAULT_DATABASE_URL,
            languages=tuple(x.strip() for x in languages.split(",") if x.strip()) if languages else DEFAULT_LANGUAGES,
            telegram_base_url=environ.get("MOBRIEF_TELEGRAM_BASE_URL", "https://t.me"),
            request_delay=float(environ.get("MOBRIEF_REQUEST_DELAY", "1.0")),
            request_timeout=float(environ.get("MOBRIEF_REQUEST_TIMEOUT", "20")),
            story_window_hours=float(environ.get("MOBRIEF_STORY_WINDOW_HOURS", "72")),
            cluster_batch=int(environ.get("MOBRIEF_CLUSTER_BATCH", "500")),
            poll_first=float(environ.get("MOBRIEF_POLL_FIRST_SECONDS", "900")),
            poll_shortest=float(environ.get("MOBRIEF_POLL_MIN_SECONDS", "120")),
            poll_longest=float(environ.get("MOBRIEF_POLL_MAX_SECONDS", str(6 * 3600))),
            max_item_chars=int(environ.get("MOBRIEF_MAX_ITEM_CHARS", str(DEFAULT_MAX_TEXT_CHARS))),
            secret_key=environ.get("MOBRIEF_SECRET_KEY", ""),
            jobs_kept_days=_days(environ, "MOBRIEF_JOBS_KEPT_DAYS", 14.0),
            public_url=public_base_url(environ.get("MOBRIEF_PUBLIC_URL", "")),
            extra={k: v for k, v in environ.items() if k.startswith("MOBRIEF_")},
        )


def _days(environ: Mapping[str, str], name: str, default: float) -> float:
    raw = environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value >= 0:  # also NaN
        raise ConfigError(f"{name} must be a number of days (0 or more), not {raw!r}")
    return value


def public_base_url(value: str) -> str:
    """MOBRIEF_PUBLIC_URL checked and without its trailing slash: an absolute http(s) URL, or "" when unset."""
    text = value.strip()
    if not text:
        return ""
    try:
        parts = urlsplit(text)
    except ValueError as exc:
        raise ConfigError(f"MOBRIEF_PUBLIC_URL is not a URL: {value!r}") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError(
            f"MOBRIEF_PUBLIC_URL must be an absolute http(s) URL without query or fragment, not {value!r}"
        )
    if any(ch.isspace() or ord(ch) < 0x20 for ch in text) or parts.username or parts.password:
        raise ConfigError(f"MOBRIEF_PUBLIC_URL must be a plain http(s) URL, not {value!r}")
    return text.rstrip("/")
