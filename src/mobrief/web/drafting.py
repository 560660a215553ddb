"""What the desk shows beside the text: drafts kept in step with triage, an entry's save state and findings, the
Russian reports an entry rests on (facts marked), and a one-line English gist of a story.

Small plain functions over the store and the brief room, so the routes stay thin adapters.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from mobrief.brief import compose, review
from mobrief.brief.outlets import OutletNames
from mobrief.newsroom import redraft
from mobrief.records import Brief, BriefSection, Draft, DraftEntry
from mobrief.store import Store
from mobrief.store.inbox import InboxRow
from mobrief.store.suggestions import Suggestion
from mobrief.style import rubles, sections
from mobrief.web import highlight

# the lint lives in the brief room (publishing reads it too); these names are what the routes use
EntryFinding = review.EntryFinding
HouseRules = review.HouseRules
lint_draft = review.lint_draft
lint_text = review.lint_text

STATUS_LABELS = {
    "written": "written",
    "drafted": "machine draft",
    "needs-check": "needs a fact check",
    "to-write": "to write",
}


def section_rank(key: str) -> int:
    """House order of sections, for the draft repository."""
    return sections.order_of(key)


def heading_of(key: str) -> str | None:
    """The heading a new section gets in a draft: the standing one, or None for unheaded/special ones."""
    return sections.CURRENT_HEADINGS.get(key)


# ---- an entry's save state ----


def fingerprint(text: str) -> str:
    """A short fingerprint of a stored text: an autosave that started from another text is a conflict."""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True, kw_only=True)
class EntryState:
    """What `_entry_state.html` shows for one entry box."""

    id: str  # the element id the autosave swaps
    box_id: str  # the element an applied fix swaps (the whole box: its text changes)
    key: str
    text: str
    base: str
    apply_url: str | None
    findings: Sequence[EntryFinding] = ()
    blocking: Sequence[review.Problem] = ()
    saved_at: str | None = None


def entry_state(
    key: str,
    text: str,
    *,
    box_id: str,
    apply_url: str | None,
    findings: Sequence[EntryFinding] = (),
    blocking: Sequence[review.Problem] = (),
    saved: bool = False,
) -> EntryState:
    return EntryState(
        id=f"state-{key}",
        box_id=box_id,
        key=key,
        text=text,
        base=fingerprint(text),
        apply_url=apply_url,
        findings=findings,
        blocking=[p for p in blocking if p.kind != "lint"],  # lint findings are listed with their fixes
        saved_at=dt.datetime.now(dt.UTC).strftime("%H:%M:%S UTC") if saved else None,
    )


# ---- the brief editor: one view per entry ----


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceReport:
    outlet: str
    published_at: dt.datetime
    title: Markup
    text: Markup


@dataclass(frozen=True, slots=True, kw_only=True)
class EntryView:
    """An entry as the editor shows it: its reports marked up, what to put in the box, state and neighbours."""

    section: str
    status: str
    status_label: str
    editable_text: str
    facts: str
    state: EntryState
    reports: Sequence[SourceReport] = ()
    outlets: Sequence[tuple[str, str | None]] = ()  # each outlet the entry names once, with its first link
    sentences: Sequence[Mapping[str, Any]] = ()
    suggestions: Sequence[Suggestion] = ()
    backend: str | None = None
    first: bool = False
    last: bool = False
    open_sources: bool = False
    machine: bool = False  # a drafting backend's text no editor changed: it may be re-drafted


def entry_status(entry: DraftEntry) -> str:
    if review.is_scaffold(entry):
        return "to-write"
    return entry.status or "written"


def entry_views(
    store: Store, draft: Draft, review_of: review.Review, outlets: OutletNames, *, only: int | None = None
) -> dict[int, EntryView]:
    """Views of a draft's entries (or of entry `only`), with their reports read in one go."""
    entries = [(s, i, e) for s in draft.sections for i, e in enumerate(s.entries) if only in (None, e.id)]
    item_ids = sorted({i for _, _, e in entries for i in e.item_ids})
    items = {item.id: item for item in store.items.get_many(item_ids)} if item_ids else {}
    enrichments = store.enrichments.get_many(item_ids) if item_ids else {}
    story_ids = [e.story_id for _, _, e in entries if e.story_id is not None]
    suggestions = store.suggestions.of_stories(story_ids)
    reviewed = {r.entry_id: r for r in review_of.entries}
    views = {}
    for section, position, entry in entries:
        checked = reviewed.get(entry.id)
        sentences = tuple(entry.sentences)
        spans = sentence_spans(sentences, f"src-{entry.id}")
        reports = []
        for item_id in entry.item_ids:
            item = items.get(item_id)
            if item is None:
                continue
            marked = mark_item(item.title, item.text, enrichments.get(item_id), spans.get(item_id, ()))
            reports.append(
                SourceReport(
                    outlet=outlets.name(item.source), published_at=item.published_at, title=marked[0], text=marked[1]
                )
            )
        status = entry_status(entry)
        scaffold = status == "to-write"
        views[entry.id] = EntryView(
            section=section.key,
            status=status,
            status_label=STATUS_LABELS.get(status, status),
            editable_text="" if scaffold else entry.text,
            facts=review.facts_of(entry) if scaffold else "",
            state=entry_state(
                str(entry.id),
                "" if scaffold else entry.text,
                box_id=f"entry-{entry.id}",
                apply_url=f"/drafts/{draft.id}/entries/{entry.id}/apply",
                findings=checked.findings if checked else (),
                blocking=checked.problems if checked else (),
            ),
            reports=reports,
            outlets=_outlet_links(entry.sources),
            sentences=sentences,
            suggestions=suggestions.get(entry.story_id or -1, []),
            backend=entry.backend,
            first=position == 0,
            last=position == len(section.entries) - 1,
            open_sources=status != "written",  # what no editor has written yet is checked against its reports
            machine=redraft.is_machine_entry(entry),
        )
    return views


def sentence_spans(sentences: Sequence[Mapping[str, Any]], anchor: str) -> dict[int, list[highlight.Span]]:
    """Where each drafted sentence's Russian source sits, by item id; the n-th (from 1) gets id `{anchor}-{n}`,
    which the provenance list links to."""
    spans: dict[int, list[highlight.Span]] = {}
    for n, sentence in enumerate(sentences, start=1):
        item_id, start, end = sentence.get("item_id"), sentence.get("start"), sentence.get("end")
        if isinstance(item_id, int) and isinstance(start, int) and isinstance(end, int) and 0 <= start < end:
            label = str(sentence.get("text", ""))
            spans.setdefault(item_id, []).append(highlight.Span(start, end, "sentence", label, f"{anchor}-{n}"))
    return spans


def _outlet_links(sources: Sequence[Mapping[str, Any]]) -> list[tuple[str, str | None]]:
    links: dict[str, str | None] = {}
    for source in sources:
        name = str(source.get("outlet") or "source")
        if links.get(name) is None:
            links[name] = source.get("url") or None
    return list(links.items())


def mark_item(
    title: str, text: str, enrichment: Any, sentences: Sequence[highlight.Span] = ()
) -> tuple[Markup, Markup]:
    """An item's title and text with the facts enrichment found marked; `sentences` are spans of the item's
    stored "title\\ntext" (a drafted sentence's source), split between the two."""
    offset = len(title) + 1 if title else 0
    title_spans = [s for s in sentences if s.end <= len(title)] if title else []
    text_spans = [
        highlight.Span(s.start - offset, s.end - offset, s.kind, s.label, s.anchor)
        for s in sentences
        if s.start >= offset
    ]
    return (
        highlight.mark_up(title, highlight.fact_spans(title, enrichment), title_spans) if title else Markup(""),
        highlight.mark_up(text, highlight.fact_spans(text, enrichment), text_spans),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class DraftSummary:
    entries: int = 0
    to_write: int = 0
    needs_check: int = 0
    lint: int = 0
    ready: int = 0
    problems: dict[str, int] = field(default_factory=dict)


def summarize(review_of: review.Review) -> DraftSummary:
    kinds: dict[str, int] = {}
    for entry in review_of.entries:
        for kind in {p.kind for p in entry.problems}:
            kinds[kind] = kinds.get(kind, 0) + 1
    return DraftSummary(
        entries=len(review_of.entries),
        to_write=kinds.get("scaffold", 0) + kinds.get("empty", 0),
        needs_check=kinds.get("needs-check", 0),
        lint=kinds.get("lint", 0),
        ready=sum(1 for e in review_of.entries if not e.problems),
        problems=kinds,
    )


# ---- the inbox: a one-line English gist under each Russian title ----


@dataclass(frozen=True, slots=True)
class Gist:
    text: str
    machine: bool = False  # built from extracted facts, not written in English by anyone


# a full stop after these is not a sentence's end ("a court in St. Petersburg", "on Dec. 24")
ABBREVIATIONS = frozenset(
    {"St", "Mr", "Mrs", "Ms", "Dr", "Gen", "Lt", "Col", "Maj", "Sgt", "Capt", "No", "approx", "vs"}
    | {"Jan", "Feb", "Mar", "Apr", "Aug", "Sept", "Sep", "Oct", "Nov", "Dec"}
)
ATTRIBUTION = re.compile(r"^According to [^,]{1,80}, (?=\S)")


def first_sentence(text: str, limit: int = 180) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    sentence = text
    for end in re.finditer(r"[.!?](?=\s)", text):
        words = text[: end.start()].rsplit(" ", 1)
        if end.group() == "." and words[-1] in ABBREVIATIONS:
            continue
        sentence = text[: end.end()]
        break
    return sentence if len(sentence) <= limit else sentence[:limit].rsplit(" ", 1)[0] + "…"


def _unattributed(sentence: str) -> str:
    """A machine draft's first sentence without its opening "According to <outlet>, " (the row names outlets)."""
    rest = ATTRIBUTION.sub("", sentence, count=1)
    return rest[:1].upper() + rest[1:] if rest else sentence


def gist_of_draft(text: str) -> Gist:
    """The gist a machine draft gives: its first sentence, without the attribution it opens with."""
    return Gist(_unattributed(first_sentence(text)))


def gist_of(row: InboxRow, drafted: Mapping[int, str] | None = None) -> Gist:
    """The English line under a story's title: the editor's entry, else the machine draft's first sentence,
    else an English report's headline, else the facts enrichment found (places, people, amounts)."""
    if row.entry_text and row.entry_text.strip():
        return Gist(first_sentence(row.entry_text))
    if drafted and row.id in drafted:
        return gist_of_draft(drafted[row.id])
    if row.english:
        return Gist(first_sentence(row.english))
    facts: list[str] = list(row.places[:2]) + list(row.people[:2])
    for amount in row.amounts[:2]:
        if amount.get("currency") == "RUB" and amount.get("value"):
            value_to = amount.get("value_to")
            text = compose.english_rubles(float(amount["value"]), float(value_to) if value_to else None)
            if amount.get("usd"):
                text += f" [{rubles.format_usd(float(amount['usd']))}]"
            facts.append(text)
    if not facts:
        return Gist("no English yet", machine=True)
    return Gist(" · ".join(dict.fromkeys(facts)), machine=True)


# ---- a draft for a period ----


def brief_of(draft: Draft, *, keep_empty: bool = False, leave_out: Collection[int] = ()) -> Brief:
    """The draft as the brief record renderers take (entries without text left out unless `keep_empty`, and the
    entries in `leave_out`)."""
    out = []
    for section in draft.sections:
        texts = tuple(e.text for e in section.entries if (keep_empty or e.text.strip()) and e.id not in leave_out)
        if texts:
            out.append(BriefSection(key=section.key, heading=section.heading, paragraphs=texts))
    return Brief(
        id=draft.id,
        title=draft.title,
        period_start=draft.period_start,
        period_end=draft.period_end,
        sections=tuple(out),
        status=draft.status,
    )
