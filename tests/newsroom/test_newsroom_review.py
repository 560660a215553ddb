"""Reviewing a stored draft (both backends): the newsroom's own glossary terms and the people its reports name, as
read through the store, are what the entries are checked against."""

from __future__ import annotations

import datetime as dt

from factories import add_story, make_item
from mobrief.newsroom import compose, glossary, review
from mobrief.store import Store

JUNE_3 = dt.date(2024, 6, 3)
WHEN = dt.datetime(2024, 6, 3, 9, 0, tzinfo=dt.UTC)
PEOPLE = ({"kind": "person", "text": "Пётра Пушкарёва", "normalized": "Пётр Пушкарёв", "latin": "Pyotr Pushkaryov"},)


def test_a_draft_is_checked_against_the_newsrooms_terms_and_its_reports_people(store: Store) -> None:
    glossary.add_term(store, "Volny Veter", "Free Wind")  # the editors' own term, not a shipped one
    story = add_story(store, [make_item(1, source="a", text="Суд оштрафовал Пётра Пушкарёва.", published_at=WHEN)],
                      entities=PEOPLE)  # fmt: skip
    composed = compose.compose_brief(store, JUNE_3, JUNE_3)
    ((entry,),) = [s.entries for s in composed.sections]
    store.drafts.set_text(entry.entry_id or 0, "Volny Veter reported that a court fined Pyotr Pushkarev.")
    draft = store.drafts.get(composed.id)
    assert review.people_of(store, draft) == [{"normalized": "Пётр Пушкарёв", "latin": "Pyotr Pushkaryov"}]
    (checked,) = review.review_draft(store, composed.id).entries
    assert checked.story_id == story
    assert {(f.code, f.replacement) for f in checked.findings} == {
        ("missing-gloss", " [Free Wind]"),
        ("spelling", "Pushkaryov"),
    }
    assert [p.kind for p in checked.problems] == ["lint", "lint"]
    (unaware,) = review.review_draft(store, composed.id, review.house_rules(store)).entries
    assert [f.code for f in unaware.findings] == ["missing-gloss"]  # the house spelling comes from the reports
