"""The bilingual phrasebook `frames` writes with: Russian phrases of the beat (matched in any inflection) and their
English in house wording, loaded from `data/phrasebook.toml` and extended from the glossary's institutions."""

from __future__ import annotations

import functools
import hashlib
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from mobrief import lemmas

PHRASEBOOK_FILE = Path(__file__).parent / "data" / "phrasebook.toml"
TABLES = ("articles", "charges", "regimes", "punishments", "roles", "institutions", "documents", "actions", "topics",
          "payments", "nouns")  # fmt: skip


@dataclass(frozen=True, slots=True)
class Token:
    """A word of a Russian text: its lemma, where it stands and how it is written."""

    lemma: str
    start: int
    end: int
    form: str = ""


@dataclass(frozen=True, slots=True)
class Match:
    """A phrase of one table found in a text: token positions [first, last), character span, its English."""

    table: str
    first: int
    last: int
    start: int
    end: int
    english: str


def tokens(text: str, offset: int = 0) -> list[Token]:
    """The words of `text` with their lemmas and spans (shifted by `offset`: where `text` stands in a report)."""
    return [
        Token(lemmas.lemma(m.group(0)), m.start() + offset, m.end() + offset, m.group(0))
        for m in lemmas.WORD_RE.finditer(text)
    ]


def _key(phrase: str) -> tuple[str, ...]:
    return tuple(lemmas.lemma(w) for w in lemmas.words(phrase))


@functools.lru_cache(maxsize=65536)
def _is_passive_participle(word: str) -> bool:
    """Whether a word can be read as a passive participle («заключённых», «мобилизованные»): pymorphy gives it
    its verb's lemma, so «заключили контракт» and «заключённые» (prisoners) share the lemma «заключить»."""
    return any(p.tag.POS in ("PRTF", "PRTS") and "pssv" in p.tag for p in lemmas.parses(word))


def _passive_positions(phrase: str) -> tuple[int, ...]:
    """The words of a phrase written as a passive participle: a text matches them only with a passive participle
    ("prisoners" for «заключённые», never for «заключил контракт»)."""
    first_readings = [lemmas.parses(w)[0].tag for w in lemmas.words(phrase)]
    return tuple(i for i, tag in enumerate(first_readings) if tag.POS in ("PRTF", "PRTS") and "pssv" in tag)


@dataclass(frozen=True, slots=True)
class KindTriggers:
    strong: tuple[tuple[str, ...], ...]
    weak: tuple[tuple[str, ...], ...]


class Phrasebook:
    """Lookups over the phrasebook's tables: longest phrase first, each matched by its lemmas."""

    def __init__(self, tables: Mapping[str, Mapping[str, str]], kinds: Mapping[str, KindTriggers], version: str):
        self.version = version
        self.kinds = dict(kinds)
        self.articles = dict(tables.get("articles", {}).items())
        self._index: dict[str, dict[str, list[tuple[tuple[str, ...], str, tuple[int, ...]]]]] = {}
        for table, entries in tables.items():
            if table == "articles":
                continue
            index: dict[str, list[tuple[tuple[str, ...], str, tuple[int, ...]]]] = {}
            for phrase, english in entries.items():
                key = _key(phrase)
                if key:
                    index.setdefault(key[0], []).append((key, english, _passive_positions(phrase)))
            for options in index.values():
                options.sort(key=lambda o: len(o[0]), reverse=True)
            self._index[table] = index

    def find(self, words: list[Token], table: str) -> list[Match]:
        """Non-overlapping matches of `table` in `words`, longest first at each position; a word the phrase writes
        as a passive participle matches only a passive participle (a word without its form matches by lemma)."""
        index = self._index.get(table, {})
        found: list[Match] = []
        i = 0
        while i < len(words):
            for key, english, passive in index.get(words[i].lemma, ()):
                n = len(key)
                if tuple(w.lemma for w in words[i : i + n]) == key and all(
                    not words[i + k].form or _is_passive_participle(words[i + k].form) for k in passive
                ):
                    found.append(Match(table, i, i + n, words[i].start, words[i + n - 1].end, english))
                    i += n - 1
                    break
            i += 1
        return found

    def english_words(self) -> Iterator[str]:
        """Every English rendering in the book (the fact guard accepts their capitalised words)."""
        for index in self._index.values():
            for options in index.values():
                for _, english, _ in options:
                    yield english
        yield from self.articles.values()

    def kind_scores(self, words: list[Token]) -> dict[str, float]:
        """How strongly the words point to each kind of event (strong triggers 2, weak 0.5, each phrase once)."""
        lemmas_seen = [w.lemma for w in words]
        joined = " " + " ".join(lemmas_seen) + " "
        scores: dict[str, float] = {}
        for kind, triggers in self.kinds.items():
            score = sum(2.0 for t in triggers.strong if f" {' '.join(t)} " in joined)
            score += sum(0.5 for t in triggers.weak if f" {' '.join(t)} " in joined)
            if score:
                scores[kind] = score
        return scores


@functools.cache
def version() -> str:
    """The shipped phrasebook's version, without building its lemma index (composing a brief whose stories are
    all drafted asks only this)."""
    raw = PHRASEBOOK_FILE.read_bytes()
    data = tomllib.loads(raw.decode("utf-8"))
    return f"{data.get('version', 'phrasebook')}-{hashlib.sha256(raw).hexdigest()[:8]}"


@functools.cache
def load() -> Phrasebook:
    """The shipped phrasebook (read once per process)."""
    raw = PHRASEBOOK_FILE.read_bytes()
    data = tomllib.loads(raw.decode("utf-8"))
    tables = {name: dict(data.get(name, {})) for name in TABLES}
    kinds = {
        name: KindTriggers(
            strong=tuple(k for k in (_key(p) for p in spec.get("strong", ())) if k),
            weak=tuple(k for k in (_key(p) for p in spec.get("weak", ())) if k),
        )
        for name, spec in data.get("kinds", {}).items()
    }
    return Phrasebook(tables, kinds, version())
