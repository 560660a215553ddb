"""The one house-style engine: plan every gloss and conversion a brief needs; `apply` writes them, the lint
reports them.

Both commands call `plan_style`, so what `mobrief style check` reports is exactly what `mobrief style apply`
would change (plus what only an editor can fix: repeated glosses, conversions that are off, non-house
spellings).
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from mobrief.records import GlossaryTerm
from mobrief.style import glossary, rubles
from mobrief.style.rates import RateTable
from mobrief.style.transliteration import romanize

TOLERANCE = 0.02  # a written conversion further than this from the rate of the day is reported
_BRACKETS = re.compile(r"\[[^\[\]\n]*\]")
_SENTENCE_END = re.compile(r"[.!?:;…\"”»)]\s*$")
_SPACED_BRACKETS = re.compile(r"\s*\[[^\[\]\n]*\]")
_GLOSS_AFTER = re.compile(r",? ?\[([^\[\]\n]{2,160})\]")
_GLOSS_OPENINGS = ("[", " [", ",[", ", [")
_COMPOUND_AFTER = re.compile(r"[’']s\b|-\w")
_REPUBLIC_BEFORE = re.compile(r"Republic of (?:the )?$")
_REGION_AFTER = re.compile(r" (?:Republic|region|Krai)\b")


@dataclass(frozen=True, slots=True, kw_only=True)
class Edit:
    """One change the house style asks for: replace text[start:end] with `replacement` (an insertion when
    empty)."""

    start: int
    end: int
    replacement: str
    code: str  # missing-gloss, missing-conversion, late-gloss, repeated-gloss, conversion-off, spelling, title
    message: str
    automatic: bool = False  # `style apply` makes this change itself


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """One lint finding: where (1-based line and column), what, and the suggested fix."""

    line: int
    column: int
    code: str
    message: str
    suggestion: str | None = None


class GlossIndex:
    """The glossary ready for matching: every written form of every term, and which terms the house
    glosses.
    """

    def __init__(self, terms: Iterable[GlossaryTerm], policy: glossary.GlossPolicy | None = None) -> None:
        self.policy = policy or glossary.GlossPolicy()
        self.terms: list[GlossaryTerm] = list(terms)
        self.by_form: dict[str, GlossaryTerm] = {}
        self.misspelled: dict[str, GlossaryTerm] = {}
        for term in self.terms:
            if self.policy.wants(term):
                self.by_form.setdefault(term.term, term)
        for term in self.terms:
            for spelling in self._other_spellings(term):
                if spelling not in self.by_form and spelling not in {t.term for t in self.terms}:
                    self.misspelled.setdefault(spelling, term)
                    if self.policy.wants(term):
                        self.by_form.setdefault(spelling, term)
        self.pattern = glossary.term_pattern(self.by_form)
        self.spelling_pattern = glossary.term_pattern(self.misspelled)

    @staticmethod
    def _other_spellings(term: GlossaryTerm) -> list[str]:
        found = list(term.spellings)
        for form in term.russian:  # what the plain scheme would write instead of the house spelling
            # … also when ё was written as е, as most Russian texts do ("Pushkarev" for the house's "Pushkaryov")
            for variant in (form, form.replace("ё", "е").replace("Ё", "Е")):
                scheme = romanize(variant).strip()
                if scheme and scheme != term.term and not re.search(r"[^\x00-\x7f]", scheme):
                    found.append(scheme)
        return [s for s in dict.fromkeys(found) if s and s != term.term]


def _masked(text: str) -> Spans:
    return Spans([(m.start(), m.end()) for m in _BRACKETS.finditer(text)])


class Spans:
    """Sorted, non-overlapping [start, end) spans, asked whether they hold a position in O(log n): checking every
    span of a brief for every match was quadratic in the brief's size (43 of 54 s composing 30,000 items)."""

    def __init__(self, spans: Sequence[tuple[int, int]]) -> None:
        self._starts = [a for a, _ in spans]
        self._ends = [b for _, b in spans]

    def __contains__(self, pos: int) -> bool:
        at = bisect.bisect_right(self._starts, pos) - 1
        return at >= 0 and pos < self._ends[at]


def _inside(spans: Spans, pos: int) -> bool:
    return pos in spans


def _heading_spans(text: str) -> Spans:
    """Title and heading lines: short lines without a sentence end, where the house never glosses."""
    spans = []
    offset = 0
    for line in text.split("\n"):
        # decided without brackets, so adding a gloss or a conversion never turns a heading into a paragraph
        stripped = _SPACED_BRACKETS.sub("", line).strip() if "[" in line else line.strip()
        if (stripped and (len(stripped.split()) <= 14 and not _SENTENCE_END.search(stripped))) or stripped.startswith(
            ("Mobilization in Russia for", "Mobilization update for", "Volunteer summary")
        ):
            spans.append((offset, offset + len(line)))
        offset += len(line) + 1
    return Spans(spans)


def _glossed_at(text: str, end: int) -> tuple[int, int] | None:
    """The span of a gloss bracket right after a term ending at `end`, if there is one."""
    if not text.startswith(_GLOSS_OPENINGS, end):  # what `_GLOSS_AFTER` must start with: most mentions have none
        return None
    m = _GLOSS_AFTER.match(text, end)
    if m and glossary.is_gloss_text(m.group(1)):
        return m.start(), m.end()
    return None


def _glossable(text: str, m: re.Match[str], term: GlossaryTerm) -> bool:
    """Not a possessive or part of a compound ("Mediazona’s", "Mediazona-based"), and no region gloss where
    the
    name already says what it is ("the Republic of Tatarstan", "Tatarstan Republic")."""
    if _COMPOUND_AFTER.match(text, m.end(), m.end() + 3):
        return False
    if term.kind == "region":
        before = text[max(0, m.start() - 20) : m.start()]
        after = text[m.end() : m.end() + 12]
        if _REPUBLIC_BEFORE.search(before) or _REGION_AFTER.match(after):
            return False
    return True


def _as_index(terms: GlossIndex | Iterable[GlossaryTerm]) -> GlossIndex:
    return terms if isinstance(terms, GlossIndex) else GlossIndex(terms)


def plan_glosses(text: str, day: dt.date | None, terms: GlossIndex | Iterable[GlossaryTerm]) -> list[Edit]:
    """Glosses to add at first mentions, and glosses written late or repeated."""
    index = _as_index(terms)
    brackets = _masked(text)
    headings = _heading_spans(text)
    mentions: dict[str, list[re.Match[str]]] = {}
    for m in index.pattern.finditer(text):
        if _inside(brackets, m.start()) or _inside(headings, m.start()):
            continue
        mentions.setdefault(index.by_form[m.group(0)].term, []).append(m)
    edits: list[Edit] = []
    for name, found in mentions.items():
        term = index.by_form[found[0].group(0)]
        gloss = glossary.gloss_for(term, day)
        # only the first mention that can carry a gloss counts: a brief names an outlet thousands of times
        first = next((m for m in found if _glossable(text, m, term)), None)
        glossed = [(m, span) for m in found if (span := _glossed_at(text, m.end()))]
        if not glossed:
            if first is not None:
                edits.append(
                    Edit(
                        start=first.end(),
                        end=first.end(),
                        replacement=f" [{gloss}]",
                        code="missing-gloss",
                        message=f"{name} needs its gloss at the first mention",
                        automatic=True,
                    )
                )
            continue
        first_glossed, _ = glossed[0]
        if first is not None and first.start() < first_glossed.start():
            edits.append(
                Edit(
                    start=first.end(),
                    end=first.end(),
                    replacement=f" [{gloss}]",
                    code="late-gloss",
                    message=f"{name} is glossed after its first mention; move the gloss here",
                )
            )
        for m, (start, end) in glossed[1:]:
            edits.append(
                Edit(
                    start=start,
                    end=end,
                    replacement="",
                    code="repeated-gloss",
                    message=f"{m.group(0)} was already glossed earlier in the brief",
                )
            )
    return edits


def plan_conversions(text: str, day: dt.date | None, rates: RateTable | None) -> list[Edit]:
    """`[$…]` to add after ruble amounts without one, and written conversions more than 2% off the rate of
    `day`.

    Raises RateUnavailable when an amount needs a rate and `day` is outside the table.
    """
    brackets = _masked(text)
    amounts = [a for a in rubles.find_ruble_amounts(text) if not _inside(brackets, a.start)]
    if not amounts:
        return []
    if day is None or rates is None:
        return [
            Edit(
                start=a.end,
                end=a.end,
                replacement="",
                code="missing-conversion",
                message=f"{a.text} has no dollar conversion (give --date to compute it)",
            )
            for a in amounts
            if a.conversion is None
        ]
    rate = rates.rate_on(day)
    edits = []
    for amount in amounts:
        wanted = rubles.format_conversion(amount, rate)
        if amount.conversion is None:
            edits.append(
                Edit(
                    start=amount.end,
                    end=amount.end,
                    replacement=f" {wanted}",
                    code="missing-conversion",
                    message=f"{amount.text} needs its dollar value at {rate:.4f} rubles per dollar ({day})",
                    automatic=True,
                )
            )
            continue
        error = rubles.conversion_error(amount, rate)
        if error is not None and error > TOLERANCE:
            edits.append(
                Edit(
                    start=amount.conversion_start,
                    end=amount.conversion_end,
                    replacement=wanted,
                    code="conversion-off",
                    message=f"{amount.conversion} is {error:.0%} off the rate of {day} ({rate:.4f}): {wanted}",
                )
            )
    return edits


def plan_style(
    text: str, day: dt.date | None, terms: GlossIndex | Iterable[GlossaryTerm], rates: RateTable | None
) -> list[Edit]:
    """Every change the house style asks of `text` (a brief ending on `day`), in reading order."""
    edits = plan_glosses(text, day, terms) + plan_conversions(text, day, rates)
    return sorted(edits, key=lambda e: (e.start, e.end))


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """`text` with `edits` made (non-overlapping, any order)."""
    pieces = []
    last = 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        if edit.start < last:
            continue
        pieces.append(text[last : edit.start])
        pieces.append(edit.replacement)
        last = edit.end
    pieces.append(text[last:])
    return "".join(pieces)


def apply_style(
    text: str,
    day: dt.date,
    glossary_terms: GlossIndex | Iterable[GlossaryTerm],
    rates: RateTable | None = None,
) -> str:
    """`text` with a gloss at the first mention of every known term and `[$…]` after every ruble amount.

    Idempotent: a term glossed anywhere and an amount already converted are left alone.
    """
    rates = rates or RateTable.shipped()
    return apply_edits(text, [e for e in plan_style(text, day, glossary_terms, rates) if e.automatic])


def position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of `offset` in `text`."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


class LineIndex:
    """1-based line and column of offsets in one text, each found in O(log n) (for many offsets of a long text)."""

    def __init__(self, text: str) -> None:
        self._starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._starts, offset)
        return line, offset - self._starts[line - 1] + 1
