"""Reviewing a draft over records, no store: what keeps each entry from publication, with house-style findings
read across the draft as one brief."""

from __future__ import annotations

import datetime as dt

from mobrief.brief import review
from mobrief.records import Draft, DraftEntry, DraftSection, Enrichment, GlossaryTerm, Mention
from mobrief.style.rates import RateTable

JUNE_3 = dt.date(2024, 6, 3)
RULES = review.HouseRules.of([GlossaryTerm(term="Rosgvardia", gloss="the Russian National Guard")],
                             RateTable.shipped([]))  # fmt: skip


def _entry(n: int, text: str, status: str | None = "drafted", **kw: object) -> DraftEntry:
    return DraftEntry(id=n, position=n, text=text, story_id=n, item_ids=(10 * n,), status=status, sources=(),
                      previously=(), edited=False, **kw)  # fmt: skip


def test_each_entry_is_checked_and_a_gloss_is_due_once_a_brief() -> None:
    entries = (
        _entry(1, "Rosgvardia [the Russian National Guard] officers detained a man in Kursk."),
        _entry(2, "Rosgvardia officers fined a protester."),  # glossed above: nothing to say
        _entry(3, "[To write] Reported by Mediazona. Original (Mediazona): «Суд арестовал студента.»", "to-write"),
        _entry(4, "A court arrested a student in Курске."),
        _entry(5, "A court fined a blogger.", "needs-check", findings=({"message": "no such fine in the reports"},)),
        _entry(6, "Rosgvardia officers searched a flat.", None),
    )
    draft = Draft(id=9, title="T", period_start=JUNE_3, period_end=JUNE_3, status="draft", published_at=None,
                  sections=(DraftSection(id=1, position=0, key="legal", heading=None, entries=entries),))  # fmt: skip
    checked = review.check_draft(draft, RULES)
    problems = {e.entry_id: [p.kind for p in e.problems] for e in checked.entries}
    assert problems == {1: [], 2: [], 3: ["scaffold"], 4: ["russian"], 5: ["needs-check"], 6: []}
    assert checked.brief_id == 9 and [e.entry_id for e in checked.unresolved(leave_out=[3])] == [4, 5]
    assert review.item_ids_of(draft) == [10, 20, 30, 40, 50, 60]


def test_a_first_mention_without_its_gloss_is_found_in_its_entry() -> None:
    entries = (_entry(1, "A court fined a blogger."), _entry(2, "Rosgvardia officers detained a man."))
    draft = Draft(id=9, title="T", period_start=JUNE_3, period_end=JUNE_3, status="draft", published_at=None,
                  sections=(DraftSection(id=1, position=0, key="legal", heading=None, entries=entries),))  # fmt: skip
    ((entry, findings),) = [(e, e.findings) for e in review.check_draft(draft, RULES).entries if e.findings]
    assert entry.entry_id == 2 and [p.kind for p in entry.problems] == ["lint"]
    ((finding,),) = (findings,)
    assert (finding.code, finding.replacement) == ("missing-gloss", " [the Russian National Guard]")
    assert finding.start == 10  # offsets local to its entry, not to the draft read as one text
    fixed = review.apply_fix(entry.text, findings, "missing-gloss", 10, finding.replacement)
    assert fixed == "Rosgvardia [the Russian National Guard] officers detained a man."


def test_the_people_of_the_reports_are_read_off_their_enrichment() -> None:
    people = review.people_in([
        Enrichment(item_id=1, entities=(
            Mention(kind="person", text="Ивана Сидорова", normalized="Иван Сидоров", latin="Ivan Sidorov"),
            Mention(kind="org", text="Росгвардии", normalized="Росгвардия", latin="Rosgvardia"),
        )),
        Enrichment(item_id=2),
    ])  # fmt: skip
    assert people == [{"normalized": "Иван Сидоров", "latin": "Ivan Sidorov"}]
