"""Tell a multi-topic digest post («Вечерний итог: …», five bulleted stories) from a report, and read it as its parts.

A digest is told by its shape rather than by a word: several short parts — bulleted, numbered or emoji-led lines,
short paragraphs under a heading, or clauses listed after a short heading — on subjects that share few words with
each other. A report that lists the sentences of one case or the payments of several regions repeats its words from
part to part (and opens with a sentence that introduces the list), so it is read as one story.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import re
from collections.abc import Iterable, Iterator

from mobrief import lemmas
from mobrief.records import DIGEST_OF, DIGEST_PARTS, Item, digest_part_id

VERSION = "digests-4"
MIN_PART = 40  # characters: a bulleted part or paragraph tells a story of its own
MAX_BLOCK = 400  # characters: a digest's paragraphs are short; a report's paragraphs run longer
MAX_HEADING_WORDS = 8
MAX_OVERLAP = 0.4  # share of the shorter part's content words two parts have in common: as much tells one story
MIN_CLAUSE_WORDS = 3

_PART_START = re.compile(r"^\s*(?:[•▪►▶◾●○◼■\-–—*]|\d{1,2}[.)]\s|[\U0001F300-\U0001FAFF\u2600-\u27BF])\uFE0F?")
_BLANK_LINE = re.compile(r"\n\s*\n")
_HEADED_LIST = re.compile(r"^\s*([^\n:.!?]{2,60}):\s*(.+)", re.DOTALL)
_SENTENCE_END = re.compile(r"[.!?…](?:\s|$)")
_CLAUSE_SPLIT = re.compile(r"\s*[,;]\s*")
_VERB_TAGS = frozenset({"VERB", "PRTS", "INFN"})


def _words(text: str) -> list[str]:
    return lemmas.WORD_RE.findall(text)


@functools.lru_cache(maxsize=100_000)
def _is_verb(word: str) -> bool:
    return lemmas.is_cyrillic(word) and lemmas.parses(word)[0].tag.POS in _VERB_TAGS


def _has_verb(text: str) -> bool:
    """Whether a Russian word of `text` reads first as a verb or short participle (a clause, not a heading)."""
    return any(_is_verb(w) for w in _words(text))


def _is_heading(text: str) -> bool:
    """A digest's heading: a few words and no verb («Вечерний итог», «Главное на 18:00», "In brief")."""
    return 0 < len(_words(text)) <= MAX_HEADING_WORDS and not _has_verb(text)


def _content(text: str) -> set[str]:
    return {lemmas.lemma(w) for w in _words(text) if len(w) >= 4 and not w.isdigit()}


def distinct(parts: list[str]) -> bool:
    """Whether the parts tell different stories: no two of them share MAX_OVERLAP of their content words (a
    headline and its lead, or two paragraphs about one person, do)."""
    bags = [_content(part) for part in parts]
    pairs = [len(a & b) / min(len(a), len(b)) if a and b else 0.0 for a, b in itertools.combinations(bags, 2)]
    return bool(pairs) and max(pairs) < MAX_OVERLAP


def _marked(text: str) -> tuple[str, list[str]]:
    """The lines before the first bulleted or numbered line, and the bulleted parts (with their run-on lines)."""
    head: list[str] = []
    parts: list[str] = []
    for line in (line.strip() for line in text.splitlines()):
        if not line:
            continue
        if _PART_START.match(line):
            parts.append(line)
        elif parts:
            parts[-1] += "\n" + line
        else:
            head.append(line)
    return "\n".join(head), [part for part in parts if len(part) >= MIN_PART]


def _listed_clauses(text: str) -> list[str]:
    """Clauses listed after a short heading in one sentence: «Вечерний итог: выплаты растут, суды выносят …»."""
    found = _HEADED_LIST.match(text)
    if found is None or not _is_heading(found.group(1)):
        return []
    rest = found.group(2)
    end = _SENTENCE_END.search(rest)
    sentence = rest[: end.start()] if end else rest
    clauses = [c for c in _CLAUSE_SPLIT.split(sentence) if c]
    if len(clauses) < 3 or any(len(_words(c)) < MIN_CLAUSE_WORDS for c in clauses):
        return []
    if any(lemmas.is_cyrillic(c) and not _has_verb(c) for c in clauses):
        return []  # a list of places or names after a colon, not of stories
    return clauses


def _about_one_subject(head: str, found: list[str]) -> bool:
    """Whether the heading names what the parts are about («Что известно о деле Пушкарёва»: two parts or more
    share a word with it); a digest's heading names a time or a kind of post, not a subject."""
    named = _content(head)
    return bool(named) and sum(1 for part in found if named & _content(part)) >= 2


def parts(text: str) -> list[str]:
    """The parts of a digest post, or [] when the post tells one story."""
    head, marked = _marked(text)
    if len(marked) >= 3:
        headed = not head or (_is_heading(head) and not _about_one_subject(head, marked))
        if (len(marked) >= 4 or (head and headed)) and headed and distinct(marked):
            return marked
        return []
    blocks = [b.strip() for b in _BLANK_LINE.split(text) if b.strip()]
    if len(blocks) >= 4 and _is_heading(blocks[0]):
        body = blocks[1:]
        if all(MIN_PART <= len(b) <= MAX_BLOCK for b in body) and distinct(body):
            return [] if _about_one_subject(blocks[0], body) else body
    clauses = _listed_clauses(text)
    return clauses if distinct(clauses) else []


def is_recap(found: list[str]) -> bool:
    """Whether a digest's parts are too short to stand as reports: a one-line recap («выплаты растут, суды выносят
    приговоры») names the day's stories as headlines; their reports tell them."""
    return any(len(part) < MIN_PART for part in found)


def told_in_parts(text: str) -> list[str]:
    """The parts of a digest that tell stories of their own (bulleted lines, paragraphs), without their bullets;
    [] for a report, and for a one-line recap."""
    found = parts(text)
    if not found or is_recap(found):
        return []
    return [_PART_START.sub("", part, count=1).strip() for part in found]


def with_parts(item: Item) -> list[Item]:
    """The item, followed by each story a digest post tells as an item of its own: same source, URL, date and
    author, and the post's external id under `DIGEST_OF` in its raw record; the post's raw record notes how many
    under `DIGEST_PARTS`."""
    if DIGEST_OF in item.raw:
        return [item]  # a part is never split again
    text = f"{item.title}\n{item.text}".strip() if item.title else item.text
    found = told_in_parts(text)
    if not found:
        return [item]
    return [dataclasses.replace(item, raw={**item.raw, DIGEST_PARTS: len(found)})] + [
        dataclasses.replace(
            item,
            external_id=digest_part_id(item.external_id, number),
            title="",
            text=part,
            links=(),
            forwarded_from=None,
            forwarded_from_id=None,
            reply_to=None,
            views=None,
            truncated=False,
            raw={DIGEST_OF: item.external_id, "part": number},
            snapshot=None,
            id=None,
        )
        for number, part in enumerate(found, start=1)
    ]


def split_digests(items: Iterable[Item]) -> Iterator[Item]:
    """Every item, each digest post followed by its parts (what ingest stores)."""
    for item in items:
        yield from with_parts(item)
