"""Decide whether an item tells a story's event: average similarity to the story's items, plus evidence.

Two reports of one event share rare words and meaning (tf-idf lemmas, navec vectors), and usually the
people, places and figures; two events of the same kind — bonus increases in two regions, two verdicts —
share the words but name different places, people and sums. So the score is the average link to the
story's items, raised by shared names, places and numbers, lowered when both sides name places or
people and none of them agree. Shared evidence counts in full only once the words agree too (Putin and
Moscow are in every other report); a shared figure needs half that backing: a follow-up report (queues
at recruiting points after a payment rise) retells the event's sum and place in new words.
A story keeps running sums, so scoring costs the same for a story of two items or two hundred, and its profile
can be stored and reloaded exactly.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from sys import intern
from typing import Any

import numpy as np

from mobrief import lemmas
from mobrief.stories import signatures
from mobrief.stories.signatures import VECTOR_DIM, ItemSignature, Vector

PROFILE_TERMS = 200  # lemmas kept per story; the rest weigh almost nothing in the average
PROFILE_KEYS = 200  # exact keys kept per story (the newest)
PROFILE_SKETCHES = 16  # near-copy sketches kept per story (the newest items)
# 4: items per script and concept sums (cross-language matching); person names keyed by Latin surname;
# 3: terms as one string of lemmas and base64 of their float64 weights (2: a {lemma: weight} object);
# 2: the vector as base64 of its float32 bytes (1: a list of floats). Older versions are still read.
PROFILE_VERSION = 4


@dataclass(frozen=True, slots=True, kw_only=True)
class MatchWeights:
    """How much each kind of evidence counts; one object so tests and benchmarks can vary it."""

    threshold: float = 0.21
    vector: float = 0.6  # per unit of navec cosine above `vector_base`
    vector_base: float = 0.75
    person: float = 0.12
    other_name: float = 0.06
    place: float = 0.10
    number: float = 0.08
    place_conflict: float = 0.5  # both name regions, none agree (bonus increases in two regions): near veto
    person_conflict: float = 0.08  # both name people, none agree: weaker, outlets quote other officials
    protagonist_conflict: float = 0.2  # the item is about someone else, and does not name the story's people
    evidence_lexical: float = 0.3  # evidence counts fully once the words are this similar, less below
    number_backing: float = 0.5  # a shared figure counts fully at this share of that similarity: sums are rarer
    max_names: int = 3
    max_numbers: int = 3
    # a report in the other language shares no words with the story: the kind of event (bilingual concepts)
    # stands in for the words, and names, places and numbers must carry the rest
    cross_concept: float = 0.3  # per unit of concept cosine above `cross_concept_base`
    cross_concept_base: float = 0.3
    cross_evidence_concept: float = 0.3  # evidence counts fully once the concepts are this similar


DEFAULT_WEIGHTS = MatchWeights()


@dataclass(frozen=True, slots=True, kw_only=True)
class EventMatch:
    """How well an item fits a story, with the evidence an editor can read."""

    score: float
    lexical: float
    vector: float
    shared_names: tuple[str, ...] = ()
    shared_places: tuple[str, ...] = ()
    shared_numbers: tuple[str, ...] = ()
    conflicts: tuple[str, ...] = ()


def voted_section(votes: Mapping[str, int]) -> str | None:
    """A story's section: the one most of its items' votes name (relevant items vote twice), first by name on a tie."""
    if not votes:
        return None
    best = max(votes.values())
    return sorted(s for s, n in votes.items() if n == best)[0]


@dataclass(slots=True, kw_only=True)
class StoryProfile:
    """Running sums over a story's items, which later items are matched against; `stories.signature`."""

    key: int
    first_seen: dt.datetime
    last_seen: dt.datetime
    size: int = 0
    term_sum: dict[str, float] = field(default_factory=dict)
    vector_sum: Vector | None = None
    vector_count: int = 0
    names: Counter[str] = field(default_factory=Counter)
    places: Counter[str] = field(default_factory=Counter)
    regions: Counter[str] = field(default_factory=Counter)
    numbers: Counter[str] = field(default_factory=Counter)
    sections: Counter[str] = field(default_factory=Counter)
    outlets: list[str] = field(default_factory=list)
    place_names: dict[str, str] = field(default_factory=dict)
    name_labels: dict[str, str] = field(default_factory=dict)
    relevant: int = 0  # items judged on the beat
    person_count: int = 0  # person mentions over the items (a conflict needs people on both sides)
    protagonists: Counter[str] = field(default_factory=Counter)  # how many items are about each person
    keys: list[str] = field(default_factory=list)
    sketches: dict[int, tuple[int, ...]] = field(default_factory=dict)  # item id → MinHash values (newest)
    title: str = ""
    title_rank: tuple[int, int] = (-1, -1)
    scripts: Counter[str] = field(default_factory=Counter)  # items per script ("ru", "en"); empty before v4
    concept_sum: dict[str, float] = field(default_factory=dict)
    name_stems: dict[str, str] = field(default_factory=dict)  # name key → how the text writes it, for search
    item_ids: list[int] = field(default_factory=list)  # items added in this run (not stored in the signature)

    @classmethod
    def start(cls, key: int, signature: ItemSignature) -> StoryProfile:
        profile = cls(key=key, first_seen=signature.published_at, last_seen=signature.published_at)
        profile.add(signature)
        return profile

    def add(self, signature: ItemSignature) -> None:
        """Fold one item into the sums (and the title, outlets and section vote)."""
        self.size += 1
        self.scripts[signature.script] += 1
        if signature.concepts:
            concept_sum = self.concept_sum
            concept_sum.update({c: concept_sum.get(c, 0.0) + w for c, w in signature.concepts.items()})
        self.item_ids.append(signature.item_id)
        self.first_seen = min(self.first_seen, signature.published_at)
        self.last_seen = max(self.last_seen, signature.published_at)
        term_sum = self.term_sum
        term_sum.update({term: term_sum.get(term, 0.0) + weight for term, weight in signature.terms.items()})
        if len(self.term_sum) > PROFILE_TERMS + PROFILE_TERMS // 4:  # trim now and then, not every time
            self.term_sum = dict(signatures.heaviest(self.term_sum, PROFILE_TERMS))
        if signature.vector is not None:
            if self.vector_sum is None:
                self.vector_sum = np.zeros(VECTOR_DIM, dtype=np.float32)
            self.vector_sum = self.vector_sum + signature.vector
            self.vector_count += 1
        self.names.update(signature.names)
        self.person_count += len(signature.people)
        self.protagonists.update(signature.protagonists)
        self.places.update(signature.places)
        self.regions.update(signature.regions)
        self.numbers.update(signature.numbers)
        if signature.section:
            self.sections[signature.section] += 2 if signature.is_relevant else 1
        if signature.outlet not in self.outlets:
            self.outlets.append(signature.outlet)
        if signature.is_relevant:
            self.relevant += 1
        for name_key in signature.names:
            self.name_labels.setdefault(name_key, signature.name_labels.get(name_key, name_key))
        for name_key, stem in signature.name_stems.items():  # a Russian spelling wins: search reads Russian
            current = self.name_stems.get(name_key)
            if current is None or (signature.script == "ru" and not _cyrillic(current)):
                self.name_stems[name_key] = stem
        for place_key in signature.places:
            self.place_names.setdefault(place_key, signature.place_names.get(place_key, place_key))
        for key in signature.keys:
            if key not in self.keys:
                self.keys.append(key)
        del self.keys[:-PROFILE_KEYS]
        if signature.sketch:
            self.sketches[signature.item_id] = signature.sketch
        rank = (int(signature.is_relevant is not False), int(bool(signature.title)))
        if rank > self.title_rank:
            self.title, self.title_rank = signature.title, rank

    def dropped_sketches(self) -> list[int]:
        """Item ids whose sketches fall off the per-story cap (oldest first), removed from the profile."""
        extra = len(self.sketches) - PROFILE_SKETCHES
        if extra <= 0:
            return []
        old = list(self.sketches)[:extra]
        for item_id in old:
            del self.sketches[item_id]
        return old

    @property
    def people(self) -> bool:
        """Whether any item of the story names a person."""
        return self.person_count > 0

    @property
    def section(self) -> str | None:
        return voted_section(self.sections)

    def place_list(self) -> list[str]:
        """Place names, most often named first."""
        ordered = sorted(self.places.items(), key=lambda kv: (-kv[1], kv[0]))
        return [self.place_names.get(key, key) for key, _ in ordered]

    # ---- storage: a JSON document that reloads into an identical profile ----

    def to_json(self) -> dict[str, Any]:
        return {
            "version": PROFILE_VERSION,
            "size": self.size,
            # lemmas hold no whitespace; packed, 200 weights cost a tenth of what 200 floats in JSON do
            "terms": "\n".join(self.term_sum),
            "term_weights": _floats_text(self.term_sum.values()),
            # base64 of the float32 bytes: exact, and 60 times cheaper to write than 300 floats in JSON
            "vector": None if self.vector_sum is None else _vector_text(self.vector_sum),
            "vector_count": self.vector_count,
            "names": dict(self.names),
            "places": dict(self.places),
            "regions": dict(self.regions),
            "protagonists": dict(self.protagonists),
            "place_names": self.place_names,
            "name_labels": self.name_labels,
            "relevant": self.relevant,
            "numbers": dict(self.numbers),
            "sections": dict(self.sections),
            "outlets": self.outlets,
            "keys": self.keys,
            "sketches": {str(k): list(v) for k, v in self.sketches.items()},
            "title": self.title,
            "title_rank": list(self.title_rank),
            "scripts": dict(sorted(self.scripts.items())),
            "concepts": dict(sorted(self.concept_sum.items())),  # sorted: JSONB sorts keys anyway
            "name_stems": dict(sorted(self.name_stems.items())),
        }

    @classmethod
    def from_json(
        cls, key: int, first_seen: dt.datetime, last_seen: dt.datetime, data: Mapping[str, Any]
    ) -> StoryProfile:
        vector = data.get("vector")
        rank = data.get("title_rank") or [-1, -1]
        return cls(
            key=key,
            first_seen=first_seen,
            last_seen=last_seen,
            size=int(data.get("size", 0)),
            term_sum=_term_sum_from(data),
            vector_sum=None if vector is None else _vector_from(vector),
            vector_count=int(data.get("vector_count", 0)),
            names=Counter({str(k): int(v) for k, v in (data.get("names") or {}).items()}),
            places=Counter({str(k): int(v) for k, v in (data.get("places") or {}).items()}),
            regions=Counter({str(k): int(v) for k, v in (data.get("regions") or {}).items()}),
            protagonists=Counter({str(k): int(v) for k, v in (data.get("protagonists") or {}).items()}),
            numbers=Counter({str(k): int(v) for k, v in (data.get("numbers") or {}).items()}),
            sections=Counter({str(k): int(v) for k, v in (data.get("sections") or {}).items()}),
            outlets=[str(x) for x in data.get("outlets") or []],
            place_names={str(k): str(v) for k, v in (data.get("place_names") or {}).items()},
            name_labels={str(k): str(v) for k, v in (data.get("name_labels") or {}).items()},
            relevant=int(data.get("relevant", 0)),
            person_count=sum(int(v) for k, v in (data.get("names") or {}).items() if str(k).startswith("person:")),
            keys=[str(x) for x in data.get("keys") or []],
            sketches={int(k): tuple(int(x) for x in v) for k, v in (data.get("sketches") or {}).items()},
            title=str(data.get("title") or ""),
            title_rank=(int(rank[0]), int(rank[1])),
            scripts=Counter({str(k): int(v) for k, v in (data.get("scripts") or {}).items()}),
            concept_sum={str(k): float(v) for k, v in (data.get("concepts") or {}).items()},
            name_stems={str(k): str(v) for k, v in (data.get("name_stems") or {}).items()},
        )


def _cyrillic(text: str) -> bool:
    return any("а" <= ch <= "я" for ch in text.lower())


def _floats_text(values: Iterable[float]) -> str:
    return base64.b64encode(np.fromiter(values, dtype="<f8").tobytes()).decode("ascii")


def _term_sum_from(data: Mapping[str, Any]) -> dict[str, float]:
    """A stored profile's term weights, lemmas interned as signatures' are."""
    terms = data.get("terms") or {}
    if isinstance(terms, str):
        weights = np.frombuffer(base64.b64decode(data.get("term_weights") or ""), dtype="<f8").tolist()
        return dict(zip(map(intern, terms.split("\n") if terms else []), weights, strict=True))
    return {intern(str(k)): float(v) for k, v in terms.items()}


def _vector_text(vector: Vector) -> str:
    return base64.b64encode(np.ascontiguousarray(vector, dtype="<f4").tobytes()).decode("ascii")


def _vector_from(stored: str | list[float]) -> Vector:
    if isinstance(stored, str):
        return np.frombuffer(base64.b64decode(stored), dtype="<f4").astype(np.float32)
    return np.asarray(stored, dtype=np.float32)


@functools.lru_cache(maxsize=100_000)
def name_weight(key: str) -> float:
    """How much sharing a name says: «Путин» or «Минобороны» is in every other report, «Скочиленко» is not.

    Read off the name's rarest word in navec's news corpus; places and numbers (no letters) count fully.
    """
    kind, _, name = key.partition(":")
    if kind not in ("person", "org", "unit"):
        return 1.0
    words = [w for w in lemmas.words(name) if not w.isdigit()]
    if not words:
        return 1.0
    rarest = max(signatures.idf(w.lower()) for w in words)
    return min(1.0, max(0.25, (rarest - 8.0) / 4.0))


def _upper_bound(
    signature: ItemSignature, profile: StoryProfile, score: float, lexical: float, weights: MatchWeights
) -> float:
    """The best `score_match` could give, from counts of shared keys alone (each counting at most 1)."""
    people = len(signature.people & profile.names.keys())
    others = len(signature.names & profile.names.keys()) - people
    places = len(signature.places & profile.places.keys())
    numbers = len(signature.numbers & profile.numbers.keys())
    bonus = weights.person * min(people, weights.max_names) + weights.other_name * min(others, weights.max_names)
    bonus += weights.place * min(places, 2)
    figures = weights.number * min(numbers, weights.max_numbers)
    named, counted = evidence_gates(lexical, weights.evidence_lexical, weights)
    bound = score + bonus * named + figures * counted
    if signature.regions and profile.regions and not places:
        bound -= weights.place_conflict
    if not people and signature.people and profile.people:
        bound -= weights.person_conflict
    if _about_someone_else(signature, profile):
        bound -= weights.protagonist_conflict
    return bound


def _about_someone_else(signature: ItemSignature, profile: StoryProfile) -> bool:
    """The item is about people the story is not about, and does not even name the story's protagonists."""
    if not signature.protagonists or not profile.protagonists:
        return False
    theirs = profile.protagonists.keys()
    return not (signature.protagonists & theirs) and not (signature.people & theirs)


def _shared(item_keys: frozenset[str], story_keys: Counter[str]) -> tuple[str, ...]:
    if not item_keys or not story_keys:
        return ()
    return tuple(sorted(item_keys & story_keys.keys()))


def _damping(spread: int) -> float:
    """How much a key shared by `spread` stories of the window still counts: 1, 0.71, 0.58 …"""
    return _DAMPING[spread] if 0 <= spread < len(_DAMPING) else 1.0 / math.sqrt(max(spread, 1))


_DAMPING = [1.0] + [1.0 / math.sqrt(n) for n in range(1, 256)]


def _evidence(keys: tuple[str, ...], most: int, spread: Mapping[str, int]) -> float:
    if not keys:
        return 0.0
    weights = sorted((name_weight(k) * _damping(spread.get(k, 1)) for k in keys), reverse=True)
    return sum(weights[:most])


def damped_terms(signature: ItemSignature, rarity: Mapping[str, int]) -> dict[str, float]:
    """The item's term weights, each damped by how many stories of the window carry the term."""
    damping, most_spread, get = _DAMPING, len(_DAMPING), rarity.get
    return {
        term: weight * (damping[count] if 0 <= (count := get(term, 1)) < most_spread else _damping(count))
        for term, weight in signature.terms.items()
    }


def base_score(
    signature: ItemSignature,
    profile: StoryProfile,
    damped: Mapping[str, float],
    weights: MatchWeights,
    *,
    vector: float | None = None,
) -> tuple[float, float, float]:
    """The score before evidence, with its lexical and vector parts: what every candidate story costs.

    The lexical part is the average over the story's items in the item's own script (other scripts share no
    words with it). `vector` is the item's vector times the story's mean vector, if the caller has it already;
    when either side has no vector (English has none) the vector part says nothing either way."""
    term_sum = profile.term_sum
    # fsum is exact, so the sum is the same in any order, in every process
    lexical = math.fsum([damped[term] * term_sum[term] for term in damped.keys() & term_sum.keys()])
    lexical /= max(profile.scripts.get(signature.script, 0) or profile.size, 1)
    if signature.vector is None or profile.vector_sum is None or not profile.vector_count:
        return lexical, lexical, weights.vector_base
    if vector is None:
        vector = float(signature.vector @ profile.vector_sum) / profile.vector_count
    return lexical + weights.vector * (vector - weights.vector_base), lexical, vector


def crosses_languages(signature: ItemSignature, profile: StoryProfile) -> bool:
    """Whether the item is in a script none of the story's items are in (stories stored before v4: never)."""
    return bool(profile.scripts) and not profile.scripts.get(signature.script)


def concept_similarity(signature: ItemSignature, profile: StoryProfile) -> float:
    """The item's concepts times the story's mean concepts: how alike the kinds of event are."""
    concept_sum = profile.concept_sum
    if not signature.concepts or not concept_sum:
        return 0.0
    dot = math.fsum([w * concept_sum[c] for c, w in signature.concepts.items() if c in concept_sum])
    return dot / max(profile.size, 1)


def evidence_ceiling(signature: ItemSignature, weights: MatchWeights) -> tuple[float, float]:
    """The most shared names and places, and shared numbers, could add to this item's score, whatever the story
    (before `evidence_gates`): with `base_score`, a bound that turns most candidates down before any of their
    keys are compared."""
    people = min(len(signature.people), weights.max_names)
    others = min(len(signature.names) - len(signature.people), weights.max_names)
    places = min(len(signature.places), 2)
    numbers = min(len(signature.numbers), weights.max_numbers)
    named = weights.person * people + weights.other_name * others + weights.place * places
    return named, weights.number * numbers


def evidence_gates(similarity: float, full_at: float, weights: MatchWeights) -> tuple[float, float]:
    """How much of the shared names and places, and of the shared numbers, counts at this similarity of the
    words (or across languages, of the concepts): names fully at `full_at`, figures already at half of it."""
    similarity = max(similarity, 0.0)
    return min(1.0, similarity / full_at), min(1.0, similarity / (full_at * weights.number_backing))


def score_match(
    signature: ItemSignature,
    profile: StoryProfile,
    *,
    weights: MatchWeights = DEFAULT_WEIGHTS,
    rarity: Mapping[str, int] | None = None,
    cutoff: float | None = None,
    damped: Mapping[str, float] | None = None,
    base: tuple[float, float, float] | None = None,
) -> EventMatch:
    """How well `signature` fits `profile`: average lexical and vector similarity to its items, plus evidence.

    With `cutoff`, a candidate that cannot reach it even if every shared name counted in full is
    turned down early, with an upper bound as its score.

    `rarity` counts, for each lemma, name, place or number, how many stories of the window carry it: a
    figure every bonus story repeats («400 тыс.») or the words every bonus story uses («единовременная
    выплата») count for less than what only this story has. That is how a busy week of look-alike events
    stays apart: the words they share are the words of the whole week. `damped` is `damped_terms` of the
    item under that rarity, when the caller scores one item against many stories, and `base` its `base_score`
    if the caller has it already.
    """
    spread = rarity or {}
    if crosses_languages(signature, profile):
        concepts = concept_similarity(signature, profile)
        score = weights.cross_concept * (concepts - weights.cross_concept_base)
        return _with_evidence(signature, profile, score, concepts, 0.0, weights, spread, weights.cross_evidence_concept)
    if base is None:
        base = base_score(
            signature, profile, damped if damped is not None else damped_terms(signature, spread), weights
        )
    score, lexical, vector = base
    if cutoff is not None:
        bound = _upper_bound(signature, profile, score, lexical, weights)
        if bound < cutoff:
            return EventMatch(score=bound, lexical=lexical, vector=vector)
    return _with_evidence(signature, profile, score, lexical, vector, weights, spread, weights.evidence_lexical)


def _with_evidence(
    signature: ItemSignature,
    profile: StoryProfile,
    score: float,
    lexical: float,
    vector: float,
    weights: MatchWeights,
    spread: Mapping[str, int],
    full_at: float,
) -> EventMatch:
    """The score raised by shared names, places and numbers (counted fully once `lexical`, the words' or across
    languages the concepts' similarity, reaches `full_at`) and lowered by conflicts."""
    names = _shared(signature.names, profile.names)
    places = _shared(signature.places, profile.places)
    numbers = _shared(signature.numbers, profile.numbers)
    people = tuple(n for n in names if n.startswith("person:"))
    if names or places or numbers:
        others = tuple(n for n in names if not n.startswith("person:"))
        bonus = weights.person * _evidence(people, weights.max_names, spread)
        bonus += weights.other_name * _evidence(others, weights.max_names, spread)
        bonus += weights.place * _evidence(places, 2, spread)
        figures = weights.number * _evidence(numbers, weights.max_numbers, spread)
        # shared names back up shared words; without the words, Putin and Moscow are in every other story,
        # while a sum the window's other stories do not carry (damped by `spread` if they do) is rarer
        named, counted = evidence_gates(lexical, full_at, weights)
        score += bonus * named + figures * counted
    conflicts = []
    if signature.regions and profile.regions and not places:
        conflicts.append("places")
        score -= weights.place_conflict
    if not people and signature.people and profile.people:
        conflicts.append("people")
        score -= weights.person_conflict
    if _about_someone_else(signature, profile):
        conflicts.append("protagonists")
        score -= weights.protagonist_conflict
    return EventMatch(
        score=score,
        lexical=lexical,
        vector=vector,
        shared_names=names,
        shared_places=places,
        shared_numbers=numbers,
        conflicts=tuple(conflicts),
    )
