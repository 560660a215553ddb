"""The fact guard: a draft that adds a number, drops or misspells a name, or spells a glossed term its own way
is caught, whichever backend wrote it; what the reports say (and mobrief's own conversions) passes."""

from __future__ import annotations

from draft_examples import story

from mobrief.brief.drafting import guard
from mobrief.brief.drafting.records import DraftContext

TEXT = (
    "Суд в Курске приговорил 34-летнего Ивана Сидорова к 12 годам колонии строгого режима. "
    "Его задержали сотрудники Росгвардии, пишет «Медиазона». Выплата составила 2,8 млн рублей."
)
CONTEXT = DraftContext(outlet_names={"Медиазона": "Mediazona"}, glossary_terms=("Rosgvardia", "Mediazona"))
GOOD = (
    "According to Mediazona, a court in Kursk has sentenced Ivan Sidorov, 34, to 12 years in a maximum-security "
    "penal colony. He was detained by Rosgvardia [the Russian National Guard] officers; the payment amounted to "
    "2.8 million rubles [$31,000]."
)


def kinds(text: str) -> list[str]:
    return [f.kind for f in guard.check(text, story(TEXT), CONTEXT)]


def test_a_faithful_draft_passes() -> None:
    assert kinds(GOOD) == []


def test_an_added_number_is_caught() -> None:
    found = guard.check(GOOD.replace("12 years", "15 years"), story(TEXT), CONTEXT)
    assert [(f.kind, f.text) for f in found] == [("number", "15")]
    assert "15" in found[0].message


def test_numbers_match_as_values_not_as_written() -> None:
    assert kinds(GOOD.replace("2.8 million", "2,800,000")) == []
    assert kinds(GOOD.replace("2.8 million", "2.9 million")) == ["number"]
    assert kinds(GOOD + " Twelve years is the term.") == []
    assert kinds(GOOD + " Seven people were there.") == ["number"]


def test_a_dropped_name_is_caught() -> None:
    found = guard.check(GOOD.replace("Ivan Sidorov", "a man"), story(TEXT), CONTEXT)
    assert [f.kind for f in found] == ["missing-name"]
    assert "Ivan Sidorov" in found[0].message


def test_a_misspelled_name_is_caught() -> None:
    found = guard.check(GOOD.replace("Sidorov", "Sidorev"), story(TEXT), CONTEXT)
    assert ("spelling", "Sidorev") in [(f.kind, f.text) for f in found]
    assert any("Sidorov" in f.message for f in found)


def test_an_invented_name_is_caught() -> None:
    found = guard.check(GOOD.replace("a court in Kursk", "a court in Tambov"), story(TEXT), CONTEXT)
    assert [(f.kind, f.text) for f in found] == [("name", "Tambov")]


def test_a_glossed_term_spelled_another_way_is_caught() -> None:
    found = guard.check(GOOD.replace("Rosgvardia", "Rosguardia"), story(TEXT), CONTEXT)
    assert [(f.kind, f.text) for f in found] == [("spelling", "Rosguardia")]
    assert "Rosgvardia" in found[0].message


def test_russian_left_in_a_draft_is_caught() -> None:
    assert "cyrillic" in kinds(GOOD + " Суд.")


def test_dollar_conversions_and_glosses_are_mobriefs_own() -> None:
    assert kinds(GOOD.replace("[$31,000]", "[$31,400]")) == []


def test_the_writers_own_openers_are_no_names() -> None:
    """ "Women have demanded …" opens a template's sentence: the guard does not ask the reports for a "Women"."""
    text = "Женщины требуют встречи с министром обороны Андреем Белоусовым у здания Минобороны в Москве."
    draft = "According to Mediazona, women have demanded a meeting with Andrey Belousov. Women have gathered."
    assert [f.kind for f in guard.check(draft, story(text), CONTEXT)] == []


def test_a_name_in_a_photo_credit_is_no_one_the_draft_must_name() -> None:
    text = "Фото: Никита Попов / РБК\nСуд в Курске приговорил 34-летнего Ивана Сидорова к 12 годам колонии."
    draft = "According to Mediazona, a court in Kursk has sentenced Ivan Sidorov, 34, to 12 years."
    assert [f.kind for f in guard.check(draft, story(text), CONTEXT)] == []
    assert [
        f.kind for f in guard.check("According to Mediazona, a court in Kursk has ruled.", story(text), CONTEXT)
    ] == ["missing-name"]
