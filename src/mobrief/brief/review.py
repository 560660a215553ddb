"""What stands between a draft and publication: entries still a scaffold, failing the fact guard, carrying
house-style lint findings or Russian text. The editor and the publish step read the same review.

Lint runs over the draft as one text, so "gloss at the first mention in a brief" holds across entries, and
each finding is mapped back to its entry with offsets local to that entry's text. This module checks the records
it is given; `newsroom.review` reads the draft and the newsroom's house rules through the store.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from mobrief.errors import MobriefError
from mobrief.records import Draft, DraftEntry, Enrichment, GlossaryTerm
from mobrief.style import engine, lint
from mobrief.style.rates import RateTable

SCAFFOLD_MARKS = ("[To write]", " Original (")  # what composing writes into an entry nobody has written yet
_CYRILLIC = re.compile(r"[А-Яа-яЁё]{2,}[А-Яа-яЁё\s,.-]*")


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


@dataclass(frozen=True, slots=True, kw_only=True)
class Problem:
    """Why an entry may not be published as it stands."""

    kind: str  # "empty", "scaffold", "needs-check", "lint", "russian"
    message: str


@dataclass(frozen=True, slots=True, kw_only=True)
class EntryReview:
    entry_id: int
    story_id: int | None
    section: str
    text: str
    problems: tuple[Problem, ...]
    findings: tuple[EntryFinding, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Review:
    """Every entry of a draft with what is wrong with it (nothing, for an entry ready to publish)."""

    brief_id: int
    entries: tuple[EntryReview, ...] = ()

    @property
    def blocking(self) -> list[EntryReview]:
        return [e for e in self.entries if e.problems]

    def unresolved(self, leave_out: Iterable[int]) -> list[EntryReview]:
        """Entries with problems that the editor did not leave out."""
        out = set(leave_out)
        return [e for e in self.blocking if e.entry_id not in out]


@dataclass(frozen=True, slots=True)
class HouseRules:
    """What the lint checks against: the newsroom's glossary (shipped + stored), its rates, and the house
    spellings of the people the draft's reports name (non-house spellings of them are flagged)."""

    glosses: engine.GlossIndex
    rates: RateTable
    names: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(
        cls, terms: Sequence[GlossaryTerm], rates: RateTable, people: Iterable[Mapping[str, object]] = ()
    ) -> HouseRules:
        """The rules of this glossary and these rates, with the house spellings of these people."""
        return cls(glosses=engine.GlossIndex(terms), rates=rates, names=lint.name_variants(people))


def _ordered(draft: Draft) -> list[DraftEntry]:
    return [entry for section in draft.sections for entry in section.entries]


def _edits(text: str, day: dt.date, rules: HouseRules) -> list[engine.Edit]:
    return lint.plan_lint(text, day, rules.glosses, rules.rates, names=rules.names)


def _finding(index: int, edit: engine.Edit, text: str, start: int, end: int) -> EntryFinding:
    return EntryFinding(
        index=index,
        code=edit.code,
        message=edit.message,
        start=start,
        end=end,
        replacement=edit.replacement,
        excerpt=text[max(0, start - 30) : end + 10],
    )


def _note(message: str) -> EntryFinding:
    return EntryFinding(index=-1, code="note", message=message, start=0, end=0, replacement="", excerpt="")


def lint_texts(texts: Sequence[tuple[int, str]], day: dt.date, rules: HouseRules) -> dict[int, list[EntryFinding]]:
    """Findings per key for texts read as one brief in this order (first mentions count across them)."""
    separator = "\n\n"
    offsets: list[tuple[int, int, int, str]] = []
    cursor = 0
    for key, text in texts:
        offsets.append((cursor, cursor + len(text), key, text))
        cursor += len(text) + len(separator)
    joined = separator.join(text for _, text in texts)
    out: dict[int, list[EntryFinding]] = {key: [] for key, _ in texts}
    try:
        edits = _edits(joined, day, rules)
    except MobriefError as exc:  # e.g. no rate for the day: say so once rather than fail the page
        if texts:
            out[texts[0][0]] = [_note(str(exc))]
        return out
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        for start, end, key, text in offsets:
            if start <= edit.start and edit.end <= end:
                found = out[key]
                found.append(_finding(len(found), edit, text, edit.start - start, edit.end - start))
                break
    return out


def lint_draft(draft: Draft, rules: HouseRules) -> dict[int, list[EntryFinding]]:
    """Findings per entry id (scaffold entries are not linted: they are not English text yet)."""
    day = draft.period_end or dt.datetime.now(dt.UTC).date()
    texts = [(e.id, e.text) for e in _ordered(draft) if not is_scaffold(e)]
    found = lint_texts(texts, day, rules)
    return {e.id: found.get(e.id, []) for e in _ordered(draft)}


def lint_text(text: str, day: dt.date, rules: HouseRules) -> list[EntryFinding]:
    """Findings for one stand-alone text (the story page's entry box)."""
    return lint_texts([(0, text)], day, rules)[0]


def apply_fix(text: str, findings: Sequence[EntryFinding], code: str, start: int, replacement: str) -> str | None:
    """`text` with the finding of this code and replacement nearest `start` applied, or None when no such
    finding is left (already fixed, or the text changed under it)."""
    same = [f for f in findings if f.code == code and f.replacement == replacement and f.fixable and f.index >= 0]
    if not same:
        return None
    chosen = min(same, key=lambda f: abs(f.start - start))
    return text[: chosen.start] + chosen.replacement + text[chosen.end :]


def is_scaffold(entry: DraftEntry) -> bool:
    """An entry nobody has written yet: composing's "[To write]" scaffold, or no text at all."""
    text = entry.text.strip()
    return not text or entry.status == "to-write" or any(mark in text for mark in SCAFFOLD_MARKS)


def facts_of(entry: DraftEntry) -> str:
    """The facts part of a scaffold ("Reported by …. Where: …. Amounts: …."), without the Russian excerpt."""
    text = entry.text.strip()
    if not any(mark in text for mark in SCAFFOLD_MARKS):
        return ""
    head = text.split(SCAFFOLD_MARKS[1], 1)[0]
    return head.replace(SCAFFOLD_MARKS[0], "").strip()


def entry_problems(entry: DraftEntry, findings: Sequence[EntryFinding]) -> tuple[Problem, ...]:
    """Why this entry may not be published as it stands (empty when it may)."""
    text = entry.text.strip()
    if not text:
        return (Problem(kind="empty", message="no English text yet"),)
    if is_scaffold(entry):
        return (Problem(kind="scaffold", message="still the composed scaffold: write the English entry"),)
    problems: list[Problem] = []
    if entry.status == "needs-check":
        reasons = [str(f.get("message") or f.get("text") or "") for f in getattr(entry, "findings", ()) or ()]
        detail = "; ".join(r for r in reasons if r) or "the fact guard found fault with the machine draft"
        problems.append(Problem(kind="needs-check", message=f"check the facts: {detail}"))
    cyrillic = _CYRILLIC.search(re.sub(r"\[[^\]]*\]", "", text))
    if cyrillic:
        problems.append(
            Problem(kind="russian", message=f"Russian text left in the entry: «{cyrillic.group(0).strip()[:60]}»")
        )
    for finding in findings:
        if finding.code != "note":
            problems.append(Problem(kind="lint", message=f"{finding.code}: {finding.message}"))
    return tuple(problems)


def check_draft(draft: Draft, rules: HouseRules) -> Review:
    """Every entry of a draft with what keeps it from being published."""
    findings = lint_draft(draft, rules)
    return Review(
        brief_id=draft.id,
        entries=tuple(
            EntryReview(
                entry_id=entry.id,
                story_id=entry.story_id,
                section=section.key,
                text=entry.text,
                problems=entry_problems(entry, findings.get(entry.id, [])),
                findings=tuple(findings.get(entry.id, [])),
            )
            for section in draft.sections
            for entry in section.entries
        ),
    )


def item_ids_of(draft: Draft) -> list[int]:
    """The reports a draft's entries rest on, in the draft's order."""
    return [i for entry in _ordered(draft) for i in entry.item_ids]


def people_in(enrichments: Iterable[Enrichment]) -> list[Mapping[str, object]]:
    """The people enrichment found in these reports (for their house spellings)."""
    return [
        {"normalized": m.normalized, "latin": m.latin}
        for enrichment in enrichments
        for m in enrichment.entities
        if m.kind == "person"
    ]
