"""Telegram Desktop exports (`result.json`), one chat or every chat of a full account, streamed into items.

The file is streamed with ijson so memory does not grow with its size: a single-chat export goes through
ijson's C item builder (`messages.item`), a full-account export through its event stream, because each message
there must be told which chat (`chats.list[]`) it belongs to.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, ClassVar

import ijson
import ijson.utils

from mobrief.errors import BadRecord, ConfigError, SourceUnavailable
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
    # a link is an entity's href, or the text of a `link`/`url` entity (every dict part has a string text now)
    found = [
        part["href"] if "href" in part else _link_from_entity_text(part["text"])
        for part in parts
        if part.__class__ is dict and ("href" in part or part.get("type") in LINK_ENTITY_TYPES)
    ]
    return text, [link for link in found if link and isinstance(link, str)]


def rebuild_text(message: Mapping[str, Any]) -> tuple[str, tuple[str, ...]]:
    """A message's plain text and every link in it, once each.

    Exports carry the text twice, as `text` (a string, or an array of strings and entities) and, since 2020,
    as `text_entities`; the two disagree in some exports (one holding "..." where the other holds the post).
    The one holding more text wins, and the links of both are kept. Raises ValueError naming the field when
    neither has a usable shape.
    """
    entities = message.get("text_entities")
    text = message.get("text", "")
    found: list[tuple[str, list[str]]] = []
    errors: list[ValueError] = []
    if entities.__class__ is list:
        try:
            found.append(_text_from_parts(entities, "text_entities"))
        except ValueError as exc:
            errors.append(exc)
    elif entities is not None:
        errors.append(ValueError(f"text_entities is a {type(entities).__name__}, expected an array"))
    if text.__class__ is str:
        if not found or text != found[0][0]:
            found.append((text, []))
    elif text.__class__ is list:
        same = found and _plain(text) == found[0][0]  # the usual export: both spell the same text and links
        if not same:
            try:
                found.append(_text_from_parts(text, "text"))
            except ValueError as exc:
                errors.append(exc)
    else:
        errors.append(ValueError(f"text is a {type(text).__name__}, expected a string or an array"))
    if not found:
        raise errors[-1]
    longer = len(found) > 1 and len(found[1][0].strip()) > len(found[0][0].strip())  # a tie keeps text_entities
    best = found[1][0] if longer else found[0][0]
    links = found[0][1] + found[1][1] if len(found) > 1 else found[0][1]
    return best, tuple(dict.fromkeys(links)) if links else ()


def _plain(parts: list[Any]) -> str | None:
    """The text of a mixed `text` array when every part is a string or an entity with text, else None."""
    try:
        return "".join([part if part.__class__ is str else part["text"] for part in parts])
    except (TypeError, KeyError):
        return None


def _unix_time(value: Any, field: str) -> dt.datetime:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f"{field} is missing or not a number")
    try:
        seconds = int(value)
    except ValueError:
        raise ValueError(f"{field} {value!r} is not a whole number of seconds") from None
    try:
        return dt.datetime.fromtimestamp(seconds, dt.UTC)
    except (OverflowError, OSError, ValueError):
        raise ValueError(f"{field} {value!r} is not a time between the years 1 and 9999") from None


def _local_time(value: Any, field: str, zone: dt.tzinfo) -> dt.datetime:
    """An export's `date`/`edited` (the exporting computer's wall-clock time, no offset) read in `zone`."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{field} is missing or not a string")
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{field} {value[:40]!r} is not an ISO 8601 time") from None
    try:
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)).astimezone(dt.UTC)
    except OverflowError:
        raise ValueError(f"{field} {value[:40]!r} is outside the years 1–9999 in UTC") from None


@dataclass(slots=True)
class Times:
    """How message times are read: the zone assumed for exports without `date_unixtime` (Telegram Desktop
    before 2.9 wrote only `date`, the exporting computer's wall-clock time), and how many messages needed it,
    so that a read says which zone it assumed once, not per message."""

    zone: dt.tzinfo
    zone_name: str
    given: bool  # the user named the zone (--timezone); else it is this machine's
    local_dates: int = 0

    def published(self, message: Mapping[str, Any]) -> dt.datetime:
        if message.get("date_unixtime") is not None:
            return _unix_time(message["date_unixtime"], "date_unixtime")
        if message.get("date") is None:
            raise ValueError("has neither date_unixtime nor date")
        self.local_dates += 1
        return _local_time(message["date"], "date", self.zone)

    def edited(self, message: Mapping[str, Any]) -> dt.datetime | None:
        if message.get("edited_unixtime") is not None:
            return _unix_time(message["edited_unixtime"], "edited_unixtime")
        if message.get("edited") is not None:
            return _local_time(message["edited"], "edited", self.zone)
        return None


def machine_zone() -> tuple[dt.tzinfo, str]:
    """This machine's time zone and its name (TZ, else /etc/localtime's target, else UTC)."""
    import os
    import zoneinfo

    candidates = [os.environ.get("TZ", "").lstrip(":")]
    target = os.path.realpath("/etc/localtime")
    if "zoneinfo/" in target:
        candidates.append(target.split("zoneinfo/", 1)[1])
    for name in candidates:
        if name:
            try:
                return zoneinfo.ZoneInfo(name), name
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                continue
    return dt.UTC, "UTC"


def zone_named(name: str) -> dt.tzinfo:
    """The IANA zone `name` (Europe/Moscow), or ConfigError saying it is none."""
    import zoneinfo

    try:
        return zoneinfo.ZoneInfo(name.strip())
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"--timezone: {name!r} is not a time zone name such as Europe/Moscow") from None


def _optional_id(value: Any) -> str | None:
    if value is None:
        return None
    kind = value.__class__
    return value if kind is str else str(value) if kind is int else None


def _text_field(value: Any) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


def message_to_item(
    message: Any,
    *,
    source: str,
    username: str | None,
    path: str,
    index: int,
    chat: Mapping[str, Any] | None = None,
    times: Times | None = None,
    channel: str | None = None,
) -> Item | BadRecord | None:
    """An exported message as an Item; None for a service message; a BadRecord naming the bad field (and,
    in a full-account export, the chat: `index` counts the messages of each chat from 0). `channel` names
    the chat of a single-chat export (a post with no sender is the channel's own)."""
    times = times or Times(zone=dt.UTC, zone_name="UTC", given=True)

    def where() -> str:  # built only for a bad message
        place = f"chat {_chat_source(chat)!r}, message {index}" if chat is not None else f"message {index}"
        return place + (f" (id {message['id']})" if isinstance(message, dict) and "id" in message else "")

    if message.__class__ is not dict:
        reason = f"{where()} is a {type(message).__name__}, not an object"
        return BadRecord(path, index, None, reason, "not an object")
    if message.get("type", "message") != "message":
        return None
    message_id = message.get("id")
    if message_id.__class__ is not int:
        return BadRecord(path, index, "id", f"{where()}: id {message_id!r} is not an integer", "no usable id")
    try:
        published_at = times.published(message)
    except ValueError as exc:
        field = "date" if message.get("date_unixtime") is None else "date_unixtime"
        return BadRecord(path, index, field, f"{where()}: {exc}", "no usable date")
    try:
        edited_at = times.edited(message) if "edited" in message or "edited_unixtime" in message else None
    except ValueError as exc:
        field = "edited_unixtime" if message.get("edited_unixtime") is not None else "edited"
        return BadRecord(path, index, field, f"{where()}: {exc}", "no usable edit time")
    try:
        text, links = rebuild_text(message)
    except ValueError as exc:
        field = "text_entities" if str(exc).startswith("text_entities") else "text"
        return BadRecord(path, index, field, f"{where()}: {exc}", "no usable text")
    if edited_at is not None and edited_at < published_at:
        edited_at = None  # an edit before the message was written is none (old exports write the epoch)
    # who wrote it: a channel post's signature, else the sender (groups, chats), else the channel itself; in
    # a group or a personal chat, a message without a sender is a deleted account's, never the chat's
    author = _text_field(message.get("author")) or _text_field(message.get("from"))
    if author is None and chat is not None:
        author = _text_field(chat.get("name")) if is_channel(chat) else None
    elif author is None:
        author = channel
    raw = {key: value for key, value in message.items() if key not in RAW_DROPPED_KEYS}
    if chat is not None:  # full-account export: say which chat the message came from
        raw["chat"] = {key: chat[key] for key in ("name", "type", "id") if key in chat}
    get = message.get
    forwarded = get("forwarded_from") or get("saved_from")
    return Item(
        source=source,
        external_id=str(message_id),
        url=f"https://t.me/{username}/{message_id}" if username else None,
        published_at=published_at,
        text=text,
        author=author,
        links=links,
        edited_at=edited_at,
        edited=edited_at is not None,
        author_id=_optional_id(get("from_id")),
        forwarded_from=_text_field(forwarded) if forwarded is not None else None,
        forwarded_from_id=_optional_id(get("forwarded_from_id")),
        reply_to=_optional_id(get("reply_to_message_id")),
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


def is_channel(chat: Mapping[str, Any]) -> bool:
    """Whether an export's chat is a channel (or says nothing of its type), where posts are the channel's own."""
    kind = chat.get("type")
    return not isinstance(kind, str) or "channel" in kind


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
        AdapterOption(
            name="timezone",
            help="The zone of the computer that made the export (Europe/Moscow): older exports give only its "
            "local time. Default: this machine's zone.",
        ),
    )

    def __init__(self, context: SourceContext, *, channel: str | None = None, timezone: str | None = None) -> None:
        self.context = context
        self.username = channel_username(channel) if channel else None
        if timezone:
            self.times = Times(zone=zone_named(timezone), zone_name=timezone.strip(), given=True)
        else:
            zone, name = machine_zone()
            self.times = Times(zone=zone, zone_name=name, given=False)

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
                    channel = _text_field(head.meta.get("name")) if is_channel(head.meta) else None
                    yield from self._read_chat(reader, location, source, channel)
                else:
                    if self.username:
                        self.context.warnings.append(
                            f"{location}: --channel ignored, a full-account export holds many chats"
                        )
                    yield from self._read_account(reader, location)
        except OSError as exc:
            raise SourceUnavailable(location, f"cannot read the file: {exc.strerror or exc}") from exc
        if self.times.local_dates:
            self._say_zone(location)

    def _say_zone(self, location: str) -> None:
        count = f"{self.times.local_dates:,} message{'s' * (self.times.local_dates != 1)}"
        if self.times.given:
            self.context.warnings.append(
                f"{location}: {count} without date_unixtime (an older Telegram Desktop export): their local "
                f"`date` read as {self.times.zone_name} time, as --timezone says"
            )
            return
        self.context.warnings.append(
            f"{location}: {count} without date_unixtime (an older Telegram Desktop export): their local `date` "
            f"read as {self.times.zone_name} time, this machine's zone; if the export was made elsewhere, "
            "run again with --timezone ZONE (e.g. Europe/Moscow)"
        )

    def _convert(
        self,
        message: Any,
        *,
        source: str,
        username: str | None,
        path: str,
        index: int,
        chat: Mapping[str, Any] | None,
        channel: str | None = None,
    ) -> Item | BadRecord | None:
        record = message_to_item(
            message,
            source=source,
            username=username,
            path=path,
            index=index,
            chat=chat,
            times=self.times,
            channel=channel,
        )
        if record is None:
            self.context.count(SERVICE_SKIPPED)
        return record  # fitted to the store's limits as it is stored (the note names the message id)

    def _read_chat(
        self, reader: _CountingReader, path: str, source: str, channel: str | None
    ) -> Iterator[Item | BadRecord]:
        done = 0  # complete messages parsed; also the index of the one being parsed
        try:
            for message in ijson.items(reader, "messages.item", use_float=True):
                record = self._convert(
                    message, source=source, username=self.username, path=path, index=done, chat=None, channel=channel
                )
                done += 1
                if record is not None:
                    yield record
        except ijson.IncompleteJSONError as exc:
            yield _unreadable_rest(path, done, reader.done, source, exc)
        except ijson.JSONError as exc:
            reason = f"invalid JSON in message {done} (byte ~{reader.done}): {exc}"
            yield BadRecord(path, done, None, reason, "not JSON")

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
        except ijson.IncompleteJSONError as exc:
            yield _unreadable_rest(path, done, reader.done, _chat_source(chat), exc)
        except ijson.JSONError as exc:
            reason = f"invalid JSON in chat {_chat_source(chat)!r}, message {done} (byte ~{reader.done}): {exc}"
            yield BadRecord(path, done, None, reason, "not JSON")


def _chat_prefix(prefix: str) -> str | None:
    for chat_prefix in CHAT_LIST_PREFIXES:
        if prefix.startswith(chat_prefix):
            return chat_prefix
    return None


def _unreadable_rest(path: str, index: int, done: int, chat: str, exc: ijson.JSONError) -> BadRecord:
    """The bad record for where parsing stopped: the file cut short, or (ijson reports both alike) something
    that is not JSON inside a message, such as NaN or bytes that are not UTF-8, with the file going on after it."""
    message = exc.args[0] if exc.args else ""
    first_line = (message.decode(errors="replace") if isinstance(message, bytes) else str(message)).split("\n")[0]
    if "premature EOF" in first_line or not _ends_like_an_export(path):
        return _truncated(path, index, done, chat)
    return BadRecord(
        path,
        index,
        None,
        f"not JSON inside message {index} of {chat!r} ({first_line.strip().rstrip('.')}): the messages before it "
        "were read, the ones after it cannot be",
        "not JSON",
    )


def _ends_like_an_export(path: str) -> bool:
    """Whether the file's last byte (past trailing white space) closes an object, as a whole export's does."""
    try:
        with Path(path).open("rb") as file:
            file.seek(max(0, file.seek(0, 2) - 256))
            return file.read().rstrip().endswith(b"}")
    except OSError:
        return False


def _truncated(path: str, index: int, done: int, chat: str) -> BadRecord:
    return BadRecord(
        path,
        index,
        None,
        f"the file ends after {done} bytes, inside message {index} of {chat!r}: truncated export "
        "(the complete messages before it were read)",
        "file cut short",
    )
