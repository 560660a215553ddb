"""The section taxonomy: keys in house order, every heading the archive printed, and unknown headings."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mobrief.style import sections


def test_keys_come_in_house_order() -> None:
    assert sections.SECTION_ORDER == (
        "special",
        "authorities",
        "recruitment",
        "soldiers",
        "legal",
        "children",
        "longreads",
    )
    assert sorted(sections.SECTION_ORDER, key=sections.order_of) == list(sections.SECTION_ORDER)
    assert sections.order_of(sections.UNHEADED) == len(sections.SECTION_ORDER)


@pytest.mark.parametrize(
    ("heading", "key"),
    [
        ("Authorities and Relatives of Mobilized Soldiers", "authorities"),
        ("Authorities and Legislation", "authorities"),
        ("Putin’s Statements and Legislation", "authorities"),
        ("Putin's statements and legislation", "authorities"),
        ("Statements by Authorities and Legislation", "authorities"),
        ("Army Recruitment", "recruitment"),
        ("Army Recruitment and Military Service Advertising", "recruitment"),
        ("Recruitment and Military Service Advertising", "recruitment"),
        ("Military Service Advertising, Volunteer Fighters’ Recruitment and Draft Notices", "recruitment"),
        ("Digital draft notices", "recruitment"),
        ("Mobilized Soldiers, Volunteer Fighters and Contract Soldiers", "soldiers"),
        ("Mobilized Soldiers and Volunteer Fighters", "soldiers"),
        ("Mobilized Soldiers, Contract Soldiers and Conscripts", "soldiers"),
        ("Sentences, Legal Proceedings and Incidents", "legal"),
        ("Children and Educational System", "children"),
        ("Longreads", "longreads"),
        ("  ARMY   RECRUITMENT: ", "recruitment"),
        ("Crocus City Hall Terrorist Attack", "special"),
        ("A Heading Nobody Has Printed Yet", "special"),
    ],
)
def test_section_key_maps_every_heading_seen(heading: str, key: str) -> None:
    assert sections.section_key(heading) == key


def test_no_heading_is_unheaded() -> None:
    assert sections.section_key(None) == sections.UNHEADED
    assert sections.section_key("   ") == sections.UNHEADED


def test_current_headings_map_back_to_their_keys() -> None:
    for key in sections.SECTION_ORDER[1:]:
        assert sections.section_key(sections.heading_for(key)) == key


def test_special_sections_have_no_standing_heading() -> None:
    with pytest.raises(KeyError, match="special"):
        sections.heading_for("special")


def test_known_headings_include_the_one_off_topics() -> None:
    assert sections.is_known_heading("Alexei Navalny's Death")
    assert sections.is_known_heading("Authorities and Legislation")
    assert not sections.is_known_heading("Putin signed the law")


@given(st.one_of(st.none(), st.text(max_size=60)))
def test_section_key_is_always_a_known_key(heading: str | None) -> None:
    assert sections.section_key(heading) in (*sections.SECTION_ORDER, sections.UNHEADED)
