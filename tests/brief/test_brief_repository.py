"""The archive's repository on SQLite and PostgreSQL: idempotent saves, replacement, reading back."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from mobrief.errors import NotFound
from mobrief.records import Brief, BriefSection
from mobrief.store import Store

OPENING = "An opening story without a heading."


def make_brief(day: int = 3, text: str = "The governor of the Lesnoy region signed a decree.") -> Brief:
    return Brief(
        title=f"Mobilization in Russia for June 2–{day}, 2024",
        period_start=dt.date(2024, 6, 2),
        period_end=dt.date(2024, 6, day),
        url="https://notes.example.org/june",
        sections=(
            BriefSection(key="unknown", heading=None, paragraphs=(OPENING,)),
            BriefSection(key="authorities", heading="Authorities and Legislation", paragraphs=(text, "Second.")),
            BriefSection(key="recruitment", heading="Army Recruitment", paragraphs=("A recruiter in Kamensk.",)),
        ),
    )


def test_save_is_idempotent_and_get_reads_back_the_brief(store: Store) -> None:
    brief = make_brief()
    brief_id, written = store.briefs.save(brief)
    assert written
    assert store.briefs.save(brief) == (brief_id, False)
    assert store.briefs.get(brief_id) == dataclasses.replace(brief, id=brief_id)
    (listing,) = store.briefs.list()
    assert (listing.id, listing.sections, listing.paragraphs) == (brief_id, 3, 4)
    assert listing.period_end == dt.date(2024, 6, 3)


def test_changed_text_for_the_same_title_and_period_replaces_the_brief(store: Store) -> None:
    brief_id, _ = store.briefs.save(make_brief())
    corrected = make_brief(text="The governor of the Lesnoy region signed two decrees.")
    assert store.briefs.upsert(corrected) == (brief_id, "replaced")
    assert store.briefs.get(brief_id).sections[1].paragraphs[0].endswith("two decrees.")
    assert len(store.briefs.list()) == 1
    other_id, outcome = store.briefs.upsert(make_brief(day=4))
    assert outcome == "new" and other_id != brief_id
    assert [b.id for b in store.briefs.list()] == [brief_id, other_id]


def test_iter_paragraphs_in_reading_order_with_positions_across_the_brief(store: Store) -> None:
    first, _ = store.briefs.save(make_brief())
    second, _ = store.briefs.save(make_brief(day=4))
    draft = dataclasses.replace(make_brief(day=5), status="draft")
    store.briefs.save(draft)
    paragraphs = list(store.briefs.iter_paragraphs())
    assert [(p.brief_id, p.position) for p in paragraphs] == [(first, i) for i in range(4)] + [
        (second, i) for i in range(4)
    ]
    assert [(p.section_key, p.heading) for p in paragraphs[:4]] == [
        ("unknown", None),
        ("authorities", "Authorities and Legislation"),
        ("authorities", "Authorities and Legislation"),
        ("recruitment", "Army Recruitment"),
    ]
    assert paragraphs[0].period_end == dt.date(2024, 6, 3)
    assert len(list(store.briefs.iter_paragraphs(status=None))) == 12


def test_export_gives_null_key_and_heading_for_unheaded_paragraphs(store: Store) -> None:
    store.briefs.save(make_brief())
    (row,) = list(store.briefs.export())
    assert row["title"] == "Mobilization in Russia for June 2–3, 2024"
    assert (row["period_start"], row["period_end"]) == ("2024-06-02", "2024-06-03")
    assert row["sections"][0] == {
        "heading": None,
        "key": None,
        "paragraphs": ["An opening story without a heading."],
    }
    assert row["sections"][2]["key"] == "recruitment"


def test_missing_briefs_are_not_found(store: Store) -> None:
    with pytest.raises(NotFound, match="no brief with id 999"):
        store.briefs.get(999)
    with pytest.raises(NotFound):
        store.briefs.delete(999)


def test_delete_removes_the_text(store: Store) -> None:
    brief_id, _ = store.briefs.save(make_brief())
    store.briefs.delete(brief_id)
    assert store.briefs.list() == []
    assert list(store.briefs.iter_paragraphs()) == []
    # the same brief can come back afterwards
    assert store.briefs.save(make_brief())[1]
