"""JSON Lines files of items, one report a line, each line naming its own outlet in `source`.

Line format (DESIGN.md): `source`, `url`, `published_at` (ISO 8601), `title`, `text`, and optional `lang`,
`external_id` (default: a hash of the url, or of the text when there is no url), `author`, `links`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar

from mobrief.errors import BadRecord, SourceUnavailable
from mobrief.records import Item
from mobrief.sources.registry import AdapterOption, SourceContext, register_source


def stable_id(*parts: str) -> str:
    """A short hash of the parts: the same input always gives the same id."""
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def parse_timestamp(value: Any) -> dt.datetime:
    """An ISO 8601 date or datetime as aware UTC (no offset means UTC); ValueError when it is not one."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("missing or not a string")
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO 8601 date or time") from None
    return parsed.replace(tzinfo=dt.UTC) if parsed.tzinfo is None else parsed.astimezone(dt.UTC)


def _optional_text(row: Mapping[str, Any], key: str) -> str | None:
    value = row.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(key)
    return value


def row_to_item(row: Any, *, path: str, line: int) -> Item | BadRecord:
    """One decoded line as an Item, or a BadRecord naming the line and the field at fault."""
    if not isinstance(row, dict):
        return BadRecord(path, line, None, f"a line must be a JSON object, not a {type(row).__name__}")
    source = row.get("source")
    if not isinstance(source, str) or not source.strip():
        return BadRecord(path, line, "source", "missing or empty: every line names its outlet")
    try:
        published_at = parse_timestamp(row.get("published_at"))
    except ValueError as exc:
        return BadRecord(path, line, "published_at", str(exc))
    if isinstance(row.get("external_id"), int) and not isinstance(row["external_id"], bool):
        row = {**row, "external_id": str(row["external_id"])}  # numeric ids are common in exports
    try:
        url, title, text, lang, author, external_id = (
            _optional_text(row, key) for key in ("url", "title", "text", "lang", "author", "external_id")
        )
    except ValueError as exc:
        return BadRecord(path, line, str(exc), "must be a string (or null)")
    if not (text or title):
        return BadRecord(path, line, "text", "missing or empty (and no title either)")
    links = row.get("links") or []
    if not isinstance(links, list) or not all(isinstance(link, str) for link in links):
        return BadRecord(path, line, "links", "must be an array of strings")
    if not external_id:
        external_id = stable_id(url) if url else stable_id(title or "", text or "")
    return Item(
        source=source.strip(),
        external_id=external_id,
        url=url or None,
        published_at=published_at,
        title=title or "",
        text=text or "",
        lang=lang or None,
        author=author or None,
        links=tuple(links),
        raw=row,
    )


def read_lines(path: str) -> Iterator[Item | BadRecord]:
    """Every line of a JSONL file as an Item or a BadRecord; blank lines are skipped."""
    try:
        file = Path(path).open("rb")  # noqa: SIM115 - closed by the with below
    except OSError as exc:
        raise SourceUnavailable(path, f"cannot read the file: {exc.strerror or exc}") from exc
    with file:
        for line_no, raw_line in enumerate(file, start=1):
            try:
                line = raw_line.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield BadRecord(path, line_no, None, f"not UTF-8 text: {exc.reason} at byte {exc.start}")
                continue
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                yield BadRecord(path, line_no, None, f"not JSON: {exc.msg} at column {exc.colno}")
                continue
            yield row_to_item(row, path=path, line=line_no)


@register_source
class JsonLines:
    """Reads a JSONL file of items from any number of outlets (each line's `source`)."""

    name: ClassVar[str] = "jsonl"
    summary: ClassVar[str] = "A JSON Lines file: source, url, published_at, title, text, lang, external_id."
    location_help: ClassVar[str] = "PATH"
    options: ClassVar[tuple[AdapterOption, ...]] = ()

    def __init__(self, context: SourceContext) -> None:
        self.context = context

    def source_name(self, location: str) -> str:
        return Path(location).name

    def read(self, location: str) -> Iterator[Item | BadRecord]:
        yield from read_lines(location)
