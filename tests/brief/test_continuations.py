"""Matching a story's names against the published archive: the word index finds exactly what scanning every
paragraph with the names' patterns finds."""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence

from mobrief.brief import continuations
from mobrief.records import PublishedParagraph

WORDS = ["Petrov", "Ivanov", "O'Neil", "Belgorod", "Ministry of Defense", "Wagner", "Kursk", "the", "court",
         "Rosgvardia", "Kaluga", "Yekaterinburg", "Ulan-Ude", "Tatarstan", "mothers", "Pushkaryov"]  # fmt: skip
KEYS = [("petrov", "person"), ("ivanov", "person"), ("o'neil", "person"), ("belgorod", "place"),
        ("ministry of defense", "org"), ("wagner", "org"), ("kursk", "place"), ("ulan-ude", "place"),
        ("tatarstan", "place"), ("pushkaryov", "person"), ("kaluga", "place"), ("defense", "org"),
        ("petrov's", "person"), ("'neil", "person"), ("o'", "person")]  # fmt: skip


def _scan_every_paragraph(
    keys: Mapping[str, str], paragraphs: Sequence[PublishedParagraph]
) -> list[continuations.Continuation]:
    """The plain reading of the rule: every paragraph against every key's pattern."""
    best: dict[int, continuations.Continuation] = {}
    for paragraph in paragraphs:
        text = paragraph.text.lower()
        shared = tuple(k for k in keys if re.search(rf"\b{re.escape(k)}\b", text))
        score = sum(continuations.WEIGHTS[keys[k]] for k in shared)
        people = sum(keys[k] == "person" for k in shared)
        if score < continuations.THRESHOLD or (people == 0 and score < continuations.THRESHOLD + 1):
            continue
        old = best.get(paragraph.brief_id)
        if old is None or score > old.score:
            best[paragraph.brief_id] = continuations.Continuation(
                brief_id=paragraph.brief_id, title=paragraph.title, url=paragraph.url, score=score, shared=shared
            )
    return sorted(best.values(), key=lambda c: c.score, reverse=True)


def test_the_word_index_finds_what_scanning_every_paragraph_finds() -> None:
    rng = random.Random(17)
    joints = [" ", " ", ", ", "'s ", "-", " — ", ". ", "’s "]
    paragraphs = [
        PublishedParagraph(
            brief_id=rng.randrange(12),
            title=f"Brief {n}",
            url=None,
            period_end=None,
            text="".join(rng.choice(WORDS) + rng.choice(joints) for _ in range(rng.randint(3, 14))),
        )
        for n in range(300)
    ]
    archive = continuations.Archive(paragraphs)
    for _ in range(200):
        keys = dict(rng.sample(KEYS, rng.randint(1, 5)))
        expected = _scan_every_paragraph(keys, paragraphs)
        assert continuations.find_continuations(keys, archive) == expected
        assert continuations.find_continuations(keys, paragraphs) == expected


def test_a_brief_is_continued_by_a_story_sharing_a_surname_and_a_place() -> None:
    paragraph = PublishedParagraph(
        brief_id=3,
        title="Mobilization in Russia for May 27–28, 2024",
        url="https://briefs.example/2024-05-28",
        period_end=None,
        text="A court in Kaluga sentenced Alexei Pushkaryov to six years for an arson attempt.",
    )
    keys = continuations.story_keys([{"kind": "person", "latin": "Alexei Pushkaryov"}], [{"name": "the Kaluga region"}])
    (found,) = continuations.find_continuations(keys, continuations.Archive([paragraph]))
    assert (found.brief_id, found.shared, found.score) == (3, ("pushkaryov", "kaluga"), 4.0)
    assert continuations.find_continuations({"kaluga": "place"}, [paragraph]) == []  # a place alone is not enough
