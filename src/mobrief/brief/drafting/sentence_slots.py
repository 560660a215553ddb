"""What one Russian sentence of a report says, as English pieces: its people (with age, role and case), places,
sums, terms, figures, charges and the phrasebook's terms — the slots `frames` writes from.

Written for mobrief: the slots come from razdel's sentences, pymorphy's lemmas and cases, and the entities, places
and amounts enrichment found; nothing here writes English prose.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import razdel

from mobrief import lemmas
from mobrief.brief.drafting import phrasebook, units
from mobrief.brief.drafting.phrasebook import Match, Phrasebook, Token
from mobrief.brief.drafting.records import Report

LEAD_CHARS = 2500  # slots come from the opening of the lead report, where Russian news states the event
CYRILLIC = re.compile(r"[А-Яа-яЁё]")
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
    ruble_prepositions: list[str] = field(default_factory=list)  # the word before each sum: «до», «на», «с» or ""
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

    def bounded_sums(self) -> list[tuple[str, str]]:
        """The ruble sums, each as the report bounds it ("more than 1 million rubles" of «превышают 1 млн рублей"),
        with the word before it."""
        before = self.ruble_prepositions + [""] * (len(self.rubles) - len(self.ruble_prepositions))
        return [
            (r if r.startswith("from ") else _BOUNDS.get(lemmas.lemma(b), "") + r, b)
            for r, b in zip(self.rubles, before, strict=True)
        ]

    def stated_sums(self) -> list[tuple[str, str]]:
        """The sums an event clause may state: not the old end of a change whose new end the sentence does not give
        («увеличили с 1,7 млн рублей»), which would read as the sum now paid."""
        return [(r, b) for r, b in self.bounded_sums() if r.startswith("from ") or b not in ("с", "со")]


_BOUNDS = {
    "более": "more than ", "свыше": "more than ", "больше": "more than ", "превышать": "more than ",
    "около": "about ", "примерно": "about ", "порядка": "about ", "почти": "nearly ", "менее": "less than ",
    "меньше": "less than ", "от": "at least ", "минимум": "at least ",
}  # fmt: skip
_COUNT_BOUNDS = {**_BOUNDS, "до": "up to "}  # a head count «до 60 тысяч» is a bound; a sum «до 2 млн» is a change


@functools.lru_cache(maxsize=65536)
def readings(word: str) -> tuple[Any, ...]:
    """Every dictionary reading of a word, likeliest first, read once per process (drafting asks often)."""
    return tuple(lemmas.parses(word))


def is_predicate(word: str) -> bool:
    """Whether a word's likeliest reading is a finite verb or a short participle («задержали», «приговорен»)."""
    found = readings(word)
    return bool(found) and found[0].tag.POS in ("VERB", "PRTS")


_CAPTION = re.compile(r"^\s*(?:фото|видео|иллюстрация|источник|скриншот|кадр)\b", re.I)


def is_statement(text: str) -> bool:
    """Whether a sentence states something: it has a predicate and is no caption. A page's menu, a photo credit or
    a dateline («Перейти к основному контенту», «Фото: Никита Попов / РБК») does not; its names are not the story's."""
    return not _CAPTION.match(text) and any(is_predicate(w) for w in lemmas.words(text) if CYRILLIC.search(w))


def sentences(report: Report) -> list[Span]:
    """The Russian sentences of the opening of a report that state something, each with its words. A line break
    ends a sentence too: pages put a headline, a menu or a photo credit on a line of its own, without a full stop."""
    text = report.text[:LEAD_CHARS]
    spans: list[Span] = []
    for line in re.finditer(r"[^\n]+", text):
        for s in razdel.sentenize(line.group(0)):
            start = line.start() + s.start
            if len(s.text) >= 15 and CYRILLIC.search(s.text) and is_statement(s.text):
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
        found.append((m.start(), f"{_count_bound(text, m.start())}{units.number(value)} {noun}"))
    return _unique([text for _, text in sorted(found)])


def _accusative(surface: str) -> bool:
    """Whether a name as written can be the object of a verb («Ивана Петрова», «Веру Иванову»; not «Веры Ивановой»)."""
    last = surface.split()[-1] if surface.split() else ""
    return bool(last) and any("accs" in p.tag for p in readings(last))


def _nominative(surface: str) -> bool:
    """Whether a name as written can be a sentence's subject («Анастасия Ракова»; not «Паулины Сафроновой»)."""
    last = surface.split()[-1] if surface.split() else ""
    return bool(last) and any("nomn" in p.tag for p in readings(last))


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
        written = w.form
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
    for amount in _changes(span, sorted((a for a in report.amounts if _in(span, a)), key=lambda a: _position(span, a))):
        if not amount.get("value"):
            continue
        if amount.get("currency") == "RUB":
            sum_text = units.rubles(amount)
            if sum_text not in slots.rubles:
                slots.rubles.append(sum_text)
                slots.ruble_prepositions.append(_word_before(report.text, _position(span, amount)))
        elif amount.get("currency") == "months":
            slots.terms.append(units.term(float(amount["value"]), str(amount.get("text") or "")))
        elif amount.get("currency") == "people":
            slots.counts.append(float(amount["value"]))
            noun = _count_noun(str(amount.get("text") or ""), book)
            if noun:
                bound = _count_bound(report.text, _position(span, amount))
                slots.counted.append(f"{bound}{units.number(float(amount['value']))} {noun}")
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


_CHANGE_FROM = re.compile(r"(?:^|\s)(?:с|со|от)\s*$", re.I)
_CHANGE_TO = re.compile(r"^[\s\u00a0]*до[\s\u00a0]*$", re.I)


def _changes(span: Span, amounts: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The sentence's amounts with a change written with both ends in full («с 1,7 миллиона рублей до 2 миллионов
    рублей», found as two sums) made one, "from 1.7 million to 2 million rubles": told apart, the first end would
    read as the new sum."""
    text = span.report.text
    out: list[Mapping[str, Any]] = []
    i = 0
    while i < len(amounts):
        a = amounts[i]
        b = amounts[i + 1] if i + 1 < len(amounts) else None
        if b is not None and a.get("currency") == b.get("currency") == "RUB" and a.get("value_to") is None:
            a_start, b_start = _position(span, a), _position(span, b)
            between = text[a_start + len(str(a.get("text") or "")) : b_start]
            if _CHANGE_FROM.search(text[max(0, a_start - 4) : a_start]) and _CHANGE_TO.match(between):
                out.append({**b, "value": a["value"], "value_to": b["value"]})
                i += 2
                continue
        out.append(a)
        i += 1
    return out


def _count_bound(text: str, start: int) -> str:
    """How the report bounds a head count: "up to " for «до 60 тысяч», "nearly " for «почти», … or ""."""
    return _COUNT_BOUNDS.get(lemmas.lemma(_word_before(text, start)), "") if start >= 0 else ""


def _word_before(text: str, start: int) -> str:
    """The word right before a position, lower-cased («увеличили до 2 млн» → «до»)."""
    found = re.findall(r"[А-Яа-яЁёA-Za-z]+", text[max(0, start - 20) : start])
    return found[-1].lower() if found else ""


_INTENT = frozenset({"планировать", "намереваться", "намерен", "собираться", "хотеть", "предлагать", "мочь"})


def _tense(span: Span, match: Match) -> str:
    """When the sentence puts an action: done («подписал», «подписан»), to come («рассмотрит»), intended
    («планируют рассмотреть») or under way («рассматривает»)."""
    word = span.report.text[match.start : match.end].split()[0]
    found = readings(word)
    tag = found[0].tag if found else None
    if tag is None or tag.POS in ("PRTS", "PRTF") or "past" in tag:
        return "past"
    if "futr" in tag:
        return "future"
    if tag.POS == "INFN":
        before = {w.lemma for w in span.words[max(0, match.first - 3) : match.first]}
        return "planned" if before & _INTENT else "future"
    return "present" if tag.POS == "VERB" else "past"
