"""People as the house spells them: names the published archive has printed keep the archive's spelling.

The house transliteration gives "Rady Khabirov" and "Anastasiya Rakova"; the archive printed "Radii Habirov"
and "Anastasia Rakova", and an editor expects the brief to go on doing so. Names are read off the archive's
English paragraphs (two capitalised words), and a person's house form meets an archive name when both fold
to one spelling key (kh → h, y → i, doubled letters as one, ...). Our own few lines rather than a fuzzy-match
library: the key is what decides, and it must never join two different people — an archive name whose key
two spellings share is left out.

A surname the archive prints alone in later mentions ("Putin") is the house's short form of that person: a
report naming the person gets it as a mention too. The shipped list (`data/archive_names.txt`, one name a
line; a surname alone is a short form) was read off the shared dev archive's paragraphs
by `benchmarks/quality.py --write-models`: names only, no text. A store's own archive adds to it.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from importlib import resources

from mobrief.enrich import entities
from mobrief.records import Mention

_NAME = re.compile(r"(?<![\w’'-])([A-Z][a-z]+(?:-[A-Z][a-z]+)?) ([A-Z][a-z]{2,}(?:-[A-Z][a-z]+)?)(?![\w’'-])")
# ё as "yo" or "e" (Pyotr/Petr, Solovyov/Solovyev), дж as "dzh" or "dj", х as "kh" or "h", -ий as "-y", "-iy", "-ii"
_FOLD = (
    ("yo", "e"), ("kh", "h"), ("ks", "x"), ("ts", "c"), ("dzh", "j"), ("dj", "j"), ("y", "i"), ("j", "i"),
    ("w", "v"), ("ie", "e"),
)  # fmt: skip
_FINAL_ER = re.compile(r"(?<=[^aeiou])er$")  # the press's "Alexander", "Peter" for the house's "Aleksandr", "Pyotr"


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


_NOT_FIRST = _word_set(
    """The In On At By For From With And But As After Before During Since When While If State Russian Russia's
    Federal Ministry Defense Defence General Deputy Governor President Prime Head Chief Mr Ms Mrs Dr Saint St
    New North South East West Central Lower Upper Military Armed National Supreme Constitutional"""
)


_TITLES = _word_set(
    """Governor Deputy President Prime Minister Head Chief Mayor Senator Speaker Chairman Chairwoman Secretary Commander
    General Colonel Lieutenant Major Captain Sergeant Judge Prosecutor Ombudsman Economist Patriarch Acting First Former
    Defense Defence Foreign Finance Labor Justice Emergencies Interior State Duma Russian Russia's Mr Ms Mrs Dr"""
)
# a name after a run of titles ("Governor Radiy Khabirov", "Deputy Prime Minister Denis Manturov"), which taking
# two capitalised words at a time from the left pairs off wrongly ("Governor Radiy")
_TITLED_NAME = re.compile(
    r"(?<![\w’'-])(?:(?:" + "|".join(map(re.escape, sorted(_TITLES, key=len, reverse=True))) + r") )+"
    r"([A-Z][a-z]+(?:-[A-Z][a-z]+)?) ([A-Z][a-z]{2,}(?:-[A-Z][a-z]+)?)(?![\w’'-])"
)


def spelling_key(name: str) -> str:
    """A Latin name folded so that its transliterations meet: "Rady Khabirov" and "Radii Habirov" alike,
    "Aleksandr Khinshteyn" and "Alexander Khinshtein"."""
    words = []
    for word in name.lower().split():
        low = _FINAL_ER.sub("r", re.sub(r"[^a-z]", "", word))
        for old, new in _FOLD:
            low = low.replace(old, new)
        words.append(re.sub(r"(.)\1+", r"\1", low).rstrip("i") or low)
    return " ".join(words)


@dataclass(frozen=True, slots=True)
class ArchiveNames:
    """Spelling key → the archive's spelling of a person's first name and surname; and the surnames the archive
    prints alone in later mentions ("Putin"), which a report naming the person also gets as a mention."""

    by_key: Mapping[str, str] = field(default_factory=dict)
    alone: frozenset[str] = frozenset()
    # every first name and surname the archive printed, even once: a person a report names whose house form
    # meets one of them is that person as the archive spelled them (the match is the evidence)
    printed: Mapping[str, str] = field(default_factory=dict)

    def respell(self, mentions: Iterable[Mention]) -> list[Mention]:
        """The mentions with every person the archive has printed in the archive's spelling."""
        out = []
        seen: set[str] = set()
        for mention in mentions:
            if mention.kind == "person" and " " in mention.latin.strip():
                key = spelling_key(mention.latin)
                spelled = self.by_key.get(key) or self.printed.get(key)
                if spelled and spelled != mention.latin:
                    mention = replace(mention, latin=spelled)
            out.append(mention)
            seen.add(mention.latin)
        for mention in list(out):
            surname = mention.latin.split()[-1] if mention.kind == "person" and mention.latin.strip() else ""
            if surname in self.alone and surname not in seen:
                seen.add(surname)
                short = mention.normalized.split()[-1] if mention.normalized.strip() else surname
                out.append(replace(mention, latin=surname, normalized=short))
        return out

    def merged(self, other: ArchiveNames) -> ArchiveNames:
        """These names, with `other`'s spellings winning where both know a person."""
        return ArchiveNames(
            {**self.by_key, **other.by_key}, self.alone | other.alone, {**self.printed, **other.printed}
        )


PRINTED_AT_LEAST = 2  # paragraphs that print a full name before it counts though no other name shares its first
ALONE_AT_LEAST = 3  # paragraphs that print a known person's surname alone before it is the house's short form


def read_names(paragraphs: Iterable[str]) -> ArchiveNames:
    """The people the paragraphs name (two capitalised words whose first name starts other names too, or printed
    in several paragraphs and reading as a person), each under its spelling key; where one key has several
    spellings the most printed one wins, and a key two different people could share is dropped."""
    texts = list(paragraphs)
    counts: Counter[str] = Counter()
    printed_in: Counter[str] = Counter()
    for text in texts:
        titled = [(first, last) for first, last in _TITLED_NAME.findall(text) if _first_name(first)]
        pairs = [*_NAME.findall(text), *titled]
        found = [f"{first} {last}" for first, last in pairs if first not in _NOT_FIRST and first not in _TITLES]
        counts.update(found)
        printed_in.update(set(found))
    # a first name starts several names ("Sergei Shoigu", "Sergei Gordeev"); "Crew Against" is no person
    firsts = Counter(name.split()[0] for name in counts)
    lower_case = frozenset(re.findall(r"\b[a-z]+\b", " ".join(texts)))
    names = names_from(
        {
            name: n
            for name, n in counts.items()
            if firsts[name.split()[0]] >= 2
            or (printed_in[name] >= PRINTED_AT_LEAST and _reads_as_person(name, lower_case, firsts))
        }
    )
    # short forms only of people, known by a common Russian first name: "Criminal Code" reads as a name too
    surnames = {
        last for first, last in map(str.split, names.by_key.values()) if first.lower() in entities.EN_FIRST_NAMES
    }
    alone: Counter[str] = Counter()
    for text in texts:
        for match in _SURNAME_ALONE.finditer(text):
            if not match.group(1) and match.group(2) in surnames:  # "said Putin", not "Vladimir Putin"
                alone[match.group(2)] += 1
    short = frozenset(s for s, n in alone.items() if n >= ALONE_AT_LEAST)
    return ArchiveNames(names.by_key, short, names_from(counts).by_key)


def _reads_as_person(name: str, lower_case: frozenset[str], firsts: Mapping[str, int]) -> bool:
    """Whether a full name the archive printed repeatedly is a person ("Radiy Khabirov", a first name no other
    name starts) rather than words: an English word the archive also prints in lower case ("Communist Party"),
    a Russian word spelled in Latin ("Novaya Gazeta"), or a title before a first name ("Speaker Vyacheslav")."""
    first, last = name.split()
    return last not in firsts and not any(
        word.lower() in lower_case or entities.reads_as_russian_word(word) for word in (first, last)
    )


def _first_name(word: str) -> bool:
    """Whether a Latin word is a first name: a common one, or read back into Cyrillic a first name the Russian
    dictionary knows ("Radiy" is «Радий»; "Committee" and "Federation" are none)."""
    return word.lower() in entities.EN_FIRST_NAMES or entities.reads_as_russian(word, "Name", known=True)


_SURNAME_ALONE = re.compile(r"\b([A-Z][a-z]+\s)?([A-Z][a-z]{2,})\b(?![’'-])")


def names_from(counts: Mapping[str, int]) -> ArchiveNames:
    """Each key's most printed spelling; between spellings printed alike, one the house scheme writes itself
    ("Aleksandr Beglov" over "Alexander Beglov"), so that a tie leaves the house form as it is."""
    spellings: dict[str, list[tuple[int, str]]] = {}
    for name, count in counts.items():
        spellings.setdefault(spelling_key(name), []).append((count, name))
    by_key = {}
    for key, found in spellings.items():
        if len(key.split()) == 2 and all(len(part) >= 2 for part in key.split()):
            most = max(count for count, _ in found)
            tied = sorted(name for count, name in found if count == most)
            by_key[key] = next((name for name in tied if _house_spelling(name)), tied[-1])
    return ArchiveNames(by_key)


def _house_spelling(name: str) -> bool:
    """Whether every word of a Latin name is as the house scheme writes some Russian word."""
    from mobrief.style import transliteration

    return all(transliteration.cyrillic_spellings(word, limit=1) for word in name.split())


@functools.cache
def shipped() -> ArchiveNames:
    """The names read off the shared dev archive (`data/archive_names.txt`); none when the file is absent."""
    path = resources.files("mobrief.enrich").joinpath("data/archive_names.txt")
    if not path.is_file():
        return ArchiveNames()
    lines = [line.strip() for line in path.read_text("utf-8").splitlines()]
    names = [line for line in lines if line and not line.startswith("#")]
    full = names_from({name: 1 for name in names if " " in name})
    return ArchiveNames(full.by_key, frozenset(name for name in names if " " not in name))
