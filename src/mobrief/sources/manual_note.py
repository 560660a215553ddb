"""Manual notes: a tip, a phone call or a post seen elsewhere, typed in by an editor (`mobrief note add`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import ClassVar

from mobrief.errors import BadRecord, ConfigError
from mobrief.records import Item, utc
from mobrief.sources.jsonl import parse_timestamp, stable_id
from mobrief.sources.registry import AdapterOption, SourceContext, register_source

NOTES_SOURCE = "notes"


def make_note(
    text: str,
    url: str | None = None,
    published_at: dt.datetime | None = None,
    title: str = "",
    *,
    source: str = NOTES_SOURCE,
) -> Item:
    """A note as an item; its id is a hash of url and text, so adding the same note twice stores it once."""
    text = text.strip()
    url = url.strip() if url else None
    if not text and not url:
        raise ConfigError("a note needs --text or --url")
    return Item(
        source=source,
        external_id=stable_id(url or "", text),
        url=url,
        published_at=utc(published_at) if published_at else dt.datetime.now(dt.UTC),
        title=title.strip(),
        text=text,
        links=(url,) if url else (),
        raw={"kind": "manual note"},
    )


@register_source
class ManualNote:
    """A note given on the command line: the location is its text."""

    name: ClassVar[str] = "note"
    summary: ClassVar[str] = "A manual note: its text, with an optional URL, title and time."
    location_help: ClassVar[str] = "TEXT"
    options: ClassVar[tuple[AdapterOption, ...]] = (
        AdapterOption(name="url", help="Where the note comes from."),
        AdapterOption(name="title", help="A short title."),
        AdapterOption(name="published_at", help="ISO 8601 time (default: now)."),
    )

    def __init__(
        self,
        context: SourceContext,
        *,
        url: str | None = None,
        title: str | None = None,
        published_at: str | None = None,
    ) -> None:
        self.context = context
        self.url = url
        self.title = title or ""
        try:
            self.published_at = parse_timestamp(published_at) if published_at else None
        except ValueError as exc:
            raise ConfigError(f"--published-at: {exc}") from None

    def source_name(self, location: str) -> str:
        return NOTES_SOURCE

    def read(self, location: str) -> Iterator[Item | BadRecord]:
        yield make_note(location, url=self.url, published_at=self.published_at, title=self.title)
