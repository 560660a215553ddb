"""Titles and periods: every title form the archive used is read; the house form is written and read back."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mobrief.style import dates

D = dt.date
M = "Mobilization in Russia for "


@pytest.mark.parametrize(
    ("title", "start", "end"),
    [
        (M + "June 2–3, 2024", D(2024, 6, 2), D(2024, 6, 3)),
        (M + "June 2–3, 2024 CIT Volunteer Summary", D(2024, 6, 2), D(2024, 6, 3)),
        (M + "Apr. 11–12, 2023 CIT volunteer summary", D(2023, 4, 11), D(2023, 4, 12)),
        (
            M + "Feb. 12–13, 2023, CIT volunteer summary",
            D(2023, 2, 12),
            D(2023, 2, 13),
        ),
        (
            M + "Sept. 22-24, 2023 CIT Volunteer Summary",
            D(2023, 9, 22),
            D(2023, 9, 24),
        ),
        (M + "July 31-Aug. 1, 2023", D(2023, 7, 31), D(2023, 8, 1)),
        (
            M + "Nov. 30-Dec. 1, 2023 CIT Volunteer Summary",
            D(2023, 11, 30),
            D(2023, 12, 1),
        ),
        (M + "Dec. 31, 2022 – Jan. 2, 2023", D(2022, 12, 31), D(2023, 1, 2)),
        (M + "Oct. 14-16, 2025", D(2025, 10, 14), D(2025, 10, 16)),
        (M + "June 4, 2024", D(2024, 6, 4), D(2024, 6, 4)),
        (M + "Jul. 10-11, 2023 CIT Volunteer Summary", D(2023, 7, 10), D(2023, 7, 11)),
        (M + "Jun. 26-27, 2023 CIT Volunteer Summary", D(2023, 6, 26), D(2023, 6, 27)),
        (
            M + "March 20–23, 2025 CIT Volunteer Summary",
            D(2025, 3, 20),
            D(2025, 3, 23),
        ),
        (
            M + "May 31-June 2, 2024 CIT Volunteer Summary",
            D(2024, 5, 31),
            D(2024, 6, 2),
        ),
        # the 2022 wordings print no year
        ("Mobilization update for September 27-28", D(2022, 9, 27), D(2022, 9, 28)),
        (
            "Volunteer summary on mobilization in the Russian Federation for October 24–25",
            D(2022, 10, 24),
            D(2022, 10, 25),
        ),
        (M + "December 1–2, CIT volunteer summary", D(2022, 12, 1), D(2022, 12, 2)),
        (M + "November 21-22, volunteer summary", D(2022, 11, 21), D(2022, 11, 22)),
        ("Summary of the mobilization in Russian Federation, October 3-4", D(2022, 10, 3), D(2022, 10, 4)),
        ("Mobilization update as of October 28–29", D(2022, 10, 28), D(2022, 10, 29)),
        (
            "Russian mobilization news update by CIT volunteers, October 31– November 1",
            D(2022, 10, 31),
            D(2022, 11, 1),
        ),
        ("Mobilization summary for December 31–January 2", D(2022, 12, 31), D(2023, 1, 2)),
    ],
)
def test_parse_title_reads_every_archive_form(title: str, start: dt.date, end: dt.date) -> None:
    assert dates.parse_title(title) == (start, end)
    assert dates.looks_like_title(title)


def test_a_missing_year_is_taken_from_the_hint() -> None:
    title = M + "December 1–2, CIT volunteer summary"
    assert dates.parse_title(title, hint=D(2023, 12, 4)) == (D(2023, 12, 1), D(2023, 12, 2))
    # a January hint puts a late-December period in the year before
    assert dates.parse_title("Summary for December 30–31", hint=D(2024, 1, 2)) == (
        D(2023, 12, 30),
        D(2023, 12, 31),
    )
    # a printed year wins over any hint
    assert dates.parse_title(M + "June 2–3, 2024", hint=D(2020, 1, 1))[1] == D(2024, 6, 3)


def test_without_a_hint_a_yearless_spring_period_is_the_series_second_year() -> None:
    assert dates.parse_period("April 3–4") == (D(2023, 4, 3), D(2023, 4, 4))


@pytest.mark.parametrize(
    ("start", "end", "period"),
    [
        (D(2024, 6, 4), D(2024, 6, 4), "June 4, 2024"),
        (D(2024, 6, 2), D(2024, 6, 3), "June 2–3, 2024"),
        (D(2023, 9, 22), D(2023, 9, 24), "Sept. 22–24, 2023"),
        (D(2023, 7, 31), D(2023, 8, 1), "July 31–Aug. 1, 2023"),
        (D(2022, 12, 31), D(2023, 1, 2), "Dec. 31, 2022 – Jan. 2, 2023"),
        (D(2025, 3, 9), D(2025, 3, 11), "March 9–11, 2025"),
        (D(2025, 2, 9), D(2025, 2, 11), "Feb. 9–11, 2025"),
        (D(2024, 4, 21), D(2024, 4, 22), "April 21–22, 2024"),
        (D(2024, 5, 31), D(2024, 6, 2), "May 31–June 2, 2024"),
    ],
)
def test_format_period_writes_ap_style(start: dt.date, end: dt.date, period: str) -> None:
    assert dates.format_period(start, end) == period
    assert dates.format_title(start, end) == M + period


def test_format_period_refuses_a_period_that_ends_before_it_starts() -> None:
    with pytest.raises(ValueError, match="before it starts"):
        dates.format_period(D(2024, 6, 3), D(2024, 6, 2))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Mobilization in Russia",
        M + "Feb. 30, 2024",
        "for June 5-3, 2024",
        "June 40",
    ],
)
def test_parse_period_rejects_text_without_a_real_period(text: str) -> None:
    with pytest.raises(ValueError):
        dates.parse_period(text)


periods = st.tuples(
    st.dates(min_value=D(2000, 1, 1), max_value=D(2098, 12, 31)), st.integers(min_value=0, max_value=12)
).map(lambda pair: (pair[0], pair[0] + dt.timedelta(days=pair[1])))


@given(periods)
def test_format_then_parse_round_trips(period: tuple[dt.date, dt.date]) -> None:
    start, end = period
    title = dates.format_title(start, end)
    assert dates.parse_title(title) == (start, end)
    assert dates.is_house_title(title)
    assert dates.house_title(title) == title


@given(st.text(max_size=80))
def test_parse_period_never_fails_with_anything_but_value_error(text: str) -> None:
    try:
        start, end = dates.parse_period(text)
    except ValueError:
        return
    assert start <= end


@pytest.mark.parametrize(
    ("title", "fix"),
    [
        (
            M + "June 2-3, 2024 CIT Volunteer Summary",
            M + "June 2–3, 2024",
        ),
        (M + "Sep. 22–24, 2023", M + "Sept. 22–24, 2023"),
        (M + "Apr. 11–12, 2023", M + "April 11–12, 2023"),
        (
            M + "Dec. 31, 2022–Jan. 2, 2023",
            M + "Dec. 31, 2022 – Jan. 2, 2023",
        ),
    ],
)
def test_non_house_titles_are_flagged_with_their_fix(title: str, fix: str) -> None:
    assert not dates.is_house_title(title)
    assert dates.house_title(title) == fix
    assert dates.is_house_title(fix)


def test_sentences_are_not_titles() -> None:
    assert not dates.looks_like_title("June 4, 2024 was the day the summary was published.")
    assert not dates.looks_like_title(M + "June 2–3, 2024 began with a protest.")
    assert not dates.looks_like_title("June 4")
