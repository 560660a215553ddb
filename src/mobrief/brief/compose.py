"""Compose the draft brief of a period: one entry per relevant story, in house section order and house style.

An entry's text is the editor's English text when there is one, else an English report of the story with its
outlet named, else the story's machine draft (`drafted`, or `needs-check` when the fact guard found fault);
only a story nothing can draft gets the facts line and excerpt, marked "to-write". Composing again keeps what
editors wrote or moved. This module computes over the records it is given; `newsroom.compose` reads the period
and the draft through the store, drafts the stories that need it and saves what `lay_out` returns.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from mobrief.brief import continuations, formats
from mobrief.brief.drafting.records import without_aside
from mobrief.errors import ConfigError
from mobrief.records import (
    Brief,
    BriefSection,
    Draft,
    DraftEntry,
    DraftLayout,
    GlossaryTerm,
    PeriodItem,
    PeriodStory,
    PublishedParagraph,
    StoryDraft,
)
from mobrief.style import dates, engine, glossary, rubles, sections
from mobrief.style.rates import RateTable
from mobrief.style.transliteration import transliterate

# told each stage of a compose as it starts, with (done, total) when the stage counts: what the web app shows
ComposeProgress = Callable[[str, int | None, int | None], None]
EXCERPT_CHARS = 400
ENGLISH_CHARS = 1200
FALLBACK_SECTION = "authorities"
ENGLISH_REPORT = "english-report"  # the backend name of an entry taken from an English report
ORIGINAL_MARK = " Original ("  # starts the quoted source text of a to-write entry
# sentence openers that are not names, so "According to X, the …" may lower-case them
_COMMON_OPENERS = frozenset({
    "the", "a", "an", "in", "on", "at", "after", "before", "since", "during", "this", "these", "those",
    "several", "some", "many", "more", "most", "about", "over", "nearly", "almost", "around", "according",
    "last", "earlier", "later", "local", "police", "authorities", "officials", "residents", "relatives",
    "mothers", "wives", "families", "soldiers", "mobilized", "conscripts", "students", "prosecutors",
    "investigators", "two", "three", "four", "five", "six", "ten", "dozens", "hundreds", "one", "another",
    "currently", "now", "today", "yesterday", "meanwhile", "however", "also",
})  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class ComposedEntry:
    """One story's entry in the brief, with its provenance."""

    story_id: int | None
    status: str  # "written" (an editor's text), "drafted" (an English report or machine draft), "needs-check",
    # "to-write"
    text: str
    sources: tuple[Mapping[str, Any], ...] = ()
    item_ids: tuple[int, ...] = ()
    previously: tuple[Mapping[str, Any], ...] = ()
    entry_id: int | None = None
    backend: str | None = None  # who drafted it: a drafting backend's name, "english-report"; None for an editor
    sentences: tuple[Mapping[str, Any], ...] = ()  # drafted sentences with the Russian sentence each rests on
    findings: tuple[Mapping[str, Any], ...] = ()  # the fact guard's findings


@dataclass(frozen=True, slots=True, kw_only=True)
class ComposedSection:
    key: str
    heading: str | None
    entries: tuple[ComposedEntry, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ComposedBrief:
    """The draft of a period as the CLI prints it and the renderers take it."""

    id: int
    title: str
    period_start: dt.date
    period_end: dt.date
    status: str
    sections: tuple[ComposedSection, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of `mobrief brief compose --format json`."""
        return {
            "id": self.id,
            "title": self.title,
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
            "status": self.status,
            "sections": [
                {
                    "key": s.key,
                    "heading": s.heading,
                    "entries": [
                        {
                            "story_id": e.story_id,
                            "status": e.status,
                            "text": e.text,
                            "sources": [dict(x) for x in e.sources],
                            "item_ids": list(e.item_ids),
                            "previously": [dict(x) for x in e.previously],
                            "backend": e.backend,
                            "sentences": [dict(x) for x in e.sentences],
                            "findings": [dict(x) for x in e.findings],
                        }
                        for e in s.entries
                    ],
                }
                for s in self.sections
            ],
        }

    def render(self, fmt: str) -> str:
        """The draft in one output format, ending in a newline (JSON is `as_dict`: entries with their sources
        and status)."""
        if fmt == "json":
            return json.dumps(self.as_dict(), ensure_ascii=False, indent=2) + "\n"
        return formats.as_file(formats.render(self.as_brief(), fmt))

    def as_brief(self, *, with_links: bool = True) -> Brief:
        """The brief as the renderers take it; "previously reported" links are added to entries."""
        return Brief(
            id=self.id,
            title=self.title,
            period_start=self.period_start,
            period_end=self.period_end,
            status=self.status,
            sections=tuple(
                BriefSection(
                    key=s.key,
                    heading=s.heading,
                    paragraphs=tuple(_with_previously(e) if with_links else e.text for e in s.entries),
                )
                for s in self.sections
            ),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class PlannedEntry:
    """What composing wants for one story before the draft's own edits are taken into account."""

    story_id: int
    section: str
    importance: tuple[int, int, float]
    entry: ComposedEntry


@dataclass(slots=True)
class HouseStyle:
    """Glossary, rates and outlet spellings used for one compose run (`newsroom.compose.house_style_of` reads
    the newsroom's)."""

    terms: list[GlossaryTerm]
    rates: RateTable
    overrides: dict[str, str] = field(default_factory=dict)
    outlets: dict[str, str] = field(default_factory=dict)  # outlet as stored → as the brief names it (a cache)
    _glossed: frozenset[str] | None = None

    @property
    def glossed(self) -> frozenset[str]:
        """The folded names of the terms that carry a gloss (computed once, not once per entry)."""
        if self._glossed is None:
            self._glossed = frozenset(glossary.fold(t.term) for t in self.terms if t.gloss)
        return self._glossed


def _with_previously(entry: ComposedEntry) -> str:
    if not entry.previously:
        return entry.text
    first = entry.previously[0]
    if first.get("url"):
        return f"{entry.text} Previously reported: [{first['title']}]({first['url']})."
    return f'{entry.text} Previously reported in "{first["title"]}."'


# ---- one story → one entry ----


def outlet_name(name: str, style: HouseStyle) -> str:
    """An outlet as the brief names it: the glossary's term for its Russian name, else transliterated."""
    found = style.outlets.get(name)
    if found is None:
        found = style.overrides.get(name) or (
            transliterate(name, style.overrides) if re.search("[А-яЁё]", name) else name
        )
        style.outlets[name] = found
    return found


def _sources(story: PeriodStory, outlets: Sequence[str]) -> tuple[dict[str, Any], ...]:
    """Each report's link, its outlet as the brief names it (`outlets`, in the order of the reports) and time."""
    return tuple(
        {"url": item.url, "outlet": outlet, "published_at": item.published_at.isoformat()}
        for item, outlet in zip(story.items, outlets, strict=True)
    )


def _outlets(story: PeriodStory, style: HouseStyle) -> list[str]:
    return list(dict.fromkeys(outlet_name(item.outlet, style) for item in story.items))


def _section_of(story: PeriodStory) -> str:
    votes: dict[str, int] = {}
    for item in story.items:
        if item.section:
            votes[item.section] = votes.get(item.section, 0) + 1
    key = story.section or (max(votes, key=lambda k: (votes[k], -sections.order_of(k))) if votes else None)
    return key if key in sections.SECTION_ORDER else FALLBACK_SECTION


_SPACES = re.compile(r"\s+")


def _one_paragraph(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _clip(text: str, limit: int) -> str:
    text = _one_paragraph(text)
    if len(text) <= limit:
        return text
    cut = text[:limit]
    stop = max(cut.rfind(". "), cut.rfind("! "), cut.rfind("? "))
    return cut[: stop + 1] if stop > limit // 2 else cut.rsplit(" ", 1)[0] + " …"


_SENTENCE_END = re.compile(r"[.!?…][\"”»’)]*$")


def english_prose(text: str) -> str:
    """The running prose of an English report, without the page around it: a line is kept when it has no
    Cyrillic and reads as sentences (six words or more, ending as a sentence ends, not a title-cased headline).
    Saved pages carry datelines, bylines, headlines and captions on lines of their own."""
    kept = []
    for line in text.splitlines():
        line = line.strip()
        words = line.split()
        if len(words) < 6 or re.search("[А-яЁё]", line) or not _SENTENCE_END.search(line):
            continue
        capitalised = sum(w[:1].isupper() for w in words)
        if capitalised > 0.6 * len(words):
            continue
        kept.append(line)
    return " ".join(kept) or text


def attribute(text: str, outlet: str) -> str:
    """An English report with its outlet named in house style: "According to Mediazona, …"."""
    text = _one_paragraph(text)
    if outlet.lower() in text.lower():
        return text
    first, _, rest = text.partition(" ")
    if first.lower() in _COMMON_OPENERS and rest:
        text = first.lower() + " " + rest
    return f"According to {outlet}, {text}"


def english_rubles(value: float, value_to: float | None = None) -> str:
    """A ruble amount as the brief writes it: "3 million rubles", "200,000 rubles", "from 1 to 2 million"."""

    def number(v: float) -> str:
        for word, scale in (("billion", 1e9), ("million", 1e6)):
            if v >= scale:
                return f"{v / scale:.2f}".rstrip("0").rstrip(".") + f" {word}"
        return f"{round(v):,}"

    if value_to is not None and value_to != value:
        return f"from {number(value)} to {number(value_to)} rubles"
    return f"{number(value)} rubles"


def facts_line(story: PeriodStory, style: HouseStyle) -> str:
    """A draft entry from what enrichment extracted: outlets, places, people, amounts, then the excerpt."""
    outlets = _outlets(story, style)
    places = list(dict.fromkeys(p.get("name", "") for i in story.items for p in i.places if p.get("name")))
    people = list(
        dict.fromkeys(
            e.get("latin", "")
            for i in story.items
            for e in i.entities
            if e.get("kind") == "person" and len(str(e.get("latin", "")).split()) >= 2
        )
    )
    amounts: list[str] = []
    for item in story.items:
        for a in item.amounts:
            if a.get("currency") == "RUB" and a.get("value"):
                text = english_rubles(float(a["value"]), a.get("value_to") and float(a["value_to"]))
                if a.get("per"):
                    text += f" per {a['per']}"
                amounts.append(text)
    parts = [f"[To write] Reported by {', '.join(outlets)}."]
    if places:
        parts.append(f"Where: {'; '.join(p for p in places if p)}.")
    if people:
        parts.append(f"Who: {', '.join(p for p in people if p)}.")
    if amounts:
        parts.append(f"Amounts: {'; '.join(dict.fromkeys(amounts))}.")
    best = max(story.items, key=lambda i: (len(i.text) > 80, i.relevance or 0.0, -i.published_at.timestamp()))
    excerpt = _clip(f"{best.title}. {best.text}" if best.title and best.title not in best.text else best.text,
                    EXCERPT_CHARS)  # fmt: skip
    parts.append(f"Original ({outlet_name(best.outlet, style)}): «{excerpt}»")  # " ".join → ORIGINAL_MARK
    return " ".join(parts)


def previously_reported(
    story: PeriodStory, archive: Sequence[PublishedParagraph] | continuations.Archive
) -> tuple[dict[str, Any], ...]:
    """Published briefs the story continues: through linked earlier stories, then by names shared with the archive."""
    found: dict[int, dict[str, Any]] = {}
    for b in story.earlier:
        found.setdefault(
            b.brief_id, {"brief_id": b.brief_id, "title": b.title, "url": b.url, "score": round(b.score, 3)}
        )
    if not (archive.paragraphs if isinstance(archive, continuations.Archive) else archive):
        return tuple(found.values())  # no published paragraph to share a name with: the names are not read
    keys = continuations.story_keys(
        [e for i in story.items for e in i.entities], [p for i in story.items for p in i.places]
    )
    for c in continuations.find_continuations(keys, archive)[:2]:
        found.setdefault(
            c.brief_id,
            {"brief_id": c.brief_id, "title": c.title, "url": c.url, "score": c.score, "shared": list(c.shared)},
        )
    return tuple(found.values())


def _tells_in_english(story: PeriodStory) -> list[PeriodItem]:
    return [i for i in story.items if (i.lang or "").startswith("en") and i.text.strip()]


def needs_machine_draft(story: PeriodStory) -> bool:
    """Whether the story's entry is its machine draft: no editor wrote it and no English report tells it."""
    return not (story.entry_text and story.entry_text.strip()) and not _tells_in_english(story)


def plan_entry(
    story: PeriodStory,
    style: HouseStyle,
    archive: Sequence[PublishedParagraph] | continuations.Archive = (),
    machine_draft: StoryDraft | None = None,
) -> PlannedEntry:
    """The entry composing wants for a story, and how important the story is."""
    english = _tells_in_english(story)
    backend: str | None = None
    sentences: tuple[Mapping[str, Any], ...] = ()
    findings: tuple[Mapping[str, Any], ...] = ()
    if story.entry_text and story.entry_text.strip():
        status, text = "written", _one_paragraph(story.entry_text)
    elif english:
        best = max(english, key=lambda i: (i.relevance or 0.0, i.published_at))
        status, text = (
            "drafted",
            attribute(
                _clip(english_prose(best.text), ENGLISH_CHARS),
                without_aside(outlet_name(best.outlet, style)),
            ),
        )
        backend = ENGLISH_REPORT
    elif machine_draft is not None:
        status, text, backend = machine_draft.status, machine_draft.text, machine_draft.backend
        sentences = tuple([x.as_dict() for x in machine_draft.sentences])
        findings = tuple([x.as_dict() for x in machine_draft.findings]) if machine_draft.findings else ()
    else:
        status, text = "to-write", facts_line(story, style)
    previously = previously_reported(story, archive)
    outlets = [outlet_name(item.outlet, style) for item in story.items]
    entry = ComposedEntry(
        story_id=story.id,
        status=status,
        text=text,
        sources=_sources(story, outlets),
        item_ids=tuple([i.id for i in story.items]),
        previously=previously,
        backend=backend,
        sentences=sentences,
        findings=findings,
    )
    importance = (int(story.pinned), len(set(outlets)), story.last_seen.timestamp())
    return PlannedEntry(story_id=story.id, section=_section_of(story), importance=importance, entry=entry)


# ---- the whole brief ----


def strip_house_additions(text: str, style: HouseStyle) -> str:
    """`text` without the glosses of known terms and without ruble conversions, so they can be placed anew."""
    if "[" not in text and "$" not in text:  # a gloss needs its bracket, a conversion its dollar sign
        return text  # most entries, drafted afresh: not searched for either
    known = style.glossed
    cuts = [
        (p.bracket_start - 1, p.bracket_end) for p in glossary.find_gloss_pairs(text) if glossary.fold(p.term) in known
    ]
    cuts += [(a.end, a.conversion_end) for a in rubles.find_ruble_amounts(text) if a.conversion]
    out, last = [], 0
    for start, end in sorted(cuts):
        if start < last:
            continue
        out.append(text[last:start])
        last = end
    out.append(text[last:])
    return "".join(out)


def _split_original(text: str) -> tuple[str, str]:
    """An entry as (English part, quoted original): the original excerpt is never restyled."""
    head, mark, tail = text.partition(ORIGINAL_MARK)
    return head, mark + tail


def style_entries(texts: Sequence[str], day: dt.date, style: HouseStyle) -> list[str]:
    """House style over the entries as one brief: glosses at first mention in the brief, rubles converted.

    The quoted Russian original of a to-write entry is left exactly as the source wrote it.
    """
    heads, tails = zip(*(_split_original(_one_paragraph(t)) for t in texts), strict=True) if texts else ((), ())
    joined = "\n\n".join(strip_house_additions(h, style) for h in heads)
    styled = engine.apply_style(joined, day, engine.GlossIndex(style.terms), style.rates)
    parts = styled.split("\n\n") if texts else []
    if len(parts) != len(texts):  # never expected: the engine does not add paragraph breaks
        raise AssertionError("house style changed the number of entries")
    return [head + tail for head, tail in zip(parts, tails, strict=True)]


@dataclass(frozen=True, slots=True, kw_only=True)
class LaidOutDraft:
    """A draft as composing lays it out, ready to save: its title, its sections in house order with their
    headings, and every entry in order with its house-styled text."""

    title: str
    headings: tuple[tuple[str, str | None], ...]
    entries: tuple[tuple[str, ComposedEntry], ...]  # (section key, entry)
    texts: tuple[str, ...]  # each entry's text in house style

    def stored_entries(self) -> list[tuple[str, dict[str, Any]]]:
        """The entries as `DraftRepository.save_layout` stores them."""
        return [(key, _entry_fields(e, text)) for (key, e), text in zip(self.entries, self.texts, strict=True)]

    def as_saved(self, draft: DraftLayout, entry_ids: Sequence[int]) -> ComposedBrief:
        """The brief once saved in `draft` with these entry ids, as `composed_from` would read it back (reading
        10,000 entries again cost a second)."""
        if draft.period_start is None or draft.period_end is None:
            raise ConfigError(f"brief {draft.id} has no period")
        saved: dict[str, list[ComposedEntry]] = {}
        for (key, entry), text, entry_id in zip(self.entries, self.texts, entry_ids, strict=True):
            saved.setdefault(key, []).append(_as_saved(entry, text, entry_id))
        return ComposedBrief(
            id=draft.id,
            title=self.title,
            period_start=draft.period_start,
            period_end=draft.period_end,
            status=draft.status,
            sections=tuple(
                ComposedSection(key=key, heading=heading, entries=tuple(saved[key]))
                for key, heading in self.headings
                if saved.get(key)
            ),
        )


def lay_out(
    draft: DraftLayout,
    stories: Sequence[PeriodStory],
    style: HouseStyle,
    *,
    start: dt.date,
    end: dt.date,
    archive: Sequence[PublishedParagraph] | continuations.Archive = (),
    machine_drafts: Mapping[int, StoryDraft] | None = None,
) -> LaidOutDraft:
    """The draft of [start, end] composed from the period's stories (an editor's removals already left out): the
    entry each story wants, merged with the editors' entries and order in `draft`, in house style as one brief."""
    drafted = machine_drafts or {}
    planned = {p.story_id: p for p in (plan_entry(s, style, archive, drafted.get(s.id)) for s in stories)}
    layout = _merge_with_draft(draft, planned)
    return LaidOutDraft(
        title=dates.format_title(start, end),
        headings=tuple((key, sections.heading_for(key) if key != "special" else None) for key, _ in layout),
        entries=tuple((key, entry) for key, entries in layout for entry in entries),
        texts=tuple(style_entries([e.text for _, entries in layout for e in entries], end, style)),
    )


def _from_draft(entry: DraftEntry) -> ComposedEntry:
    """A stored draft entry as composing sees it (no status yet means an editor wrote it)."""
    return ComposedEntry(
        story_id=entry.story_id,
        status=entry.status or "written",
        text=entry.text,
        sources=entry.sources,
        item_ids=entry.item_ids,
        previously=entry.previously,
        entry_id=entry.id,
        backend=entry.backend,
        sentences=entry.sentences,
        findings=entry.findings,
    )


def _as_saved(entry: ComposedEntry, text: str, entry_id: int) -> ComposedEntry:
    """An entry as `_from_draft` reads it back once `_entry_fields` stored it, with `text`, in row `entry_id`
    (its sources, links and sentences are dicts in tuples already, as they are read back)."""
    drafted = entry.backend is not None  # sentences and findings are stored with the backend's name only
    return ComposedEntry(
        story_id=entry.story_id,
        status=entry.status or "written",
        text=text,
        sources=entry.sources,
        item_ids=entry.item_ids,
        previously=entry.previously,
        entry_id=entry_id,
        backend=entry.backend,
        sentences=entry.sentences if drafted else (),
        findings=entry.findings if drafted else (),
    )


def _placed(entry: ComposedEntry, entry_id: int) -> ComposedEntry:
    """`entry` in the draft's row `entry_id`: made directly, where `dataclasses.replace` looked up the fields each
    time (composing a brief again places every one of its 9,680 entries)."""
    return ComposedEntry(
        story_id=entry.story_id,
        status=entry.status,
        text=entry.text,
        sources=entry.sources,
        item_ids=entry.item_ids,
        previously=entry.previously,
        entry_id=entry_id,
        backend=entry.backend,
        sentences=entry.sentences,
        findings=entry.findings,
    )


def _entry_fields(entry: ComposedEntry, text: str) -> dict[str, Any]:
    """What `save_layout` stores of an entry, with its house-styled `text`."""
    fields: dict[str, Any] = {
        "text": text,
        "story_id": entry.story_id,
        "item_ids": entry.item_ids,
        "status": entry.status,
        "sources": entry.sources,
        "previously": entry.previously,
        "entry_id": entry.entry_id,
    }
    if entry.backend is not None:
        fields["drafting"] = {
            "backend": entry.backend,
            "sentences": [dict(x) for x in entry.sentences],
            "findings": [dict(x) for x in entry.findings],
        }
    return fields


def _merge_with_draft(draft: DraftLayout, planned: dict[int, PlannedEntry]) -> list[tuple[str, list[ComposedEntry]]]:
    """Sections in house order with their entries: the editor's entries and order kept, new stories added by
    importance, stories no longer relevant dropped unless an editor touched them."""
    by_key: dict[str, list[ComposedEntry]] = {}
    placed: set[int] = set()
    edited_keys: set[str] = set()
    for old in draft.placements:
        plan = planned.get(old.story_id) if old.story_id is not None else None
        if old.edited is not None:
            edited_keys.add(old.section)
            keep = _from_draft(old.edited)
            if plan is not None:  # the editor's text and place, with today's provenance
                keep = replace(
                    keep, sources=plan.entry.sources, item_ids=plan.entry.item_ids, previously=plan.entry.previously
                )
            by_key.setdefault(old.section, []).append(keep)
        elif plan is not None:
            by_key.setdefault(plan.section, []).append(_placed(plan.entry, old.id))
        else:
            continue
        if old.story_id is not None:
            placed.add(old.story_id)
    fresh = sorted((p for p in planned.values() if p.story_id not in placed), key=lambda p: p.importance, reverse=True)
    for plan in fresh:
        by_key.setdefault(plan.section, []).append(plan.entry)
    rank = {p.story_id: p.importance for p in planned.values()}
    for key, entries in by_key.items():
        if key not in edited_keys:  # nothing an editor arranged: order by importance
            entries.sort(key=lambda e: rank.get(e.story_id or -1, (0, 0, 0.0)), reverse=True)
    return [(key, by_key[key]) for key in sorted(by_key, key=sections.order_of)]


def composed_from(draft: Draft) -> ComposedBrief:
    """A stored draft (or published brief) as a ComposedBrief."""
    if draft.period_start is None or draft.period_end is None:
        raise ConfigError(f"brief {draft.id} has no period")
    return ComposedBrief(
        id=draft.id,
        title=draft.title,
        period_start=draft.period_start,
        period_end=draft.period_end,
        status=draft.status,
        sections=tuple(
            ComposedSection(
                key=s.key,
                heading=s.heading,
                entries=tuple(_from_draft(e) for e in s.entries),
            )
            for s in draft.sections
            if s.entries
        ),
    )
