"""The small frozen records that cross rooms: items, snapshots, mentions, amounts, stories, briefs."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mobrief.errors import NotFound

# the section key of paragraphs printed under no heading (style.sections.UNHEADED; the store keeps it as is)
UNHEADED = "unknown"
# the raw key of an item read out of a digest post: the post's external id in the same source (its provenance;
# the part keeps the post's URL and date, and shares no URL key with its sibling parts in clustering)
DIGEST_OF = "digest_of"
# the raw key ingest adds to a digest post whose parts it stored as items: how many (the post then lists no story)
DIGEST_PARTS = "digest_parts"


DIGEST_PART_MARK = "#part-"  # in a part's external id, between the post's and the part's number


def digest_part_id(external_id: str, number: int) -> str:
    """The external id of a digest's part: the post's, and the part's place in it (stable across re-imports)."""
    return f"{external_id}{DIGEST_PART_MARK}{number}"


def digest_part_ids(external_id: str, raw: Mapping[str, Any] | None, after: int = 0) -> list[str]:
    """The external ids of the parts a stored digest post names in its raw record, past the first `after`."""
    count = raw.get(DIGEST_PARTS) if isinstance(raw, Mapping) else None
    return [digest_part_id(external_id, n) for n in range(after + 1, count + 1)] if isinstance(count, int) else []


def utc(value: dt.datetime) -> dt.datetime:
    """The same instant as an aware UTC datetime (naive values are taken as UTC)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


@dataclass(frozen=True, slots=True, kw_only=True)
class Snapshot:
    """The bytes of a page as fetched, kept so a claim stays citable after the page changes."""

    url: str
    content_type: str
    body: bytes
    fetched_at: dt.datetime

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()


@dataclass(frozen=True, slots=True, kw_only=True)
class Item:
    """One report from one source: a Telegram post, a feed entry, an article, a note."""

    source: str
    external_id: str
    url: str | None = None
    published_at: dt.datetime
    title: str = ""
    text: str = ""
    lang: str | None = None
    author: str | None = None
    links: tuple[str, ...] = ()
    edited_at: dt.datetime | None = None
    edited: bool = False  # the source marks it edited (edited_at, when known, says when)
    author_id: str | None = None  # the sender's id in the source (a Telegram export's `from_id`)
    forwarded_from: str | None = None  # who first posted a forwarded message: a name
    forwarded_from_id: str | None = None  # their id, or the original post's URL, where the source gives one
    reply_to: str | None = None  # external id of the message this one answers, in the same source
    views: int | None = None  # as the source last showed them
    truncated: bool = False  # text cut at the size limit; raw holds all of it
    deleted_at: dt.datetime | None = None  # when the store saw the source no longer show it (it stays citable)
    raw: Mapping[str, Any] = field(default_factory=dict)
    snapshot: Snapshot | None = None
    id: int | None = None  # set on items read back from the store

    @property
    def content_hash(self) -> str:
        """Hash of what a reader sees (title and text), used to spot edits and verbatim copies."""
        return hashlib.sha256(f"{self.title}\n{self.text}".encode()).hexdigest()


@dataclass(frozen=True, slots=True, kw_only=True)
class Mention:
    """A named thing found in a text: a person, organisation, outlet, unit or place."""

    kind: str  # "person", "org", "outlet", "unit", "place", "channel", "party"
    text: str
    normalized: str
    latin: str
    start: int = -1
    end: int = -1


@dataclass(frozen=True, slots=True, kw_only=True)
class Amount:
    """A sum of money, a count of people or a prison term found in a text."""

    currency: str  # "RUB", "USD", "EUR"; "people" for counts; "months" for prison terms
    value: float
    text: str
    usd: float | None = None
    value_to: float | None = None  # upper end of a range ("from 1.7 to 2 million")
    per: str | None = None  # "month", "year" … when the amount is periodic
    start: int = -1
    end: int = -1


@dataclass(frozen=True, slots=True, kw_only=True)
class Story:
    """Items that tell the same event, however many outlets reported it."""

    id: int
    title: str
    first_seen: dt.datetime
    last_seen: dt.datetime
    item_ids: tuple[int, ...] = ()
    outlets: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    section: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class BriefSection:
    """One section of a brief: canonical key, the heading as printed, its paragraphs."""

    key: str
    heading: str | None
    paragraphs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Brief:
    """A brief, published or draft: title, period and sections in order."""

    title: str
    period_start: dt.date | None
    period_end: dt.date | None
    sections: tuple[BriefSection, ...] = ()
    url: str | None = None
    id: int | None = None
    status: str = "published"

    def as_dict(self) -> dict[str, Any]:
        """The brief in the archive's JSON form (DESIGN.md); unheaded sections export `key: null, heading: null`."""
        return {
            "id": self.id,
            "title": self.title,
            "period_start": self.period_start.isoformat() if self.period_start else None,
            "period_end": self.period_end.isoformat() if self.period_end else None,
            "status": self.status,
            "url": self.url,
            "sections": [
                {
                    "heading": section.heading,
                    "key": None if section.key == UNHEADED else section.key,
                    "paragraphs": list(section.paragraphs),
                }
                for section in self.sections
            ],
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class Source:
    """A configured source to poll (feed, channel, article): its adapter kind, location and polling state."""

    name: str
    stream: str
    url: str
    enabled: bool = True
    id: int | None = None
    state: Mapping[str, Any] = field(default_factory=dict)
    poll_interval: float | None = None  # seconds between polls, as the last polls set it
    next_poll_at: dt.datetime | None = None
    last_polled_at: dt.datetime | None = None
    failures: int = 0  # polls in a row that failed
    last_error: str | None = None
    disabled_reason: str | None = None  # why polling stopped by itself (repeated hard failures)


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    """One story's paragraph in a brief, with the items it rests on."""

    story_id: int | None
    section: str
    text: str
    status: str = "to-write"
    item_ids: tuple[int, ...] = ()
    sources: tuple[Mapping[str, Any], ...] = ()
    previously: tuple[Mapping[str, Any], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ArchiveParagraph:
    """One paragraph of a stored brief with where it stood: what glossary mining and section training read."""

    brief_id: int
    period_end: dt.date | None
    section_key: str
    heading: str | None
    position: int
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Place:
    """A place named in a text: its gazetteer key, its name as the brief writes it, and the words matched."""

    key: str  # "belgorod-region", "moscow", "occupied-zaporizhzhia-region"
    name: str  # "the Belgorod region"
    text: str  # «Белгородской области», as written
    kind: str = "region"  # region / city / occupied
    start: int = -1
    end: int = -1


@dataclass(frozen=True, slots=True, kw_only=True)
class Enrichment:
    """What enrichment understood about one item; `stage_versions` says which version of each stage produced it."""

    item_id: int
    lang: str | None = None
    relevance: float | None = None
    is_relevant: bool | None = None
    section: str | None = None
    section_confidence: float | None = None
    entities: tuple[Mention, ...] = ()
    places: tuple[Place, ...] = ()
    amounts: tuple[Amount, ...] = ()
    stage_versions: Mapping[str, str] = field(default_factory=dict)
    editor_section: str | None = None
    editor_decision: str | None = None  # "keep" / "skip"


@dataclass(frozen=True, slots=True, kw_only=True)
class EnrichedItem:
    """A stored item with what enrichment found in it (None/empty until enrichment has run): what clustering reads."""

    id: int
    source: str
    external_id: str
    url: str | None = None
    published_at: dt.datetime
    title: str = ""
    text: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict)
    lang: str | None = None
    is_relevant: bool | None = None
    section: str | None = None
    entities: tuple[Mapping[str, Any], ...] = ()
    places: tuple[Mapping[str, Any], ...] = ()
    amounts: tuple[Mapping[str, Any], ...] = ()
    search_lemmas: str = ""  # the lemmas of title and text, as the store keeps them for search


@dataclass(frozen=True, slots=True, kw_only=True)
class GlossUse:
    """One gloss a term has had in the archive, with how often and when: the history behind a canonical gloss."""

    gloss: str
    count: int = 0
    first_seen: dt.date | None = None
    last_seen: dt.date | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class GlossaryTerm:
    """A name the house glosses or spells its own way: `Rosgvardia [the Russian National Guard]`.

    `gloss` is None for a spelling-only override; `russian` holds the Russian forms that map to `term` (what the
    enrichment gazetteer and transliteration overrides read); `variants` are other glosses seen, `spellings` other
    ways the term was written; `gloss_rate` is the share of archive briefs mentioning the term that glossed it.
    """

    term: str
    gloss: str | None
    kind: str = "term"  # term / outlet / region / institution / person / override
    russian: tuple[str, ...] = ()
    variants: tuple[str, ...] = ()
    spellings: tuple[str, ...] = ()
    history: tuple[GlossUse, ...] = ()
    count: int = 0
    mentioned_in: int = 0
    first_seen: dt.date | None = None
    last_seen: dt.date | None = None
    origin: str = "user"  # default / mined / user
    id: int | None = None

    @property
    def gloss_rate(self) -> float | None:
        """Share of the archive briefs mentioning the term that glossed it; None when not measured."""
        if self.mentioned_in <= 0:
            return None
        return min(1.0, self.count / self.mentioned_in)


@dataclass(frozen=True, slots=True, kw_only=True)
class ExchangeRate:
    """An official Bank of Russia rate: rubles per unit of `currency`, in force from `date` until the next row."""

    date: dt.date
    currency: str
    rate: float


DRAFTED = "drafted"  # a machine draft that passed the fact guard
NEEDS_CHECK = "needs-check"  # the fact guard found fault: an editor must check it before publishing


@dataclass(frozen=True, slots=True, kw_only=True)
class DraftSentence:
    """One English sentence and the Russian sentence it rests on (item id, character span, its text)."""

    text: str
    item_id: int | None
    start: int = -1
    end: int = -1
    source_text: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "item_id": self.item_id,
            "start": self.start,
            "end": self.end,
            "source_text": self.source_text,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DraftSentence:
        return cls(
            text=str(data.get("text", "")),
            item_id=data.get("item_id"),
            start=int(data.get("start", -1)),
            end=int(data.get("end", -1)),
            source_text=str(data.get("source_text", "")),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """Something the fact guard could not trace to the reports, or a backend's note on why it fell back."""

    kind: str  # "number", "name", "spelling", "missing-name", "cyrillic", "fallback"
    text: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "text": self.text, "message": self.message}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Finding:
        return cls(kind=str(data.get("kind", "")), text=str(data.get("text", "")), message=str(data.get("message", "")))


@dataclass(frozen=True, slots=True, kw_only=True)
class StoryDraft:
    """A story's English draft: its sentences, the backend that wrote it and what the fact guard found."""

    story_id: int
    text: str
    status: str
    backend: str
    backend_version: str
    sentences: tuple[DraftSentence, ...] = ()
    findings: tuple[Finding, ...] = ()
    item_ids: tuple[int, ...] = ()  # the reports it was drafted from

    def as_dict(self) -> dict[str, Any]:
        """The draft as the CLI's JSON shows it."""
        return {
            "story_id": self.story_id,
            "status": self.status,
            "backend": self.backend,
            "text": self.text,
            "sentences": [s.as_dict() for s in self.sentences],
            "findings": [f.as_dict() for f in self.findings],
        }


# ---- what composing reads of a period (store → brief) ----


@dataclass(frozen=True, slots=True, kw_only=True)
class PeriodItem:
    """One report of a story, with what enrichment found in it."""

    id: int
    outlet: str
    url: str | None
    published_at: dt.datetime
    title: str
    text: str
    lang: str | None
    relevance: float | None
    is_relevant: bool | None
    section: str | None
    entities: tuple[Mapping[str, Any], ...]
    places: tuple[Mapping[str, Any], ...]
    amounts: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class EarlierBrief:
    """A published brief that told an earlier story this one continues."""

    brief_id: int
    title: str
    url: str | None
    period_end: dt.date | None
    story_id: int
    score: float


@dataclass(frozen=True, slots=True, kw_only=True)
class PeriodStory:
    """A story with at least one relevant report in the period."""

    id: int
    title: str
    section: str | None
    pinned: bool
    entry_text: str | None
    last_seen: dt.datetime
    items: tuple[PeriodItem, ...]
    earlier: tuple[EarlierBrief, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class PublishedParagraph:
    """A paragraph of a published brief, with the brief it stands in."""

    brief_id: int
    title: str
    url: str | None
    period_end: dt.date | None
    text: str


# ---- a draft brief as the editor and composing see it (store → brief) ----


@dataclass(frozen=True, slots=True, kw_only=True)
class DraftEntry:
    id: int
    position: int
    text: str
    story_id: int | None
    item_ids: tuple[int, ...]
    status: str | None
    sources: tuple[Mapping[str, Any], ...]
    previously: tuple[Mapping[str, Any], ...]
    edited: bool
    backend: str | None = None  # the drafting backend that wrote a machine draft
    sentences: tuple[Mapping[str, Any], ...] = ()  # each drafted sentence with the Russian sentence it rests on
    findings: tuple[Mapping[str, Any], ...] = ()  # what the fact guard could not trace to the reports


@dataclass(frozen=True, slots=True, kw_only=True)
class DraftSection:
    id: int
    position: int
    key: str
    heading: str | None
    entries: tuple[DraftEntry, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Draft:
    """A brief with the editor's view of its entries (ids, positions, provenance)."""

    id: int
    title: str
    period_start: dt.date | None
    period_end: dt.date | None
    status: str
    published_at: dt.datetime | None
    sections: tuple[DraftSection, ...]
    corrects_brief_id: int | None = None  # a draft correcting this published brief

    def entry(self, entry_id: int) -> DraftEntry:
        for section in self.sections:
            for entry in section.entries:
                if entry.id == entry_id:
                    return entry
        raise NotFound(f"no entry {entry_id} in brief {self.id}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Placement:
    """Where an entry stands in a draft, with the whole entry only when an editor wrote or moved it."""

    section: str
    id: int
    story_id: int | None
    edited: DraftEntry | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DraftLayout:
    """A draft as composing it again needs it: the brief, where each entry stands (sections in order, entries in
    order), and in full only the entries an editor touched (decoding the provenance of 10,000 machine entries,
    which composing replaces anyway, cost half a second)."""

    id: int
    title: str
    period_start: dt.date | None
    period_end: dt.date | None
    status: str
    placements: tuple[Placement, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredSignature:
    """A story's stored clustering profile with its time span, as clustering reloads it."""

    story_id: int
    first_seen: dt.datetime
    last_seen: dt.datetime
    title: str
    signature: Mapping[str, Any]
