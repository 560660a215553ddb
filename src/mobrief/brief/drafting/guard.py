"""The fact guard every backend's draft passes through: each number, name, place and organisation it states must
be found in the story's reports (or be a conversion mobrief made); anything else is a finding.

Numbers are compared as values ("2.8 million" against «2,8 млн» or «2 800 000»), names by their Latin forms
(what enrichment found, the glossary, and the transliteration of every capitalised Russian word in the reports).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from typing import Any

from mobrief.brief.drafting import phrasebook, sentence_slots
from mobrief.brief.drafting.event_writers import OPENERS
from mobrief.brief.drafting.records import DraftContext, Finding, StoryReports
from mobrief.style.glossary import edit_distance
from mobrief.style.transliteration import transliterate

TOLERANCE = 0.005  # a stated number matches a source number within half a percent ("2.80 million" ~ 2 795 000)
_BRACKETS = re.compile(r"\[[^\]]*\]")  # glosses and dollar conversions: mobrief's own additions
_CYRILLIC = re.compile(r"[А-Яа-яЁё]")
_EN_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)*)(?:\s*(thousand|million|billion))?", re.I)
_RU_NUMBER = re.compile(
    r"(?<![\w.,])(\d{1,3}(?:[\u00a0\u202f ]\d{3})+|\d+(?:[.,]\d+)*)(?:\s*(тыс|млн|млрд|миллиард|миллион|тысяч))?", re.I
)
_SCALES = {
    "thousand": 1e3, "million": 1e6, "billion": 1e9, "тыс": 1e3, "тысяч": 1e3, "млн": 1e6, "миллион": 1e6,
    "млрд": 1e9, "миллиард": 1e9,
}  # fmt: skip
_EN_SMALL = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen"
EN_WORDS = {w: i for i, w in enumerate(f"{_EN_SMALL} seventeen eighteen nineteen twenty".split())}
RU_WORDS = {
    "один": 1, "одна": 1, "одного": 1, "два": 2, "две": 2, "двух": 2, "двое": 2, "трое": 3, "три": 3, "трех": 3,
    "трёх": 3, "четыре": 4, "четырех": 4, "четверо": 4, "пять": 5, "пяти": 5, "пятеро": 5, "шесть": 6, "шести": 6,
    "семь": 7, "семи": 7, "восемь": 8, "восьми": 8, "девять": 9, "девяти": 9, "десять": 10, "десяти": 10,
    "одиннадцать": 11, "двенадцать": 12, "пятнадцать": 15, "двадцать": 20, "сто": 100, "тысяча": 1000,
}  # fmt: skip
_LATIN_NAME = re.compile(r"\b[A-Z][A-Za-z'’]+(?:-[A-Z][A-Za-z'’]+)*")
_RU_CAPITALISED = re.compile(r"\b[А-ЯЁ][А-Яа-яЁё]+(?:-[А-ЯЁ][А-Яа-яЁё]+)*")


def english_numbers(text: str) -> list[tuple[str, float]]:
    """Every number an English text states, as (as written, value): "2.8 million" → 2800000."""
    out = []
    for m in _EN_NUMBER.finditer(text):
        raw = m.group(1)
        if raw.count(".") > 1:  # an article number "20.3.3": compared as written
            out.append((raw, float("nan")))
            continue
        value = float(raw.replace(",", "")) * _SCALES.get((m.group(2) or "").lower(), 1.0)
        out.append((m.group(0), value))
    for word in re.findall(r"[a-z]+", text.lower()):
        if EN_WORDS.get(word, 0) > 1:
            out.append((word, float(EN_WORDS[word])))
    return out


def source_numbers(text: str) -> set[float]:
    """Every number a Russian (or English) report states, as values, with «тыс.», «млн», «млрд» applied."""
    values: set[float] = set()
    for m in _RU_NUMBER.finditer(text):
        raw = re.sub(r"[\u00a0\u202f ]", "", m.group(1))
        scale = (m.group(2) or "").lower()
        try:
            value = float(raw.replace(",", ".")) if raw.count(",") <= 1 and raw.count(".") <= 1 else None
        except ValueError:
            value = None
        if value is None:
            continue
        values.add(value)
        if scale:
            values.add(value * next(f for k, f in _SCALES.items() if scale.startswith(k)))
    for word in re.findall(r"[а-яё]+", text.lower()):
        if word in RU_WORDS:
            values.add(float(RU_WORDS[word]))
    for m in _EN_NUMBER.finditer(text):  # English reports
        raw = m.group(1)
        if raw.count(".") <= 1:
            values.add(float(raw.replace(",", "")) * _SCALES.get((m.group(2) or "").lower(), 1.0))
    return values


def _article_numbers(text: str) -> set[str]:
    return set(re.findall(r"\d+(?:\.\d+)+", text))


def _near(value: float, pool: Iterable[float]) -> bool:
    return any(abs(value - p) <= TOLERANCE * max(abs(p), 1.0) for p in pool)


@functools.cache
def _template_words() -> frozenset[str]:
    """Capitalised words the templates and the phrasebook write themselves (never a name from the reports)."""
    words = {w for english in phrasebook.load().english_words() for w in _LATIN_NAME.findall(english)}
    words |= OPENERS | {"According", "It", "Its", "This", "These", "On", "At", "From", "After", "Article",
              "Criminal", "Code", "Administrative", "Offenses", "Ukraine",
              "Russia", "Russian", "Jan", "Feb", "March", "April", "May", "June", "July", "Aug", "Sept", "Oct",
              "Nov", "Dec", "He", "She", "They", "His", "Her", "Their", "We", "Earlier", "Previously",
              "Also"}  # fmt: skip
    words |= {w.capitalize() for w in EN_WORDS}
    return frozenset(words)


def _words(texts: Iterable[str]) -> set[str]:
    return {w for t in texts for w in _LATIN_NAME.findall(t)}


def _house_spelling(word: str, house: Iterable[str]) -> str | None:
    """The house's spelling `word` misspells (same first letter, an edit or two apart), if any."""
    if len(word) < 5:
        return None
    low = word.lower()
    for known in house:
        close = known != word and known[0] == word[0] and abs(len(known) - len(word)) <= 2
        if close and edit_distance(low, known.lower()) <= (1 if len(word) < 7 else 2):
            return known
    return None


def key_people(story: StoryReports) -> list[str]:
    """The people a draft must name: those the opening of the lead report names in full."""
    from mobrief.brief.drafting.frames import lead_report  # the guard judges any backend by the same lead

    lead = lead_report(story.reports)
    opening = sentence_slots.sentences(lead)[:2]  # statements only: a photo credit's name is no one the story needs

    def position(e: Mapping[str, Any]) -> int:
        start = int(e.get("start", -1))
        return start if start >= 0 else lead.text.find(str(e.get("text") or "\0"))

    people = [
        str(e.get("latin", ""))
        for e in sorted(lead.entities, key=position)
        if e.get("kind") == "person"
        and any(span.start <= position(e) < span.end for span in opening)
        and len(str(e.get("latin", "")).split()) >= 2
    ]
    return list(dict.fromkeys(people))[:2]


def check(draft_text: str, story: StoryReports, context: DraftContext) -> tuple[Finding, ...]:
    """What in `draft_text` the story's reports do not support (empty when every fact is traceable)."""
    findings: list[Finding] = []
    text = _BRACKETS.sub("", draft_text)
    cyrillic = _CYRILLIC.search(text)
    if cyrillic:
        findings.append(Finding(kind="cyrillic", text=cyrillic.group(0), message="Russian text in the English draft"))
    reports = story.reports
    pool = set().union(*(source_numbers(f"{r.title} {r.text}") for r in reports)) if reports else set()
    articles = set().union(*(_article_numbers(r.text) for r in reports)) if reports else set()
    for r in reports:
        for a in r.amounts:
            for key in ("value", "value_to"):
                if a.get(key) is not None:
                    pool.add(float(a[key]))
            if a.get("currency") == "months" and a.get("value"):
                years, months = divmod(round(float(a["value"])), 12)
                pool.update({float(years), float(months)})
    for written, value in english_numbers(text):
        if value != value:  # NaN: an article number, compared as written
            if written not in articles:
                findings.append(Finding(kind="number", text=written, message=f"{written} is not in the reports"))
        elif not _near(value, pool):
            findings.append(Finding(kind="number", text=written, message=f"{written} is not in the reports"))
    house = _words(
        [str(e.get("latin", "")) for r in reports for e in r.entities]
        + [str(p.get("name", "")) for r in reports for p in r.places]
        + [context.outlet(r.outlet) for r in reports]
        + list(context.glossary_terms)
    )
    sourced = house | _words(r.text for r in reports if not _CYRILLIC.search(r.text[:200]))
    overrides = dict(context.overrides)
    for r in reports:
        for word in set(_RU_CAPITALISED.findall(f"{r.title} {r.text}")):
            sourced.add(transliterate(word, overrides))
    sourced |= {w + s for w in list(sourced) for s in ("s", "’s", "'s")}
    allowed = sourced | _template_words()
    for word in dict.fromkeys(_LATIN_NAME.findall(text)):
        if word in allowed:
            continue
        near = _house_spelling(word, house)
        if near:
            findings.append(Finding(kind="spelling", text=word, message=f"“{word}”: the house writes “{near}”"))
        else:
            findings.append(Finding(kind="name", text=word, message=f"“{word}” is not named in the reports"))
    for word in dict.fromkeys(w for w in _LATIN_NAME.findall(text) if w in sourced and w not in house):
        near = _house_spelling(word, house)
        if near and near not in text:
            findings.append(Finding(kind="spelling", text=word, message=f"“{word}”: the house writes “{near}”"))
    low = text.lower()
    for person in key_people(story):
        if person.split()[-1].lower() not in low:
            findings.append(
                Finding(kind="missing-name", text=person, message=f"the reports name {person}; the draft does not")
            )
    return tuple(findings)
