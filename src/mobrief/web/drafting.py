"""Keep drafts in step with triage and check entries against the house style, for the inbox and the editor."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from mobrief.brief import compose, house_style
from mobrief.errors import MobriefError
from mobrief.records import Brief, BriefSection
from mobrief.store import Store
from mobrief.store.drafts import Draft, DraftEntry
from mobrief.style import engine, sections
from mobrief.style.rates import RateTable


def section_rank(key: str) -> int:
    """House order of sections, for the draft repository."""
    return sections.order_of(key)


def heading_of(key: str) -> str | None:
    """The heading a new section gets in a draft: the standing one, or None for unheaded/special ones."""
    return sections.CURRENT_HEADINGS.get(key)


def recompose_covering(store: Store, story_id: int) -> int | None:
    """Compose again the draft whose period covers a story's last report, so a story just marked for the
    brief gets its entry; returns the draft id (None when no draft covers that day)."""
    story = store.inbox.story(story_id)
    brief_id = store.drafts.draft_covering(story.last_seen.date())
    if brief_id is None:
        return None
    draft = store.drafts.get(brief_id)
    if draft.period_start is None or draft.period_end is None:
        return None
    compose.compose_brief(store, draft.period_start, draft.period_end)
    return brief_id


# ---- house-style lint of a draft, entry by entry ----


@dataclass(frozen=True, slots=True, kw_only=True)
class EntryFinding:
    """One house-style finding inside one entry; `index` picks it out again when an editor applies it."""

    index: int
    code: str
    message: str
    start: int
    end: int
    replacement: str
    excerpt: str

    @property
    def fixable(self) -> bool:
        return bool(self.replacement) or self.start != self.end


@dataclass(frozen=True, slots=True)
class HouseRules:
    """What the lint checks against: the newsroom's glossary (shipped + stored) and its rates."""

    glosses: engine.GlossIndex
    rates: RateTable

    @classmethod
    def of(cls, store: Store) -> HouseRules:
        return cls(
            glosses=engine.GlossIndex(house_style.newsroom_glossary(store)),
            rates=house_style.newsroom_rates(store),
        )


def _ordered_entries(draft: Draft) -> list[DraftEntry]:
    return [entry for section in draft.sections for entry in section.entries]


def lint_draft(draft: Draft, rules: HouseRules) -> dict[int, list[EntryFinding]]:
    """Findings per entry id; the draft is linted as one text, so "first mention in a brief" holds."""
    day = draft.period_end or dt.datetime.now(dt.UTC).date()
    entries = _ordered_entries(draft)
    separator = "\n\n"
    offsets: list[tuple[int, int, DraftEntry]] = []
    parts: list[str] = []
    cursor = 0
    for entry in entries:
        offsets.append((cursor, cursor + len(entry.text), entry))
        parts.append(entry.text)
        cursor += len(entry.text) + len(separator)
    text = separator.join(parts)
    try:
        edits = engine.plan_style(text, day, rules.glosses, rules.rates)
    except MobriefError as exc:  # e.g. no rate for the day: say so once rather than fail the page
        return {entries[0].id: [_note(str(exc))]} if entries else {}
    out: dict[int, list[EntryFinding]] = {entry.id: [] for entry in entries}
    for edit in edits:
        for start, end, entry in offsets:
            if start <= edit.start and edit.end <= end:
                found = out[entry.id]
                local_start, local_end = edit.start - start, edit.end - start
                found.append(
                    EntryFinding(
                        index=len(found),
                        code=edit.code,
                        message=edit.message,
                        start=local_start,
                        end=local_end,
                        replacement=edit.replacement,
                        excerpt=entry.text[max(0, local_start - 30) : local_end + 10],
                    )
                )
                break
    return out


def _note(message: str) -> EntryFinding:
    return EntryFinding(index=-1, code="note", message=message, start=0, end=0, replacement="", excerpt="")


def apply_finding(draft: Draft, rules: HouseRules, entry_id: int, index: int) -> str | None:
    """The entry's text with finding `index` applied, or None when the finding is gone (already fixed)."""
    findings = lint_draft(draft, rules).get(entry_id, [])
    entry = draft.entry(entry_id)
    for finding in findings:
        if finding.index == index and finding.fixable:
            return entry.text[: finding.start] + finding.replacement + entry.text[finding.end :]
    return None


def lint_text(text: str, day: dt.date, rules: HouseRules) -> list[EntryFinding]:
    """Findings for one stand-alone text (the story page's entry box)."""
    try:
        edits = engine.plan_style(text, day, rules.glosses, rules.rates)
    except MobriefError as exc:
        return [_note(str(exc))]
    return [
        EntryFinding(
            index=n,
            code=e.code,
            message=e.message,
            start=e.start,
            end=e.end,
            replacement=e.replacement,
            excerpt=text[max(0, e.start - 30) : e.end + 10],
        )
        for n, e in enumerate(edits)
    ]


# ---- a draft for a period ----


def brief_of(draft: Draft, *, keep_empty: bool = False) -> Brief:
    """The draft as the brief record renderers take (entries without text left out unless `keep_empty`)."""
    out = []
    for section in draft.sections:
        texts = tuple(e.text for e in section.entries if keep_empty or e.text.strip())
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
