"""How JSON columns are written and read in bulk: written as UTF-8 text (Russian is not escaped as `\\uXXXX`, which
made a drafted sentence's source text six bytes a letter to encode, store and decode), and read as text and decoded
together, one `json.loads` over many rows costing a fraction of SQLAlchemy's per-value decode (30,000 values: about
0.2 s against a few hundredths)."""

from __future__ import annotations

import json
import json.encoder
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa


def _unencodable(value: Any) -> Any:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _utf8_json() -> Callable[[Any], str]:
    """json.dumps with ensure_ascii=False and no check for cycles (the stored values are plain lists and dicts):
    CPython's C encoder made once and called directly, where `JSONEncoder.encode` makes one a call (a third of the
    time of encoding 40,000 small values); `JSONEncoder` where there is no C encoder."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # pragma: no cover - an interpreter without the C accelerator
        return json.JSONEncoder(ensure_ascii=False, check_circular=False).encode
    encoder = make(None, _unencodable, json.encoder.encode_basestring, None, ": ", ", ", False, False, True)

    def encode(value: Any) -> str:
        return "".join(encoder(value, 0))

    return encode


_UTF8_JSON = _utf8_json()


def encode(value: Any) -> str:
    """A value as JSON text for a JSON column, non-ASCII letters as they are (the engines' `json_serializer`); a
    string holding a lone surrogate, which UTF-8 cannot carry, is escaped as `json.dumps` escapes it."""
    text = _UTF8_JSON(value)
    if not text.isascii():
        try:
            text.encode()
        except UnicodeEncodeError:
            return json.dumps(value)
    return text


def as_text(column: sa.ColumnElement[Any], name: str | None = None) -> sa.ColumnElement[Any]:
    """A JSON column read as its text, for `decode_lists`: cast in SQL, so that PostgreSQL's driver does not decode
    each value on its own either (SQLite's CAST of the stored text is the text itself)."""
    return sa.cast(column, sa.Text).label(name or column.key)


_TEXTS = frozenset({str, type(None)})


def decode_lists(texts: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Each JSON list as a tuple (null and "[]" as the empty tuple), decoded in one call; values a driver has
    decoded already are taken as they are. Texts alone (as `as_text` reads them) are decoded once each however
    often they come (reports naming the same region, "[]") and joined with no test of each in Python; the equal
    values share their tuple, as records never change what they hold."""
    if set(map(type, texts)) <= _TEXTS:  # asked of each value in C: a generator over 100,000 cost 30 ms
        distinct = dict.fromkeys(texts)
        decoded = json.loads("[" + ",".join([text or "null" for text in distinct]) + "]")
        as_tuple = {text: tuple(value) if value else () for text, value in zip(distinct, decoded, strict=True)}
        return [as_tuple[text] for text in texts]
    found: list[tuple[Any, ...]] = [()] * len(texts)
    encoded = []
    for at, text in enumerate(texts):
        if isinstance(text, list):
            found[at] = tuple(text)
        elif text and text not in ("[]", "null"):
            encoded.append(at)
    if encoded:
        decoded = json.loads("[" + ",".join(texts[at] for at in encoded) + "]")
        for at, value in zip(encoded, decoded, strict=True):
            found[at] = tuple(value)
    return found
