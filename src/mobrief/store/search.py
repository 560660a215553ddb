"""Full-text search over the lemma column of items: what a query asks for, one small Protocol, an implementation
per dialect.

A query is a list of words, and every word must match, through any of its terms:
- a Russian word through its lemma («военкоматы» finds «военкомата») and its Latin spellings in the house
  transliteration («Пушкарев» finds "Pushkaryov" in an English report);
- a Latin word through itself and its English inflections ("detained" finds "detains": forms the Snowball stemmer
  puts with it); written with a capital, also through the Russian words the house would spell that way
  ("Pushkaryov" finds «Пушкарёва», and so does "Pushkarev").
Expansion happens on the query only, so the stored lemmas and their indexes stay as they are.

Ranking is bounded: a page ranks one block of `CANDIDATES` matches taken newest first, in the index's own order,
so a word in every other report costs what a rare one does. Blocks follow each other (the first page ranks the
newest 200 matches, offset 200 starts the next 200), so paging still reaches every match.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.engine import Connection

from mobrief import lemmas
from mobrief.style import transliteration

CANDIDATES = 200  # matches ranked together: the newest 200 first, then the next 200, …
MAX_WORDS = 12
MAX_TERMS = 16  # terms one word may match through


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """What the index is asked: every group must match, and a group matches through any of its terms."""

    groups: tuple[tuple[str, ...], ...]

    @property
    def terms(self) -> frozenset[str]:
        """Every term of every group (what a hit's words are marked by)."""
        return frozenset(t for group in self.groups for t in group)

    def __bool__(self) -> bool:
        return bool(self.groups)


class SearchIndex(Protocol):
    """Finds items whose lemmas match a query: ranked in blocks of the newest matches, or newest first."""

    def rank_block(self, conn: Connection, query: SearchQuery, *, skip: int, size: int) -> list[tuple[int, float]]:
        """The matches numbered skip … skip+size-1 newest first, as (item id, score), best first (higher is
        better; ties newest first)."""
        ...

    def search(
        self, conn: Connection, query: SearchQuery | Sequence[str], *, limit: int, offset: int
    ) -> list[tuple[int, float]]:
        """(item id, score) pairs of one page, best first within each block of `CANDIDATES` newest matches."""
        ...

    def first_matches(self, conn: Connection, queries: Sequence[SearchQuery], *, limit: int) -> list[list[int]]:
        """The ids of each query's first page (`search` at offset 0), in no particular order (a backend may run
        the queries together and skip ranking a page that holds every match)."""
        ...

    def some_matches(self, conn: Connection, queries: Sequence[SearchQuery], *, limit: int) -> list[list[int]]:
        """Up to `limit` ids of items matching each query, any of them (every match when fewer match): whether a
        word is common, and a rare word's items, at the least cost."""
        ...

    def newest(self, conn: Connection, query: SearchQuery | Sequence[str], *, limit: int, offset: int = 0) -> list[int]:
        """Ids of the newest items matching, unranked: cheap on a big store, for time-ordered lists."""
        ...

    def paragraph_ids(self, conn: Connection, query: SearchQuery) -> list[int]:
        """Ids of the paragraphs in `paragraph_search` matching `query` (the archive is small: all of them)."""
        ...

    def index_new(self, conn: Connection, *, after_id: int) -> None:
        """Index the items inserted in this transaction, all with ids above `after_id` (a no-op where the
        database maintains the index itself)."""
        ...


def ranked_page(
    rank_block: Callable[[int, int], list[tuple[int, float]]], *, limit: int, offset: int, block: int = CANDIDATES
) -> list[tuple[int, float]]:
    """One page of the blocks `rank_block(skip, size)` ranks, concatenated: the page may span two blocks."""
    if limit <= 0:
        return []
    out: list[tuple[int, float]] = []
    first, last = offset // block, (offset + limit - 1) // block
    for number in range(first, last + 1):
        ranked = rank_block(number * block, block)
        out.extend(ranked)
        if len(ranked) < block:
            break
    start = offset - first * block
    return out[start : start + limit]


def as_query(query: SearchQuery | Sequence[str]) -> SearchQuery:
    """A query as given, or plain lemmas as a query with no expansion (each lemma a group of its own)."""
    if isinstance(query, SearchQuery):
        return query
    return exact_query(query)


def exact_query(terms: Sequence[str]) -> SearchQuery:
    """Lemmas that must all match as they are, with no other spelling."""
    return lemma_query((t,) for t in terms)


def lemma_query(groups: Iterable[Sequence[str]]) -> SearchQuery:
    """Groups of lemmas that must all match, each through any of its lemmas as they are, with no other spelling
    (what threading asks: a word of a family through every lemma of the family)."""
    kept = (tuple(dict.fromkeys(t for t in group if t)) for group in groups)
    return SearchQuery(groups=tuple(dict.fromkeys(group for group in kept if group)))


@functools.cache
def _english_stem() -> Callable[[str], str]:
    import snowballstemmer

    stem: Callable[[str], str] = snowballstemmer.stemmer("english").stemWord
    return stem


def english_forms(word: str) -> list[str]:
    """`word` and its regular English inflections that the Snowball stemmer puts with it, lower-case:
    "detained" → detained, detain, detains, detaining, …; "news" stays apart from "new"."""
    low = word.lower()
    if not low.isascii() or not low.replace("'", "").isalpha() or len(low) < 3:
        return [low]
    stem = _english_stem()
    own = stem(low)
    bases = {low, own}
    for suffix, added in (("'s", ""), ("ies", "y"), ("es", ""), ("s", ""), ("ied", "y"), ("ed", ""), ("ed", "e"),
                          ("ing", ""), ("ing", "e")):  # fmt: skip
        if low.endswith(suffix) and len(low) - len(suffix) >= 2:
            base = low[: -len(suffix)]
            bases.add(base + added)
            if len(base) >= 3 and base[-1] == base[-2] and base[-1] not in "aeiouls":  # stopped → stop
                bases.add(base[:-1])
    forms = {low}
    for base in bases:
        forms.update((base, base + "s", base + "es", base + "ed", base + "d", base + "ing", base + "'s"))
        if base.endswith("y"):
            forms.update((base[:-1] + "ies", base[:-1] + "ied"))
        if base.endswith("e"):
            forms.add(base[:-1] + "ing")
        if len(base) in (3, 4) and base[-1] not in "aeiouwxy" and base[-2] in "aeiou" and base[-3] not in "aeiou":
            forms.update((base + base[-1] + "ed", base + base[-1] + "ing"))  # stop → stopped, stopping
    # a form the stemmer puts with the word, or one it stems to the word itself ("summonses" → "summons")
    kept = sorted((f for f in forms if f != low and stem(f) in (own, low)), key=lambda f: (len(f), f))
    return [low, *kept]


@functools.lru_cache(maxsize=4096)
def _word_terms(word: str) -> tuple[str, ...]:
    terms = [lemmas.lemma(word)]
    if lemmas.is_cyrillic(word):
        form = lemmas.dictionary_form(word)
        terms += [transliteration.transliterate(form).lower(), transliteration.romanize(form).lower()]
    else:
        if word[:1].isupper():  # a name: its Russian spellings too
            spellings = transliteration.cyrillic_spellings(word)
            for spelling in [s for s in spellings if lemmas.is_known(s)] or spellings[:3]:
                # and back: "Pushkarev" → «пушкарёв» → "Pushkaryov", as the house writes it in English
                form = lemmas.dictionary_form(spelling)
                terms += [lemmas.lemma(spelling), transliteration.transliterate(form).lower()]
        terms += english_forms(word)
    return tuple(t for t in dict.fromkeys(terms) if t and lemmas.WORD_RE.fullmatch(t))[:MAX_TERMS]


def parse_query(text: str) -> SearchQuery:
    """A user's words as a query, each expanded to the spellings and forms that should find it."""
    groups: dict[str, tuple[str, ...]] = {}
    for word in lemmas.words(text)[: MAX_WORDS * 2]:
        lemma = lemmas.lemma(word)
        if lemma not in groups and len(groups) < MAX_WORDS:
            groups[lemma] = _word_terms(word)
    return SearchQuery(groups=tuple(groups.values()))


def search_index_for(dialect: str) -> SearchIndex:
    """The search implementation for a SQLAlchemy dialect name."""
    if dialect == "sqlite":
        from mobrief.store.search_sqlite import SqliteSearch

        return SqliteSearch()
    from mobrief.store.search_postgres import PostgresSearch

    return PostgresSearch()
