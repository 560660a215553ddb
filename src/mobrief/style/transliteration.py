"""Romanise Russian in the house's BGN/PCGN-like style: iuliia's `wikipedia` schema plus house rules and
overrides.

iuliia gives the closest schema (ё → yo, й → y, е → ye at word start, -ий → -y), but no schema alone gives the
press conventions the brief uses (Sergei Shoigu, Rosgvardia, Lyudi Baikala), so well-known names come from
glossary overrides matched as whole phrases before the schema runs.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping

import iuliia

_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_WORD = r"[\w'’-]"
# letters iuliia's Russian schema leaves alone (Ukrainian, Belarusian) and typography an ASCII text cannot
# hold
_EXTRA = {
    "і": "i", "І": "I", "ї": "yi", "Ї": "Yi", "є": "ye", "Є": "Ye", "ґ": "g", "Ґ": "G", "ў": "u", "Ў": "U",
    "«": '"', "»": '"', "„": '"', "“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "…": "...",
    "№": "No.", "\u00a0": " ",
}  # fmt: skip


def _fold(text: str) -> str:
    return text.lower().replace("ё", "е")


@functools.cache
def _default_overrides() -> dict[str, str]:
    from mobrief.style import glossary

    return glossary.default_overrides()


@functools.lru_cache(maxsize=64)
def _override_pattern(keys: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True))
    return re.compile(rf"(?<!{_WORD})(?:{alternatives})(?!{_WORD})", re.IGNORECASE)


def _ascii(text: str) -> str:
    text = "".join(_EXTRA.get(ch, ch) for ch in text)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if ch.isascii() and (ch.isprintable() or ch in "\n\t"))


def _scheme(text: str) -> str:
    if not _CYRILLIC.search(text):
        return text
    # the house writes е after и as a plain e (Sharafiev, Urazaliev, not -iyev): э gives exactly that
    text = text.replace("ие", "иэ").replace("ИЕ", "ИЭ")
    return str(iuliia.WIKIPEDIA.translate(text))


def transliterate(text: str, overrides: Mapping[str, str] | None = None) -> str:
    """`text` in house romanisation: overrides (Russian form → Latin) first, then the schema; always ASCII.

    The shipped glossary's overrides always apply; `overrides` adds to them and wins where both name a form.
    """
    table = {_fold(k): v for k, v in _default_overrides().items()}
    if overrides:
        table.update({_fold(k): v for k, v in overrides.items() if k.strip()})
    if table and _CYRILLIC.search(text):
        pattern = _override_pattern(tuple(table))
        pieces: list[str] = []
        last = 0
        for match in pattern.finditer(text.replace("ё", "е").replace("Ё", "Е")):
            pieces.append(_scheme(text[last : match.start()]))
            pieces.append(table[_fold(match.group(0))])
            last = match.end()
        pieces.append(_scheme(text[last:]))
        text = "".join(pieces)
    else:
        text = _scheme(text)
    return _ascii(text)


def romanize(text: str) -> str:
    """`text` in the plain schema, without overrides: what a name looks like when nobody fixed its
    spelling."""
    return _ascii(_scheme(text))
