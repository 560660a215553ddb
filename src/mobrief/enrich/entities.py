"""Find people, organisations, outlets, channels, parties and military units, each with its house Latin form.

Russian text: natasha's segmenter and NER find people and organisations; a gazetteer
(`data/entities.toml` plus the style glossary's outlets and institutions) finds what natasha misses
or misnames («Кавказ.Реалии», «Шторм Z»), and a rule reads military units
(«88-й стрелковый полк» → "88th Rifle Regiment"). People are put in the nominative with the pymorphy3
dictionary instead of natasha's morph tagger (which would halve throughput); that also restores ё
(«Пушкарева» → «Пушкарёв» → "Pushkaryov"), and a surname mentioned alone joins the full name it refers
to. English text (no English NER model is available offline): gazetteer and glossary matches plus
capitalised spans that start with a common Russian first name, or with a first name the Russian dictionary
knows before a word that reads as a surname (both read back into Cyrillic as the house would write them).
"""

from __future__ import annotations

import functools
import hashlib
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from mobrief import lemmas
from mobrief.enrich import features
from mobrief.records import Mention

MAX_PHRASE = 6
_CYRILLIC = re.compile(r"[А-Яа-яЁё]")


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


_GLOSSARY_KINDS = {
    "outlet": "outlet",
    "institution": "org",
    "person": "person",
    "party": "party",
    "unit": "unit",
}
_UNIT_RE = re.compile(
    r"(?P<n>\d{1,4})\s*-?\s*(?:[а-яё]{1,3})?\s+(?P<words>(?:[А-Яа-яЁё-]+\s+){0,4}?)"
    r"(?P<noun>полк|бригад|дивизи|батальон|арми|корпус|отряд)[а-яё]*"
    r"(?P<tail>(?:\s+(?:морской|морского|морской|специального|особого)\s+(?:пехоты|назначения))?)",
    re.IGNORECASE,
)
EN_FIRST_NAMES = _word_set(
    """
    aleksandr alexander aleksei alexei alexey andrey andrei anatoly anna anton arkady artyom boris
    dmitry denis eduard elena gennady georgy grigory igor ilya irina ivan kirill konstantin leonid
    lyudmila maksim maxim maria marina mikhail nadezhda natalia natalya nikita nikolai nikolay nina oleg
    olga pavel pyotr ramzan roman ruslan sergei sergey stanislav svetlana tatyana valentina valery
    vasily viktor vitaly vladimir vladislav vyacheslav yaroslav yegor yekaterina yelena yevgeny yulia
    yury yuri zakhar
    """
)

VERSION_CODE = "entities-code-13"
_UNIT_NOUNS = {
    "полк": "Regiment", "бригад": "Brigade", "дивизи": "Division", "батальон": "Battalion", "арми": "Army",
    "корпус": "Corps", "отряд": "Detachment",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class GazetteerEntry:
    """A named thing the gazetteer knows: its kind, its house Latin form and its canonical Russian form."""

    kind: str
    latin: str
    normalized: str


@dataclass(frozen=True, slots=True)
class EntityGazetteer:
    phrases: dict[tuple[str, ...], GazetteerEntry]
    unit_nouns: dict[str, str]
    unit_adjectives: dict[str, str]
    version: str


def _glossary_terms() -> list[Any]:
    try:
        from mobrief.style import glossary
    except ImportError:  # pragma: no cover - the style room is part of the package
        return []
    return list(glossary.load_default_glossary())


@functools.cache
def load_gazetteer() -> EntityGazetteer:
    """Our entity data plus the style glossary's outlets and institutions, lemmatised once per process."""
    raw = resources.files("mobrief.enrich").joinpath("data/entities.toml").read_bytes()
    data = tomllib.loads(raw.decode("utf-8"))
    phrases: dict[tuple[str, ...], GazetteerEntry] = {}
    for spec in data.get("entity", []):
        ru = list(spec.get("ru", []))
        entry = GazetteerEntry(kind=spec["kind"], latin=spec["latin"], normalized=ru[0] if ru else spec["latin"])
        for form in [*ru, *spec.get("en", [])]:
            key = tuple(features.token_keys(form))
            if key:
                phrases.setdefault(key, entry)
    glossary_digest = hashlib.sha256()
    for term in _glossary_terms():
        kind = _GLOSSARY_KINDS.get(str(term.kind))
        if kind is None or not term.russian:
            continue
        glossary_digest.update(f"{term.term}|{kind}|{'|'.join(term.russian)}".encode())
        entry = GazetteerEntry(kind=kind, latin=str(term.term), normalized=str(term.russian[0]))
        for form in [*term.russian, term.term]:
            key = tuple(features.token_keys(form))
            if key:
                phrases.setdefault(key, entry)
    nouns = {lemmas.lemma(k): v for k, v in data.get("unit_nouns", {}).items()}
    adjectives = {lemmas.lemma(k): v for k, v in data.get("unit_adjectives", {}).items()}
    digest = hashlib.sha256(raw).hexdigest()[:8] + glossary_digest.hexdigest()[:6]
    version = f"{data.get('version', 'entities')}-{VERSION_CODE}-{digest}"
    return EntityGazetteer(phrases=phrases, unit_nouns=nouns, unit_adjectives=adjectives, version=version)


def version() -> str:
    """The entities stage version: code, our data and the glossary's, so a change re-runs only this stage."""
    return load_gazetteer().version


@functools.cache
def _natasha() -> tuple[Any, Any]:
    from natasha import NewsEmbedding, NewsNERTagger, Segmenter

    return Segmenter(), NewsNERTagger(NewsEmbedding())


@functools.cache
def _morph() -> Any:
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="ru")


def _transliterate(text: str, overrides: Mapping[str, str] | None) -> str:
    from mobrief.style import transliteration

    return transliteration.transliterate(text, overrides)


def _ordinal(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th') }".replace(" ", "")


def _match_case(word: str, like: str) -> str:
    if like.isupper() and len(like) > 1:
        return word.upper()
    return "-".join(part[:1].upper() + part[1:] for part in word.split("-"))


# ---- people ----

_PERSON_TAGS = ("Name", "Surn", "Patr")


# (ending, replacement) per (gender, case) for surnames the dictionary does not know, longest ending first
_SURNAME_RULES: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {
    ("masc", "gent"): (("ского", "ский"), ("цкого", "цкий"), ("ова", "ов"), ("ева", "ев"), ("ёва", "ёв"),
                       ("ина", "ин"), ("ына", "ын"), ("ого", "ой"), ("ки", "ка"), ("ги", "га"), ("ы", "а"),
                       ("я", "й"), ("а", "")),
    ("masc", "accs"): (("ского", "ский"), ("цкого", "цкий"), ("ова", "ов"), ("ева", "ев"), ("ёва", "ёв"),
                       ("ина", "ин"), ("ына", "ын"), ("ого", "ой"), ("ку", "ка"), ("у", "а"), ("я", "й"),
                       ("а", "")),
    ("masc", "datv"): (("скому", "ский"), ("цкому", "цкий"), ("ову", "ов"), ("еву", "ев"), ("ину", "ин"),
                       ("ому", "ой"), ("ю", "й"), ("у", "")),
    ("masc", "ablt"): (("ским", "ский"), ("цким", "цкий"), ("овым", "ов"), ("евым", "ев"), ("иным", "ин"),
                       ("ым", "ой"), ("ой", "а"), ("ем", "й"), ("ом", "")),
    ("masc", "loct"): (("ском", "ский"), ("цком", "цкий"), ("ове", "ов"), ("еве", "ев"), ("ине", "ин"),
                       ("ом", "ой"), ("е", "")),
    ("femn", "gent"): (("ской", "ская"), ("цкой", "цкая"), ("овой", "ова"), ("евой", "ева"), ("иной", "ина"),
                       ("ыной", "ына"), ("ки", "ка"), ("ы", "а"), ("и", "а")),
    ("femn", "datv"): (("ской", "ская"), ("цкой", "цкая"), ("овой", "ова"), ("евой", "ева"), ("иной", "ина"),
                       ("е", "а")),
    ("femn", "accs"): (("скую", "ская"), ("цкую", "цкая"), ("ову", "ова"), ("еву", "ева"), ("ину", "ина"),
                       ("у", "а")),
    ("femn", "ablt"): (("ской", "ская"), ("цкой", "цкая"), ("овой", "ова"), ("евой", "ева"), ("иной", "ина"),
                       ("ой", "а")),
    ("femn", "loct"): (("ской", "ская"), ("цкой", "цкая"), ("овой", "ова"), ("евой", "ева"), ("иной", "ина"),
                       ("е", "а")),
}  # fmt: skip
_INDECLINABLE = ("ко", "их", "ых", "аго", "ян", "дзе", "швили", "ия")


def _surname_by_rule(word: str, gender: str | None, case: str | None) -> str:
    low = word.lower()
    if case in (None, "nomn") or low.endswith(_INDECLINABLE):
        return low
    for ending, replacement in _SURNAME_RULES.get((gender or "masc", case), ()):
        if low.endswith(ending) and len(low) - len(ending) >= 2:
            return low[: len(low) - len(ending)] + replacement
    return low


_FEMININE_SURNAME = ("ова", "ева", "ёва", "ина", "ына", "ая")


def _surname_allows(surname: str, gender: str | None, case: str | None) -> bool:
    """Whether a surname can be read in this gender and case: by a dictionary parse that is not a first name
    («Канюса» is no woman's name here), or, for the nominative of a woman's surname, by its regular ending."""
    low = surname.lower()
    if gender == "femn" and case == "nomn" and low.endswith(_FEMININE_SURNAME):
        return True
    return any(
        "Name" not in p.tag and p.tag.number != "plur" and p.tag.case == case and p.tag.gender in (gender, None)
        for p in _morph().parse(low)
    )


@functools.lru_cache(maxsize=50_000)
def _person_word(
    word: str, gender: str | None, case: str | None, first: bool, surname: str = "", case_hint: str | None = None
) -> tuple[str, str | None, str | None]:
    """One word of a name in the nominative with ё restored, plus the gender and case it was read in; a first
    name is read as its `surname` allows («Леонида Михельсона» is Leonid's genitive, «Яна Лантратова» Yana), and
    in the case of the title before it when it can be («председателя Госдумы Вячеслава Володина»: genitive)."""
    parses = _morph().parse(word.lower())
    tags = ("Name",) if first else ("Surn", "Patr", "Name")
    named = [p for p in parses if any(t in p.tag for t in tags)]
    if not first:  # one person named in news: «Хабиров» is no plural of Хабир, «Шавваль» no vocative of Шавваля
        named = [p for p in named if p.tag.number != "plur" and p.tag.case != "voct"]

    def fits(p: Any) -> bool:
        return (gender is None or p.tag.gender in (gender, None)) and (case is None or p.tag.case == case)

    if first and gender is None and case is None:
        singular = [p for p in named if p.tag.number != "plur"] or named
        allowed = [p for p in singular if surname and _surname_allows(surname, p.tag.gender, p.tag.case)]
        pool = allowed or singular
        pool = [p for p in pool if p.tag.case == case_hint] or pool
        # between readings the surname allows alike, the nominative: a name as written is most often in it
        chosen = next((p for p in pool if p.tag.case == "nomn"), None) or next(iter(pool), None)
    else:
        chosen = next((p for p in named if fits(p)), None)
    if chosen is None and case is None and named:
        chosen = next((p for p in named if p.tag.case == "nomn"), named[0])
    if chosen is None:
        return _match_case(_surname_by_rule(word, gender, case), word), gender, case
    target = chosen if chosen.tag.case == "nomn" else chosen.inflect({"nomn"})
    form = str((target or chosen).word)
    return _match_case(form, word), chosen.tag.gender, chosen.tag.case


def normalize_person(name: str, case_hint: str | None = None) -> str:
    """A Russian name in the nominative, ё restored: «Алексея Пушкарева» → «Алексей Пушкарёв»; `case_hint` is the
    case of a title standing before it in apposition, which the name shares."""
    words = name.split()
    if not words:
        return name
    if len(words) == 3 and all(_CYRILLIC.search(w) for w in words):
        surname_first = _reads_as(words[0], "Surn") or not _reads_as(words[0], "Name", singular=True)
        if surname_first and _reads_as(words[2], "Patr") and _reads_as(words[1], "Name"):
            words = [words[1], words[2], words[0]]  # «Иванова Ивана Петровича», as courts write: surname first
        patronymic = next((p for p in _morph().parse(words[1].lower()) if "Patr" in p.tag), None)
        if patronymic is not None:  # «Марии Петровне Ивановой»: the patronymic tells the case the first name is in
            case_hint = str(patronymic.tag.case)
    gender: str | None = None
    case: str | None = None
    out = []
    for index, word in enumerate(words):
        if not _CYRILLIC.search(word):
            out.append(word)
            continue
        first = index == 0 and len(words) > 1
        form, g, c = _person_word(word, gender, case, first, words[-1] if first else "", case_hint if first else None)
        if first and g is not None:
            gender, case = g, c
        out.append(form)
    return " ".join(out)


def _reads_as(word: str, tag: str, *, singular: bool = False) -> bool:
    """Whether pymorphy reads `word` with `tag` ("Name", "Surn", "Patr"), in the singular if asked."""
    return any(tag in p.tag and not (singular and p.tag.number == "plur") for p in _morph().parse(word.lower()))


def _surname_keys(word: str) -> set[str]:
    return {str(p.normal_form).replace("ё", "е") for p in _morph().parse(word.lower())} | {
        word.lower().replace("ё", "е")
    }


# ---- gazetteer and units ----


def _iter_gazetteer(text: str, gazetteer: EntityGazetteer) -> Iterator[tuple[int, int, GazetteerEntry]]:
    tokens = list(lemmas.WORD_RE.finditer(text))
    keys = [features.token_key(t.group(0)) for t in tokens]
    i = 0
    while i < len(tokens):
        word = tokens[i].group(0)
        if not (word[:1].isupper() or word[:1].isdigit()):
            i += 1
            continue
        for size in range(min(MAX_PHRASE, len(tokens) - i), 0, -1):
            entry = gazetteer.phrases.get(tuple(keys[i : i + size]))
            if entry is not None and "\n" not in text[tokens[i].start() : tokens[i + size - 1].end()]:
                yield tokens[i].start(), tokens[i + size - 1].end(), entry
                i += size
                break
        else:
            i += 1


def _iter_units(text: str, gazetteer: EntityGazetteer) -> Iterator[Mention]:
    for match in _UNIT_RE.finditer(text):
        noun = _UNIT_NOUNS.get(match.group("noun").lower())
        if noun is None:
            continue
        words = match.group("words").split()
        english = [gazetteer.unit_adjectives.get(lemmas.lemma(w)) for w in words]
        if any(e is None for e in english):
            continue
        tail = match.group("tail").strip().lower()
        extra = {"морской пехоты": "Marine", "специального назначения": "Special Purpose"}.get(tail, "")
        parts = [_ordinal(int(match.group("n"))), *(e for e in english if e)]
        if extra == "Marine":
            parts = [p for p in parts if p != "Naval"] + ["Marine"]
        elif extra:
            parts.append(extra)
        latin = " ".join([*parts, noun])
        surface = match.group(0).strip()
        yield Mention(kind="unit", text=surface, normalized=surface, latin=latin, start=match.start(), end=match.end())


# ---- the stage ----


def _gazetteer_mentions(
    text: str, gazetteer: EntityGazetteer, taken: list[tuple[int, int]], *, english: bool
) -> list[Mention]:
    """Gazetteer matches as mentions, their spans added to `taken`; English text is normalised to its Latin form."""
    found: list[Mention] = []
    for start, end, entry in _iter_gazetteer(text, gazetteer):
        taken.append((start, end))
        normalized = entry.latin if english else entry.normalized
        found.append(
            Mention(
                kind=entry.kind, text=text[start:end], normalized=normalized, latin=entry.latin, start=start, end=end
            )
        )
    return found


def _russian_entities(text: str, overrides: Mapping[str, str] | None) -> list[Mention]:
    from natasha import Doc

    segmenter, ner = _natasha()
    gazetteer = load_gazetteer()
    found: list[Mention] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return not any(start < e and s < end for s, e in taken)

    found.extend(_gazetteer_mentions(text, gazetteer, taken, english=False))
    for unit in _iter_units(text, gazetteer):
        if free(unit.start, unit.end):
            taken.append((unit.start, unit.end))
            found.append(unit)
    people: list[tuple[int, int, str]] = []
    for offset, piece in ner_pieces(text):
        doc = Doc(piece)
        doc.segment(segmenter)
        doc.tag_ner(ner)
        for span in doc.spans:
            if span.type == "PER":
                for start, stop, surface in _name_spans(text, span.start + offset, span.stop + offset):
                    if free(start, stop) and _reads_as_a_name(surface, sentence_start=_sentence_start(text, start)):
                        people.append((start, stop, surface))
                continue
            start, stop, surface = _one_line(span.start + offset, span.stop + offset, span.text)
            if not surface or not free(start, stop):
                continue
            if span.type == "ORG":
                normalized = _normalize_org(surface)
                found.append(
                    Mention(
                        kind="org",
                        text=surface,
                        normalized=normalized,
                        latin=_transliterate(normalized, overrides),
                        start=start,
                        end=stop,
                    )
                )
    found.extend(_people(people, overrides, text))
    return found


def _one_line(start: int, stop: int, surface: str) -> tuple[int, int, str]:
    """A span cut at its first line break: a name never runs from a headline into the next line."""
    cut = surface.find("\n")
    if cut < 0:
        return start, stop, surface
    head = surface[:cut].rstrip()
    return start, start + len(head), head


_NOT_NAME_POS = frozenset({"VERB", "INFN", "GRND", "PRTF", "PRTS", "ADVB", "CONJ", "PRCL", "PREP", "NPRO", "PRED"})
_INITIALS = re.compile(r"(?:[А-ЯЁA-Z]\.[.\s]*){1,2}")  # «А.Борисенко», «В.В. Путин», "A. Navalny"
_WORD = re.compile(r"\S+")
_NAME_WORD = re.compile(r"[^\W\d_]{2}")  # initials alone («В.В.») name no one


def _name_spans(text: str, start: int, stop: int) -> list[tuple[int, int, str]]:
    """The names in a person span: one a line (a name never runs from a headline into the next line), each
    without the initials or titles before it: «А.Борисенко» is the surname «Борисенко», which joins the full
    name when the text gives it; «Экс-депутат Гудков» and «Правозащитника Олега Орлова» name Гудков and Орлов."""
    out = []
    for line in re.finditer(r"[^\n]+", text[start:stop]):
        at, end = start + line.start(), start + line.end()
        titled = False
        while at < end:
            initials = _INITIALS.match(text, at, end)
            word = _WORD.match(text, at, end)
            if initials and initials.end() < end and text[initials.end()].isalpha():
                at = initials.end()
            elif word and (word.end() < end or titled) and _title_word(word.group(0)):
                at, titled = word.end(), True  # a title alone, after another, is no name either
            else:
                break
            while at < end and text[at].isspace():
                at += 1
        while end > at and not text[end - 1].isalnum():
            end -= 1
        if _NAME_WORD.search(text, at, end):
            out.append((at, end, text[at:end]))
    return out


def _title_word(word: str) -> bool:
    """A capitalised word that no name starts with: one hyphenated to a lower-case word («Экс-депутат»,
    «Telegram-канале»), or a Russian word the dictionary knows with no reading as a name («Правозащитника»)."""
    parts = word.split("-")
    if len(parts) > 1 and any(part[:1].islower() for part in parts[1:]):
        return True
    if not _CYRILLIC.search(word) or not lemmas.is_known(word):
        return False
    return not any(t in p.tag for p in _morph().parse(word.lower()) for t in _PERSON_TAGS)


def _sentence_start(text: str, start: int) -> bool:
    """Whether `start` opens a sentence or a line, where a capital letter says nothing of a name."""
    before = text[:start].rstrip(" \t«\"'„“(—–-")
    return not before or before[-1] in ".!?…\n"


def _reads_as_a_name(surface: str, *, sentence_start: bool = False) -> bool:
    """Whether a one-word person span can be a name: «Отвечает» and «Соглашается», capitalised at the start
    of a sentence, are verbs the dictionary knows and no name it knows; «Художницу» opening a sentence, or
    «Telegram-канале» anywhere, are words no name is."""
    words = surface.split()
    if len(words) != 1:
        return True
    if _title_word(words[0]) and (sentence_start or "-" in words[0]):
        return False
    parses = _morph().parse(words[0].lower())
    if any(t in p.tag for p in parses for t in _PERSON_TAGS):
        return True
    return not any(p.tag.POS in _NOT_NAME_POS for p in parses[:2])


NER_PIECE_CHARS = 20_000  # natasha's memory grows by ~1.8 GB per MB of text in one Doc: long texts go in pieces


def ner_pieces(text: str) -> Iterator[tuple[int, str]]:
    """(offset, piece) covering `text` in order, each at most NER_PIECE_CHARS long and, where it can, ending
    at a line break or a sentence end in its second half; a text that fits is one piece."""
    start = 0
    while start < len(text):
        end = min(len(text), start + NER_PIECE_CHARS)
        if end < len(text):
            half = start + NER_PIECE_CHARS // 2
            cut = max(text.rfind("\n", half, end), text.rfind(". ", half, end))
            if cut > start:
                end = cut + 1
        yield start, text[start:end]
        start = end


def _normalize_org(surface: str) -> str:
    """An organisation's name with its first word in the nominative (the rest governs itself in Russian)."""
    words = surface.split()
    if not words or not _CYRILLIC.search(words[0]):
        return surface
    parses = _morph().parse(words[0].lower())
    best = parses[0]
    nominative = best.inflect({"nomn"}) if best.tag.case not in (None, "nomn") else None
    if nominative is None:
        return surface
    head = _match_case(str(nominative.word), words[0])
    return " ".join([head, *words[1:]])


def _people(spans: list[tuple[int, int, str]], overrides: Mapping[str, str] | None, text: str) -> list[Mention]:
    full: list[Mention] = []
    single: list[tuple[int, int, str]] = []
    surnames: set[str] = set()
    for start, end, surface in spans:
        if len(surface.split()) >= 2:
            person = _person(start, end, surface, overrides, _title_case(text, start))
            full.append(person)
            surnames.add(person.normalized.split()[-1].lower().replace("ё", "е"))
        else:
            single.append((start, end, surface))
    out = list(full)
    for start, end, surface in single:
        if _surname_keys(surface) & surnames:
            continue  # «Володин» after «Вячеслав Володин»: the same person
        out.append(_person(start, end, surface, overrides))
    return out


_APPOSITION_CASES = frozenset({"gent", "datv", "accs", "ablt", "loct"})


def _title_case(text: str, start: int) -> str | None:
    """The case of the title a name stands in apposition to («председателя Госдумы Вячеслава Володина»: the
    nearest animate noun among the three words before it), or of an adjective just before it that agrees with
    it («33-летнюю Александру Скочиленко»: Aleksandra, not Aleksandr's dative), which the name shares. None for
    a nominative title, or none: most names are written in the nominative anyway."""
    before = re.findall(r"[А-Яа-яЁё]+|[^\sА-Яа-яЁё]", text[max(0, start - 60) : start])[-4:]
    for distance, word in enumerate(reversed(before)):
        if not _CYRILLIC.search(word):
            return None  # punctuation: no title in apposition
        parses = _morph().parse(word.lower())
        best = parses[0] if parses else None
        if best is not None and best.tag.POS in ("ADJF", "PRTF") and distance == 0:
            # an adjective that agrees with the name («33-летнюю Александру Скочиленко»): the name's case
            return str(best.tag.case) if best.tag.case in _APPOSITION_CASES and best.tag.number == "sing" else None
        if (
            best is not None
            and best.tag.POS == "NOUN"
            and "anim" in best.tag
            and not any(t in best.tag for t in _PERSON_TAGS)
        ):
            return str(best.tag.case) if best.tag.case in _APPOSITION_CASES and best.tag.number == "sing" else None
    return None


def _person(
    start: int, end: int, surface: str, overrides: Mapping[str, str] | None, case_hint: str | None = None
) -> Mention:
    normalized = normalize_person(surface, case_hint)
    house = _without_patronymic(normalized)
    return Mention(
        kind="person",
        text=surface,
        normalized=normalized,
        latin=_first_name_in_ia(house, _transliterate(house, overrides)),
        start=start,
        end=end,
    )


def _without_patronymic(normalized: str) -> str:
    """A name as the house prints it, first name and surname: «Радий Фаритович Хабиров» is "Radiy Khabirov" in
    the briefs (the archive prints no patronymics), where the Russian form keeps it."""
    words = normalized.split()
    if len(words) != 3 or not _CYRILLIC.search(words[1]):
        return normalized
    if not any("Patr" in p.tag for p in _morph().parse(words[1].lower())):
        return normalized
    return f"{words[0]} {words[2]}"


def _first_name_in_ia(normalized: str, latin: str) -> str:
    """A woman's first name in «-ия» ends in "-ia", as the press and the archive write it: Maria Zakharova,
    Yulia Navalnaya, Anastasia Rakova, Emilia, Sofia (every such name the archive prints; never "-iya").
    The scheme's "-iya" stays for surnames and places (Rossiya), and where the first name is no dictionary
    first name."""
    first, _, rest = normalized.partition(" ")
    latin_first, _, latin_rest = latin.partition(" ")
    if not rest or len(first) < 4 or not first.lower().endswith("ия") or not latin_first.endswith("iya"):
        return latin
    if not any("Name" in p.tag and p.tag.case == "nomn" for p in _morph().parse(first.lower())):
        return latin
    return f"{latin_first[:-3]}ia {latin_rest}"


# a name's words may join with a hyphen or an apostrophe ("Lada-Rus", "O'Brien") but a possessive is no part of
# it ("Putin’s decree" names Putin)
_EN_NAME = re.compile(r"\b(?P<first>[A-Z][a-z]+)(?P<rest>(?: [A-Z][a-z]+(?:[-’'][A-Z][a-z]+)*){1,2})(?![\w-])")


@functools.lru_cache(maxsize=20_000)
def _read_back(word: str) -> tuple[str, ...]:
    """A Latin word read back into Cyrillic as the house writes it, likeliest first; "-iy" also letter by letter
    («-ий»: "Radiy", "Georgiy"), which the house scheme writes "-y"."""
    from mobrief.style import transliteration

    spellings = transliteration.cyrillic_spellings(word, limit=3)
    if word.endswith("iy"):
        spellings += [s for s in transliteration.cyrillic_spellings(word[:-2] + "y", limit=3) if s.endswith("ий")]
    return tuple(spellings)


@functools.lru_cache(maxsize=20_000)
def reads_as_russian(word: str, tag: str, *, known: bool) -> bool:
    """Whether a Latin word read back into Cyrillic as the house writes it is a Russian `tag` ("Name", "Surn"):
    "Rifat" is «Рифат», a first name the dictionary knows; "Dautov" reads as a surname."""
    return any(
        (not known or lemmas.is_known(spelling))
        and (
            any(tag in p.tag for p in lemmas.parses(spelling))
            or (tag == "Surn" and not lemmas.is_known(spelling) and _SURNAME_ENDING.search(spelling) is not None)
        )
        for spelling in _read_back(word)
    )


@functools.lru_cache(maxsize=20_000)
def reads_as_russian_word(word: str) -> bool:
    """Whether a Latin word read back into Cyrillic is a word the Russian dictionary knows and no name:
    "Novaya" is «новая»; "Radiy" and "Khabirov" are no dictionary words."""
    return any(
        lemmas.is_known(spelling)
        and not any(tag in parse.tag for parse in lemmas.parses(spelling) for tag in _PERSON_TAGS)
        for spelling in _read_back(word)
    )


# the endings of Russian surnames the dictionary does not list («Хабиров», «Шугалей» not; «Хабирова» and
# «Бекетовская» yes): read back from Latin, such a word after a known first name is a surname
_SURNAME_ENDING = re.compile(r"(?:[оеё]в|[иы]н|[сц]кий|[оеё]ва|[иы]на|[сц]кая)$")


def _english_person(first: str, rest: str) -> bool:
    """A capitalised span is a person when it starts with a common Russian first name, or with any first name
    the Russian dictionary knows followed by a word that reads as a surname ("Rifat Dautov", "Vera
    Pekhteleva"; not "Man Dies", "Kremlin Palace")."""
    if first.lower() in EN_FIRST_NAMES:
        return True
    surname = rest.split()[0].split("-")[0]
    return reads_as_russian(first, "Name", known=True) and reads_as_russian(surname, "Surn", known=False)


def _english_entities(text: str) -> list[Mention]:
    gazetteer = load_gazetteer()
    found: list[Mention] = []
    taken: list[tuple[int, int]] = []
    found.extend(_gazetteer_mentions(text, gazetteer, taken, english=True))
    position = 0
    while match := _EN_NAME.search(text, position):
        position = match.start() + len(match.group("first")) + 1
        if not _english_person(match.group("first"), match.group("rest")):
            continue
        if any(match.start() < e and s < match.end() for s, e in taken):
            continue
        name = match.group(0)
        taken.append((match.start(), match.end()))
        found.append(
            Mention(kind="person", text=name, normalized=name, latin=name, start=match.start(), end=match.end())
        )
        position = match.end()
    return found


def find_entities(text: str, *, lang: str | None = None, overrides: Mapping[str, str] | None = None) -> list[Mention]:
    """Every named thing in `text`, once per (kind, Latin form), in reading order.

    `lang` picks the Russian (natasha) or English (rules) path; Ukrainian text takes the Russian path, whose
    gazetteer and transliteration still apply. `overrides` (Russian form → Latin) add to the glossary's.
    """
    if not text.strip():
        return []
    russian = lang != "en" if lang else bool(_CYRILLIC.search(text))
    found = _russian_entities(text, overrides) if russian else _english_entities(text)
    seen: set[tuple[str, str]] = set()
    out: list[Mention] = []
    for mention in sorted(found, key=lambda m: m.start):
        key = (mention.kind, mention.latin.lower())
        if key in seen or not mention.latin.strip():
            continue
        seen.add(key)
        out.append(mention)
    return out
