"""What clustering knows of one item: exact keys, weighted lemmas, meaning vector, names, places, numbers.

Word weights come from the word counts navec ships (a 1.2-billion-word news corpus) for Russian and from
wordfreq's English frequencies for Latin-script words (navec knows Russian news, where "the" is rare), so an
item's weights never depend on what else is in the database: the same item always gets the same signature,
and clustering in one batch or item by item gives the same stories. What lets a report in English meet the
Russian reports of its event is language-free: people keyed by the Latin spelling of their surname, places
by gazetteer key, numbers by value, and the bilingual concepts of `enrich.features` (the kind of event).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import math
import re
from array import array
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from sys import intern
from typing import Any

import numpy as np
import numpy.typing as npt

from mobrief import lemmas
from mobrief.enrich import features
from mobrief.records import DIGEST_PARTS, EnrichedItem
from mobrief.stories import near_duplicates

Vector = npt.NDArray[np.float32]

VECTOR_DIM = 300
MAX_IDF = 16.0  # a word navec never saw is rare, but a typo must not outweigh a name
MIN_TERM_IDF = 6.0  # "год", "который", "в": too common to say which event a text tells
MAX_TERMS = 60  # the heaviest lemmas are enough to compare two reports; the tail is noise and cost
_NUMBER_RE = re.compile(
    r"(?<![\w.,])(\d{1,3}(?:[\s\u00a0\u202f]\d{3})+|\d{1,3}(?:,\d{3})+(?![\d,])|\d+(?:[.,]\d+)?)"
    r"(?:\s*(тыс|тысяч\w*|млн|миллион\w*|млрд|миллиард\w*|thousand|million|billion|k\b|%|процент\w*))?",
    re.IGNORECASE,
)
# an age written as one word with its number, the same in both languages: «19-летний студент», "a 19-year-old"
_AGE_RE = re.compile(
    r"(?<![\w.,])(\d{1,3})\s*-\s*(?:летн(?:ий|его|ему|им|ем|яя|ей|юю|ие|их|ими)|year-old)\b", re.IGNORECASE
)
_THOUSANDS_COMMAS = re.compile(r"\d{1,3}(?:,\d{3})+")
_SCALES = {"тыс": 1e3, "thousand": 1e3, "k": 1e3, "млн": 1e6, "миллион": 1e6, "million": 1e6}
_SCALES |= {"млрд": 1e9, "миллиард": 1e9, "billion": 1e9}
_SENTENCE_END = re.compile(r"[.!?…\n«\"“„(—-]\s*$")
# Kinds of entities that tell events apart; an outlet cited by two reports says little about the event.
_ENTITY_KINDS = {"person": "person", "per": "person", "org": "org", "unit": "unit", "party": "org"}


@dataclass(frozen=True, slots=True, kw_only=True)
class ItemSignature:
    """One item as clustering sees it; built once per item by `sign_item`."""

    item_id: int
    published_at: dt.datetime
    outlet: str
    title: str
    keys: tuple[str, ...]  # exact keys: same URL, same Telegram post, same text
    sketch: tuple[int, ...]  # MinHash of lemma 3-grams, for near-copies (empty for very short texts)
    terms: Mapping[str, float]  # unit-length tf-idf weights of lemmas, heaviest first (ties by lemma)
    vector: Vector | None  # unit-length weighted mean of navec word vectors
    names: frozenset[str]  # people, organisations, units: "person:зайцев"
    name_labels: Mapping[str, str]  # name key → its house Latin form, for people reading the evidence
    people: frozenset[str]  # the names that are people
    protagonists: frozenset[str]  # the people the item is about: in its headline, or named more than once
    places: frozenset[str]  # place keys from enrichment: regions and cities
    regions: frozenset[str]  # the places that are regions: two reports naming different regions disagree
    place_names: Mapping[str, str]  # place key → the name the brief uses
    numbers: frozenset[str]  # distinctive numbers and amounts: "2100000", "352.1"
    section: str | None = None
    is_relevant: bool | None = None
    script: str = "ru"  # "en" for English, "ru" for Russian (and Ukrainian): whose words can meet whose
    concepts: Mapping[str, float] = field(default_factory=dict)  # bilingual concepts, unit length: the event kind
    name_stems: Mapping[str, str] = field(default_factory=dict)  # name key → the name as the text writes it

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # signatures cross from the signing process packed: terms as one string (lemmas hold no whitespace) and
        # their weights, vector and sketch as bytes, a fifth faster to unpickle than the fields themselves; the
        # terms arrive as fresh strings and are interned again, or comparing them with the window's stories
        # would compare their characters
        return _unpacked_signature, (
            tuple(getattr(self, name) for name in _PLAIN_FIELDS),
            "\n".join(self.terms),
            array("d", self.terms.values()).tobytes(),
            None if self.vector is None else self.vector.tobytes(),
            array("I", self.sketch).tobytes(),
        )


def _unpacked_signature(
    plain: tuple[Any, ...], terms: str, weights: bytes, vector: bytes | None, sketch: bytes
) -> ItemSignature:
    return ItemSignature(
        **dict(zip(_PLAIN_FIELDS, plain, strict=True)),
        terms=dict(zip(map(intern, terms.split("\n")), array("d", weights), strict=True)) if terms else {},
        vector=None if vector is None else np.frombuffer(vector, dtype=np.float32),
        sketch=tuple(array("I", sketch)),
    )


_PLAIN_FIELDS = tuple(name for name in ItemSignature.__dataclass_fields__ if name not in ("terms", "vector", "sketch"))


@functools.cache
def _embedding() -> Any:
    from natasha import NewsEmbedding

    return NewsEmbedding()


@functools.cache
def _corpus_total() -> float:
    return float(sum(_embedding().vocab.counts))


@functools.cache
def _english_frequencies() -> dict[str, float]:
    import wordfreq

    return dict(wordfreq.get_frequency_dict("en", wordlist="large"))


_LATIN_WORD = re.compile(r"[a-z][a-z'-]*")


@functools.lru_cache(maxsize=300_000)
def _lookup(word: str) -> tuple[float, int]:
    """A lower-cased word's idf and its row in navec's vectors (-1 if navec lacks it).

    Russian words are weighed by navec's corpus; Latin-script words by English frequencies, and get no row:
    navec's vectors of English words come from Russian news, where they are names and quotes."""
    if _LATIN_WORD.fullmatch(word):
        frequency = _english_frequencies().get(word, 0.0)
        return (min(MAX_IDF, -math.log(frequency)) if frequency > 0 else MAX_IDF), -1
    vocab = _embedding().vocab
    index = vocab.word_ids.get(word)
    if index is None:
        return MAX_IDF, -1
    count = vocab.counts[index]
    return min(MAX_IDF, math.log(_corpus_total() / (count + 1.0))), int(index)


_terms: dict[str, tuple[float, int, str]] = {}  # lemma → `_term_info`; a plain dict is the fastest lookup here


def _term_info(term: str) -> tuple[float, int, str]:
    """A lemma's weight as a term (0 for words too common, single letters and numbers), its navec row, and the
    key it counts under, interned: its word family's (`features.word_families`: «поджечь» counts as «поджог»),
    else the lemma. A story compares its terms with thousands of items', and interned strings match by identity.
    """
    found = _terms.get(term)
    if found is not None:
        return found
    weight, row = _lookup(term)
    if weight < MIN_TERM_IDF or len(term) < 2 or term[0].isdigit():
        weight = 0.0
    if len(_terms) >= 300_000:
        _terms.clear()
    found = _terms[term] = (weight, row, intern(features.word_families().get(term, term)))
    return found


_SUBLINEAR = [1.0] + [1.0 + math.log(n) for n in range(1, 64)]


def idf(word: str) -> float:
    """Inverse document frequency of a lower-cased word, estimated from navec's corpus counts."""
    return _lookup(word)[0]


@functools.cache
def _codebook() -> tuple[Any, Any, Any]:
    """navec's product quantisation as flat arrays: codes (sub-space × centroid, piece), word codes, offsets."""
    pq = _embedding().pq
    codes = pq.codes.reshape(pq.qdim * pq.centroids, -1)
    offsets = np.arange(pq.qdim, dtype=np.int64) * int(pq.centroids)
    return codes, pq.indexes, offsets


def text_vector(weights: Mapping[int, float]) -> Vector | None:
    """The weighted mean of navec vectors (row → weight), unit length; None if there is none."""
    if not weights:
        return None
    rows = np.fromiter(weights.keys(), dtype=np.int64, count=len(weights))
    slots = _word_vectors.slots_of(rows)
    scale = np.fromiter(weights.values(), dtype=np.float32, count=len(weights))
    mean: Vector = scale @ _word_vectors.matrix[slots]
    norm = float(np.linalg.norm(mean))
    if norm == 0.0:
        return None
    return (mean / np.float32(norm)).astype(np.float32)


class _WordVectors:
    """navec's vectors of the words seen lately, unpacked into one matrix.

    navec stores its vectors product-quantised; unpacking a word costs a gather over its 100 codes, so each
    word is unpacked once and kept (news repeats its vocabulary), up to CAPACITY words, then the cache starts
    over. A table from navec row to cache slot keeps the lookups in numpy.
    """

    CAPACITY = 32_768  # 38 MB of float32

    def __init__(self) -> None:
        self.matrix = np.zeros((0, VECTOR_DIM), dtype=np.float32)
        self._slot = np.zeros(0, dtype=np.int32)  # navec row → cache slot, -1 when not cached
        self._used = 0

    def slots_of(self, rows: npt.NDArray[np.int64]) -> npt.NDArray[np.int32]:
        if not len(self._slot):
            self._slot = np.full(len(_embedding().vocab.words), -1, dtype=np.int32)
            self.matrix = np.zeros((self.CAPACITY, VECTOR_DIM), dtype=np.float32)
        slots = self._slot[rows]
        if (slots < 0).any():
            missing = np.unique(rows[slots < 0])
            if self._used + len(missing) > self.CAPACITY:
                self._slot[:] = -1
                self._used = 0
                missing = np.unique(rows)
            codes, indexes, offsets = _codebook()
            flat = (indexes[missing].astype(np.int64) + offsets).ravel()  # each word's code in each sub-space
            start, self._used = self._used, self._used + len(missing)
            self.matrix[start : self._used] = np.take(codes, flat, axis=0).reshape(len(missing), VECTOR_DIM)
            self._slot[missing] = np.arange(start, self._used, dtype=np.int32)
            slots = self._slot[rows]
        return slots


_word_vectors = _WordVectors()


def term_weights(lemma_list: Iterable[str]) -> tuple[dict[str, float], Vector | None]:
    """Unit-length sublinear tf-idf weights of a text's heaviest lemmas (word families as one), and its meaning
    vector.

    The vector is the mean of the navec vectors of all its weighted lemmas (not only the heaviest),
    weighted the same way, so one pass over the text gives both.
    """
    counts = Counter(lemma_list)
    scored: dict[str, float] = {}
    rows: dict[int, float] = {}
    get = _terms.get
    for term, count in counts.items():
        weight, row, interned = get(term) or _term_info(term)
        if weight:
            if count > 1:
                weight *= _SUBLINEAR[count] if count < len(_SUBLINEAR) else 1.0 + math.log(count)
            if weight > scored.get(interned, 0.0):  # two words of one family count as one, the heavier
                scored[interned] = weight
            if row >= 0:
                rows[row] = weight
    top = heaviest(scored, MAX_TERMS)
    norm = math.sqrt(sum(w * w for _, w in top)) or 1.0
    return {term: weight / norm for term, weight in top}, text_vector(rows)


def heaviest(weights: Mapping[str, float], count: int) -> list[tuple[str, float]]:
    """The `count` heaviest (term, weight) pairs, heaviest first, ties by term."""
    if len(weights) > count:
        # only pairs at least as heavy as the count-th weight can make the cut: sorting the floats alone finds it
        least = sorted(weights.values(), reverse=True)[count - 1]
        ranked = sorted([(-w, t) for t, w in weights.items() if w >= least])  # (-weight, term): no key function
    else:
        ranked = sorted([(-w, t) for t, w in weights.items()])
    return [(term, -weight) for weight, term in ranked[:count]]


def number_keys(text: str) -> set[str]:
    """Numbers that can tell one event from another: amounts with their scale, article numbers, counts.

    Days of the month and years are left out: every report has them. An age is kept whatever its size, keyed
    as one («19-year-old»): the person an event is about has the same age in every report of it, and a
    number that small is no day when «-летний» or "-year-old" follows it.
    """
    found: set[str] = set()
    if "летн" in text or "year-old" in text:  # a substring test costs a twentieth of the search
        found.update(f"{int(age)}-year-old" for age in _AGE_RE.findall(text))
    for match in _NUMBER_RE.finditer(text):
        digits, unit = match.group(1), (match.group(2) or "").lower()
        compact = "".join(digits.split()) if len(digits) > 3 else digits  # "1 200 000" → "1200000"
        if _THOUSANDS_COMMAS.fullmatch(compact):  # English "600,000"; "2,8" is a Russian decimal
            compact = compact.replace(",", "")
        scale = 1.0
        for prefix, factor in _SCALES.items():
            if unit.startswith(prefix):
                scale = factor
                break
        try:
            value = float(compact.replace(",", ".")) * scale
        except ValueError:
            continue
        if unit.startswith(("%", "процент")):
            found.add(f"{compact.replace(',', '.')}%")
            continue
        if scale == 1.0 and (value <= 31 or (1900 <= value <= 2100 and compact.isdigit())):
            continue
        found.add(f"{value:g}")
    return found


def _amount_keys(amounts: Iterable[Mapping[str, Any]]) -> set[str]:
    found: set[str] = set()
    for amount in amounts:
        value = amount.get("value")
        if isinstance(value, int | float) and value > 31:
            found.add(f"{float(value):g}")
        upper = amount.get("value_to")
        if isinstance(upper, int | float) and upper > 31:
            found.add(f"{float(upper):g}")
    return found


_SURNAME_OV = re.compile(r"^(\w{2,}(?:ов|ев|ин|ын))(?:а|у|ой|ым|ом|ого|ому|ых|ы|е)?$")
_SURNAME_SK = re.compile(r"^(\w{2,}(?:ск|цк))(?:ий|ая|ого|ому|им|ом|ой|ую|ие|их)$")
_LATIN_SURNAME_OV = re.compile(r"^(\w{2,}(?:ov|ev|in|yn))(?:a|u|oy|ym|om|ogo|omu|ykh|y|e)?$")
_LATIN_SURNAME_SK = re.compile(r"^(\w{2,}(?:sk|tsk))(?:y|iy|ii|aya|ogo|omu|im|om|oy|uyu|iye|ikh)$")


def surname_key(word: str) -> str:
    """A surname folded to one form: «Картаполовой» → «картаполов», «Азаркина» → «азаркин».

    The morphology dictionary knows few surnames and lemmatises them unevenly; these endings are regular.
    """
    low = word.lower().replace("ё", "е")
    for pattern in (_SURNAME_OV, _SURNAME_SK):
        match = pattern.match(low)
        if match:
            return match.group(1)
    return low


_SKELETON = (("kh", "h"), ("ks", "x"), ("ts", "c"), ("y", "i"), ("j", "i"), ("w", "v"), ("ie", "e"))


def latin_surname_key(latin: str) -> str:
    """A Latin surname folded so that its spellings meet: "Kartapolova", "Kartapolov" → "kartapolov";
    "Khabirov" and "Habirov", "Shoygu" and "Shoigu", "Dmitriev" and "Dmitryev" → one key."""
    low = re.sub(r"[^a-z]", "", latin.lower())
    for pattern in (_LATIN_SURNAME_OV, _LATIN_SURNAME_SK):
        match = pattern.match(low)
        if match:
            low = match.group(1)
            break
    for old, new in _SKELETON:
        low = low.replace(old, new)
    return re.sub(r"(.)\1+", r"\1", low)


def _last_word(name: str) -> str:
    words = [w for w in re.split(r"[\s.]+", name.strip(" .")) if w]
    return words[-1] if words else ""


def name_keys(entities: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Keys of the people, organisations and units an item names → their Latin forms.

    A person is keyed by the Latin spelling of the surname, so «Путин» in one report matches «Владимир Путин»
    in another and "Vladimir Putin" in an English one; organisations and units by their Latin form, which the
    gazetteer gives alike in both languages.
    """
    found: dict[str, str] = {}
    for entity in entities:
        kind = _ENTITY_KINDS.get(str(entity.get("kind") or "").lower())
        if kind is None:
            continue
        key = _entity_key(kind, entity)
        if key:
            found.setdefault(f"{kind}:{key}", str(entity.get("latin") or entity.get("normalized") or key))
    return found


def _entity_key(kind: str, entity: Mapping[str, Any]) -> str:
    latin = str(entity.get("latin") or "").strip()
    if kind == "person":
        key = latin_surname_key(_last_word(latin)) if latin else ""
        if key:
            return key
        name = str(entity.get("normalized") or entity.get("text") or "").strip()
        return surname_key(_last_word(name)) if name else ""
    name = latin or str(entity.get("normalized") or entity.get("text") or "")
    name = name.lower().replace("ё", "е").strip()
    return name.removeprefix("the ").strip()


def name_stems(entities: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Name key → the name as the item writes it: a person's surname stem («володин», for counting its
    mentions), an organisation's normalised name (what full-text search over the item's lemmas can find)."""
    found: dict[str, str] = {}
    for entity in entities:
        kind = _ENTITY_KINDS.get(str(entity.get("kind") or "").lower())
        if kind is None:
            continue
        key = _entity_key(kind, entity)
        name = str(entity.get("normalized") or entity.get("text") or "").lower().replace("ё", "е").strip()
        if kind == "person":
            name = surname_key(_last_word(name))
        if key and name:
            found.setdefault(f"{kind}:{key}", name)
    return found


def place_keys(places: Iterable[Mapping[str, Any]], *, regions_only: bool = False) -> dict[str, str]:
    """Keys of the places an item names (the enrichment's gazetteer key, else its name) → their names.

    With `regions_only`, cities are left out: a report naming Yoshkar-Ola does not disagree with one naming
    Mari El, but one naming the Tambov region disagrees with one naming the Leningrad region.
    """
    found: dict[str, str] = {}
    for place in places:
        key = place.get("key") or place.get("name")
        if not key or (regions_only and str(place.get("kind") or "region") == "city"):
            continue
        found.setdefault(str(key).lower(), str(place.get("name") or key))
    return found


def _is_headline(line: str) -> bool:
    if len(line) < 25 or line[:24].lower().startswith(("posted", "опубликовано")):
        return False
    letters = 0
    for word in line.split():  # four words with letters are enough; a page's first line can be all its text
        if word.isalpha() or any(c.isalpha() for c in word):
            letters += 1
            if letters >= 4:
                return True
    return False


def protagonists(stems: Mapping[str, str], text: str, headline: str) -> frozenset[str]:
    """The people an item is about (person key → surname stem): named in its headline, or more than once.

    A surname stem is in every inflection («володин» is in «Володина», «Володину»), so counting it in the
    lower-cased text counts the mentions.
    """
    low = text.lower().replace("ё", "е")
    head = headline.lower().replace("ё", "е")
    found = set()
    for key, stem in stems.items():
        if len(stem) >= 3 and (stem in head or low.count(stem) >= 2):
            found.add(key)
    return frozenset(found)


def concept_weights(lemma_list: list[str], *, english: bool) -> dict[str, float]:
    """The bilingual concepts a text names (`enrich.features`), sublinear counts at unit length."""
    keys = [features.english_stem(w) for w in lemma_list] if english else lemma_list
    counts = features.concept_counts(keys)
    weights = {name: 1.0 + math.log(count) for name, count in counts.items()}
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    return {name: w / norm for name, w in sorted(weights.items())}


def title_of(item: EnrichedItem, limit: int = 160) -> str:
    """A one-line title: the item's own, else its first sentence, cut at a word boundary."""
    head = (item.title.strip() or item.text.strip())[:2000]
    lines = [x.strip() for x in head.split("\n") if x.strip()]
    # a page's first lines are often a date, an age mark or a byline: take the first line that reads as words
    line = next((x for x in lines if _is_headline(x)), lines[0] if lines else "")
    sentence = re.split(r"(?<=[.!?…])\s", line, maxsplit=1)[0]
    if len(sentence) <= limit:
        return sentence
    cut = sentence[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:—- ") + "…"


def sign_item(item: EnrichedItem) -> ItemSignature:
    """Everything clustering needs to know about one item, computed once."""
    text = f"{item.title}\n{item.text}" if item.title else item.text
    keys = near_duplicates.exact_keys(
        url=item.url, source=item.source, external_id=item.external_id, text=text, raw=item.raw
    )
    if item.raw.get(DIGEST_PARTS):
        # a digest post whose stories ingest stored as reports of their own keeps a story of its own that nothing
        # joins by its words: its parts join the stories they tell
        item = dataclasses.replace(item, entities=(), places=(), amounts=())
        text = lemmas_text = ""
    else:
        lemmas_text = item.search_lemmas
    # the store keeps every item's lemmas (for search); lemmatise only what came without them
    lemma_list = lemmas_text.split() if lemmas_text else lemmas.lemmatize(text)
    terms, vector = term_weights(lemma_list)
    numbers = number_keys(text) | _amount_keys(item.amounts)
    places = place_keys(item.places)
    names = name_keys(item.entities)
    title = title_of(item)
    english = (item.lang or "")[:2] == "en"
    stems = name_stems(item.entities)
    return ItemSignature(
        item_id=item.id,
        published_at=item.published_at,
        outlet=item.source,
        title=title,
        keys=keys,
        sketch=near_duplicates.sketch_of(lemma_list),
        terms=terms,
        vector=vector,
        names=frozenset(names),
        name_labels=names,
        people=frozenset(k for k in names if k.startswith("person:")),
        protagonists=protagonists({k: v for k, v in stems.items() if k.startswith("person:")}, text, title),
        places=frozenset(places),
        regions=frozenset(place_keys(item.places, regions_only=True)),
        place_names=places,
        numbers=frozenset(numbers),
        section=item.section,
        is_relevant=item.is_relevant,
        script="en" if english else "ru",
        concepts=concept_weights(lemma_list, english=english),
        name_stems=stems,
    )
