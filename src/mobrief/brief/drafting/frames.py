"""The default backend: recognise what kind of event a story reports, fill that kind's slots from the Russian text
and what enrichment found in it, and write one to three English sentences in the house voice.

Written for mobrief rather than taken from a library: no offline Russian→English system ships without a model
download, and a template over slots can say only what the reports say. Every English word comes from a
template, the phrasebook, the glossary or a transliterated name, so Russian never leaks into a draft: a slot the
phrasebook can't render is left out.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import razdel

from mobrief import lemmas
from mobrief.brief.drafting import phrasebook, units
from mobrief.brief.drafting.phrasebook import Match, Phrasebook, Token
from mobrief.brief.drafting.records import DraftContext, DraftSentence, Report, StoryDraft, StoryReports

NAME = "frames"
VERSION = "frames-2"
LEAD_CHARS = 2500  # slots come from the opening of the lead report, where Russian news states the event
LEAD_SENTENCES = 2  # the event is told in the opening sentences; later ones give detail or background
MAX_EVENT_SENTENCES = 3  # the 1–3 sentences for the event; the facts sentence comes after
KINDS = ("sentence", "arrest", "treason", "desertion", "payment", "deaths", "appeal", "recruitment", "youth", "law")
_CYRILLIC = re.compile(r"[А-Яа-яЁё]")
_AGE_STRICT = re.compile(r"(\d{1,3})-летн\w*", re.I)
_ARTICLE = re.compile(
    r"(?:ст\.|стат(?:ья|ьи|ье|ью|ьей|ьям|ьями|ьях))\s*(\d{1,3}(?:\.\d{1,2}){0,2})"
    r"(?:\s*(?:ч\.|част[ьиюей]+)\s*\d+)?(?:[^.]{0,25}?(УК|КоАП))?",
    re.I,
)
_ARTICLE_PART_FIRST = re.compile(r"(?:ч\.|част[ьиюей]+)\s*\d+\s*(?:ст\.|стат\w+)\s*(\d{1,3}(?:\.\d{1,2}){0,2})", re.I)


@dataclass(frozen=True, slots=True)
class Span:
    """A Russian sentence of a report: where it stands and its words."""

    report: Report
    start: int
    end: int
    words: list[Token]

    @property
    def text(self) -> str:
        return self.report.text[self.start : self.end]

    def covers(self, start: int, end: int) -> bool:
        return self.start <= start and end <= self.end


@dataclass(slots=True)
class Slots:
    """What a sentence of the lead report says, as English pieces (each already house wording)."""

    span: Span
    people: list[str] = field(default_factory=list)  # "Sergey Koshcheev, a 31-year-old resident,"
    names: list[str] = field(default_factory=list)  # the people's names alone
    starts: list[int] = field(default_factory=list)
    subjects: list[bool] = field(
        default_factory=list
    )  # whether each person is named in the nominative (an actor)  # where each person is named in the report
    objects: list[bool] = field(
        default_factory=list
    )  # whether each person is named in the accusative (a verdict's object)
    places: list[str] = field(default_factory=list)
    home: str | None = None  # where the sentence's people are from: the place it opens with, or «из …»
    rubles: list[str] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)
    counts: list[float] = field(default_factory=list)
    counted: list[str] = field(default_factory=list)  # head counts with their noun: "16,000 families"
    figures: list[str] = field(default_factory=list)  # other numbers as the report gives them: "20%", "Jan. 1, 2026"
    ages: list[int] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    charges: list[str] = field(default_factory=list)
    regimes: list[str] = field(default_factory=list)
    punishments: list[str] = field(default_factory=list)
    institutions: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    payments: list[str] = field(default_factory=list)
    acted_on: list[str] = field(default_factory=list)  # documents the sentence acts on (not «согласно закону»)
    venues: list[str] = field(default_factory=list)  # institutions the sentence puts something in («в Госдуму»)
    tenses: list[str] = field(default_factory=list)  # each action's tense: "past", "future", "planned" or "present"
    lemmas: frozenset[str] = frozenset()

    def has(self, *words: str) -> bool:
        return any(w in self.lemmas for w in words)


def is_russian(report: Report) -> bool:
    return (report.lang or "").startswith("ru") or bool(_CYRILLIC.search(report.text[:200]))


def lead_report(reports: Sequence[Report]) -> Report:
    """The report a draft rests on: Russian, on the beat, and full enough to state the event."""
    return max(
        reports,
        key=lambda r: (is_russian(r), len(r.text) >= 200, round(r.relevance or 0.0, 1), min(len(r.text), 1500)),
    )


@functools.lru_cache(maxsize=65536)
def _is_predicate(word: str) -> bool:
    """Whether a word's likeliest reading is a finite verb or a short participle («задержали», «приговорен»)."""
    readings = lemmas.parses(word)
    return bool(readings) and readings[0].tag.POS in ("VERB", "PRTS")


_CAPTION = re.compile(r"^\s*(?:фото|видео|иллюстрация|источник|скриншот|кадр)\b", re.I)


def is_statement(text: str) -> bool:
    """Whether a sentence states something: it has a predicate and is no caption. A page's menu, a photo credit or
    a dateline («Перейти к основному контенту», «Фото: Никита Попов / РБК») does not; its names are not the story's."""
    return not _CAPTION.match(text) and any(_is_predicate(w) for w in lemmas.words(text) if _CYRILLIC.search(w))


def sentences(report: Report) -> list[Span]:
    """The Russian sentences of the opening of a report that state something, each with its words. A line break
    ends a sentence too: pages put a headline, a menu or a photo credit on a line of its own, without a full stop."""
    text = report.text[:LEAD_CHARS]
    spans: list[Span] = []
    for line in re.finditer(r"[^\n]+", text):
        for s in razdel.sentenize(line.group(0)):
            start = line.start() + s.start
            if len(s.text) >= 15 and _CYRILLIC.search(s.text) and is_statement(s.text):
                spans.append(Span(report, start, start + len(s.text), phrasebook.tokens(s.text, start)))
    return spans


def _in(span: Span, mapping: Mapping[str, Any]) -> bool:
    """Whether a mention, place or amount stands in the sentence: by its offsets, else by its surface text, else
    by its words' lemmas (enrichment may have found «Белгородская область» in the title, and the sentence says
    «Белгородской области»)."""
    start, end = int(mapping.get("start", -1)), int(mapping.get("end", -1))
    if start >= 0:
        return span.covers(start, end)
    surface = str(mapping.get("text") or "")
    if not surface:
        return False
    if surface in span.text:
        return True
    wanted = [t.lemma for t in phrasebook.tokens(surface)]
    have = [w.lemma for w in span.words]
    n = len(wanted)
    return n > 0 and any(have[i : i + n] == wanted for i in range(len(have) - n + 1))


def _position(span: Span, mapping: Mapping[str, Any]) -> int:
    start = int(mapping.get("start", -1))
    return start if start >= 0 else span.start + span.text.find(str(mapping.get("text") or ""))


def _unique(values: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def _article(number: str, code: str | None, book: Phrasebook) -> str:
    """ "Article 207.3 of the Criminal Code" with what it punishes, when the phrasebook knows it."""
    if (code and code.lower() == "коап") or number.count(".") == 2:
        return f"Article {number} of the Code of Administrative Offenses"
    charge = book.articles.get(number)
    return f"{charge} (Article {number} of the Criminal Code)" if charge else f"Article {number} of the Criminal Code"


def _person_phrase(name: str, age: int | None, role: str | None) -> str:
    """A person as the brief first names them: "Sergey Koshcheev, a 31-year-old resident,", "Governor Igor
    Babushkin", "Rady Khabirov, the head of the region,"."""
    if role and role[0].isupper():
        return f"{role} {name}"
    if role and role.startswith("the "):
        return f"{name}, {role},"
    if age and role:
        return f"{name}, a {age}-year-old {role},"
    if age:
        return f"{name}, {age},"
    if role:
        return f"{name}, {'an' if role[0] in 'aeiou' else 'a'} {role},"
    return name


_MONTHS = {
    "январ": "Jan.", "феврал": "Feb.", "март": "March", "апрел": "April", "ма": "May", "июн": "June", "июл": "July",
    "август": "Aug.", "сентябр": "Sept.", "октябр": "Oct.", "ноябр": "Nov.", "декабр": "Dec.",
}  # fmt: skip
_DATE = re.compile(r"\b(\d{1,2})\s+(январ|феврал|март|апрел|ма|июн|июл|август|сентябр|октябр|ноябр|декабр)[яеа]?\b"
                   r"(?:\s+(\d{4})\s+год\w*)?", re.I)  # fmt: skip
_YEAR = re.compile(r"\b(?:в|с|до|к|за|на)\s+(\d{4})\s+год\w*", re.I)
_PERCENT = re.compile(r"(\d+(?:[.,]\d+)?)\s*(?:%|процент\w*)", re.I)
_COUNT = re.compile(r"(?<![\d.,])(\d{1,3}(?:[\u00a0 ]\d{3})+|\d+)\s+(?:тыс(?:\.|яч\w*)\s+)?([А-Яа-яЁё]+)")


_AGE_LIMIT = re.compile(r"(?:(?:до|с|от|старше|моложе|младше)\s+|возраст\w*\s*\(?)(\d{1,2})\s+лет\b", re.I)
_TERM_RANGE = re.compile(r"\bот\s+(\d{1,2})\s+до\s+(\d{1,2})\s+лет\b", re.I)
_TERM_UP_TO = re.compile(r"\bдо\s+(\d{1,2})\s+лет\s+(?:лишения\s+свободы|заключения|колонии|тюрьмы)", re.I)


def _figures(text: str, book: Phrasebook) -> list[str]:
    """Dates, years, percentages, ages, terms and counted things a sentence states, in English ("Oct. 9", "2025",
    "20%", "the age of 50", "from 2 to 4 years in prison", "16,000 families"): numbers the draft can state only as
    the report gives them."""
    found: list[tuple[int, str]] = []
    for m in _DATE.finditer(text):
        day, month, year = m.group(1), _MONTHS[m.group(2).lower()], m.group(3)
        found.append((m.start(), f"{month} {int(day)}" + (f", {year}" if year else "")))
    for m in _YEAR.finditer(text):
        found.append((m.start(), m.group(1)))
    for m in _TERM_RANGE.finditer(text):
        found.append((m.start(), f"from {m.group(1)} to {m.group(2)} years in prison"))
    for m in _TERM_UP_TO.finditer(text):
        found.append((m.start(), f"up to {m.group(1)} years in prison"))
    if re.search(r"возраст", text, re.I):  # «до 50 лет» is an age only where the sentence speaks of age
        for m in _AGE_LIMIT.finditer(text):
            found.append((m.start(), f"the age of {m.group(1)}"))
    for m in _PERCENT.finditer(text):
        found.append((m.start(), f"{m.group(1).replace(',', '.')}%"))
    for m in _COUNT.finditer(text):
        noun = next((x.english for x in book.find(phrasebook.tokens(m.group(2)), "nouns")), None)
        if noun is None:
            continue
        value = float(re.sub(r"[\u00a0 ]", "", m.group(1)))
        if "тыс" in m.group(0).lower():
            value *= 1000
        found.append((m.start(), f"{units.number(value)} {noun}"))
    return _unique([text for _, text in sorted(found)])


def _accusative(surface: str) -> bool:
    """Whether a name as written can be the object of a verb («Ивана Петрова», «Веру Иванову»; not «Веры Ивановой»)."""
    last = surface.split()[-1] if surface.split() else ""
    return bool(last) and any("accs" in p.tag for p in lemmas.parses(last))


def _nominative(surface: str) -> bool:
    """Whether a name as written can be a sentence's subject («Анастасия Ракова»; not «Паулины Сафроновой»)."""
    last = surface.split()[-1] if surface.split() else ""
    return bool(last) and any("nomn" in p.tag for p in lemmas.parses(last))


def _actor(s: Slots) -> str | None:
    """The first person the sentence names as its subject."""
    return next((p for p, nominative in zip(s.people, s.subjects, strict=True) if nominative), None)


def _count_noun(surface: str, book: Phrasebook) -> str | None:
    """The plural English noun of a counted Russian phrase («16 тысяч семей» → "families"), if the book has it."""
    words = phrasebook.tokens(surface)
    for match in book.find(words[-2:], "nouns"):
        return match.english
    return None


_PREPOSITIONS = ("в", "во", "на", "по", "о", "об", "согласно", "к", "из", "с", "со", "для", "от", "до", "при")


def _after_preposition(words: Sequence[Token], match: Match, prepositions: Sequence[str] = _PREPOSITIONS) -> bool:
    """Whether a phrase follows a preposition (one word of its own may stand between: «в новый закон»), so it is
    where or about what something happens, not who acts or what is acted on."""
    before = [w.lemma for w in words[max(0, match.first - 2) : match.first]]
    return bool(before) and (before[-1] in prepositions or (len(before) == 2 and before[0] in prepositions))


def _from_place(text: str, place: Mapping[str, Any], span: Span) -> bool:
    """Whether a place is where someone comes from («мобилизованные из Новосибирска»)."""
    start = _position(span, place)
    return bool(re.search(r"\bиз\s+$", text[max(0, start - 4) : start], re.I))


def _full_names(report: Report) -> dict[str, str]:
    """Each surname the report names a person by in full, with that full name («Путин» → "Vladimir Putin")."""
    names: dict[str, str] = {}
    for e in report.entities:
        latin = str(e.get("latin") or "")
        if e.get("kind") == "person" and " " in latin:
            names.setdefault(latin.split()[-1], latin)
    return names


def _surnames_alone(span: Span, report: Report) -> list[Mapping[str, Any]]:
    """People the sentence names by surname alone («Путин подписал …») whom the report names in full elsewhere:
    the recogniser may miss a bare surname, most of all at the start of a headline."""
    surnames: dict[str, str] = {}
    for e in report.entities:
        words, latin = str(e.get("text") or "").split(), str(e.get("latin") or "")
        if e.get("kind") == "person" and len(words) >= 2 and " " in latin:
            surnames.setdefault(lemmas.lemma(words[-1]), latin)
    found: list[Mapping[str, Any]] = []
    for w in span.words:
        written = report.text[w.start : w.end]
        known = any(int(e.get("start", -1)) <= w.start < int(e.get("end", -1)) for e in report.entities)
        if w.lemma in surnames and written[:1].isupper() and not known:
            found.append({"kind": "person", "text": written, "latin": surnames[w.lemma], "start": w.start,
                          "end": w.end})  # fmt: skip
    return found


def _latin(person: Mapping[str, Any], full: Mapping[str, str]) -> str:
    """A person's name as a draft gives it: in full, a surname alone only when the report names them in full
    elsewhere; else nothing (a surname alone may be anyone)."""
    latin = str(person.get("latin") or "")
    return latin if " " in latin else full.get(latin, "")


def fill(span: Span, book: Phrasebook) -> Slots:
    """The slots of one Russian sentence."""
    report, words = span.report, span.words
    parts = [lemmas.lemma(p) for w in words if "-" in w.lemma for p in w.lemma.split("-") if p]  # «сына-срочника»
    slots = Slots(span=span, lemmas=frozenset([w.lemma for w in words] + parts))
    found: dict[str, list[Match]] = {t: book.find(words, t) for t in phrasebook.TABLES if t != "articles"}
    slots.ages = [int(m.group(1)) for m in _AGE_STRICT.finditer(span.text) if 14 <= int(m.group(1)) <= 99]
    roles = found["roles"]
    slots.roles = _unique([m.english for m in roles])
    full = _full_names(report)
    people = sorted(
        [e for e in report.entities if e.get("kind") == "person" and _in(span, e) and _latin(e, full)]
        + _surnames_alone(span, report),
        key=lambda e: _position(span, e),
    )  # fmt: skip
    for person in people:
        start = _position(span, person)
        role = next((m.english for m in reversed(roles) if 0 <= start - m.end <= 2), None)  # "губернатор Иван …"
        age = next(
            (a for a in slots.ages if re.search(rf"\b{a}-летн", report.text[max(0, start - 60) : start + 80])), None
        )
        name = _latin(person, full)
        if name in slots.names:
            continue
        slots.people.append(_person_phrase(name, age, role))
        slots.names.append(name)
        slots.starts.append(start)
        slots.objects.append(_accusative(str(person.get("text") or "")))
        slots.subjects.append(_nominative(str(person.get("text") or "")))
    places = sorted((p for p in report.places if _in(span, p)), key=lambda p: _position(span, p))
    slots.places = _unique([str(p.get("name", "")) for p in places])
    opening = span.words[3].start if len(span.words) > 3 else span.end
    slots.home = next(
        (str(p.get("name", "")) for p in places if _position(span, p) < opening or _from_place(report.text, p, span)),
        None,
    )
    for amount in sorted((a for a in report.amounts if _in(span, a)), key=lambda a: _position(span, a)):
        if not amount.get("value"):
            continue
        if amount.get("currency") == "RUB":
            slots.rubles.append(units.rubles(amount))
        elif amount.get("currency") == "months":
            slots.terms.append(units.term(float(amount["value"]), str(amount.get("text") or "")))
        elif amount.get("currency") == "people":
            slots.counts.append(float(amount["value"]))
            noun = _count_noun(str(amount.get("text") or ""), book)
            if noun:
                slots.counted.append(f"{units.number(float(amount['value']))} {noun}")
    slots.rubles = _unique(slots.rubles)
    slots.figures = _figures(span.text, book)
    articles = [(m.group(1), m.group(2)) for m in _ARTICLE.finditer(span.text)]
    articles += [(m.group(1), None) for m in _ARTICLE_PART_FIRST.finditer(span.text)]
    slots.charges = _unique([_article(n, c, book) for n, c in articles] + [m.english for m in found["charges"]])
    if articles:  # an article named with its number already says the charge
        slots.charges = [c for c in slots.charges if "Article" in c] or slots.charges
    for table in ("regimes", "punishments", "documents", "actions", "topics", "payments"):
        setattr(slots, table, _unique([m.english for m in found[table]]))
    slots.acted_on = _unique([m.english for m in found["documents"] if not _after_preposition(words, m)])
    after_preposition = [_after_preposition(words, m, ("в", "во", "на")) for m in found["institutions"]]
    slots.institutions = _unique(
        [m.english for m, p in zip(found["institutions"], after_preposition, strict=True) if not p]
    )
    slots.venues = _unique([m.english for m, p in zip(found["institutions"], after_preposition, strict=True) if p])
    tenses = {m.english: _tense(span, m) for m in reversed(found["actions"])}  # the first mention decides
    slots.tenses = [tenses[a] for a in slots.actions]
    return slots


_INTENT = frozenset({"планировать", "намереваться", "намерен", "собираться", "хотеть", "предлагать", "мочь"})


def _tense(span: Span, match: Match) -> str:
    """When the sentence puts an action: done («подписал», «подписан»), to come («рассмотрит»), intended
    («планируют рассмотреть») or under way («рассматривает»)."""
    word = span.report.text[match.start : match.end].split()[0]
    readings = lemmas.parses(word)
    tag = readings[0].tag if readings else None
    if tag is None or tag.POS in ("PRTS", "PRTF") or "past" in tag:
        return "past"
    if "futr" in tag:
        return "future"
    if tag.POS == "INFN":
        before = {w.lemma for w in span.words[max(0, match.first - 3) : match.first]}
        return "planned" if before & _INTENT else "future"
    return "present" if tag.POS == "VERB" else "past"


def kind_of(spans: Sequence[Span], book: Phrasebook) -> str | None:
    """The kind of event the opening sentences report (the first sentence counts double), or None."""
    total: dict[str, float] = {}
    for n, span in enumerate(spans[:3]):
        for kind, score in book.kind_scores(span.words).items():
            total[kind] = total.get(kind, 0.0) + score * (2.0 if n == 0 else 1.0)
    if not total:
        return None
    best = max(KINDS, key=lambda k: (total.get(k, 0.0), -KINDS.index(k)))
    return best if total.get(best, 0.0) >= 2.0 else None


# ---- English ----


def _and(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _who(slots: Slots, default: str = "a man") -> str:
    if slots.people:
        return slots.people[0]
    return _unnamed(slots, default)


def _from(who: str, where: str) -> str:
    """A person with where they are from, inside their appositive: "Sergey Chebnev, a mobilized soldier from the
    Kursk region,"."""
    return f"{who[:-1]}{where}," if who.endswith(",") else f"{who}{where}"


def _unnamed(slots: Slots, default: str) -> str:
    age = slots.ages[0] if slots.ages else None
    role = next((r for r in slots.roles if r[0].islower()), None)
    if age and role:
        return f"a {age}-year-old {role}"
    if role:
        return f"a {role}"
    if age:
        return f"a {age}-year-old man" if default == "a man" else f"{default}, {age},"
    return default


def _charges(charges: Sequence[str]) -> str:
    """ " on charges of treason (Article 275 of the Criminal Code)", " under Article 20.3.3 of the Code of …": an
    article whose charge the book lacks is cited by its number alone."""
    named = [c for c in charges[:2] if not c.startswith("Article ")]
    bare = [c for c in charges[:2] if c.startswith("Article ")]
    parts = ([f"on charges of {_and(named)}"] if named else []) + ([f"under {_and(bare)}"] if bare else [])
    return (" " + " and ".join(parts)) if parts else ""


def _sentence(s: Slots) -> str | None:
    if not (s.terms or s.punishments or s.has("приговорить", "осудить", "приговор")):
        return None
    court = next((i for i in s.institutions if "court" in i.lower()), "a court")
    where = f" in {s.places[0]}" if s.places and court.startswith("a ") else ""
    if True in s.objects:
        defendant: str | None = s.people[s.objects.index(True)]
    else:  # the people named are not the verdict's object (a victim, a lawyer): name nobody
        defendant = None if s.people else _unnamed(s, "a man")
    if defendant is None:
        text = f"{_capital(court)}{where} has handed down a sentence"
        if s.terms:
            text += f" of {s.terms[0]}" + (f" in {s.regimes[0]}" if s.regimes else "")
        elif s.punishments:
            text += f" of {s.punishments[0]}"
    else:
        text = f"{_capital(court)}{where} has sentenced {defendant}"
        if s.has("заочно"):
            text += " in absentia"
        if s.terms:
            text += f" to {s.terms[0]}"
            if s.regimes:
                text += f" in {s.regimes[0]}"
        elif s.punishments:
            text += f" to {s.punishments[0]}"
    return text + _charges(s.charges) + "."


def _arrest(s: Slots) -> str | None:
    who = _who(s, "a man")
    where = f" in {s.places[0]}" if s.places else ""
    charge = _charges(s.charges)
    agency = next((i for i in s.institutions if i in LAW_ENFORCEMENT), None)
    actor = f"{_capital(agency)}{where} has" if agency else f"Law enforcement officers{where} have"
    if s.has("обыск"):
        return f"{actor} searched the home of {who}{charge}."
    if s.has("задержать", "задержание"):
        return f"{actor} detained {who}{charge}."
    if s.has("арестовать", "арест", "сизо"):
        return f"A court{where} has placed {who} under arrest{charge}."
    if s.has("дело") and (s.charges or s.people):
        against = f" against {who}" if s.people or s.roles or s.ages else ""  # no one named: no one invented
        return f"A criminal case{charge} has been opened{against}{where}."
    return None


def _payment(s: Slots) -> str | None:
    if not s.rubles:
        return None
    what = s.payments[0] if s.payments else "the payment"
    where = f"In {s.places[0]}, " if s.places else ""
    subject = what if where else _capital(what)
    amount = s.rubles[0]
    if s.has("увеличить", "повысить", "вырасти", "увеличиться", "повышение", "увеличение", "рост"):
        verb = "has been increased"
    elif s.has("снизить", "сократить", "уменьшить", "снизиться", "снижение", "сокращение"):
        verb = "has been lowered"
    else:  # «с 1,7 млн до 2 млн» with no word for the direction: a change, not a range
        verb = "has been changed" if amount.startswith("from ") else "amounts to"
    joiner = " " if verb == "amounts to" or amount.startswith("from ") else " to "
    return f"{where}{subject} {verb}{joiner}{amount}."  # other sums go to the facts sentence


DEATH_WORDS = ("погибнуть", "погибший", "гибель", "убить", "похоронить", "скончаться", "умереть", "смерть")
WOUND_WORDS = ("ранение", "ранить", "раненый")
AT_WAR = ("сво", "спецоперация", "фронт", "война", "боевой", "военнослужащий", "мобилизованный", "мобилизовать",
          "боец", "солдат", "контрактник", "доброволец", "штурмовой", "участник", "зона", "мобилизация")  # fmt: skip


def _beside(s: Slots, start: int, words: Sequence[str], reach: int = 3) -> bool:
    """Whether one of `words` stands within `reach` words of the name that begins at `start`."""
    at = _token_at(s, start)
    return any(w.lemma in words for w in s.span.words[max(0, at - reach) : at + reach + 2])


def _deaths(s: Slots) -> str | None:
    """A soldier killed or wounded in the war: the sentence must say both (a murder at home is no war death)."""
    if not s.has(*DEATH_WORDS, *WOUND_WORDS) or not s.has(*AT_WAR):
        return None
    where = f" from {s.home}" if s.home else ""
    if not s.has(*DEATH_WORDS):  # wounded, not killed: only a person named beside the wound
        hurt = [p for p, start in zip(s.people, s.starts, strict=True) if _beside(s, start, WOUND_WORDS, reach=6)]
        return f"{_from(hurt[0], where)} has been wounded in the war against Ukraine." if hurt else None
    dead = [p for p, start in zip(s.people, s.starts, strict=True) if _beside(s, start, DEATH_WORDS)]
    if dead:
        return f"{_from(dead[0], where)} has been killed in the war against Ukraine."
    if s.counts:
        n = s.counts[0]
        return f"{_capital(units.people(n, 'soldiers' if n != 1 else 'soldier'))}{where} have been killed in the war."
    who = _unnamed(s, "a serviceman")
    return f"{_capital(_from(who, where))} has been killed in the war against Ukraine."


def _pressured(s: Slots) -> str | None:
    """A relative says a soldier is pressed to sign a contract («мать срочника заявила, что её сына заставляют
    подписать контракт»), a complaint the beat hears often."""
    if not (
        s.has("заставлять", "заставить", "уговаривать", "принуждать", "вынуждать", "склонять") and s.has("контракт")
    ):
        return None
    relation = "son" if s.has("сын") else "husband" if s.has("муж") else None
    if relation is None:
        return None
    soldier = "conscript" if s.has("срочник", "срочный") else "soldier"
    speaker = (
        f"the mother of a {soldier}" if s.has("мать") else f"the wife of a {soldier}" if s.has("жена")
        else "a reader" if s.has("читатель", "читательница") else f"a relative of a {soldier}"
    )  # fmt: skip
    her = "her" if s.has("мать", "жена", "читательница") else "their"
    who = _from(speaker, f" from {s.home}" if s.home else "")
    told = f"{her} {relation} is being pressured to sign a contract with the Ministry of Defense"
    return f"{_capital(who)} has said that {told}."


def _appeal(s: Slots) -> str | None:
    pressured = _pressured(s)
    if pressured:
        return pressured
    relatives = s.has("жена", "мать", "родственник", "супруга", "вдова")
    who = (
        "relatives of mobilized soldiers"
        if relatives and s.has("мобилизовать", "мобилизованный")
        else "relatives of soldiers"
        if relatives
        else "mobilized soldiers"
        if s.has("мобилизовать", "мобилизованный")
        else "soldiers"
        if s.has("военнослужащий", "солдат", "боец", "контрактник")
        else "women"
        if s.has("женщина")
        else None
    )
    actor = _actor(s)
    if who is None and actor is None:
        return None
    plural = who is not None
    who = who or actor or ""
    where = f" from {s.home}" if s.home else ""
    have = "have" if plural else "has"
    if s.has("видеообращение") or (s.has("обращение") and s.has("видео", "записать")):
        act = f"{have} recorded a video address"
    elif s.has("митинг", "пикет", "протест", "акция") or _phrase(s, ("встать", "на", "колено"), ("выйти", "к")):
        act = f"{have} held a protest"
    elif s.has("жалоба", "пожаловаться"):
        act = f"{have} complained"
    elif s.has("обращение", "обратиться", "петиция"):
        act = f"{have} appealed"
    elif plural and s.has("требовать", "потребовать") and s.has("встреча"):
        with_whom = f" with {s.people[0]}" if s.people else ""
        return _tidy(f"{_capital(_from(who, where))} have demanded a meeting{with_whom}.")
    else:
        return None
    to = ""
    addressee = [n for n in s.names if n not in who]
    if addressee and "protest" not in act:
        to = f" to {addressee[0]}"
    demand = [t for t in s.topics if t in ("demobilization", "rotation", "leave")]
    ask = f", asking for {_and(demand)}" if demand else ""
    return f"{_capital(_from(who, where))} {act}{to}{ask}."


def _law(s: Slots) -> str | None:
    actor = _actor(s) or next((i for i in s.institutions if "court" not in i), None)
    action = next((a for a in s.actions), None)
    document = s.acted_on[0] if s.acted_on else None
    topics = [t for t in s.topics if t not in (document or "")][:2]
    about = f" on {_and(topics)}" if topics else ""
    tense = s.tenses[s.actions.index(action)] if action in s.actions else "past"
    if actor is None and document and action in ACTION_VERBS:  # «в Госдуму внесли законопроект», «указ подписан»
        been = {"future": "will be", "planned": "is to be"}.get(tense, "has been")
        venue = f" in {s.venues[0]}" if s.venues and action == "introduced" else ""
        return f"{_capital(document)}{about} {been} {action}{venue}."
    if actor is None:
        return None
    if document and action in ACTION_VERBS:
        return f"{_capital(actor)} {_verb(action, tense, plural=actor.startswith('lawmakers'))} {document}{about}."
    if action in ("stated", "announced", "reported", "promised", "admitted") and topics:
        return f"{_capital(actor)} has spoken on {_and(topics)}."
    if action in ("backed", "criticized") and topics:
        return f"{_capital(actor)} {_verb(action, tense)} a proposal on {_and(topics)}."
    return None


ACTION_VERBS = {
    "signed": "sign", "introduced": "introduce", "passed": "pass", "approved": "approve", "drafted": "draft",
    "proposed": "propose", "published": "publish", "considered": "consider", "rejected": "reject",
    "backed": "back", "criticized": "criticize",
}  # fmt: skip
_PRESENT = {"consider": "is considering", "draft": "is drafting", "back": "backs", "criticize": "criticizes"}


def _verb(action: str, tense: str, *, plural: bool = False) -> str:
    """ "has signed", "will consider", "plans to introduce", "is considering": the action in the report's tense."""
    base = ACTION_VERBS.get(action, action)
    if tense == "future":
        return f"will {base}"
    if tense == "planned":
        return f"{'plan' if plural else 'plans'} to {base}"
    if tense == "present" and base in _PRESENT:
        return _PRESENT[base]
    return f"{'have' if plural else 'has'} {action}"


def _recruitment(s: Slots) -> str | None:
    where = f"In {s.places[0]}, " if s.places else ""
    offer = f", offering {s.rubles[0]}" if s.rubles else ""
    if s.has("доброволец", "добровольческий") and s.has("создавать", "создать", "формировать", "набирать"):
        body = next((i for i in s.institutions + s.venues if i[:1].isupper() or i.startswith("the ")), None)
        if body:
            return f"{_capital(body)} is forming volunteer units{f' in {s.places[0]}' if s.places else ''}{offer}."
        return f"{where}{'v' if where else 'V'}olunteer units are being formed{offer}."
    if s.has("открыть", "открываться", "открыться") and s.has("пункт", "военкомат"):
        return f"{where}{'n' if where else 'N'}ew recruitment points have been opened."
    if s.has("повестка"):
        return f"{where}{'d' if where else 'D'}raft notices are being handed out."
    if s.has("реклама", "вакансия"):
        return f"{where}{'a' if where else 'A'}dvertisements for contract military service have been spotted{offer}."
    if s.has("контракт", "контрактник", "доброволец", "завербовать", "вербовать"):
        verbs = _contract_verbs(s)
        signed = [p for p, start, nominative in zip(s.people, s.starts, s.subjects, strict=True)
                  if nominative and any(abs(_token_at(s, start) - i) <= 3 for i in verbs)]  # fmt: skip
        if signed:
            return f"{where}{signed[0]} has signed a contract with the Ministry of Defense."
        if not s.people and verbs and s.counted:  # «почти 410 тыс. граждан заключили контракт»
            return f"{where}{s.counted[0]} have signed contracts with the Ministry of Defense."
        if not s.people and verbs and _unnamed(s, "") and not RELATIVES & set(s.roles):
            return f"{where}{_unnamed(s, '')} has signed a contract with the Ministry of Defense."
        if s.rubles:
            return f"{where}{'r' if where else 'R'}ecruiters are offering {s.rubles[0]} for contract military service."
    return None


def _phrase(s: Slots, *phrases: tuple[str, ...]) -> bool:
    """Whether the sentence holds one of these runs of lemmas («встали на колени»)."""
    order = [w.lemma for w in s.span.words]
    return any(order[i : i + len(p)] == list(p) for p in phrases for i in range(len(order)))


def _contract_verbs(s: Slots) -> list[int]:
    """Where the sentence says someone signed a contract («подписал контракт», «заключил контракт с …»); not where
    someone is made or wants to sign one («заставляют подписать контракт»)."""
    order = [w.lemma for w in s.span.words]
    text = s.span.report.text
    return [
        i
        for i, (a, w) in enumerate(zip(order, s.span.words, strict=True))
        if a in ("подписать", "заключить") and "контракт" in order[i + 1 : i + 3] and _done(text[w.start : w.end])
    ]


def _done(word: str) -> bool:
    """Whether a verb form says the act happened: past tense or a participle, not an infinitive or the future."""
    readings = lemmas.parses(word)
    tag = readings[0].tag if readings else None
    return tag is not None and (tag.POS in ("PRTF", "PRTS") or "past" in tag)


def _token_at(s: Slots, start: int) -> int:
    return next((i for i, w in enumerate(s.span.words) if w.start >= start), len(s.span.words))


def _desertion(s: Slots) -> str | None:
    sentenced = _sentence(s)
    if sentenced:
        return sentenced
    who = _who(s, "a serviceman")
    where = f" from {s.home}" if s.home else ""
    if s.has("сзч", "самовольно", "самовольный", "дезертир", "сбежать", "бежать"):
        return f"{_capital(_from(who, where))} has left his unit without authorization."
    if s.has("отказаться", "отказник", "отказ"):
        return f"{_capital(_from(who, where))} has refused to take part in the war."
    return None


def _youth(s: Slots) -> str | None:
    where = f"In {s.places[0]}, " if s.places else ""
    who = next((r for r in ("schoolchildren", "students") if r.rstrip("ren").rstrip("s") in " ".join(s.roles)), None)
    topics = [t for t in s.topics if t in YOUTH_TOPICS][:2]
    if not topics:
        return None
    if who:
        return f"{where}{who if where else _capital(who)} are to take part in {_and(topics)}."
    return f"{where}{'s' if where else 'S'}chools are to hold {_and(topics)}."


def _treason(s: Slots) -> str | None:
    return _sentence(s) or _arrest(s) or _attack(s)


def _attack(s: Slots) -> str | None:
    """An arson or bomb attack on a building of the war effort («в здание военкомата бросили бутылку с
    зажигательной смесью»)."""
    if not (s.has("поджог", "поджечь", "зажигательный", "коктейль", "взрыв", "подорвать")):
        return None
    target = next((i for i in s.institutions + s.venues if i in TARGETS), None)
    if target is None:
        return None
    what = "A bomb attack" if s.has("взрыв", "подорвать") else "An arson attack"
    where = f" in {s.places[0]}" if s.places else ""
    return f"{what} has targeted {target}{where}."


LAW_ENFORCEMENT = frozenset({
    "the Federal Security Service (FSB)", "the police", "the Investigative Committee", "the prosecutor’s office",
    "the Prosecutor General’s Office", "the Ministry of Internal Affairs", "Rosgvardia",
})  # fmt: skip
YOUTH_TOPICS = frozenset({
    "basic military training", "military-patriotic education", "“Conversations About Important Things” lessons",
    "the Fundamentals of Security and Defense of the Motherland course", "military training", "drones",
    "military training camps",
})  # fmt: skip
TARGETS = frozenset({
    "the military enlistment office", "the recruitment center", "the contract service recruitment center",
    "the police", "the administration", "Rosgvardia",
})  # fmt: skip
RELATIVES = frozenset({"mother", "wife", "widow", "relative", "son", "father"})

WRITERS: dict[str, Callable[[Slots], str | None]] = {
    "sentence": _sentence,
    "arrest": _arrest,
    "treason": _treason,
    "desertion": _desertion,
    "payment": _payment,
    "deaths": _deaths,
    "appeal": _appeal,
    "recruitment": _recruitment,
    "youth": _youth,
    "law": _law,
}


def _attributed(outlet: str, clause: str) -> str:
    """The house voice: "According to Mediazona, a court in …"."""
    first, _, rest = clause.partition(" ")
    if first in ("A", "An", "The", "In", "Relatives", "Soldiers", "Mobilized", "Draft", "Advertisements", "Recruiters",
                 "Schools", "Law", "Schoolchildren", "Students", "Volunteer", "New", "Women"):  # fmt: skip
        clause = first.lower() + " " + rest
    return f"According to {outlet}, {clause}"


def _also(slots: Sequence[Slots], stated: str) -> list[tuple[str, Slots]]:
    """A plain sentence of the facts the draft is sure of and has not stated yet: people, places and named bodies,
    sums and figures, from the lead report first, then from the story's other reports ("The reports also …")."""
    low = stated.lower()
    found: dict[str, dict[str, Slots]] = {"names": {}, "places": {}, "sums": {}, "topics": {}}
    seen_names: set[str] = set()
    for s in slots:
        for phrase, name in zip(s.people, s.names, strict=False):
            surname = name.split()[-1].lower()
            if surname not in low and surname not in seen_names:
                seen_names.add(surname)
                found["names"].setdefault(phrase, s)
        bodies = [i for i in s.institutions + s.venues if i.removeprefix("the ")[:1].isupper()]  # not "a court"
        for place in s.places + bodies:
            bare = place.removeprefix("the ")
            if bare.lower() not in low and not any(bare in f for f in [*found["places"], *found["names"]]):
                found["places"].setdefault(place, s)
        for figure in s.rubles + s.counted + s.figures:
            told = _value(figure) in stated  # "1.7 million" of a raise already told
            if not told and not any(_same_figure(figure, f) for f in found["sums"]):
                found["sums"].setdefault(figure, s)
        for topic in s.topics:
            if topic.lower() not in low and not any(topic in t or t in topic for t in found["topics"]):
                found["topics"].setdefault(topic, s)
    names, places, sums, topics = (
        list(found[k].items())[:cap] for k, cap in (("names", 4), ("places", 4), ("sums", 6), ("topics", 3))
    )
    sentences: list[tuple[str, Slots]] = []
    plural = len({s.span.report.item_id for _, s in names + places + sums + topics}) > 1
    subject, verb = ("The reports", "discuss") if plural else ("The report", "discusses")
    if topics:
        first = min((s for _, s in topics), key=slots.index)
        sentences.append((f"{subject} also {verb} {_and([t for t, _ in topics])}.", first))
        subject = "They" if plural else "It"
    parts = [f"name {_and([n for n, _ in names])}"] if names else []
    parts += [f"mention {_and([p for p, _ in places])}"] if places else []
    parts += [f"cite {_and([f for f, _ in sums])}"] if sums else []
    if parts:
        joined = " and ".join(parts) if len(parts) <= 2 else ", ".join(parts[:-1]) + ", and " + parts[-1]
        if not plural:
            joined = re.sub(r"\b(name|mention|cite)\b", r"\1s", joined)
        first = min((s for _, s in names + places + sums), key=slots.index)
        sentences.append((f"{subject}{'' if topics else ' also'} {joined}.", first))
    return sentences


def _same_figure(a: str, b: str) -> bool:
    """Whether two figures state one number: "410,000 people" and "410,000 citizens", "Dec. 24" and "Dec. 24, 2025"."""
    if a.startswith(b) or b.startswith(a):
        return True
    head_a, head_b = a.split(" ")[0], b.split(" ")[0]
    return head_a == head_b and head_a[:1].isdigit() and "rubles" not in (a + b)


def _fallback(outlet: str, slots: Sequence[Slots]) -> tuple[str, Slots] | None:
    """No kind fits: say plainly who reported on what, with the places and topics it is sure of."""
    for s in slots:
        actor = s.people[0] if s.people else next((i for i in s.institutions if "court" not in i), None)
        documents = [f"{d} by {actor}" for d in s.documents[:1] if actor]
        topics = documents or s.topics[:2] or s.payments[:1] or [f"a case of {c}" for c in s.charges[:1]]
        if topics:
            where = f" in {s.places[0]}" if s.places else ""
            return _tidy(f"{outlet} has reported on {_and(topics)}{where}."), s
    return None


def _with_referents(slots: list[Slots]) -> list[Slots]:
    """«Об этом заявил …», «Как сообщил …»: a sentence that says who said the one before it speaks on that one's
    topics."""
    for before, s in itertools.pairwise(slots):
        opening = [w.lemma for w in s.span.words[:2]]
        if (opening == ["о", "этот"] or opening[:1] == ["как"]) and not s.topics:
            s.topics = list(before.topics) or list(before.payments)
    return slots


def _event_clause(s: Slots, book: Phrasebook, order: Sequence[str], kind: str | None) -> tuple[str, str] | None:
    """The kind and English clause a sentence points to most strongly (the story's kind breaks ties). A sentence
    that denies («не участвует») or quotes someone (««Мы …»») tells no event: a frame can state neither."""
    if _negated(s.span) or s.span.text.lstrip()[:1] in '«"“„—–-':
        return None
    here = book.kind_scores(s.span.words)
    for k in sorted(
        (k for k in order if here.get(k, 0.0) >= 2.0), key=lambda k: (-here[k] - 0.5 * (k == kind), order.index(k))
    ):
        clause = WRITERS[k](s)
        if clause and not _CYRILLIC.search(clause):
            return k, clause
    return None


def _negated(span: Span) -> bool:
    """Whether a predicate of the sentence is denied: «не» or «ни» right before a verb or short participle."""
    text = span.report.text
    pairs = itertools.pairwise(span.words)
    return any(a.lemma in ("не", "ни") and _is_predicate(text[b.start : b.end]) for a, b in pairs)


def _adds_facts(s: Slots, clause: str, stated: str, *, repeat: bool) -> bool:
    """Whether a clause says something the draft has not: a name, sum, term or charge it lacks so far (or, for a
    kind of event not yet told, a place)."""
    if not stated:
        return True
    if clause in stated:
        return False
    low, text = stated.lower(), clause.lower()
    facts = [n.split()[-1] for n in s.names] + [_value(r) for r in s.rubles] + s.terms + s.charges + s.counted
    facts += [] if repeat else s.places
    return any(f.lower().removeprefix("the ") in text and f.lower().removeprefix("the ") not in low for f in facts)


def _value(rubles: str) -> str:
    """The number of a ruble sum as a draft may already state it: "1.7 million" of "1.7 million rubles"."""
    return rubles.split(" rubles")[0].removeprefix("from ")


def _tidy(text: str) -> str:
    """An appositive's closing comma where the sentence or a clause ends anyway: "…, a lawyer,." → "…, a lawyer."."""
    return re.sub(r",+(?=[.;:)]|$)", "", re.sub(r",\s*,", ",", text))


def _sentence_record(text: str, span: Span) -> DraftSentence:
    return DraftSentence(
        text=text, item_id=span.report.item_id, start=span.start, end=span.end, source_text=span.text.strip()
    )


def draft(story: StoryReports, context: DraftContext, book: Phrasebook | None = None) -> StoryDraft:
    """The `frames` draft of a story: one sentence for the event, one for the facts not yet stated."""
    book = book or phrasebook.load()
    lead = lead_report(story.reports)
    outlet = re.sub(r"\s*\([^)]*\)", "", context.outlet(lead.outlet)).strip() or lead.outlet  # asides dropped
    spans = sentences(lead)
    slots = _with_referents([fill(span, book) for span in spans])
    written: list[DraftSentence] = []
    kind = kind_of(spans, book)
    order = ([kind] if kind else []) + [k for k in KINDS if k != kind]
    kinds_written: list[str] = []
    for n, s in enumerate(slots):
        if not written and n >= LEAD_SENTENCES:  # the event is stated up top; later sentences only add to it
            plain = _fallback(outlet, slots)
            written.append(
                _sentence_record(plain[0], plain[1].span)
                if plain
                else DraftSentence(text=f"{outlet} has reported on this story.", item_id=lead.item_id, source_text="")
            )
            kinds_written.append("")
        event = _event_clause(s, book, order, kind)
        if event is None:
            continue
        k, clause = event
        stated = " ".join(w.text for w in written)
        if not _adds_facts(s, clause, stated, repeat=k in kinds_written):
            continue
        written.append(_sentence_record(_tidy(_attributed(outlet, clause) if not written else clause), s.span))
        kinds_written.append(k)
        if len(written) == MAX_EVENT_SENTENCES:
            break
    if not written:
        plain = _fallback(outlet, slots)
        if plain:
            written.append(_sentence_record(plain[0], plain[1].span))
        else:
            written.append(
                DraftSentence(text=f"{outlet} has reported on this story.", item_id=lead.item_id, source_text="")
            )
    others = [fill(span, book) for r in story.reports if r is not lead and is_russian(r) for span in sentences(r)]
    for text, source in _also(slots + others, " ".join(s.text for s in written)):
        if not _CYRILLIC.search(text):
            written.append(_sentence_record(_tidy(text), source.span))
    return StoryDraft(
        story_id=story.story_id,
        text=" ".join(s.text for s in written),
        status="",
        backend=NAME,
        backend_version=f"{VERSION}+{book.version}",
        sentences=tuple(written),
        item_ids=tuple(r.item_id for r in story.reports),
    )


class FramesBackend:
    """Offline and deterministic: the same reports always give the same draft."""

    name = NAME

    def __init__(self) -> None:
        self.version = f"{VERSION}+{phrasebook.load().version}"

    def draft(self, story: StoryReports, context: DraftContext) -> StoryDraft:
        return replace(draft(story, context), backend_version=self.version)
