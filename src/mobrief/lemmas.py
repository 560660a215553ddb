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


@functools.lru_cache(maxsize=200_000)
def lemma(word: str) -> str:
    """The dictionary form of one word, lower-cased, ё folded to е; non-Russian words lower-cased."""
    low = word.lower().replace("ё", "е")
    if not _CYRILLIC.search(low):
        return low
    return str(_morph().parse(low)[0].normal_form).replace("ё", "е")


def words(text: str) -> list[str]:
    """The words of a text in order, as written."""
    return WORD_RE.findall(text)


def lemmatize(text: str) -> list[str]:
    """The lemma of every word of a text, in order."""
    return [lemma(w) for w in WORD_RE.findall(text)]


def search_text(text: str) -> str:
    """The text as a space-separated string of lemmas: what both full-text indexes are built on."""
    return " ".join(lemmatize(text))
