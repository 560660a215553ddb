"""Telegram Desktop exports (`result.json`), one chat or every chat of a full account, streamed into items.

The file is streamed with ijson so memory does not grow with its size: a single-chat export goes through
ijson's C item builder (`messages.item`), a full-account export through its event stream, because each message
there must be told which chat (`chats.list[]`) it belongs to.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any, ClassVar

import ijson
import ijson.utils

from mobrief.errors import BadRecord, SourceUnavailable
from mobrief.records import Item
from mobrief.sources.registry import AdapterOption, SourceContext, register_source

SERVICE_SKIPPED = "service messages skipped"
LINK_ENTITY_TYPES = frozenset({"link", "url"})
CHAT_LIST_PREFIXES = ("chats.list.item", "left_chats.list.item")
MESSAGE_PREFIXES = ("chats.list.item.messages.item", "left_chats.list.item.messages.item")
CHAT_KEYS = frozenset({"name", "type", "id"})
RAW_DROPPED_KEYS = frozenset({"text", "text_entities"})  # rebuilt into Item.text and Item.links


class _CountingReader:
    """A binary file that reports how many bytes have been read, so a progress bar can follow the parser."""

    def __init__(self, file: IO[bytes], total: int, progress: Callable[[int, int | None], None] | None):
        self._file = file
        self._total = total
        self._progress = progress
        self.done = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self._file.read(size)
        self.done += len(chunk)
        if self._progress is not None:
            self._progress(self.done, self._total)
        return chunk


def _link_from_entity_text(text: str) -> str:
    if "://" in text or text.startswith(("mailto:", "tg:")):
        return text
    return "https://" + text


def _text_from_parts(parts: list[Any], field: str) -> tuple[str, list[str]]:
    """Text and links of a `text_entities` array or a mixed `text` array; ValueError on a wrong shape."""
    try:  # fast path: every part a string or an entity with a string `text`
        text = "".join([part if part.__class__ is str else part["text"] for part in parts])
    except (TypeError, KeyError):
        text = None
    if text is None:
        for part in parts:
            entity = isinstance(part, dict) and isinstance(part.get("text", ""), str)
            usable = isinstance(part, str) or entity
            if not usable:
                raise ValueError(f"{field} holds a {type(part).__name__}, expected a string or an entity")
        text = "".join(part if isinstance(part, str) else part.get("text", "") for part in parts)
    links: list[str] = []
    for part in parts:
        if isinstance(part, dict):
            href = part.get("href")
            if href and isinstance(href, str):
                links.append(href)
            elif part.get("type") in LINK_ENTITY_TYPES and part.get("text"):
                links.append(_link_from_entity_text(part["text"]))
    return text, links


def rebuild_text(message: Mapping[str, Any]) -> tuple[str, tuple[str, ...]]:
    """A message's plain text and every link in it, once each: from `text_entities`, else from `text`.

    Raises ValueError naming the field when neither has a usable shape.
    """
    entities = message.get("text_entities")
    text = message.get("text", "")
    entities_error: ValueError | None = None
    if isinstance(entities, list) and (entities or not text):
        try:
            plain, links = _text_from_parts(entities, "text_entities")
        except ValueError as exc:
            entities_error = exc
        else:
            return plain, tuple(dict.fromkeys(links))
    elif entities is not None:
        entities_error = ValueError(f"text_entities is a {type(entities).__name__}, expected an array")
    if isinstance(text, str):
        return text, ()
    if isinstance(text, list):
        plain, links = _text_from_parts(text, "text")
        return plain, tuple(dict.fromkeys(links))
    if entities_error is not None:
        raise entities_error
    raise ValueError(f"text is a {type(text).__name__}, expected a string or an array")


def _unix_time(value: Any, field: str) -> dt.datetime:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f"{field} is missing or not a number")
    try:
        seconds = int(value)
    except ValueError:
        raise ValueError(f"{field} {value!r} is not a whole number of seconds") from None
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


def message_to_item(
    message: Any,
    *,
    source: str,
    username: str | None,
    path: str,
    index: int,
    chat: Mapping[str, Any] | None = None,
) -> Item | BadRecord | None:
    """An exported message as an Item; None for a service message; a BadRecord naming the bad field."""
    if not isinstance(message, dict):
        return BadRecord(path, index, None, f"message {index} is a {type(message).__name__}, not an object")
    kind = message.get("type", "message")
    if kind != "message":
        return None
    message_id = message.get("id")
    if isinstance(message_id, bool) or not isinstance(message_id, int):
        return BadRecord(path, index, "id", f"message {index}: id {message_id!r} is not an integer")
    try:
        published_at = _unix_time(message.get("date_unixtime"), "date_unixtime")
    except ValueError as exc:
        return BadRecord(path, index, "date_unixtime", f"message id {message_id}: {exc}")
    edited_at = None
    if message.get("edited_unixtime") is not None:
        try:
            edited_at = _unix_time(message["edited_unixtime"], "edited_unixtime")
        except ValueError as exc:
            return BadRecord(path, index, "edited_unixtime", f"message id {message_id}: {exc}")
    try:
        text, links = rebuild_text(message)
    except ValueError as exc:
        field = "text_entities" if str(exc).startswith("text_entities") else "text"
        return BadRecord(path, index, field, f"message id {message_id}: {exc}")
    author = message.get("author")
    raw = {key: value for key, value in message.items() if key not in RAW_DROPPED_KEYS}
    if chat is not None:  # full-account export: say which chat the message came from
        raw["chat"] = {key: chat[key] for key in ("name", "type", "id") if key in chat}
    return Item(
        source=source,
        external_id=str(message_id),
        url=f"https://t.me/{username}/{message_id}" if username else None,
        published_at=published_at,
        text=text,
        author=author if isinstance(author, str) else None,
        links=links,
        edited_at=edited_at,
        raw=raw,
    )


def channel_username(value: str) -> str:
    """`@name`, `name`, `https://t.me/name` or `https://t.me/s/name` → `name`."""
    name = value.strip().rstrip("/")
    if "t.me/" in name:
        name = name.split("t.me/", 1)[1]
        if name.startswith("s/"):
            name = name[2:]
        name = name.split("/", 1)[0].split("?", 1)[0]
    return name.lstrip("@")


def _chat_source(chat: Mapping[str, Any]) -> str:
    name = chat.get("name")
    if isinstance(name, str) and name.strip():
        return name.strip()
    chat_id = chat.get("id")
    return f"telegram-{chat_id}" if chat_id is not None else "telegram-chat"


class _Head:
    """What the start of an export says: its shape and the chat's (or account's) name."""

    def __init__(self, shape: str, meta: dict[str, Any]) -> None:
        self.shape = shape  # "chat" or "account"
        self.meta = meta


def read_head(path: str) -> _Head:
    """Parse just far enough to tell a single-chat export from a full-account one (else SourceUnavailable)."""
    meta: dict[str, Any] = {}
    try:
        with Path(path).open("rb") as file:
            events = ijson.parse(file, use_float=True)
            first = next(events, None)
            if first is None or first[1] != "start_map":
                raise SourceUnavailable(path, "not a Telegram Desktop export (the JSON is not an object)")
            for prefix, event, value in events:
                if prefix == "" and event == "map_key":
                    if value == "messages":
                        return _Head("chat", meta)
                    if value == "chats":
                        return _Head("account", meta)
                elif prefix in CHAT_KEYS and event in ("string", "number"):
                    meta[prefix] = value
                elif prefix.startswith("personal_information.") and event == "string":
                    meta[prefix.split(".", 1)[1]] = value
    except OSError as exc:
        raise SourceUnavailable(path, f"cannot read the file: {exc.strerror or exc}") from exc
    except ijson.JSONError as exc:
        raise SourceUnavailable(path, f"not JSON, or not a Telegram Desktop export: {exc}") from exc
    raise SourceUnavailable(path, "not a Telegram Desktop export: it has neither `messages` nor `chats.list`")


@register_source
class TelegramExport:
    """Reads a `result.json` written by Telegram Desktop's "Export chat history" or "Export Telegram data"."""

    name: ClassVar[str] = "telegram-export"
    summary: ClassVar[str] = "A Telegram Desktop export (result.json) of one channel or of a whole account."
    location_help: ClassVar[str] = "PATH"
    options: ClassVar[tuple[AdapterOption, ...]] = (
        AdapterOption(
            name="channel",
            help="The channel's username, for permalinks https://t.me/<username>/<id> (single-chat exports).",
        ),
    )

    def __init__(self, context: SourceContext, *, channel: str | None = None) -> None:
        self.context = context
        self.username = channel_username(channel) if channel else None

    def source_name(self, location: str) -> str:
        head = read_head(location)
        if head.shape == "account":
            person = " ".join(str(head.meta.get(k, "")) for k in ("first_name", "last_name")).strip()
            return f"telegram account {person}".strip() if person else "telegram account export"
        return self.username or _chat_source(head.meta)

    def read(self, location: str) -> Iterator[Item | BadRecord]:
        head = read_head(location)
        try:
            size = Path(location).stat().st_size
            with Path(location).open("rb") as file:
                reader = _CountingReader(file, size, self.context.progress)
                if head.shape == "chat":
                    source = self.username or _chat_source(head.meta)
                    yield from self._read_chat(reader, location, source)
                else:
                    if self.username:
                        self.context.warnings.append(
                            f"{location}: --channel ignored, a full-account export holds many chats"
                        )
                    yield from self._read_account(reader, location)
        except OSError as exc:
            raise SourceUnavailable(location, f"cannot read the file: {exc.strerror or exc}") from exc

    def _convert(
        self,
        message: Any,
        *,
        source: str,
        username: str | None,
        path: str,
        index: int,
        chat: Mapping[str, Any] | None,
    ) -> Item | BadRecord | None:
        record = message_to_item(message, source=source, username=username, path=path, index=index, chat=chat)
        if record is None:
            self.context.count(SERVICE_SKIPPED)
        return record

    def _read_chat(self, reader: _CountingReader, path: str, source: str) -> Iterator[Item | BadRecord]:
        done = 0  # complete messages parsed; also the index of the one being parsed
        try:
            for message in ijson.items(reader, "messages.item", use_float=True):
                record = self._convert(message, source=source, username=self.username, path=path, index=done, chat=None)
                done += 1
                if record is not None:
                    yield record
        except ijson.IncompleteJSONError:
            yield _truncated(path, done, reader.done, source)
        except ijson.JSONError as exc:
            yield BadRecord(path, done, None, f"invalid JSON in message {done} (byte ~{reader.done}): {exc}")

    def _read_account(self, reader: _CountingReader, path: str) -> Iterator[Item | BadRecord]:
        # ijson's own item builder (C with yajl2_c) assembles each message from the event stream we route
        backend = ijson.get_backend(ijson.backend)
        built = ijson.utils.sendable_list()
        builders = {p: backend.items_basecoro(built, p, map_type=None) for p in MESSAGE_PREFIXES}
        chat: dict[str, Any] = {}
        done = 0
        try:
            for prefix, event, value in backend.parse(reader, use_float=True):
                if prefix.startswith(MESSAGE_PREFIXES):
                    builders[MESSAGE_PREFIXES[0] if prefix[0] == "c" else MESSAGE_PREFIXES[1]].send(
                        (prefix, event, value)
                    )
                    if not built:
                        continue
                    source = _chat_source(chat)
                    for message in built:
                        record = self._convert(message, source=source, username=None, path=path, index=done, chat=chat)
                        done += 1
                        if record is not None:
                            yield record
                    del built[:]
                    continue
                chat_prefix = _chat_prefix(prefix)
                if chat_prefix is None:
                    continue
                rest = prefix[len(chat_prefix) :]
                if rest == "" and event == "start_map":
                    chat, done = {}, 0
                elif rest[1:] in CHAT_KEYS and event in ("string", "number"):
                    chat[rest[1:]] = value
        except ijson.IncompleteJSONError:
            yield _truncated(path, done, reader.done, _chat_source(chat))
        except ijson.JSONError as exc:
            yield BadRecord(path, done, None, f"invalid JSON near byte {reader.done}: {exc}")


def _chat_prefix(prefix: str) -> str | None:
    for chat_prefix in CHAT_LIST_PREFIXES:
        if prefix.startswith(chat_prefix):
            return chat_prefix
    return None


def _truncated(path: str, index: int, done: int, chat: str) -> BadRecord:
    return BadRecord(
        path,
        index,
        None,
        f"the file ends after {done} bytes, inside message {index} of {chat!r}: truncated export "
        "(the complete messages before it were read)",
    )
