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


@functools.cache
def _default_table() -> dict[str, str]:
    """The shipped overrides keyed by folded form (built once: a call per word made it a hot spot)."""
    return {_fold(k): v for k, v in _default_overrides().items()}


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
    table = _default_table()
    if overrides:
        table = {**table, **{_fold(k): v for k, v in overrides.items() if k.strip()}}
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


# Latin pieces the schema writes, the Cyrillic each may stand for and how unusual that reading is;
# `cyrillic_spellings` keeps only readings the schema writes back exactly, so the table may be generous.
_LATIN_PIECES: dict[str, tuple[tuple[str, int], ...]] = {
    "shch": (("щ", 0),), "kh": (("х", 0),), "ts": (("ц", 0), ("тс", 1)), "ch": (("ч", 0),), "sh": (("ш", 0),),
    "zh": (("ж", 0),), "yo": (("ё", 0), ("ьо", 2)), "yu": (("ю", 0), ("ью", 2)), "ya": (("я", 0), ("ья", 2)),
    "ye": (("е", 0), ("ье", 2), ("ъе", 3)), "y": (("й", 0), ("ы", 0), ("ий", 1), ("ый", 1)),
    "a": (("а", 0),), "b": (("б", 0),), "v": (("в", 0),), "g": (("г", 0),), "d": (("д", 0),),
    "e": (("е", 0), ("э", 1)), "z": (("з", 0),), "i": (("и", 0),), "k": (("к", 0),), "l": (("л", 0), ("ль", 2)),
    "m": (("м", 0),), "n": (("н", 0), ("нь", 2)), "o": (("о", 0),), "p": (("п", 0),), "r": (("р", 0),),
    "s": (("с", 0),), "t": (("т", 0), ("ть", 2)), "u": (("у", 0),), "f": (("ф", 0),),
}  # fmt: skip
_BEAM = 32  # partial readings kept at each position of the Latin word


def cyrillic_spellings(word: str, *, limit: int = 6) -> list[str]:
    """Russian spellings the house would write as the Latin `word` («Pushkaryov» → «пушкарёв»), lower-case,
    likeliest first.

    Names the glossary spells its own way come from its overrides; the rest are readings of `word`, searched
    piece by piece with the unusual ones (soft signs, э, й before a vowel) last, that the schema writes back
    exactly.
    """
    low = word.lower()
    found = [_fold(k) for k, v in _default_overrides().items() if v.lower() == low and " " not in k.strip()]
    if not low.isascii() or not low.isalpha() or len(low) > 40:
        return found[:limit]
    readings: list[list[tuple[int, str]]] = [[] for _ in range(len(low) + 1)]
    readings[0].append((0, ""))
    for at in range(len(low)):
        for cost, text in sorted(readings[at])[:_BEAM]:
            for size in (4, 2, 1):
                piece = low[at : at + size]
                for cyrillic, extra in _LATIN_PIECES.get(piece, ()) if len(piece) == size else ():
                    if piece == "y" and low[at + 1 : at + 2] in ("a", "e", "o", "u"):
                        extra += 2  # "ya", "ye", "yo", "yu" read as one letter first
                    readings[at + size].append((cost + extra, text + cyrillic))
    for _, candidate in sorted(readings[len(low)])[:_BEAM]:
        if len(found) >= limit:
            break
        if candidate not in found and romanize(candidate).lower() == low:
            found.append(candidate)
    return found
