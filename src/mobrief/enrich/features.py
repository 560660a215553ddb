"""Turn a Russian or English text into model features: bilingual concepts from our lexicon plus plain lemmas.

Concepts (`data/concepts.toml`) are what lets a model trained on English archive paragraphs read Russian
reports: «военкомата» and "enlistment offices" both become `c:enlistment_office`. Lemmas (`w:…`) carry what
the lexicon does not name. Our own code rather than a vectoriser library: the features are a dict of counts,
the lemmatiser is the shared cached one, and the whole thing stays numpy-free.
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
import tomllib
from collections import Counter
from dataclasses import dataclass
from importlib import resources

from mobrief import lemmas

MAX_PHRASE = 6
_CYRILLIC = re.compile(r"[А-Яа-яЁё]")


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


_STOP = _word_set(
    """
    и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее мне было
    вот от меня еще нет о из ему теперь когда даже ну вдруг ли если уже или ни быть был него до вас
    нибудь опять уж вам ведь там потом себя ничего ей может они тут где есть надо ней для мы тебя их чем
    была сам чтоб без будто чего раз тоже себе под будет ж тогда кто этот того потому этого какой совсем
    ним здесь этом один почти мой тем чтобы нее сейчас были куда зачем всех никогда можно при наконец
    два об другой хоть после над больше тот через эти нас про всего них какая много разве три эту моя
    впрочем хорошо свою этой перед иногда лучше чуть том нельзя такой им более всегда конечно всю между
    который также год это весь свой который the a an of to in and or for on at by with from as is was
    were be been are that this these those it its his her their they he she we you said has have had not
    but also which who will would can could into about after than over more other new one two there what
    when up out all some any such no so if our us them may only most then
    """
)


def english_stem(word: str) -> str:
    """A light English stemmer (plurals, possessives): enough to meet "offices" with "office"."""
    word = word.lower().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@functools.lru_cache(maxsize=200_000)
def token_key(word: str) -> str:
    """The form a word is matched and counted by: its Russian lemma, or its stemmed English lower case."""
    if _CYRILLIC.search(word):
        return lemmas.lemma(word)
    return english_stem(word)


def token_keys(text: str) -> list[str]:
    return [token_key(w) for w in lemmas.WORD_RE.findall(text)]


@dataclass(frozen=True, slots=True)
class Concept:
    """One concept of the lexicon: its prior weight for relevance and the sections it points to."""

    name: str
    beat: float
    sections: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Phrases (tuples of token keys) mapped to concept names, plus the concepts and a data version."""

    phrases: dict[tuple[str, ...], str]
    concepts: dict[str, Concept]
    version: str
    starts: frozenset[str] = frozenset()  # first keys of the phrases: most words start none


@functools.cache
def load_lexicon() -> Lexicon:
    """The shipped bilingual lexicon, parsed and lemmatised once per process."""
    raw = resources.files("mobrief.enrich").joinpath("data/concepts.toml").read_bytes()
    data = tomllib.loads(raw.decode("utf-8"))
    phrases: dict[tuple[str, ...], str] = {}
    concepts: dict[str, Concept] = {}
    for name, spec in data.get("concepts", {}).items():
        concepts[name] = Concept(name=name, beat=float(spec.get("beat", 0.0)), sections=tuple(spec.get("sections", ())))
        for form in [*spec.get("ru", ()), *spec.get("en", ())]:
            phrase = tuple(token_keys(form))
            if phrase and len(phrase) <= MAX_PHRASE:
                phrases.setdefault(phrase, name)
    version = f"{data.get('version', 'concepts')}-{hashlib.sha256(raw).hexdigest()[:8]}"
    starts = frozenset(phrase[0] for phrase in phrases)
    return Lexicon(phrases=phrases, concepts=concepts, version=version, starts=starts)


FAMILY_ROOT = 4  # letters two words of one concept share when they are one word family (поджог, поджечь)


@functools.cache
def word_families() -> dict[str, str]:
    """Russian lemma → the first-listed lemma of its word family, for the lexicon's one-word forms.

    Words the lexicon puts in one concept and that start alike are one root's derivations: «поджог» and
    «поджечь», «приговор» and «приговорить», «военкомат» and «военком». Their alternating roots (жог/жечь)
    defeat stemmers, while two reports of one event often name the act once as a noun and once as a verb.
    Words of one concept that start differently («суд», «приговор») stay apart: they tell different acts.
    """
    families: dict[str, str] = {}
    heads: dict[str, list[str]] = {}  # concept → its families' first lemmas
    for phrase, concept in load_lexicon().phrases.items():
        word = phrase[0]
        if len(phrase) != 1 or len(word) < FAMILY_ROOT or not _CYRILLIC.search(word) or word in families:
            continue
        known = heads.setdefault(concept, [])
        head = next((h for h in known if h[:FAMILY_ROOT] == word[:FAMILY_ROOT]), None)
        if head is None:
            known.append(word)
        else:
            families[word] = head
    return families


@functools.cache
def family_members() -> dict[str, tuple[str, ...]]:
    """Each lemma of a word family (`word_families`) → every lemma of it, the first-listed first: what a search
    for the word a family counts under must match («поджог» → поджог, поджечь), as reports write any of them."""
    members: dict[str, list[str]] = {}
    for word, head in word_families().items():
        members.setdefault(head, [head]).append(word)
    return {word: tuple(family) for family in members.values() for word in family}


def concept_counts(keys: list[str]) -> Counter[str]:
    """How often each concept occurs in a sequence of token keys (longest phrase first, no overlaps)."""
    lexicon = load_lexicon()
    phrases, starts = lexicon.phrases, lexicon.starts
    counts: Counter[str] = Counter()
    n = len(keys)
    free = 0  # the first position no phrase found so far covers
    for i in [i for i, key in enumerate(keys) if key in starts]:  # most words start no phrase
        if i < free:
            continue
        for size in range(min(MAX_PHRASE, n - i), 0, -1):
            name = phrases.get(tuple(keys[i : i + size]))
            if name is not None:
                counts[name] += 1
                free = i + size
                break
    return counts


def text_features(text: str, *, words: bool = True) -> dict[str, float]:
    """Sparse features of a text: `c:<concept>` and (optionally) `w:<lemma>`, valued `1 + ln(count)`."""
    keys = token_keys(text)
    features: dict[str, float] = {}
    for name, count in concept_counts(keys).items():
        features[f"c:{name}"] = 1.0 + math.log(count)
    if words:
        word_counts = Counter(k for k in keys if len(k) > 2 and k not in _STOP and not k[0].isdigit())
        for key, count in word_counts.items():
            features[f"w:{key}"] = 1.0 + math.log(count)
    return features
