"""JSON Lines files of items, one report a line, each line naming its own outlet in `source`.

Line format (DESIGN.md): `source`, `url`, `published_at` (ISO 8601), `title`, `text`, and optional `lang`,
`external_id` (default: a hash of the url, or of the text when there is no url), `author`, `links`.

Every line stands alone: one that cannot be used is reported (file, line, field) and the others are stored.
What a backend cannot hold (NUL, lone surrogates, NaN, nesting deeper than `item_limits.MAX_JSON_DEPTH`) is
cleaned and the change reported; a line longer than MAX_LINE_BYTES is skipped without being held in memory.
A file that is one JSON array (pretty-printed or on one line) is read element by element, and said to be one.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import io
import itertools
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, ClassVar

import ijson

from mobrief import item_limits
from mobrief.errors import BadRecord, SourceUnavailable
from mobrief.item_limits import Fix
from mobrief.records import Item
from mobrief.sources.registry import AdapterOption, SourceContext, register_source

MAX_LINE_BYTES = 64 * 2**20  # a longer line is skipped: reading it whole would cost gigabytes to parse
TEXT_FIELDS = ("url", "title", "text", "lang", "author", "external_id")
_SUSPECT = (b"NaN", b"Infinity", b"\\u0000", b"\\ud", b"\\uD")  # escapes or constants a backend cannot hold


def stable_id(*parts: str) -> str:
    """A short hash of the parts: the same input always gives the same id."""
    return hashlib.sha256("\n".join(parts).encode(errors="surrogatepass")).hexdigest()[:32]


def parse_timestamp(value: Any) -> dt.datetime:
    """An ISO 8601 date or datetime as aware UTC (no offset means UTC); ValueError when it is not one."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("missing or not a string")
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{value[:80]!r} is not an ISO 8601 date or time") from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=dt.UTC)
    try:
        return parsed.astimezone(dt.UTC)
    except OverflowError:  # 9999-12-31T23:59:59-23:59 is in year 10000 in UTC
        raise ValueError(f"{value[:80]!r} is outside the years 1–9999 once moved to UTC") from None


class LongInteger(str):
    """The digits of an integer longer than Python converts (sys.get_int_max_str_digits()), kept as text."""


def _keep_long_integer(digits: str) -> int | str:
    try:
        return int(digits)
    except ValueError:
        return LongInteger(digits)


def decode_json(text: str | bytes) -> tuple[Any, bool]:
    """json.loads, but an integer too long for Python to convert is kept as its digits (a LongInteger)
    instead of failing the whole value; the usual value pays nothing for it. True when one was kept."""
    try:
        return json.loads(text), False
    except json.JSONDecodeError:
        raise
    except ValueError:  # "Exceeds the limit (4300 digits) for integer string conversion"
        return json.loads(text, parse_int=_keep_long_integer), True


def long_integer_fixes(value: Any) -> list[Fix]:
    """A Fix for each LongInteger in a decoded value, named by its path (walked without recursion)."""
    fixes, stack = [], [(value, "")]
    while stack:
        node, path = stack.pop()
        if isinstance(node, LongInteger):
            reason = f"an integer of {len(node.lstrip('-')):,} digits: kept as a string of its digits"
            fixes.append(Fix(path, reason, "long integers kept as text"))
        elif isinstance(node, dict):
            stack.extend((child, f"{path}.{key}" if path else str(key)) for key, child in node.items())
        elif isinstance(node, list):
            stack.extend((child, f"{path}.{n}" if path else str(n)) for n, child in enumerate(node))
    return sorted(fixes, key=lambda fix: fix.field)


def _json_error(exc: json.JSONDecodeError) -> str:
    message = exc.msg.removesuffix(" at")  # "Unterminated string starting at" + our own "at column"
    return f"not JSON: {message} at column {exc.colno}"


def _type_name(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "true or false", type(None): "null"}
    return names.get(type(value), "a number")


def _needs_cleaning(line: bytes) -> bool:
    """Whether a line may hold what a backend cannot store (cheap byte tests; the walk itself is costlier)."""
    if any(marker in line for marker in _SUSPECT):
        return True
    return line.count(b"[") + line.count(b"{") > item_limits.MAX_JSON_DEPTH


def row_to_item(row: Any, *, path: str, line: int | None, where: str | None = None) -> Item | BadRecord:
    """One decoded line as an Item, or a BadRecord naming the line and the field at fault. Values a backend
    cannot hold are the caller's to clean; `where` names the record in messages ("element 3")."""
    prefix = f"{where}: " if where else ""
    if not isinstance(row, dict):
        kind = _type_name(row)
        return BadRecord(path, line, None, f"{prefix}a line must be a JSON object, not {kind}", "not a JSON object")
    source = row.get("source")
    if not isinstance(source, str) or not source.strip():
        return BadRecord(path, line, "source", f"{prefix}missing or empty: every line names its outlet", "no source")
    try:
        published_at = parse_timestamp(row.get("published_at"))
    except ValueError as exc:
        cause = "published_at out of range" if "outside the years" in str(exc) else "no usable published_at"
        return BadRecord(path, line, "published_at", f"{prefix}{exc}", cause)
    if isinstance(row.get("external_id"), int) and not isinstance(row["external_id"], bool):
        row = {**row, "external_id": str(row["external_id"])}  # numeric ids are common in exports
    for key in TEXT_FIELDS:
        value = row.get(key)
        if value is not None and not isinstance(value, str):
            reason = f"{prefix}must be a string (or null), not {_type_name(value)}"
            return BadRecord(path, line, key, reason, "a field of the wrong type")
    url, title, text, lang, author, external_id = (row.get(key) for key in TEXT_FIELDS)
    if not (text or title):
        return BadRecord(path, line, "text", f"{prefix}missing or empty (and no title either)", "no text")
    links = row.get("links") or []
    if not isinstance(links, list) or not all(isinstance(link, str) for link in links):
        return BadRecord(path, line, "links", f"{prefix}must be an array of strings", "a field of the wrong type")
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


TOO_DEEP = object()  # stands for an array element nested deeper than item_limits.MAX_JSON_DEPTH
_OPEN, _CLOSE = ("start_map", "start_array"), ("end_map", "end_array")


def array_elements(file: IO[bytes]) -> Iterator[Any]:
    """The elements of a file holding one JSON array, built one at a time from ijson's flat events (its own
    item builder keeps a prefix per level, which costs gigabytes on hostile nesting); an element nested too
    deeply is skipped unbuilt and stands as TOO_DEEP."""
    events = ijson.basic_parse(file, use_float=True)
    if next(events, (None, None))[0] != "start_array":
        return
    stack: list[list[Any]] = []  # [container, key] of every open level of the element being built
    skipping = 0  # levels open in a too-deep element
    for event, value in events:
        if skipping:
            skipping += 1 if event in _OPEN else -1 if event in _CLOSE else 0
            if not skipping:
                yield TOO_DEEP
            continue
        if event in _OPEN:
            if len(stack) >= item_limits.MAX_JSON_DEPTH:
                skipping, stack = len(stack) + 1, []
                continue
            stack.append([{} if event == "start_map" else [], None])
            continue
        if event == "map_key":
            stack[-1][1] = value
            continue
        if event in _CLOSE:
            if not stack:
                return  # the end of the array itself
            value = stack.pop()[0]
        if not stack:
            yield value
            continue
        container, key = stack[-1]
        if isinstance(container, dict):
            container[key] = value
        else:
            container.append(value)


def _read_lines(file: IO[bytes]) -> Iterator[tuple[int, bytes | None]]:
    """(line number, line) for every line; the line is None when longer than MAX_LINE_BYTES (never held)."""
    line_no = 0
    while chunk := file.readline(MAX_LINE_BYTES + 1):
        line_no += 1
        if len(chunk) > MAX_LINE_BYTES:
            while chunk and not chunk.endswith(b"\n"):
                chunk = file.readline(MAX_LINE_BYTES)
            yield line_no, None
            continue
        yield line_no, chunk


def _count_array_objects(file: IO[bytes]) -> tuple[int, bool]:
    """How many objects a file opening with `[` holds as elements of that array, and whether the file is that
    one array and nothing more (ijson's flat events: counted, never built)."""
    file.seek(0)
    depth = objects = 0
    try:
        for event, _ in ijson.basic_parse(file, use_float=True):
            if event in _OPEN:
                depth += 1
            elif event in _CLOSE:
                depth -= 1
                objects += depth == 1 and event == "end_map"
    except ijson.JSONError:
        return objects, False
    finally:
        file.seek(0)
    return objects, True


def _count_objects_by_line(file: IO[bytes]) -> int:
    """How many lines of a file are each one JSON object."""
    file.seek(0)
    objects = 0
    for _, line in _read_lines(file):
        if line is None or not line.lstrip().startswith(b"{"):
            continue
        try:
            objects += isinstance(json.loads(line), dict)
        except (ValueError, RecursionError):
            continue
    file.seek(0)
    return objects


class _Reader:
    """One pass over a file: lines (or a JSON array's elements) to items, bad records and noted fixes."""

    def __init__(self, path: str, context: SourceContext) -> None:
        self.path = path
        self.context = context

    def record(
        self, row: Any, line_no: int | None, *, suspect: bool, where: str | None = None, long_integers: bool = False
    ) -> Item | BadRecord:
        fixes: list[Fix] = long_integer_fixes(row) if long_integers else []
        if suspect:
            row = item_limits.clean_json(row, "", fixes)
        record = row_to_item(row, path=self.path, line=line_no, where=where)
        label = f"{self.path}:{line_no}" if where is None else f"{self.path} {where}"
        if isinstance(record, Item):
            self.context.note_fixes(label, fixes)
            return self.context.fit(record, label)
        return record

    def lines(self, file: IO[bytes], *, detect: bool = True) -> Iterator[Item | BadRecord]:
        """Items and bad records line by line; with `detect`, a file that is one JSON document spread over
        lines (an array, an object) is recognised by its first line and read as that document."""
        first = detect
        for line_no, raw_line in _read_lines(file):
            if raw_line is None:
                reason = f"longer than {MAX_LINE_BYTES // 2**20} MB: skipped unread"
                yield BadRecord(self.path, line_no, None, reason, "line too long")
                continue
            try:
                line = raw_line.decode("utf-8")
            except UnicodeDecodeError as exc:
                reason = f"not UTF-8 text: {exc.reason} at byte {exc.start}"
                yield BadRecord(self.path, line_no, None, reason, "not UTF-8")
                continue
            if first:
                line = line.removeprefix("\ufeff")  # a byte-order mark some editors write
            if not line.strip():
                continue
            try:
                row, long_integers = decode_json(line)
            except json.JSONDecodeError as exc:
                whole = self._whole_file(file) if first and line.lstrip()[:1] in ("[", "{") else None
                if whole is not None:
                    yield from whole
                    return
                if first:  # not one JSON document after all: read it line by line, from the top
                    file.seek(0)
                    yield from self.lines(file, detect=False)
                    return
                yield BadRecord(self.path, line_no, None, _json_error(exc), "not JSON")
                continue
            except RecursionError:
                reason = "not JSON we can read: nested thousands of levels deep"
                yield BadRecord(self.path, line_no, None, reason, "nested too deeply")
                continue
            finally:
                first = False
            if line_no == 1 and isinstance(row, list) and self._rest_is_blank(file):
                self._say_array(len(row))
                suspect = _needs_cleaning(raw_line)
                for n, element in enumerate(row, start=1):
                    yield self.record(element, None, suspect=suspect, where=f"element {n}", long_integers=long_integers)
                return
            yield self.record(row, line_no, suspect=_needs_cleaning(raw_line), long_integers=long_integers)

    def _rest_is_blank(self, file: IO[bytes]) -> bool:
        position = file.tell()
        try:
            while chunk := file.read(65536):
                if chunk.strip():
                    return False
            return True
        finally:
            file.seek(position)

    def _first_event(self, file: IO[bytes]) -> str | None:
        file.seek(0)
        try:
            first = next(ijson.basic_parse(file, use_float=True), (None, None))[0]
        except ijson.JSONError:
            first = None
        file.seek(0)
        return first

    def _whole_file(self, file: IO[bytes]) -> Iterator[Item | BadRecord] | None:
        """The records of a file that is one JSON array (pretty-printed) or one object; None when it is not
        one (its first element, or the object, does not parse): then it is read line by line."""
        kind = self._first_event(file)
        if kind not in ("start_map", "start_array"):
            return None
        document, long_integers = self._small_document(file)
        if kind == "start_map":
            if document is None:
                return None
            self.context.warnings.append(
                f"{self.path}: one JSON object over several lines, not JSON Lines: read as one item"
            )
            return iter([self.record(document, None, suspect=True, where="the object", long_integers=long_integers)])
        if isinstance(document, list):
            self._say_array(None)
            return self._array_records(iter(document), long_integers=long_integers)
        if not self._reads_best_as_array(file):
            return None
        elements = array_elements(file)  # large, nested past what `json` can, or broken: ijson names where
        try:
            first = next(elements)
        except StopIteration:
            return iter([])
        except ijson.JSONError:
            return None
        self._say_array(None)
        return self._array_records(itertools.chain([first], elements), long_integers=False)

    def _array_records(self, elements: Iterator[Any], *, long_integers: bool) -> Iterator[Item | BadRecord]:
        n = 0
        try:
            for n, element in enumerate(elements, start=1):
                if element is TOO_DEEP:
                    reason = f"element {n}: nested deeper than {item_limits.MAX_JSON_DEPTH} levels"
                    yield BadRecord(self.path, None, None, reason, "nested too deeply")
                    continue
                where = f"element {n}"
                yield self.record(element, None, suspect=True, where=where, long_integers=long_integers)
        except ijson.JSONError as exc:
            reason = f"element {n + 1}: not JSON ({str(exc).splitlines()[0]}); the elements before it were read"
            yield BadRecord(self.path, None, None, reason, "not JSON")

    def _reads_best_as_array(self, file: IO[bytes]) -> bool:
        """Whether a file opening with `[` that is not one small JSON array is better read as one array than
        line by line: it is when it is one whole (large) array, or, cut or followed by more, when its array
        holds more objects than its lines do (a JSON Lines file whose first line is a cut array must not lose
        the good lines after it)."""
        objects, whole = _count_array_objects(file)
        if whole:
            return True
        file.seek(0)
        first_line = file.readline(MAX_LINE_BYTES + 1)
        more_lines = not self._rest_is_blank(file)
        file.seek(0)
        if more_lines and objects <= _count_array_objects(io.BytesIO(first_line))[0]:
            return False  # every element it holds sits on its first line: one bad line of a JSON Lines file
        return objects > _count_objects_by_line(file)

    def _small_document(self, file: IO[bytes]) -> tuple[Any, bool]:
        """The file's one JSON value, parsed whole by `json` when small (it reads NaN as Python writes it), and
        whether it holds an over-long integer; None when it is large, nested past what `json` can, or broken."""
        body = file.read(MAX_LINE_BYTES + 1)
        file.seek(0)
        if len(body) > MAX_LINE_BYTES:
            return None, False
        try:
            return decode_json(body)
        except (ValueError, RecursionError):
            return None, False

    def _say_array(self, count: int | None) -> None:
        elements = f"its {count:,} elements" if count is not None else "its elements"
        self.context.warnings.append(f"{self.path}: a JSON array, not JSON Lines: read {elements} as items")


def read_lines(path: str, context: SourceContext | None = None) -> Iterator[Item | BadRecord]:
    """Every line of a JSONL file as an Item or a BadRecord; blank lines are skipped."""
    from mobrief.settings import Settings

    context = context or SourceContext(settings=Settings())
    if Path(path).is_dir():
        raise SourceUnavailable(path, "a directory, not a JSON Lines file")
    try:
        file = Path(path).open("rb")  # noqa: SIM115 - closed by the with below
    except OSError as exc:
        raise SourceUnavailable(path, f"cannot read the file: {exc.strerror or exc}") from exc
    with file:
        try:
            encoding = utf16_encoding(file.read(4096))
            if encoding is None:
                file.seek(0)
                yield from _Reader(path, context).lines(file)
                return
            context.warnings.append(f"{path}: UTF-16 text, not UTF-8 (as Windows PowerShell writes): read as such")
            with _utf8_copy(file, encoding) as copy:
                yield from _Reader(path, context).lines(copy)
        except OSError as exc:
            raise SourceUnavailable(path, f"cannot read the file: {exc.strerror or exc}") from exc


def utf16_encoding(head: bytes) -> str | None:
    """The codec of a file whose first bytes (4 KB of them) are UTF-16: a byte-order mark, or `{`/`[` with a
    zero byte beside it, and then the zero high bytes of ASCII keys, digits and punctuation on every side of
    the text (never in UTF-8, so a stray first line of such bytes does not make a UTF-8 file UTF-16)."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and not head.startswith(codecs.BOM_UTF32_LE):
        little, body, codec = head.startswith(codecs.BOM_UTF16_LE), head[2:], "utf-16"  # the codec drops the mark
    elif head[:2] in (b"{\x00", b"[\x00", b"\x00{", b"\x00["):
        little, body = head[1] == 0, head
        codec = "utf-16-le" if little else "utf-16-be"
    else:
        return None
    high, low = (body[1::2], body[0::2]) if little else (body[0::2], body[1::2])
    if len(high) < 2 or high.count(0) < len(high) // 4 or low.count(0) > len(low) // 20:
        return None
    return codec


def _utf8_copy(file: IO[bytes], encoding: str) -> IO[bytes]:
    """A temporary UTF-8 copy of a UTF-16 file, written a megabyte at a time (the reader works on UTF-8 bytes);
    what is not UTF-16 becomes U+FFFD."""
    copy = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the caller's with
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    file.seek(0)
    while chunk := file.read(2**20):
        copy.write(decoder.decode(chunk).encode())
    copy.write(decoder.decode(b"", final=True).encode())
    copy.seek(0)
    return copy


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
        yield from read_lines(location, self.context)
