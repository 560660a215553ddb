"""The house-style lint: everything the engine would change, plus spellings and titles only an editor
fixes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from mobrief.records import GlossaryTerm
from mobrief.style import dates, engine
from mobrief.style.engine import Finding, GlossIndex
from mobrief.style.rates import RateTable


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
    edits += _spelling_edits(text, index) + _title_edits(text)
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
