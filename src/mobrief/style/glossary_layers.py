"""Layers of the glossary: the shipped files, merging them with stored entries, and which gloss to write when.

The shipped glossary is three TOML files in `style/data`: transliteration overrides, hand-written gazetteers of
regions, outlets and institutions, and terms mined from the archive and reviewed by an editor.
"""

from __future__ import annotations

import datetime as dt
import functools
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources

from mobrief.records import GlossaryTerm, GlossUse


def _date(value: object) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value:
        return dt.date.fromisoformat(value)
    return None


def term_from_mapping(data: Mapping[str, object], origin: str = "default") -> GlossaryTerm:
    """A glossary term from a TOML table or JSON object (the shipped files and `glossary add --json`)."""

    def strings(name: str) -> tuple[str, ...]:
        value = data.get(name) or ()
        return (value,) if isinstance(value, str) else tuple(str(v) for v in value)  # type: ignore[attr-defined]

    gloss = data.get("gloss")
    history = tuple(
        GlossUse(
            gloss=str(use["gloss"]),
            count=int(use.get("count", 0)),
            first_seen=_date(use.get("first_seen")),
            last_seen=_date(use.get("last_seen")),
        )
        for use in data.get("history") or ()  # type: ignore[attr-defined]
    )
    return GlossaryTerm(
        term=str(data["term"]),
        gloss=str(gloss) if gloss else None,
        kind=str(data.get("kind") or ("override" if not gloss else "term")),
        russian=strings("russian"),
        variants=strings("variants"),
        spellings=strings("spellings"),
        history=history,
        count=int(data.get("count", 0)),  # type: ignore[call-overload]
        mentioned_in=int(data.get("mentioned_in", 0)),  # type: ignore[call-overload]
        first_seen=_date(data.get("first_seen")),
        last_seen=_date(data.get("last_seen")),
        origin=str(data.get("origin") or origin),
    )


@functools.cache
def _load_data_file(name: str) -> tuple[GlossaryTerm, ...]:
    text = resources.files("mobrief.style").joinpath(f"data/{name}").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    return tuple(term_from_mapping(row) for row in data.get("term", []))


def load_default_glossary() -> list[GlossaryTerm]:
    """The shipped glossary: transliteration overrides, gazetteers of regions, outlets and institutions, and
    the reviewed terms mined from the archive (later layers win on a term but keep earlier Russian forms)."""
    return merge_glossaries(*(_load_data_file(name) for name in ("overrides.toml", "gazetteer.toml", "glossary.toml")))


def default_overrides() -> dict[str, str]:
    """Russian form → house Latin spelling, from every shipped entry that lists Russian forms."""
    return overrides_from(load_default_glossary())


def overrides_from(terms: Iterable[GlossaryTerm]) -> dict[str, str]:
    """Russian form → house spelling for transliteration, from the `russian` forms of glossary terms."""
    table: dict[str, str] = {}
    for term in terms:
        for form in term.russian:
            table.setdefault(form, term.term)
    return table


def merge_glossaries(*layers: Sequence[GlossaryTerm]) -> list[GlossaryTerm]:
    """Layers of terms, later layers winning by term (case-insensitive); a later entry without Russian forms
    or
    spellings keeps those of the entry it replaces, so a mined gloss does not lose the gazetteer's forms."""
    merged: dict[str, GlossaryTerm] = {}
    for layer in layers:
        for term in layer:
            key = term.term.lower()
            old = merged.get(key)
            if old is not None:
                term = replace(
                    term,
                    russian=term.russian or old.russian,
                    spellings=tuple(dict.fromkeys(term.spellings + old.spellings)),
                    kind=old.kind if term.origin == "mined" and old.kind != "term" else term.kind,
                    variants=tuple(dict.fromkeys(term.variants + tuple(v for v in old.variants if v != term.gloss))),
                )
            merged[key] = term
    return list(merged.values())


@dataclass(frozen=True, slots=True, kw_only=True)
class GlossPolicy:
    """When the engine glosses: terms glossed by at least `min_rate` of the archive briefs that mention
    them.
    """

    min_rate: float = 0.3
    kinds: frozenset[str] = field(default_factory=lambda: frozenset({"term", "outlet", "region", "institution"}))
    # a person's role changes, so only a role the house glosses most of the time is written automatically
    person_rate: float = 0.5

    def wants(self, term: GlossaryTerm) -> bool:
        if not term.gloss:
            return False
        rate = term.gloss_rate
        if term.kind == "person":
            return term.origin == "user" or (rate is not None and rate >= self.person_rate and term.count >= 2)
        if term.kind not in self.kinds:
            return False
        return rate is None or rate >= self.min_rate


def gloss_for(term: GlossaryTerm, day: dt.date | None = None) -> str:
    """The gloss to write for `term` in a brief ending on `day`: the canonical gloss, or, when the archive
    shows the
    house used another wording around that day, that wording (so a reissued 2023 brief reads like 2023)."""
    if not term.gloss:
        raise ValueError(f"{term.term} has no gloss")
    if day is None or not term.history:
        return term.gloss

    def distance(use: GlossUse) -> int:
        if use.first_seen is None or use.last_seen is None:
            return 10**6
        if use.first_seen <= day <= use.last_seen:
            return 0
        return min(abs((day - use.first_seen).days), abs((day - use.last_seen).days))

    best = min(term.history, key=lambda u: (distance(u), -u.count, u.gloss != term.gloss))
    return best.gloss if distance(best) < 10**6 else term.gloss
