"""Composing over records, no store: the entry each story wants, merged with what editors did to the draft, in
house style; and an English report's prose taken without the page around it."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from mobrief.brief import compose, continuations
from mobrief.errors import ConfigError
from mobrief.records import (
    Draft,
    DraftEntry,
    DraftLayout,
    DraftSection,
    EarlierBrief,
    GlossaryTerm,
    PeriodItem,
    PeriodStory,
    Placement,
    PublishedParagraph,
    StoryDraft,
)
from mobrief.style.rates import RateTable

JUNE_3 = dt.date(2024, 6, 3)
WHEN = dt.datetime(2024, 6, 3, 9, 0, tzinfo=dt.UTC)
STYLE = compose.HouseStyle(terms=[], rates=RateTable.shipped([]))


def _story(
    n: int, text: str, *, outlets: tuple[str, ...] = ("Медиазона",), lang: str = "ru", entry_text: str | None = None
) -> PeriodStory:
    items = tuple(
        PeriodItem(
            id=10 * n + k,
            outlet=outlet,
            url=f"https://example.test/{n}/{k}",
            published_at=WHEN,
            title="",
            text=text,
            lang=lang,
            relevance=0.9,
            is_relevant=True,
            section="legal",
            entities=(),
            places=(),
            amounts=(),
        )
        for k, outlet in enumerate(outlets)
    )
    return PeriodStory(id=n, title=text[:20], section=None, pinned=False, entry_text=entry_text, last_seen=WHEN,
                       items=items)  # fmt: skip


def _empty(draft_id: int = 7, placements: tuple[Placement, ...] = ()) -> DraftLayout:
    return DraftLayout(id=draft_id, title="", period_start=JUNE_3, period_end=JUNE_3, status="draft",
                       placements=placements)  # fmt: skip


def test_a_new_draft_is_laid_out_by_importance_in_house_style() -> None:
    one = _story(1, "Суд вынес приговор активисту.")
    two = _story(2, "Суд арестовал студента.", outlets=("Медиазона", "Вёрстка"))
    english = _story(3, "A court in Kursk fined a blogger 30,000 rubles.", lang="en")
    laid_out = compose.lay_out(_empty(), [one, two, english], STYLE, start=JUNE_3, end=JUNE_3)
    assert laid_out.title == "Mobilization in Russia for June 3, 2024"
    assert laid_out.headings == (("legal", "Sentences, Legal Proceedings and Incidents"),)
    assert [e.story_id for _, e in laid_out.entries] == [2, 1, 3]  # more outlets first; a tie keeps its order
    assert [e.status for _, e in laid_out.entries] == ["to-write", "to-write", "drafted"]
    assert laid_out.texts[2].startswith("According to Mediazona, a court in Kursk fined a blogger 30,000 rubles [$")
    assert laid_out.texts[0].startswith("[To write] Reported by Mediazona, Vyorstka.")
    assert compose.needs_machine_draft(one) and not compose.needs_machine_draft(english)
    stored = laid_out.stored_entries()
    assert [(key, fields["story_id"], fields["text"]) for key, fields in stored] == [
        ("legal", e.story_id, text) for (_, e), text in zip(laid_out.entries, laid_out.texts, strict=True)
    ]


def test_a_machine_draft_is_the_entry_of_a_story_nobody_wrote() -> None:
    story = _story(1, "Суд вынес приговор активисту.")
    draft = StoryDraft(story_id=1, text="A court has sentenced an activist, Mediazona reported.", status="drafted",
                       backend="frames", backend_version="1", item_ids=(10,))  # fmt: skip
    laid_out = compose.lay_out(_empty(), [story], STYLE, start=JUNE_3, end=JUNE_3, machine_drafts={1: draft})
    ((_, entry),) = laid_out.entries
    assert (entry.status, entry.backend, entry.text) == ("drafted", "frames", draft.text)
    assert laid_out.stored_entries()[0][1]["drafting"] == {"backend": "frames", "sentences": [], "findings": []}


def test_an_editors_entry_and_place_are_kept_and_a_dropped_story_leaves() -> None:
    kept = _story(1, "Суд вынес приговор активисту.")
    fresh = _story(2, "Суд арестовал студента.", outlets=("Медиазона", "Вёрстка"))
    written = DraftEntry(id=41, position=0, text="A court sentenced an activist.", story_id=1, item_ids=(10,),
                         status=None, sources=(), previously=(), edited=True)  # fmt: skip
    draft = _empty(placements=(
        Placement(section="legal", id=41, story_id=1, edited=written),
        Placement(section="legal", id=42, story_id=99),  # its story is no longer in the period
    ))  # fmt: skip
    laid_out = compose.lay_out(draft, [kept, fresh], STYLE, start=JUNE_3, end=JUNE_3)
    assert [(e.story_id, e.entry_id, e.status) for _, e in laid_out.entries] == [
        (1, 41, "written"),
        (2, None, "to-write"),
    ]
    assert laid_out.entries[0][1].item_ids == (10,)  # today's provenance beside the editor's text
    saved = laid_out.as_saved(draft, [41, 43])
    assert [(e.entry_id, e.text) for s in saved.sections for e in s.entries] == [
        (41, "A court sentenced an activist."), (43, laid_out.texts[1])
    ]  # fmt: skip
    assert (saved.id, saved.title, saved.status) == (7, laid_out.title, "draft")


def test_a_stored_draft_reads_as_composed_and_needs_a_period() -> None:
    entry = DraftEntry(id=5, position=0, text="A court sentenced an activist.", story_id=1, item_ids=(10,),
                       status="drafted", sources=(), previously=(), edited=False, backend="frames")  # fmt: skip
    section = DraftSection(id=1, position=0, key="legal", heading="Legal", entries=(entry,))
    empty = DraftSection(id=2, position=1, key="children", heading=None, entries=())
    draft = Draft(id=3, title="T", period_start=JUNE_3, period_end=JUNE_3, status="draft", published_at=None,
                  sections=(section, empty))  # fmt: skip
    composed = compose.composed_from(draft)
    assert [s.key for s in composed.sections] == ["legal"]  # an empty section is not shown
    ((read,),) = [s.entries for s in composed.sections]
    assert (read.entry_id, read.status, read.backend) == (5, "drafted", "frames")
    with pytest.raises(ConfigError, match="brief 3 has no period"):
        compose.composed_from(Draft(id=3, title="T", period_start=None, period_end=None, status="draft",
                                    published_at=None, sections=()))  # fmt: skip


def test_an_english_report_enters_without_the_page_around_it() -> None:
    page = (
        "Posted 3 января 14:48 Updated 3 января 15:54\n"
        "Putin Signs Decree On Payments To Soldiers' Families\n"
        "Photo: press service\n"
        "President Vladimir Putin signed a decree on payments to the families of soldiers killed in the war.\n"
        "The families will receive 5 million rubles, the decree says.\n"
    )
    prose = compose.english_prose(page)
    assert prose.startswith("President Vladimir Putin signed a decree")
    assert prose.endswith("the decree says.")
    assert "Posted" not in prose and "Signs Decree" not in prose and "Photo" not in prose
    assert compose.english_prose("Short.") == "Short."  # nothing reads as prose: the text as it came


def test_a_story_continues_its_linked_brief_and_the_archive_paragraphs_naming_its_people() -> None:
    # names are matched only when the archive holds paragraphs; a linked earlier brief counts either way
    linked = EarlierBrief(brief_id=1, title="Mobilization in Russia for May 1, 2024", url=None,
                          period_end=dt.date(2024, 5, 1), story_id=40, score=0.8123)  # fmt: skip
    item = _story(4, "Суд в Курске приговорил Ивана Сидорова.").items[0]
    named = dataclasses.replace(
        item,
        entities=({"kind": "person", "latin": "Ivan Sidorov"},),
        places=({"name": "Kursk"},),
    )
    story = dataclasses.replace(_story(4, ""), items=(named,), earlier=(linked,))
    paragraph = PublishedParagraph(brief_id=2, title="Mobilization in Russia for May 9, 2024", url="https://b.test/2",
                                   period_end=dt.date(2024, 5, 9), text="Kursk jailed Ivan Sidorov.")  # fmt: skip
    just_linked = ({"brief_id": 1, "title": linked.title, "url": None, "score": 0.812},)
    assert compose.previously_reported(story, ()) == just_linked
    assert compose.previously_reported(story, continuations.Archive([])) == just_linked
    also_named = {"brief_id": 2, "title": paragraph.title, "url": paragraph.url, "score": 4.0,
                  "shared": ["sidorov", "kursk"]}  # fmt: skip
    assert compose.previously_reported(story, [paragraph]) == (*just_linked, also_named)
    assert compose.previously_reported(story, continuations.Archive([paragraph])) == (*just_linked, also_named)


def test_an_entry_placed_in_a_draft_row_keeps_every_other_field() -> None:
    # composing again places each planned entry in its row without dataclasses.replace: no field may be lost
    entry = compose.ComposedEntry(**{f.name: (f.name,) for f in dataclasses.fields(compose.ComposedEntry)})
    assert compose._placed(entry, 7) == dataclasses.replace(entry, entry_id=7)


def test_house_additions_are_taken_out_in_brackets_or_parentheses_and_nothing_else() -> None:
    # an entry with no bracket and no dollar sign is returned untouched without being searched
    style = compose.HouseStyle(terms=[GlossaryTerm(term="Mediazona", kind="outlet", gloss="an independent outlet")],
                               rates=RateTable.shipped([]))  # fmt: skip
    assert compose.strip_house_additions("Mediazona reported 3 million rubles.", style) == (
        "Mediazona reported 3 million rubles."
    )
    assert compose.strip_house_additions(
        "Mediazona [an independent outlet] reported 3 million rubles [$33,000].", style
    ) == ("Mediazona reported 3 million rubles.")
    assert compose.strip_house_additions("It paid 3 million rubles (about $33,000).", style) == (
        "It paid 3 million rubles."
    )
