"""The house-style lint: everything the engine would change, plus what only an editor fixes: non-house spellings
of glossary terms and people, untranslated Russian words, titles.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import tomllib
from collections.abc import Iterable, Mapping
from importlib import resources

from mobrief.records import GlossaryTerm
from mobrief.style import dates, engine
from mobrief.style.engine import Finding, GlossIndex
from mobrief.style.rates import RateTable
from mobrief.style.transliteration import romanize


def _spelling_edits(text: str, index: GlossIndex) -> list[engine.Edit]:
    brackets = [(m.start(), m.end()) for m in re.finditer(r"\[[^\[\]\n]*\]", text)]
    edits = []
    for m in index.spelling_pattern.finditer(text):
        if any(a <= m.start() < b for a, b in brackets):
            continue
        house = index.misspelled[m.group(0)].term
        edits.append(
            engine.Edit(
                start=m.start(),
                end=m.end(),
                replacement=house,
                code="spelling",
                message=f"the house spells {m.group(0)!r} as {house!r}",
            )
        )
    return edits


def _title_edits(text: str) -> list[engine.Edit]:
    offset = 0
    for number, line in enumerate(text.split("\n")):
        stripped = line.strip().lstrip("#").strip()  # a Markdown title line is "# Title"
        if stripped and dates.looks_like_title(stripped):
            if not dates.is_house_title(stripped):
                start = offset + line.index(stripped)
                fix = dates.house_title(stripped)
                return [
                    engine.Edit(
                        start=start,
                        end=start + len(stripped),
                        replacement=fix or stripped,
                        code="title",
                        message="the title is not in the house form" + (f": {fix}" if fix else ""),
                    )
                ]
            return []
        if number > 10:
            break
        offset += len(line) + 1
    return []


def check_style(
    text: str,
    day: dt.date | None,
    glossary_terms: GlossIndex | Iterable[GlossaryTerm],
    rates: RateTable | None = None,
) -> list[Finding]:
    """Findings for `text` (a brief ending on `day`), in reading order, each with a suggested fix.

    Without `day` the brief's own title gives the date; without either, missing conversions are still reported
    but not computed.
    """
    index = glossary_terms if isinstance(glossary_terms, GlossIndex) else GlossIndex(glossary_terms)
    if day is None:
        opening = [line.strip() for line in text.split("\n") if line.strip()][:5]
        title = next((line for line in opening if dates.looks_like_title(line)), None)
        if title is not None:
            try:
                day = dates.parse_title(title)[1]
            except ValueError:
                day = None
    rates = rates or RateTable.shipped()
    edits = engine.plan_style(text, day, index, rates if day else None)
    edits += _spelling_edits(text, index) + untranslated_edits(text) + _title_edits(text)
    findings = []
    lines = engine.LineIndex(text)
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        line, column = lines.position(edit.start)
        if edit.code in ("missing-gloss", "late-gloss", "missing-conversion") and edit.replacement:
            context = text[max(0, edit.start - 40) : edit.start].split("\n")[-1]
            suggestion: str | None = f"…{context}{edit.replacement}"
        elif edit.code == "repeated-gloss":
            suggestion = f"remove {text[edit.start : edit.end].strip(', ')}"
        else:
            suggestion = edit.replacement or None
        findings.append(Finding(line=line, column=column, code=edit.code, message=edit.message, suggestion=suggestion))
    return findings


# ---- what only an editor fixes: untranslated Russian words, other spellings of people's names ----


@functools.cache
def _untranslated() -> list[tuple[re.Pattern[str], str, str]]:
    """(pattern, the word as the lint names it, the English to write) from `data/untranslated.toml`."""
    data = tomllib.loads(resources.files("mobrief.style").joinpath("data/untranslated.toml").read_text("utf-8"))
    return [
        (re.compile(rf"\b(?:{w['stem']})\w*", re.IGNORECASE), str(w["word"]), str(w["english"])) for w in data["word"]
    ]


def untranslated_edits(text: str) -> list[engine.Edit]:
    """Transliterated Russian words the house translates ("voenkomat" → "military enlistment office"); words
    inside square brackets (glosses, insertions) are left alone."""
    brackets = [(m.start(), m.end()) for m in re.finditer(r"\[[^\[\]\n]*\]", text)]
    edits = []
    for pattern, word, english in _untranslated():
        for m in pattern.finditer(text):
            if any(a <= m.start() < b for a, b in brackets):
                continue
            edits.append(
                engine.Edit(
                    start=m.start(),
                    end=m.end(),
                    replacement=english,
                    code="untranslated",
                    message=f"{m.group(0)!r} is Russian ({word}): the house writes {english!r}",
                )
            )
    return edits


def name_variants(people: Iterable[Mapping[str, object]]) -> dict[str, str]:
    """Other spellings of people's surnames → the house spelling: a name whose Russian has ё is often written
    with е, so "Pushkarev" for the house's "Pushkaryov"."""
    variants: dict[str, str] = {}
    for person in people:
        normalized, latin = str(person.get("normalized") or ""), str(person.get("latin") or "")
        if "ё" not in normalized.lower() or not latin:
            continue
        house = latin.split()[-1]
        other = romanize(normalized.replace("ё", "е").replace("Ё", "Е")).split()
        if other and other[-1] != house and other[-1].isascii():
            variants.setdefault(other[-1], house)
    return variants


def name_spelling_edits(text: str, names: Mapping[str, str]) -> list[engine.Edit]:
    """Surnames written another way than the house writes them (see `name_variants`)."""
    if not names:
        return []
    pattern = re.compile(r"\b(" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + r")\b")
    return [
        engine.Edit(
            start=m.start(),
            end=m.end(),
            replacement=names[m.group(0)],
            code="spelling",
            message=f"the house spells {m.group(0)!r} as {names[m.group(0)]!r}",
        )
        for m in pattern.finditer(text)
    ]


def plan_lint(
    text: str,
    day: dt.date | None,
    index: GlossIndex,
    rates: RateTable | None,
    *,
    names: Mapping[str, str] | None = None,
) -> list[engine.Edit]:
    """Every edit the lint asks for in a brief's text (no title check): the engine's glosses and conversions,
    non-house spellings of glossary terms and people, and untranslated Russian words. Overlaps keep the first."""
    edits = engine.plan_style(text, day, index, rates if day else None)
    edits += _spelling_edits(text, index) + name_spelling_edits(text, names or {}) + untranslated_edits(text)
    kept: list[engine.Edit] = []
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        if kept and edit.start < kept[-1].end and edit.code == kept[-1].code:
            continue
        kept.append(edit)
    return kept
