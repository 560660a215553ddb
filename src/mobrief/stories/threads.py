"""Link a story to the earlier stories it continues: a case from arrest to sentence, a protest over months.

Candidates come from the full-text index (items that name the same person, unit or organisation, or
share the story's heaviest words, published before it and within the lookback), so finding them costs a
few index look-ups, not a scan of the archive. Each candidate is scored on the evidence a reader would
accept: the same people (strongest), the same units and organisations, the same places, and the same
topic (cosine of the stories' weighted lemmas). A name that hundreds of reports repeat («Путин») is not
evidence that two stories are one thread.

This module computes; it reads through a `StoryIndex` (the store's stories repository is one), and the use
case (`newsroom.clustering`) stores the links.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from mobrief import lemmas
from mobrief.enrich import features
from mobrief.records import StoredSignature
from mobrief.stories import same_event
from mobrief.stories.same_event import StoryProfile

LOOKBACK = dt.timedelta(days=365)
COMMON_NAME_HITS = 120  # a name matching this many items in the index is everywhere, not a thread
LINK_THRESHOLD = 0.55
MIN_TOPIC = 0.12  # below this the two stories are about different things, whoever they name
MAX_LINKS = 5

Query = tuple[tuple[str, ...], ...]
"""A search of the full-text index: every group must match, each through any of its lemmas."""


class StoryIndex(Protocol):
    """Where thread linking looks for earlier stories: the full-text index, the stories of the items it finds,
    and the stories' stored profiles (`store.stories` is one)."""

    def items_matching(self, queries: Iterable[Query], *, limit: int) -> dict[Query, list[int]]:
        """For each query (groups of lemmas that must all match, each through any of its lemmas), the ids of the
        items ranked first, up to `limit`, in no particular order."""
        ...

    def some_items_matching(self, queries: Iterable[Query], *, limit: int) -> dict[Query, list[int]]:
        """For each query, up to `limit` ids of the items matching it, any of them (every match when fewer)."""
        ...

    def stories_of_items(self, item_ids: Iterable[int]) -> dict[int, tuple[int, dt.datetime]]:
        """Each given item's story and publication time (items without a story left out)."""
        ...

    def signatures_of(self, story_ids: Iterable[int]) -> list[StoredSignature]:
        """The stored profiles of the given stories, in id order."""
        ...


class RememberingIndex:
    """A `StoryIndex` for one linking run that asks the full-text index each distinct search once and reads each
    story's profile once, however many batches of stories ask: a run's stories share names and heaviest words,
    and a batch's candidates are mostly the stories of the batches before it (benchmarks/enrich_store.py's 3,000
    items: 1,401 topic searches over 15 batches, 593 distinct; 14,178 profiles read, 2,861 distinct). The links
    stored meanwhile change neither, so every batch sees what the first to ask saw. The latest `SEARCHES`
    searches and `PROFILES` profiles (some 15 kB each) are kept."""

    SEARCHES = 20_000
    PROFILES = 5_000

    def __init__(self, index: StoryIndex) -> None:
        self._index = index
        self._found: OrderedDict[tuple[str, int, Query], list[int]] = OrderedDict()
        self._profiles: OrderedDict[int, StoredSignature | None] = OrderedDict()  # None: no such story or profile

    def items_matching(self, queries: Iterable[Query], *, limit: int) -> dict[Query, list[int]]:
        return self._asked_once("ranked", self._index.items_matching, queries, limit)

    def some_items_matching(self, queries: Iterable[Query], *, limit: int) -> dict[Query, list[int]]:
        return self._asked_once("some", self._index.some_items_matching, queries, limit)

    def stories_of_items(self, item_ids: Iterable[int]) -> dict[int, tuple[int, dt.datetime]]:
        return self._index.stories_of_items(item_ids)

    def signatures_of(self, story_ids: Iterable[int]) -> list[StoredSignature]:
        wanted = sorted(set(story_ids))
        new = [story_id for story_id in wanted if story_id not in self._profiles]
        if new:
            read = {stored.story_id: stored for stored in self._index.signatures_of(new)}
            for story_id in new:
                self._profiles[story_id] = read.get(story_id)
        found = []
        for story_id in wanted:
            self._profiles.move_to_end(story_id)
            stored = self._profiles[story_id]
            if stored is not None:
                found.append(stored)
        while len(self._profiles) > self.PROFILES:
            self._profiles.popitem(last=False)
        return found

    def _asked_once(
        self,
        kind: str,
        ask: Callable[..., dict[Query, list[int]]],
        queries: Iterable[Query],
        limit: int,
    ) -> dict[Query, list[int]]:
        wanted = list(dict.fromkeys(terms for terms in queries if terms))
        new = [terms for terms in wanted if (kind, limit, terms) not in self._found]
        if new:
            found = ask(new, limit=limit)
            for terms in new:
                self._found[kind, limit, terms] = found.get(terms, [])
        answers = {}
        for terms in wanted:
            self._found.move_to_end((kind, limit, terms))
            answers[terms] = self._found[kind, limit, terms]
        while len(self._found) > self.SEARCHES:
            self._found.popitem(last=False)
        return answers


@dataclass(frozen=True, slots=True, kw_only=True)
class ThreadLink:
    """A later story's link to an earlier one, with the score and the evidence."""

    story_id: int
    earlier_story_id: int
    score: float
    reasons: tuple[Mapping[str, Any], ...]

    def row(self) -> dict[str, Any]:
        """The link as `story_links` stores it beside its story id."""
        return {"earlier_story_id": self.earlier_story_id, "score": self.score, "reasons": list(self.reasons)}


def _profile(stored: StoredSignature) -> StoryProfile:
    return StoryProfile.from_json(stored.story_id, stored.first_seen, stored.last_seen, stored.signature)


def topic_similarity(a: StoryProfile, b: StoryProfile) -> float:
    """Cosine of two stories' weighted lemmas."""
    dot = sum(w * b.term_sum.get(t, 0.0) for t, w in a.term_sum.items())
    norm_a = math.sqrt(sum(w * w for w in a.term_sum.values()))
    norm_b = math.sqrt(sum(w * w for w in b.term_sum.values()))
    return dot / (norm_a * norm_b) if norm_a and norm_b else 0.0


def score_continuation(
    later: StoryProfile, earlier: StoryProfile, *, common: Iterable[str] = ()
) -> tuple[float, list[dict[str, Any]]]:
    """How likely `later` continues `earlier`, and why; 0 when they share no person, unit, org or place."""
    skip = set(common)
    shared = sorted(k for k in later.names if k in earlier.names and k not in skip)
    people = [k for k in shared if k.startswith("person:")]
    units = [k for k in shared if k.startswith("unit:")]
    orgs = [k for k in shared if k.startswith("org:")]
    places = sorted(k for k in later.places if k in earlier.places)
    topic = topic_similarity(later, earlier)
    if not (people or units or orgs or places):
        return 0.0, []

    def weigh(keys: list[str]) -> float:
        # a famous name («Путин», «Минобороны») says less than a rare one («Пушкарёв», «88-й полк»)
        return sum(sorted((same_event.name_weight(k) for k in keys), reverse=True)[:2])

    score = 0.45 * weigh(people) + 0.35 * weigh(units) + 0.15 * weigh(orgs)
    score += 0.1 * min(len(places), 2) + 0.8 * topic
    rare_actor = any(same_event.name_weight(k) >= 0.75 for k in people + units)
    if topic < MIN_TOPIC or (topic < 0.25 and not rare_actor):
        score = min(score, LINK_THRESHOLD - 0.05)  # a shared name in another subject is not a thread
    reasons: list[dict[str, Any]] = []
    for key in people + units + orgs:
        kind, _, name = key.partition(":")
        reasons.append({"kind": kind, "key": name, "label": later.name_labels.get(key, name)})
    for key in places:
        reasons.append({"kind": "place", "key": key, "label": later.place_names.get(key, key)})
    reasons.append({"kind": "topic", "score": round(topic, 3)})
    return round(score, 4), reasons


def _word_group(term: str) -> tuple[str, ...]:
    """What a search for one of a story's words must match: the word, or every lemma of its word family (a story
    counts «подожгли» under «поджог», and an earlier report may say either)."""
    return features.family_members().get(term, (term,))


def _queries(profile: StoryProfile) -> list[tuple[str, Query]]:
    """Full-text queries that find a story's possible predecessors: each name, then its heaviest words."""
    queries: list[tuple[str, Query]] = []
    for key in sorted(profile.names):
        kind, _, name = key.partition(":")
        name = profile.name_stems.get(key, name)  # keys are Latin; the stored lemmas are as the text wrote them
        if kind in ("person", "unit", "org"):
            terms = lemmas.query_terms(name)
            if terms:
                queries.append((key, tuple((term,) for term in terms)))
    heaviest = sorted(profile.term_sum.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    if len(heaviest) >= 2:
        queries.append(("topic", tuple(_word_group(t) for t, _ in heaviest[:2])))
    return queries


def find_earlier_stories(
    index: StoryIndex,
    story_id: int,
    *,
    lookback: dt.timedelta = LOOKBACK,
    limit: int = MAX_LINKS,
) -> list[ThreadLink]:
    """The earlier stories that `story_id` most likely continues, best first."""
    return find_earlier_stories_of(index, [story_id], lookback=lookback, limit=limit).get(story_id, [])


def find_earlier_stories_of(
    index: StoryIndex,
    story_ids: Iterable[int],
    *,
    lookback: dt.timedelta = LOOKBACK,
    limit: int = MAX_LINKS,
) -> dict[int, list[ThreadLink]]:
    """The earlier stories each of `story_ids` most likely continues, best first (story id → links).

    The stories' searches are asked together, each distinct one once (stories of one run share names), and
    the stories of every item found are read in one go: a few round trips for many stories, not several each.
    """
    laters = [_profile(stored) for stored in index.signatures_of(story_ids)]
    asked = {later.key: _queries(later) for later in laters}
    # a name matching COMMON_NAME_HITS items is left out whichever they are; a topic takes the best ranked
    named = index.some_items_matching(
        (terms for queries in asked.values() for key, terms in queries if key != "topic"), limit=COMMON_NAME_HITS
    )
    topics = index.items_matching(
        (terms for queries in asked.values() for key, terms in queries if key == "topic"), limit=COMMON_NAME_HITS
    )
    found_items = [item_id for hits in (named, topics) for found in hits.values() for item_id in found]
    placed = index.stories_of_items(found_items)
    candidates_of: dict[int, set[int]] = {}
    common_of: dict[int, set[str]] = {}
    for later in laters:
        before, after = later.first_seen, later.first_seen - lookback
        candidates: set[int] = set()
        common: set[str] = set()
        for key, terms in asked[later.key]:
            found = (topics if key == "topic" else named).get(terms, [])
            if len(found) >= COMMON_NAME_HITS and key != "topic":
                common.add(key)
                continue
            candidates |= {placed[i][0] for i in found if i in placed and after <= placed[i][1] < before}
        candidates.discard(later.key)
        candidates_of[later.key], common_of[later.key] = candidates, common
    earlier_of = {
        stored.story_id: _profile(stored) for stored in index.signatures_of(set().union(*candidates_of.values()))
    }
    found_links: dict[int, list[ThreadLink]] = {}
    for later in laters:
        links = []
        for candidate in sorted(candidates_of[later.key]):
            earlier = earlier_of.get(candidate)
            if earlier is None or earlier.first_seen >= later.first_seen:
                continue
            score, reasons = score_continuation(later, earlier, common=common_of[later.key])
            if score >= LINK_THRESHOLD:
                links.append(
                    ThreadLink(story_id=later.key, earlier_story_id=earlier.key, score=score, reasons=tuple(reasons))
                )
        links.sort(key=lambda link: (-link.score, -link.earlier_story_id))
        found_links[later.key] = links[:limit]
    return found_links
