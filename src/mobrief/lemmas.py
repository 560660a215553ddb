"""Lemmas of Russian and English words, so «военкоматы» and «военкомата» match «военкомат».

Shared by the store (full-text search column) and enrichment (matching, clustering); pymorphy3
is slow per word, so every lookup goes through an LRU cache.
"""

from __future__ import annotations

import functools
import re
from typing import Any

WORD_RE = re.compile(r"[0-9A-Za-zА-Яа-яЁё]+(?:[-'][0-9A-Za-zА-Яа-яЁё]+)*")
_CYRILLIC = re.compile(r"[А-Яа-яЁё]")


@functools.cache
def _morph() -> Any:
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="ru")


CACHE_LIMIT = 500_000
_cache: dict[str, str] = {}  # word as written → lemma; a plain dict is the fastest lookup on this hot path


def _compute(word: str) -> str:
    low = word.lower().replace("ё", "е")
    result = low if not _CYRILLIC.search(low) else str(_morph().parse(low)[0].normal_form).replace("ё", "е")
    if len(_cache) >= CACHE_LIMIT:
        _cache.clear()
    _cache[word] = result
    return result


def lemma(word: str) -> str:
    """The dictionary form of one word, lower-cased, ё folded to е; non-Russian words lower-cased."""
    return _cache.get(word) or _compute(word)


def dictionary_form(word: str) -> str:
    """The dictionary form of a Russian word with ё kept («Пушкарева» → «пушкарёв»); other words lower-cased."""
    low = word.lower()
    return str(_morph().parse(low)[0].normal_form) if _CYRILLIC.search(low) else low


def is_cyrillic(word: str) -> bool:
    """Whether `word` has a Cyrillic letter (and so gets a Russian lemma)."""
    return bool(_CYRILLIC.search(word))


def parses(word: str) -> list[Any]:
    """Every dictionary reading of a Russian word (pymorphy3 parses: tag, normal form, score)."""
    return list(_morph().parse(word.lower()))


def is_known(word: str) -> bool:
    """Whether the Russian dictionary has `word` (predicted forms, such as most surnames, are not known)."""
    return bool(_morph().word_is_known(word.lower()))


def words(text: str) -> list[str]:
    """The words of a text in order, as written."""
    return WORD_RE.findall(text)


def lemmatize(text: str) -> list[str]:
    """The lemma of every word of a text, in order."""
    get = _cache.get
    return [get(w) or _compute(w) for w in WORD_RE.findall(text)]


def search_text(text: str) -> str:
    """The text as a space-separated string of lemmas: what both full-text indexes are built on."""
    return " ".join(lemmatize(text))


def query_terms(query: str) -> list[str]:
    """The lemmas of a user's query, deduplicated in order: «военкоматы» → ["военкомат"] (what search matches)."""
    return list(dict.fromkeys(lemmatize(query)))
