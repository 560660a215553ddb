"""What an item may hold so that both backends store it: no NUL, no lone surrogate, finite JSON, bounded sizes.

PostgreSQL refuses NUL in text and NaN in JSON; neither backend can encode a lone surrogate as UTF-8; the key
columns have lengths (source 200, external_id 300, lang 8); a tsvector holds at most 1 MB; and one huge text
would make every later stage pay for it. `fit_item` makes an item storable and says what it changed, field by
field, so the change can be reported. The store runs every item through it; adapters that know a record's
line run it themselves, so the note names the line. Our own code: no library knows our columns.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mobrief.records import Item

DEFAULT_MAX_TEXT_CHARS = 200_000  # an item's text beyond this is kept in `raw` only; see Settings.max_item_chars
MAX_TITLE_CHARS = 2_000
MAX_SOURCE_CHARS = 200  # sources.name
MAX_EXTERNAL_ID_CHARS = 300  # items.external_id
MAX_LANG_CHARS = 8  # items.lang
MAX_SHORT_CHARS = 2_000  # author and the other one-line fields
MAX_URL_CHARS = 8_000  # longer is no address anyone can open: dropped, not cut
MAX_JSON_DEPTH = 64  # raw records nest a few levels; deeper is hostile and would strain every JSON encoder
FULL_TEXT_KEY = "full_text"  # where a truncated item's whole text is kept in `raw` when raw does not hold it

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_SHORT_FIELDS = ("author", "author_id", "forwarded_from", "forwarded_from_id", "reply_to")  # one-line texts


@dataclass(frozen=True, slots=True)
class Fix:
    """One change made to a record so it could be stored: which field, what was done, and its kind of cause."""

    field: str
    reason: str  # "3 NUL characters removed"
    cause: str  # what reports group by: "NUL characters removed"


def storable(value: str) -> bool:
    """True when a string holds neither NUL nor a lone surrogate (encoding it is three times faster than a
    regular expression looking for them)."""
    if "\x00" in value:
        return False
    if value.isascii():
        return True
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


def clean_text(value: str) -> str:
    """The string with NUL removed and each lone surrogate replaced by U+FFFD."""
    return _UNSTORABLE.sub(lambda m: "" if m.group() == "\x00" else "\ufffd", value)


def _text_fix(field: str, value: str) -> Fix:
    nuls = value.count("\x00")
    surrogates = len(_UNSTORABLE.findall(value)) - nuls
    reasons, causes = [], []
    if nuls:
        reasons.append(f"{nuls} NUL character{'s' * (nuls != 1)} removed")
        causes.append("NUL characters removed")
    if surrogates:
        reasons.append(f"{surrogates} lone surrogate{'s' * (surrogates != 1)} replaced by U+FFFD")
        causes.append("lone surrogates replaced")
    return Fix(field, " and ".join(reasons), " and ".join(causes))


def clean_string(field: str, value: str, fixes: list[Fix]) -> str:
    """`value` made storable, with a Fix noted when it changed."""
    if storable(value):
        return value
    fixes.append(_text_fix(field, value))
    return clean_text(value)


def json_depth_exceeds(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether lists and objects nest deeper than `limit` (walked without recursion)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list | tuple):
            children = node
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list | tuple))
    return False


def clean_json(value: Any, field: str, fixes: list[Fix]) -> Any:
    """A JSON value every backend stores: strings (keys too) cleaned, NaN and infinities as null, nesting
    beyond MAX_JSON_DEPTH replaced by null, anything else not JSON written as its string. Fixes are noted
    with the path of what changed (`raw.extra.0`; `field` "" starts paths at the top: `extra.0`)."""
    return _clean_json(value, field, fixes, 1)


def _clean_json(value: Any, path: str, fixes: list[Fix], depth: int) -> Any:
    if isinstance(value, str):
        return clean_string(path, value, fixes)
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        fixes.append(Fix(path, f"{value} is not JSON: stored as null", "NaN or infinity stored as null"))
        return None
    if isinstance(value, Mapping | list | tuple) and depth > MAX_JSON_DEPTH:
        fixes.append(Fix(path, f"nested deeper than {MAX_JSON_DEPTH} levels: stored as null", "nested too deeply"))
        return None
    if isinstance(value, Mapping):
        out = {}
        for key, child in value.items():
            name = clean_string(f"{path} key" if path else "key", key, fixes) if isinstance(key, str) else str(key)
            out[name] = _clean_json(child, f"{path}.{name}" if path else name, fixes, depth + 1)
        return out
    if isinstance(value, list | tuple):
        paths = (f"{path}.{n}" if path else str(n) for n in range(len(value)))
        return [_clean_json(child, where, fixes, depth + 1) for where, child in zip(paths, value, strict=True)]
    fixes.append(Fix(path, f"a {type(value).__name__} is not JSON: stored as its text", "not JSON: stored as text"))
    return clean_string(path, str(value), [])


def cut_text(text: str, limit: int) -> str:
    """The first `limit` characters of `text`, ending at the last line break or space in its final tenth."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    floor = limit - limit // 10
    end = max(head.rfind("\n", floor), head.rfind(" ", floor))
    return (head[:end] if end > 0 else head).rstrip()


def needs_fitting(item: Item, max_text_chars: int, *, text_encodes: bool = False) -> bool:
    """Cheap test: False for the usual item, which `fit_item` would return unchanged. `text_encodes` says the
    caller has already encoded title and text as UTF-8 (the content hash does), so only NUL is left to find."""
    text, title = item.text, item.title
    if len(text) > max_text_chars or len(title) > MAX_TITLE_CHARS or "\x00" in text or "\x00" in title:
        return True
    if not text_encodes and not (storable(text) and storable(title)):
        return True
    if len(item.source) > MAX_SOURCE_CHARS or len(item.external_id) > MAX_EXTERNAL_ID_CHARS:
        return True
    if not (storable(item.source) and storable(item.external_id)):
        return True
    if item.url is not None and (len(item.url) > MAX_URL_CHARS or not storable(item.url)):
        return True
    if item.lang is not None and (len(item.lang) > MAX_LANG_CHARS or not storable(item.lang)):
        return True
    if item.links and not all(len(link) <= MAX_URL_CHARS and storable(link) for link in item.links):
        return True
    for name in _SHORT_FIELDS:
        value = getattr(item, name)
        if value is not None and (len(value) > MAX_SHORT_CHARS or not storable(value)):
            return True
    return False


def fit_item(item: Item, *, max_text_chars: int = DEFAULT_MAX_TEXT_CHARS) -> tuple[Item, list[Fix]]:
    """`item` made storable, and what was changed. Text over `max_text_chars` is cut (the item's `truncated`
    flag set) and kept whole in `raw` (under FULL_TEXT_KEY, unless raw's `text` already holds it). A source
    name or an id too long for its column is cut or hashed the same way every time, so a re-run finds it."""
    if not needs_fitting(item, max_text_chars):
        return item, []
    fixes: list[Fix] = []
    changes: dict[str, Any] = {}
    source = clean_string("source", item.source, fixes).strip() or "unnamed source"
    if len(source) > MAX_SOURCE_CHARS:
        fixes.append(Fix("source", f"{len(source):,} characters: cut to {MAX_SOURCE_CHARS}", "source name too long"))
        source = source[:MAX_SOURCE_CHARS]
    external_id = clean_string("external_id", item.external_id, fixes)
    if len(external_id) > MAX_EXTERNAL_ID_CHARS:
        hashed = "sha256:" + hashlib.sha256(external_id.encode()).hexdigest()
        fixes.append(Fix("external_id", f"{len(external_id):,} characters: stored as {hashed}", "id too long"))
        external_id = hashed
    changes.update(source=source, external_id=external_id)
    text = clean_string("text", item.text, fixes)
    if len(text) > max_text_chars:
        raw = dict(item.raw)
        if raw.get("text") != item.text:
            raw[FULL_TEXT_KEY] = text
        reason = f"{len(text):,} characters, over the limit of {max_text_chars:,}: the item keeps the first part"
        fixes.append(Fix("text", reason + " (all of it in raw)", "text over the size limit: truncated"))
        text = cut_text(text, max_text_chars)
        changes.update(raw=raw, truncated=True)
    title = clean_string("title", item.title, fixes)
    if len(title) > MAX_TITLE_CHARS:
        fixes.append(Fix("title", f"{len(title):,} characters: cut to {MAX_TITLE_CHARS:,}", "title too long: cut"))
        title = cut_text(title, MAX_TITLE_CHARS)
    changes.update(text=text, title=title)
    if item.url is not None:
        url: str | None = clean_string("url", item.url, fixes)
        if url is not None and len(url) > MAX_URL_CHARS:
            fixes.append(Fix("url", f"{len(url):,} characters: dropped", "url too long: dropped"))
            url = None
        changes["url"] = url
    if item.lang is not None:
        lang: str | None = clean_string("lang", item.lang, fixes)
        if lang is not None and len(lang) > MAX_LANG_CHARS:
            fixes.append(Fix("lang", f"{lang[:20]!r} is no language code: dropped", "lang not a language code"))
            lang = None
        changes["lang"] = lang
    for name in _SHORT_FIELDS:
        value = getattr(item, name)
        if value is None:
            continue
        value = clean_string(name, value, fixes)
        if len(value) > MAX_SHORT_CHARS:
            fixes.append(Fix(name, f"{len(value):,} characters: cut to {MAX_SHORT_CHARS:,}", f"{name} too long: cut"))
            value = value[:MAX_SHORT_CHARS]
        changes[name] = value
    links = []
    for n, link in enumerate(item.links):
        link = clean_string(f"links.{n}", link, fixes)
        if len(link) > MAX_URL_CHARS:
            fixes.append(Fix(f"links.{n}", f"{len(link):,} characters: dropped", "url too long: dropped"))
            continue
        links.append(link)
    changes["links"] = tuple(links)
    return dataclasses.replace(item, **changes), fixes


def fit_raw(raw: Mapping[str, Any]) -> tuple[dict[str, Any], list[Fix]]:
    """A raw record every backend stores as JSON, and what was changed in it."""
    fixes: list[Fix] = []
    cleaned = clean_json(dict(raw), "raw", fixes)
    return cleaned, fixes
