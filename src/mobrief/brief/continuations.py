"""Find the published briefs a story continues, by the people, organisations and places it shares with them.

Stories link to earlier stories (`stories.threads`); a newsroom's archive imported from its site has no stories
behind its paragraphs, so here a story is matched against the English paragraphs themselves: a person's surname
weighs most, then organisations and units, then places.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mobrief.records import PublishedParagraph

LOOKBACK_DAYS = 180
THRESHOLD = 4.0
WEIGHTS = {"person": 3.0, "org": 2.0, "unit": 2.0, "outlet": 0.0, "place": 1.0}
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]+")
_TOKEN = re.compile(r"\w+")
_PLACE_WORDS = re.compile(r"^(?:the|Russia's constituent republic of)\s+|\s+(?:region|republic|krai|oblast)\b.*$")


@dataclass(frozen=True, slots=True, kw_only=True)
class Continuation:
    """A published brief a story continues, with the score and the names they share."""

    brief_id: int
    title: str
    url: str | None
    score: float
    shared: tuple[str, ...]


def story_keys(entities: Sequence[Mapping[str, Any]], places: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """Lower-cased keys to look for in English text → their kind: surnames, organisation names, place cores."""
    keys: dict[str, str] = {}
    for entity in entities:
        kind = str(entity.get("kind") or "")
        latin = str(entity.get("latin") or "").strip()
        if not latin or kind not in WEIGHTS:
            continue
        if kind == "person":
            surname = _surname(latin)
            if surname:
                keys[surname] = kind
        elif len(latin) > 3:
            keys[latin.lower()] = kind
    for place in places:
        core = _place_core(str(place.get("name") or ""))
        if core:
            keys[core] = "place"
    return keys


@functools.lru_cache(maxsize=4096)
def _surname(latin: str) -> str:
    """A person's surname lower-cased; "" for a lone name (a first name alone is never matched)."""
    words = _WORD.findall(latin)
    return words[-1].lower() if len(words) >= 2 else ""


@functools.lru_cache(maxsize=4096)
def _place_core(name: str) -> str:
    """A place's name without "the", "region" and the like, lower-cased; "" when under four letters (a brief names
    the same few dozen places thousands of times)."""
    core = _PLACE_WORDS.sub("", name)
    return core.lower() if len(core) > 3 else ""


class Archive:
    """Published paragraphs ready to be matched by many stories: each lower-cased once, with the paragraphs each
    word stands in, so a story is checked against the paragraphs holding its names' words rather than against
    every paragraph (10,000 stories × the whole archive × every name grew with the product of the two)."""

    def __init__(self, paragraphs: Sequence[PublishedParagraph]) -> None:
        self.paragraphs = list(paragraphs)
        self.texts = [p.text.lower() for p in self.paragraphs]
        self._by_word: dict[str, list[int]] = {}
        for at, text in enumerate(self.texts):
            for word in dict.fromkeys(_TOKEN.findall(text)):
                self._by_word.setdefault(word, []).append(at)
        self._holding: dict[str, frozenset[int]] = {}
        self._patterns: dict[str, re.Pattern[str] | None] = {}
        self.found: dict[tuple[tuple[str, str], ...], list[Continuation]] = {}  # by the names asked for

    def holding(self, key: str) -> frozenset[int]:
        """The paragraphs `key` may stand in: those with every word of it (each word of a match is a whole word
        of the text, since the match starts and ends at word boundaries)."""
        found = self._holding.get(key)
        if found is None:
            words = _TOKEN.findall(key)
            if not words:
                found = frozenset(range(len(self.texts)))
            else:
                found = frozenset(self._by_word.get(words[0], ())).intersection(
                    *(self._by_word.get(w, ()) for w in words[1:])
                )
            self._holding[key] = found
        return found

    def mentions(self, at: int, key: str) -> bool:
        """Whether paragraph `at` names `key` as a whole word or words."""
        if at not in self.holding(key):
            return False
        if key not in self._patterns:  # a key of one word is named wherever that word stands: no pattern needed
            one_word = _TOKEN.fullmatch(key) is not None
            self._patterns[key] = None if one_word else re.compile(rf"\b{re.escape(key)}\b")
        pattern = self._patterns[key]
        return pattern is None or pattern.search(self.texts[at]) is not None


def _qualifies(score: float, people: int) -> bool:
    return score >= THRESHOLD and (people > 0 or score >= THRESHOLD + 1)


def find_continuations(
    keys: Mapping[str, str], paragraphs: Sequence[PublishedParagraph] | Archive
) -> list[Continuation]:
    """Briefs whose paragraphs share enough of `keys`, best first (one score per brief: its best paragraph)."""
    if not keys:
        return []
    archive = paragraphs if isinstance(paragraphs, Archive) else Archive(paragraphs)
    asked = tuple(keys.items())
    found = archive.found.get(asked)
    if found is None:  # stories naming the same people and places are matched once
        found = archive.found[asked] = _continuations(keys, archive)
    return list(found)


def _continuations(keys: Mapping[str, str], archive: Archive) -> list[Continuation]:
    best: dict[int, Continuation] = {}
    # the lightest names (never a person) that cannot reach the threshold by themselves: a paragraph naming only
    # these is no continuation, so the paragraphs to check are those holding one of the others
    light: set[str] = set()
    weight = 0.0
    for k in sorted((k for k in keys if keys[k] != "person"), key=lambda k: WEIGHTS[keys[k]]):
        if _qualifies(weight + WEIGHTS[keys[k]], 0):
            break
        light.add(k)
        weight += WEIGHTS[keys[k]]
    candidates: set[int] = set().union(*(archive.holding(k) for k in keys if k not in light))
    for at in sorted(candidates):  # in archive order, as the first best paragraph of a brief wins
        shared = tuple(k for k in keys if archive.mentions(at, k))
        score = sum(WEIGHTS[keys[k]] for k in shared)
        if not _qualifies(score, sum(keys[k] == "person" for k in shared)):
            continue
        paragraph = archive.paragraphs[at]
        old = best.get(paragraph.brief_id)
        if old is None or score > old.score:
            best[paragraph.brief_id] = Continuation(
                brief_id=paragraph.brief_id,
                title=paragraph.title,
                url=paragraph.url,
                score=score,
                shared=shared,
            )
    return sorted(best.values(), key=lambda c: c.score, reverse=True)


def lookback_start(start: dt.date) -> dt.date:
    """The first period end whose published brief a story starting on `start` may continue."""
    return start - dt.timedelta(days=LOOKBACK_DAYS)
