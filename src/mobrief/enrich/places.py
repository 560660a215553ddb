"""Find Russia's federal subjects, occupied territories and major cities in Russian or English text.

A gazetteer (`data/places.toml`) matched on lemmas, so every Russian inflection («в Белгородской области»,
«Белгородская область») meets one entry, plus stems for the nicknames the morphology dictionary does not know
(«на Белгородчине»). natasha's LOC spans are not used: they carry no key and no house name.
"""

from __future__ import annotations

import functools
import hashlib
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any

from mobrief import lemmas
from mobrief.records import Place

MAX_PHRASE = 5
_STEM_SUFFIXES = ("щина", "чина")


@dataclass(frozen=True, slots=True)
class PlaceEntry:
    """One gazetteer entry: the key, the name the brief uses, and what kind of place it is."""

    key: str
    name: str
    kind: str


@dataclass(frozen=True, slots=True)
class Gazetteer:
    """Lemma phrases and nickname stems mapped to places; `version` changes whenever the data does."""

    phrases: dict[tuple[str, ...], PlaceEntry]
    stems: tuple[tuple[str, PlaceEntry], ...]
    surface: dict[str, PlaceEntry]
    entries: dict[str, PlaceEntry]
    version: str


def _slug(text: str) -> str:
    return "-".join(text.lower().replace(".", "").split())


def _phrase(text: str) -> tuple[str, ...]:
    return tuple(lemmas.lemmatize(text))


def _inflections(word: str) -> set[str]:
    """Every form of a one-word Russian place name («Брянск» → «Брянском»), which lemmas alone can miss."""
    morph = _morph()
    forms: set[str] = set()
    for parse in morph.parse(word.lower()):
        if "Geox" in parse.tag or ("Name" not in parse.tag and "Surn" not in parse.tag and parse.tag.POS == "NOUN"):
            forms.update(f.word.replace("ё", "е") for f in parse.lexeme)
            break
    return forms


@functools.cache
def _morph() -> Any:
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="ru")


@functools.cache
def load_gazetteer() -> Gazetteer:
    """The shipped gazetteer, parsed and lemmatised once per process."""
    raw = resources.files("mobrief.enrich").joinpath("data/places.toml").read_bytes()
    data = tomllib.loads(raw.decode("utf-8"))
    entries: dict[str, PlaceEntry] = {}
    phrases: dict[tuple[str, ...], PlaceEntry] = {}
    surface: dict[str, PlaceEntry] = {}

    def add(entry: PlaceEntry, ru: list[str], en: list[str]) -> None:
        entries.setdefault(entry.key, entry)
        for form in ru:
            if len(lemmas.words(form)) == 1 and not form.isupper():
                for inflected in _inflections(form):
                    surface.setdefault(inflected, entries[entry.key])
        for form in [*ru, *en]:
            phrase = _phrase(form)
            if phrase:
                phrases.setdefault(phrase, entries[entry.key])

    for adjective, stem in data.get("oblast", {}).items():
        entry = PlaceEntry(key=f"{_slug(stem)}-region", name=f"the {stem} region", kind="region")
        add(
            entry,
            # «Иркутский областной военком», «Курганского областного суда»: the region's office, named by the
            # region's adjective before «областной» rather than before «область»
            [f"{adjective} область", f"{adjective} обл", f"{adjective} областной"],
            [f"{stem} region", f"{stem} oblast", f"{stem} province"],
        )
    for adjective, stem in data.get("ukraine_oblast", {}).items():
        entry = PlaceEntry(key=f"{_slug(stem)}-region", name=f"the {stem} region", kind="ukraine")
        add(entry, [f"{adjective} область", f"{adjective} обл"], [f"{stem} region", f"{stem} oblast"])
    for adjective, name in data.get("krai", {}).items():
        stem = name.removeprefix("the ").removesuffix(" region")
        entry = PlaceEntry(key=f"{_slug(stem)}-region", name=name, kind="region")
        add(
            entry,
            [f"{adjective} край", f"{adjective} краевой"],
            [f"{stem} region", f"{stem} krai", f"{stem} territory"],
        )
    for subject in data.get("subject", []):
        entry = PlaceEntry(key=subject["key"], name=subject["name"], kind=subject.get("kind", "region"))
        add(entry, subject.get("ru", []), subject.get("en", []))
    for russian, english in data.get("city", {}).items():
        key = _slug(english)
        if key in entries:  # a city named like a subject ("Moscow") is that subject
            continue
        add(PlaceEntry(key=key, name=english, kind="city"), [russian], [english])
    stems: list[tuple[str, PlaceEntry]] = []
    for nickname, key in data.get("nicknames", {}).items():
        entry = entries[key]
        if nickname.endswith(_STEM_SUFFIXES):
            stems.append((nickname[:-1].lower(), entry))
        phrases.setdefault(_phrase(nickname), entry)
    version = f"{data.get('version', 'places')}-code-3-{hashlib.sha256(raw).hexdigest()[:8]}"
    return Gazetteer(phrases=phrases, stems=tuple(stems), surface=surface, entries=entries, version=version)


def version() -> str:
    """The places stage version: the gazetteer's, so editing the data re-runs only this stage."""
    return load_gazetteer().version


def _capitalised(word: str) -> bool:
    return word[:1].isupper()


def _iter_matches(text: str) -> Iterator[Place]:
    gazetteer = load_gazetteer()
    tokens = list(lemmas.WORD_RE.finditer(text))
    words = [t.group(0) for t in tokens]
    lemma_list = [lemmas.lemma(w) for w in words]
    i = 0
    while i < len(tokens):
        if not _capitalised(words[i]):
            i += 1
            continue
        found: tuple[int, PlaceEntry] | None = None
        for size in range(min(MAX_PHRASE, len(tokens) - i), 0, -1):
            entry = gazetteer.phrases.get(tuple(lemma_list[i : i + size]))
            if entry is not None and "\n" not in text[tokens[i].start() : tokens[i + size - 1].end()]:
                found = (size, entry)
                break
        low = words[i].lower().replace("ё", "е")
        if found is None and low in gazetteer.surface:
            found = (1, gazetteer.surface[low])
        if found is None:
            for stem, entry in gazetteer.stems:
                if low.startswith(stem):
                    found = (1, entry)
                    break
        if found is None:
            i += 1
            continue
        size, entry = found
        start, end = tokens[i].start(), tokens[i + size - 1].end()
        yield Place(key=entry.key, name=entry.name, text=text[start:end], kind=entry.kind, start=start, end=end)
        i += size


def find_places(text: str) -> list[Place]:
    """Every place named in `text`, once each (first mention), in reading order."""
    seen: set[str] = set()
    out: list[Place] = []
    for place in _iter_matches(text):
        if place.key not in seen:
            seen.add(place.key)
            out.append(place)
    return out
