"""Reading published briefs from plain text, Markdown and saved HTML pages (fixtures are fictional)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from mobrief.brief import archive_import
from mobrief.errors import BadRecord, SourceUnavailable
from mobrief.records import Brief

DATA = Path(__file__).parent / "data"
D = dt.date


def keys(brief: Brief) -> list[tuple[str, str | None, int]]:
    return [(s.key, s.heading, len(s.paragraphs)) for s in brief.sections]


def test_plain_text_with_preamble_and_two_briefs() -> None:
    first, second = archive_import.read_briefs(DATA / "two_briefs.txt")
    assert first.title == "Mobilization in Russia for March 3–4, 2024 CIT Volunteer Summary"
    assert (first.period_start, first.period_end) == (D(2024, 3, 3), D(2024, 3, 4))
    assert keys(first) == [
        ("authorities", "Authorities and Relatives of Mobilized Soldiers", 2),
        ("recruitment", "Army Recruitment", 1),
        ("special", "Flood Relief Operations", 1),
        ("legal", "Sentences, Legal Proceedings and Incidents", 2),
        ("longreads", "Longreads", 1),
    ]
    # the preamble ("mobilization briefs", "March 5") is page furniture, not text
    assert all("mobilization briefs" not in p for s in first.sections for p in s.paragraphs)
    assert (second.period_start, second.period_end) == (D(2024, 12, 31), D(2025, 1, 2))
    assert keys(second) == [("unknown", None, 2)]


def test_a_heading_like_line_that_ends_the_brief_stays_a_paragraph() -> None:
    text = (
        "Mobilization in Russia for June 4, 2024\n\nArmy Recruitment\n\n"
        "A recruiter in Lesnoy offered a bonus.\n\nMobilized Soldiers, Voluntee\n"
    )
    (brief,) = archive_import.parse_text(text)
    assert keys(brief) == [("recruitment", "Army Recruitment", 2)]
    assert brief.sections[0].paragraphs[-1] == "Mobilized Soldiers, Voluntee"


def test_unknown_headings_are_special_and_list_items_are_paragraphs() -> None:
    text = "\n".join(
        [
            "Mobilization in Russia for Oct. 2-3, 2023 CIT Volunteer Summary",
            "Three years of the new draft law",
            "The law came into force on Monday.",
            "The court listed the banned groups:",
            "The Northern Volunteer Legion (NVL)",
            "The Free Ural Movement (FUM)",
            "• The Southern Front",
            "Authorities and Legislation",
            "The governor signed a decree.",
        ]
    )
    (brief,) = archive_import.parse_text(text)
    assert keys(brief) == [
        ("special", "Three years of the new draft law", 5),
        ("authorities", "Authorities and Legislation", 1),
    ]


def test_consecutive_heading_like_lines_are_a_list_not_empty_sections() -> None:
    text = "\n".join(
        [
            "Mobilization in Russia for Oct. 2-3, 2023",
            "Army Recruitment",
            "Recruiters visited three colleges:",
            "Kamensk Polytechnic College",
            "Lesnoy Agricultural College",
            "Both colleges refused to comment.",
        ]
    )
    (brief,) = archive_import.parse_text(text)
    assert keys(brief) == [("recruitment", "Army Recruitment", 4)]


def test_hard_wrapped_text_joins_the_lines_of_a_paragraph() -> None:
    text = (
        "Mobilization in Russia for June 4, 2024\n\nArmy Recruitment\n\n"
        "A recruiter in Lesnoy offered a bonus\nof 100,000 rubles to students\nwho sign a contract.\n\n"
        "Officials in Kamensk did the same\nfor workers of the local plant.\n"
    )
    (brief,) = archive_import.parse_text(text)
    assert brief.sections[0].paragraphs == (
        "A recruiter in Lesnoy offered a bonus of 100,000 rubles to students who sign a contract.",
        "Officials in Kamensk did the same for workers of the local plant.",
    )


def test_markdown_headings_items_front_matter_and_escapes() -> None:
    (brief,) = archive_import.read_briefs(DATA / "brief.md")
    assert (brief.period_start, brief.period_end) == (D(2024, 7, 5), D(2024, 7, 7))
    assert keys(brief) == [
        ("unknown", None, 1),
        ("authorities", "Authorities and Relatives of Mobilized Soldiers", 1),
        ("recruitment", "Army Recruitment", 2),
        ("legal", "Sentences, Legal Proceedings and Incidents", 1),
    ]
    # lines of one Markdown paragraph are joined; a list item keeps its marker; `\#` is unescaped
    assert (
        brief.sections[1]
        .paragraphs[0]
        .startswith("The wives of mobilized soldiers from the Novaya Volna [New Wave] group asked")
    )
    assert brief.sections[2].paragraphs[1] == "- A second office offered free housing to their families."
    assert brief.sections[3].paragraphs[0].startswith("# is how")


def test_html_page_drops_site_chrome_and_reads_headings() -> None:
    (brief,) = archive_import.read_briefs(DATA / "page.html")
    assert brief.title == "Mobilization in Russia for Sept. 22-24, 2023 CIT Volunteer Summary"
    assert brief.url == "https://notes.example.org/mobilization-sept-22-24"
    assert keys(brief) == [
        ("authorities", "Authorities and Legislation", 2),
        ("recruitment", "Army Recruitment and Military Service Advertising", 3),
        ("children", "Children and Educational System", 1),
    ]
    text = " ".join(p for s in brief.sections for p in s.paragraphs)
    assert "Russia’s Federal Assembly" in text and "offices & updates" in text  # entities decoded
    assert "Home" not in text and "Subscribe" not in text and "Example Notes" not in text and "tracking" not in text
    assert brief.sections[2].paragraphs == (
        "Schools in the Zarechny district added a course on drone assembly, the Uchitelskaya Gazeta "
        "[Teachers' Newspaper] reported.",
    )


def test_html_list_page_splits_at_each_title_and_dates_the_yearless_one(tmp_path: Path) -> None:
    page = (DATA / "list_page.html").read_text(encoding="utf-8").replace("reservists", "резервистов «Вёрстки»")
    path = tmp_path / "list.html"
    path.write_bytes(page.encode("cp1251"))
    first, second = archive_import.read_briefs(path)
    assert (first.period_end, second.period_end) == (D(2022, 12, 29), D(2023, 1, 10))
    assert first.sections[0].paragraphs[0].endswith("резервистов «Вёрстки» <under 35>.")
    assert keys(second) == [("authorities", "Authorities and Legislation", 1)]


def test_a_neighbour_on_a_list_page_gives_the_year() -> None:
    text = "\n".join(
        [
            "Mobilization in Russia for Dec. 19-20, 2023 CIT Volunteer Summary",
            "The first brief has one story.",
            "Mobilization in Russia for December 21–22, CIT volunteer summary",
            "The second brief has one story too.",
            "Mobilization in Russia for Dec. 24-26, 2023 CIT Volunteer Summary",
            "The third brief has one story as well.",
        ]
    )
    briefs = archive_import.parse_text(text)
    assert [b.period_end for b in briefs] == [D(2023, 12, 20), D(2023, 12, 22), D(2023, 12, 26)]


def test_a_dateline_with_a_year_dates_a_yearless_title() -> None:
    text = "December 6, 2023\n\nMobilization in Russia for December 4–5, CIT volunteer summary\n\nOne story.\n"
    (brief,) = archive_import.parse_text(text)
    assert brief.period_end == D(2023, 12, 5)
    (brief,) = archive_import.parse_text(text.replace("December 6, 2023", "Today"))
    assert brief.period_end == D(2022, 12, 5)


def test_a_file_without_a_title_is_a_bad_record(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("Just some notes.\n\nNo brief here.\n", encoding="utf-8")
    with pytest.raises(BadRecord, match=r"notes\.txt:1: no brief title found .*; the first line reads 'Just some"):
        archive_import.read_briefs(path)


def test_unreadable_files_are_reported(tmp_path: Path) -> None:
    with pytest.raises(SourceUnavailable, match=r"missing\.txt"):
        archive_import.read_briefs(tmp_path / "missing.txt")
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x81\x8d\x8f\x90\x9d\xff")
    with pytest.raises(SourceUnavailable, match="not a text file"):
        archive_import.read_briefs(binary)
    binary.write_bytes(b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\x00\n")
    with pytest.raises(BadRecord, match=r"image\.txt:3: not a text file \(save the brief as HTML, Markdown or"):
        archive_import.read_briefs(binary)


@pytest.mark.parametrize(
    ("line", "heading"),
    [
        ("Army Recruitment", True),
        ("Prigozhin’s Armed Rebellion: Consequences", True),
        ("Russia’s “Presidential Election”", True),
        ("Direct Line with Putin", True),
        ("Three years of full-scale war", True),
        ("The governor signed a decree.", False),
        ("Legal experts", True),  # reads as a heading; only its place (last in a brief) makes it text
        ("• In", False),
        ("- A projected deficit of 3.8 trillion rubles [$46 billion].", False),
        ("(The first and the subsequent two days of the vote.)", False),
        ("Russian President Vladimir Putin signed a number of decrees and laws:", False),
        ("in the city of Kursk", False),
        ("The Ukrainian Insurgent Army (UPA)", False),
    ],
)
def test_looks_like_heading(line: str, heading: bool) -> None:
    assert archive_import.looks_like_heading(line) is heading


def test_subtitle_and_dateline_under_the_title_are_page_furniture() -> None:
    page = (
        "<article><h1>Mobilization in Russia for June 2–3, 2024</h1><p>CIT Volunteer Summary</p>"
        "<p>June 4</p><p>Opening story.</p><h2>Army Recruitment</h2><p>Recruiting.</p></article>"
    )
    (brief,) = archive_import.parse_html(page)
    assert keys(brief) == [("unknown", None, 1), ("recruitment", "Army Recruitment", 1)]
    assert archive_import.is_date_line("April 14, 2023") and archive_import.is_date_line("Yesterday")
    assert not archive_import.is_date_line("June 4 was a Tuesday.")
