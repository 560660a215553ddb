"""Assign items to stories one at a time, in publication order: copy, near-copy, same event, or a new story.

Only stories seen within the window (72 hours by default) before an item are candidates, so the cost of
one item depends on how busy the window is, never on the size of the archive. Clustering a week in one
batch or item by item across runs gives the same stories, because a story's profile is all the state
there is and it reloads exactly (`StoryProfile.to_json`).
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from mobrief import batch_runtime
from mobrief.stories import near_duplicates, same_event
from mobrief.stories.same_event import DEFAULT_WEIGHTS, MatchWeights, StoryProfile
from mobrief.stories.signatures import VECTOR_DIM, ItemSignature, heaviest

VECTOR_CANDIDATES = 5  # stories nearest in meaning that get a full score
TERM_CANDIDATES = 5  # stories sharing the item's heaviest lemmas and names that get a full score
POSTING_TERMS = 12  # a story is indexed under its heaviest lemmas (and all its names, places and numbers)
QUERY_TERMS = 8  # an item looks up its heaviest lemmas
SELECTIVE_POSTING = 50  # postings longer than this are too common to choose candidates by
LOOKAHEAD = 64  # items whose nearest stories are found in one matrix product
AHEAD_TOP = 16  # nearest rows kept per item from that product; rows changed since are scored again
RARITY_TERMS = 60  # the heaviest lemmas of each story count towards how common a word is in the window


@dataclass(frozen=True, slots=True, kw_only=True)
class Assignment:
    """Where one item went: the story key, how it was matched, and the score."""

    item_id: int
    story_key: int
    method: str  # "new", "exact-url", "telegram", "text-hash", "forward", "minhash", "similar"
    score: float
    created: bool = False
    match: same_event.EventMatch | None = None


_KEY_METHODS = {"url": "exact-url", "tg": "telegram", "text": "text-hash", "fwd": "forward"}


class StoryClusterer:
    """The stories of the current window and the indexes that find candidates among them."""

    def __init__(
        self,
        *,
        window: dt.timedelta = dt.timedelta(hours=72),
        weights: MatchWeights = DEFAULT_WEIGHTS,
        new_key: Callable[[ItemSignature], int] | None = None,
    ) -> None:
        self.window = window
        self.weights = weights
        self.stories: dict[int, StoryProfile] = {}
        self._new_key = new_key or self._count
        self._last_key = 0
        self._heap: list[tuple[dt.datetime, int]] = []
        self._by_key: dict[str, int] = {}
        self._near = near_duplicates.NearDuplicateIndex()
        self._sketch_story: dict[int, int] = {}
        self._postings: dict[str, set[int]] = {}
        self._story_terms: dict[int, tuple[str, ...]] = {}
        self._rarity: Counter[str] = Counter()
        self._story_evidence: dict[int, frozenset[str]] = {}
        self._slots: dict[int, int] = {}
        self._free: list[int] = []
        self._matrix = np.zeros((64, VECTOR_DIM), dtype=np.float32)  # each story's mean vector at unit length
        self._mean_length = np.zeros(64, dtype=np.float64)  # and the mean vector's length
        self._slot_story: list[int | None] = []
        # nearest rows found ahead for the coming items (item id → slots, similarities), and the rows changed
        # since: those are scored again, the rest of the product still holds
        self._ahead: dict[int, tuple[list[int], list[float]]] = {}
        self._ahead_all_rows = False
        self._changed_rows: dict[int, None] = {}

    # ---- the window ----

    def load(self, profiles: Iterable[StoryProfile]) -> None:
        """Put stored stories (those seen within the window) back into play, in id order."""
        for profile in sorted(profiles, key=lambda p: p.key):
            self.stories[profile.key] = profile
            self._index(profile)

    def evict_before(self, moment: dt.datetime) -> list[StoryProfile]:
        """Drop stories last seen before `moment`; they can no longer take new items."""
        gone = []
        while self._heap and self._heap[0][0] < moment:
            last_seen, key = heapq.heappop(self._heap)
            profile = self.stories.get(key)
            if profile is None or profile.last_seen != last_seen:
                continue  # a stale entry: the story was seen again later
            self._unindex(profile)
            del self.stories[key]
            gone.append(profile)
        return gone

    def _count(self, _signature: ItemSignature) -> int:
        self._last_key += 1
        return self._last_key

    # ---- assignment ----

    def assign_all(self, signatures: Iterable[ItemSignature]) -> Iterator[Assignment]:
        """Assign items in order, as `assign` one by one would, finding the nearest stories of LOOKAHEAD items
        in one matrix product: one product for 64 items costs what four products for one item do."""
        with batch_runtime.long_batch():  # one BLAS thread: the other core is signing the next batch
            chunk: list[ItemSignature] = []
            for signature in signatures:
                chunk.append(signature)
                if len(chunk) == LOOKAHEAD:
                    yield from self._assign_chunk(chunk)
                    chunk = []
            yield from self._assign_chunk(chunk)

    def _assign_chunk(self, signatures: Sequence[ItemSignature]) -> Iterator[Assignment]:
        if signatures:
            self._look_ahead(signatures)
        for signature in signatures:
            yield self.assign(signature)

    def assign(self, signature: ItemSignature) -> Assignment:
        """Put one item into the best story of the window, or start a new one."""
        self.evict_before(signature.published_at - self.window)
        found = self._exact(signature) or self._near_copy(signature) or self._similar(signature)
        if found is not None:
            profile = self.stories[found.story_key]
            old_keys = set(profile.keys)
            profile.add(signature)
            self._index(profile, old_keys=old_keys)
            return found
        key = self._new_key(signature)
        profile = StoryProfile.start(key, signature)
        self.stories[key] = profile
        self._index(profile)
        return Assignment(item_id=signature.item_id, story_key=key, method="new", score=1.0, created=True)

    def _exact(self, signature: ItemSignature) -> Assignment | None:
        for key in signature.keys:
            story = self._by_key.get(key)
            if story is not None:
                method = _KEY_METHODS.get(key.split(":", 1)[0], "exact")
                return Assignment(item_id=signature.item_id, story_key=story, method=method, score=1.0)
        return None

    def _near_copy(self, signature: ItemSignature) -> Assignment | None:
        for item_id, similarity in self._near.query(signature.sketch):
            story = self._sketch_story.get(item_id)
            if story is not None:
                return Assignment(item_id=signature.item_id, story_key=story, method="minhash", score=similarity)
        return None

    def candidates(self, signature: ItemSignature) -> list[int]:
        """Stories worth a full score: nearest by meaning, and those sharing the item's rarest words, names, places
        or numbers (all a report in the other language can share)."""
        chosen: dict[int, None] = {}
        for slot in self._nearest_rows(signature):
            story = self._slot_story[slot]
            if story is not None:
                chosen[story] = None
        hits: dict[int, float] = {}
        keys = list(itertools.islice(signature.terms.items(), QUERY_TERMS))  # terms are heaviest first
        evidence = signature.names
        if signature.vector is None:  # no meaning vector (English): places and numbers also pick candidates
            evidence = evidence | signature.places | signature.numbers
        keys += [(name, 1.0) for name in sorted(evidence)]
        postings = self._postings
        for key, weight in keys:
            posting = postings.get(key)
            if posting is None or len(posting) > SELECTIVE_POSTING:
                continue  # a word or name half the window shares does not pick candidates
            for story in posting:
                hits[story] = hits.get(story, 0.0) + weight
        for _, story in heapq.nsmallest(TERM_CANDIDATES, [(-weight, story) for story, weight in hits.items()]):
            chosen[story] = None
        return sorted(chosen)

    def _look_ahead(self, signatures: Sequence[ItemSignature]) -> None:
        """Find the nearest rows of the window's matrix for each of the coming items, in one product.

        A product for many items and one for a single item may differ in a similarity's last bit, so only two
        stories within a rounding error of each other could be chosen differently item by item."""
        self._ahead.clear()
        self._changed_rows.clear()
        with_vectors = [s for s in signatures if s.vector is not None]
        used = len(self._slot_story)
        if not with_vectors or not self._slots:
            return
        sims = np.stack([s.vector for s in with_vectors]) @ self._matrix[:used].T  # type: ignore[misc]
        if self._free:
            sims[:, self._free] = -np.inf  # an empty row is no story
        kept = min(AHEAD_TOP, used)
        top = np.argpartition(-sims, kept - 1, axis=1)[:, :kept]
        self._ahead_all_rows = kept == used
        for signature, slots, values in zip(
            with_vectors, top.tolist(), np.take_along_axis(sims, top, axis=1).tolist(), strict=True
        ):
            self._ahead[signature.item_id] = (slots, values)

    def _nearest_rows(self, signature: ItemSignature) -> list[int]:
        """The rows of the window's stories nearest the item in meaning (cosine), nearest first, ties by row."""
        vector = signature.vector
        if vector is None or not self._slots:
            return []
        ahead = self._ahead.pop(signature.item_id, None)
        scored = self._unchanged(ahead) if ahead is not None else []
        if ahead is None or (len(scored) < VECTOR_CANDIDATES and not self._ahead_all_rows):
            # no product for this item yet, or most rows found for it changed since: one product now
            self._look_ahead([signature])
            scored = self._unchanged(self._ahead.pop(signature.item_id))
        story_of = self._slot_story
        rows = [s for s in self._changed_rows if story_of[s] is not None]
        if rows:
            scored += zip((-(self._matrix[rows] @ vector)).tolist(), rows, strict=True)
        return [slot for _, slot in heapq.nsmallest(VECTOR_CANDIDATES, scored)]

    def _unchanged(self, ahead: tuple[list[int], list[float]]) -> list[tuple[float, int]]:
        """(-similarity, row) of the rows found ahead that still hold the story they held then."""
        story_of, changed = self._slot_story, self._changed_rows
        return [(-x, s) for s, x in zip(*ahead, strict=True) if s not in changed and story_of[s] is not None]

    def _mean_similarities(self, signature: ItemSignature, stories: list[int]) -> list[float]:
        """The item's vector times each story's mean vector (`base_score`'s vector part), in one product."""
        if signature.vector is None or not stories:
            return [0.0] * len(stories)
        slots = [self._slots.get(story, -1) for story in stories]  # -1: a story without a vector
        rows = [max(slot, 0) for slot in slots]
        products = (self._matrix[rows] @ signature.vector) * self._mean_length[rows]
        return [value if slot >= 0 else 0.0 for slot, value in zip(slots, products.tolist(), strict=True)]

    def _similar(self, signature: ItemSignature) -> Assignment | None:
        best: Assignment | None = None
        damped = same_event.damped_terms(signature, self._rarity)
        weights = self.weights
        named, figures = same_event.evidence_ceiling(signature, weights)
        stories = self.candidates(signature)
        for story, vector in zip(stories, self._mean_similarities(signature, stories), strict=True):
            profile = self.stories[story]
            base = None
            if not same_event.crosses_languages(signature, profile):  # the other language is scored apart
                base = same_event.base_score(signature, profile, damped, weights, vector=vector)
                gates = same_event.evidence_gates(base[1], weights.evidence_lexical, weights)
                if base[0] + named * gates[0] + figures * gates[1] < weights.threshold:
                    continue  # even if every name, place and number it has were shared
            match = same_event.score_match(
                signature, profile, weights=weights, rarity=self._rarity, cutoff=weights.threshold, base=base
            )
            if match.score < weights.threshold:
                continue
            if best is None or match.score > best.score:
                best = Assignment(
                    item_id=signature.item_id,
                    story_key=story,
                    method="similar",
                    score=match.score,
                    match=match,
                )
        return best

    # ---- indexes over the window's stories ----

    def _index(self, profile: StoryProfile, *, old_keys: set[str] | None = None) -> None:
        """Index a new story, or (given the exact keys it had before its latest item) re-index a grown one:
        only what changed is updated, which is what keeps assignment cheap in a busy window."""
        key = profile.key
        heapq.heappush(self._heap, (profile.last_seen, key))
        if old_keys is not None:
            for exact in old_keys.difference(profile.keys):  # fell off the per-story cap
                if self._by_key.get(exact) == key:
                    del self._by_key[exact]
        for exact in profile.keys:
            self._by_key.setdefault(exact, key)
        for item_id in profile.dropped_sketches():
            self._near.remove(item_id)
            self._sketch_story.pop(item_id, None)
        for item_id, sketch in profile.sketches.items():
            if item_id not in self._sketch_story:
                self._near.add(item_id, sketch)
                self._sketch_story[item_id] = key
        ranked = [term for term, _ in heaviest(profile.term_sum, RARITY_TERMS)]
        evidence_keys = profile.names.keys() | profile.places.keys() | profile.numbers.keys()
        terms = tuple(ranked[:POSTING_TERMS]) + tuple(sorted(evidence_keys))
        old_terms = self._story_terms.get(key, ())
        self._story_terms[key] = terms
        for term in set(old_terms).difference(terms):
            self._drop_posting(term, key)
        for term in terms:
            self._postings.setdefault(term, set()).add(key)
        evidence = frozenset(profile.names) | frozenset(profile.places) | frozenset(profile.numbers)
        evidence |= frozenset(ranked)
        old_evidence = self._story_evidence.get(key, frozenset())
        self._story_evidence[key] = evidence
        rarity = self._rarity
        for gone in old_evidence - evidence:
            rarity[gone] -= 1
        rarity.update(evidence - old_evidence)  # counted in C: a new story brings some seventy keys
        vector_sum = profile.vector_sum
        norm = 0.0 if vector_sum is None else float(np.linalg.norm(vector_sum))
        if vector_sum is not None and norm:
            slot = self._slots.get(key)
            if slot is None:
                slot = self._free.pop() if self._free else len(self._slot_story)
                if slot == len(self._slot_story):
                    self._slot_story.append(None)
                if slot >= len(self._matrix):
                    self._matrix = np.vstack([self._matrix, np.zeros_like(self._matrix)])
                    self._mean_length = np.concatenate([self._mean_length, np.zeros_like(self._mean_length)])
                self._slots[key] = slot
            self._matrix[slot] = (vector_sum / norm).astype(np.float32)
            self._mean_length[slot] = norm / profile.vector_count
            self._slot_story[slot] = key
            self._changed_rows[slot] = None

    def _drop_posting(self, term: str, key: int) -> None:
        posting = self._postings.get(term)
        if posting is not None:
            posting.discard(key)
            if not posting:
                del self._postings[term]

    def _unindex(self, profile: StoryProfile) -> None:
        """Take a story that leaves the window out of every index."""
        key = profile.key
        for exact in profile.keys:
            if self._by_key.get(exact) == key:
                del self._by_key[exact]
        for term in self._story_terms.pop(key, ()):
            self._drop_posting(term, key)
        self._rarity.subtract(self._story_evidence.pop(key, frozenset()))
        slot = self._slots.pop(key, None)
        if slot is not None:
            self._matrix[slot] = 0.0
            self._slot_story[slot] = None
            self._free.append(slot)
        for item_id in profile.sketches:
            self._near.remove(item_id)
            self._sketch_story.pop(item_id, None)


def cluster_signatures(
    signatures: Iterable[ItemSignature],
    *,
    window: dt.timedelta = dt.timedelta(hours=72),
    weights: MatchWeights = DEFAULT_WEIGHTS,
) -> list[Assignment]:
    """Cluster items in one batch, in publication order (then id), as `cluster_pending` does across runs."""
    clusterer = StoryClusterer(window=window, weights=weights)
    return list(clusterer.assign_all(sorted(signatures, key=lambda s: (s.published_at, s.item_id))))


def story_partition(assignments: Iterable[Assignment]) -> Mapping[int, int]:
    """Item id → story key, following the assignments."""
    return {a.item_id: a.story_key for a in assignments}
