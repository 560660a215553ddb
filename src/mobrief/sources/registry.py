"""The one seam every source adapter plugs into: a small Protocol and a registry the CLI is built from."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from mobrief import item_limits
from mobrief.errors import BadRecord
from mobrief.item_limits import Fix
from mobrief.records import Item
from mobrief.settings import Settings


@dataclass(frozen=True, slots=True, kw_only=True)
class AdapterOption:
    """One option an adapter takes (`--channel`, `--max-pages`); the CLI turns it into a click option."""

    name: str  # python name: "max_pages" → --max-pages
    help: str
    type: type = str
    default: Any = None
    is_flag: bool = False


@dataclass(slots=True, kw_only=True)
class SourceContext:
    """What an adapter may use besides its location: settings and the state saved from its last run.

    An adapter updates `state` as it reads (ETag, last id seen); the caller stores it afterwards.
    `progress` is called with (done, total or None) so a long read can drive a progress bar.
    `fixes` lists what was changed in records so they could be stored (one line each, naming file, record and
    field) and `fix_causes` counts them by kind, for the ingest summary. `gone` lists what a source showed
    before and no longer does (a deleted post): the store keeps those items and marks them deleted.
    """

    settings: Settings
    state: dict[str, Any] = field(default_factory=dict)
    progress: Callable[[int, int | None], None] | None = None
    warnings: list[str] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)  # e.g. "service messages skipped": 12
    fixes: list[str] = field(default_factory=list)
    fix_causes: dict[str, int] = field(default_factory=dict)
    gone: dict[str, list[str]] = field(default_factory=dict)  # source → external ids it no longer shows

    def count(self, what: str, n: int = 1) -> None:
        self.counters[what] = self.counters.get(what, 0) + n

    def note_fixes(self, where: str, fixes: list[Fix]) -> None:
        """Record what was changed in the record at `where` ("items.jsonl:7") so it could be stored."""
        for fix in fixes:
            self.fixes.append(f"{where} [{fix.field}]: {fix.reason}")
            self.fix_causes[fix.cause] = self.fix_causes.get(fix.cause, 0) + 1

    def fit(self, item: Item, where: str) -> Item:
        """`item` made storable (`item_limits.fit_item` with this run's size limit), changes noted at `where`."""
        if not item_limits.needs_fitting(item, self.settings.max_item_chars):
            return item
        fitted, fixes = item_limits.fit_item(item, max_text_chars=self.settings.max_item_chars)
        self.note_fixes(where, fixes)
        return fitted


class SourceAdapter(Protocol):
    """Reads one location (path, URL, channel name) into items; bad records are yielded, not raised.

    Raise `SourceUnavailable` only when the input cannot be read at all.
    """

    name: ClassVar[str]  # "telegram-export", "feed", … — also the `mobrief ingest` subcommand
    summary: ClassVar[str]  # one line of help
    location_help: ClassVar[str]  # "PATH", "URL|PATH", "NAME"
    options: ClassVar[tuple[AdapterOption, ...]]

    def __init__(self, context: SourceContext, **options: Any) -> None: ...

    def source_name(self, location: str) -> str:
        """The name items from `location` are stored under (channel username, feed host, …)."""
        ...

    def read(self, location: str) -> Iterator[Item | BadRecord]: ...


SOURCES: dict[str, type[SourceAdapter]] = {}
BUILTIN_MODULES = ("feed", "jsonl", "manual_note", "telegram_channel", "telegram_export", "web_article")


def register_source(cls: type[SourceAdapter]) -> type[SourceAdapter]:
    """Class decorator: make an adapter available to `mobrief ingest` and `mobrief source add`."""
    SOURCES[cls.name] = cls
    return cls


def load_builtin_sources() -> Mapping[str, type[SourceAdapter]]:
    """Import the built-in adapters (each registers itself, as a third-party one would) and return the registry."""
    import importlib

    for module in BUILTIN_MODULES:
        importlib.import_module(f"mobrief.sources.{module}")
    return SOURCES
