"""Find the published briefs a story continues, by the people, organisations and places it shares with them.

Stories link to earlier stories (`stories.threads`); a newsroom's archive imported from its site has no stories
behind its paragraphs, so here a story is matched against the English paragraphs themselves: a person's surname
weighs most, then organisations and units, then places.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mobrief.store.period_stories import PublishedParagraph

LOOKBACK_DAYS = 180
THRESHOLD = 4.0
WEIGHTS = {"person": 3.0, "org": 2.0, "unit": 2.0, "outlet": 0.0, "place": 1.0}
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]+")


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
            words = _WORD.findall(latin)
            if len(words) >= 2:  # a surname alone, never a lone first name
                keys[words[-1].lower()] = kind
        elif len(latin) > 3:
            keys[latin.lower()] = kind
    for place in places:
        name = str(place.get("name") or "")
        core = re.sub(r"^(?:the|Russia's constituent republic of)\s+|\s+(?:region|republic|krai|oblast)\b.*$", "", name)
        if len(core) > 3:
            keys[core.lower()] = "place"
    return keys


def find_continuations(keys: Mapping[str, str], paragraphs: Sequence[PublishedParagraph]) -> list[Continuation]:
    """Briefs whose paragraphs share enough of `keys`, best first (one score per brief: its best paragraph)."""
    best: dict[int, Continuation] = {}
    if not keys:
        return []
    for paragraph in paragraphs:
        text = paragraph.text.lower()
        shared = tuple(k for k in keys if re.search(rf"\b{re.escape(k)}\b", text))
        score = sum(WEIGHTS[keys[k]] for k in shared)
        people = sum(keys[k] == "person" for k in shared)
        if score < THRESHOLD or (people == 0 and score < THRESHOLD + 1):
            continue
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
