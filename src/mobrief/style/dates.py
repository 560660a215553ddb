"""Brief titles and periods: read every title form the archive used, write the house (AP style) form.

Our own parser because the titles are a small fixed grammar ("July 31-Aug. 1, 2023", "Dec. 31, 2022 – Jan. 2,
2023", 2022 titles without a year) that general date parsers either reject or read as a single date.
"""

from __future__ import annotations

import datetime as dt
import re

TITLE_PREFIX = "Mobilization in Russia for"

# AP style: these five months are never abbreviated.
_AP_MONTHS = (
    "Jan.",
    "Feb.",
    "March",
    "April",
    "May",
    "June",
    "July",
    "Aug.",
    "Sept.",
    "Oct.",
    "Nov.",
    "Dec.",
)

_MONTH_WORDS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        ("january", "jan"),
        ("february", "feb"),
        ("march", "mar"),
        ("april", "apr"),
        ("may",),
        ("june", "jun"),
        ("july", "jul"),
        ("august", "aug"),
        ("september", "sept", "sep"),
        ("october", "oct"),
        ("november", "nov"),
        ("december", "dec"),
    ),
    start=1,
):
    for _name in _names:
        _MONTH_WORDS[_name] = _number

_MONTH = r"\b(?:" + "|".join(sorted(_MONTH_WORDS, key=len, reverse=True)) + r")\b\.?"
_DASH = r"\s*[-–—‒]\s*"
PERIOD_RE = re.compile(
    rf"(?P<m1>{_MONTH})\s*(?P<d1>\d{{1,2}})(?!\d)(?:,?\s*(?P<y1>(?:19|20)\d\d)\b)?"
    rf"(?:{_DASH}(?:(?P<m2>{_MONTH})\s*)?(?P<d2>\d{{1,2}})(?!\d))?"
    rf"(?:,?\s*(?P<y2>(?:19|20)\d\d)\b)?",
    re.IGNORECASE,
)
_TITLE_WORDS = re.compile(r"mobili[sz]ation|summary|\bbrief\b", re.IGNORECASE)

# The first published briefs (Sept.–Dec. 2022) often left the year out; the series began in September 2022.
FIRST_YEAR = 2022
FIRST_MONTH = 9


def _month_number(token: str) -> int:
    return _MONTH_WORDS[token.lower().rstrip(".")]


def _pick_year(month: int, day: int, hint: dt.date | None) -> int:
    """The likeliest year of a date printed without one: nearest the hint, else the series' first year."""
    if hint is not None:
        best: tuple[int, int] | None = None
        for year in (hint.year - 1, hint.year, hint.year + 1):
            try:
                distance = abs((dt.date(year, month, day) - hint).days)
            except ValueError:
                continue
            if best is None or distance < best[0]:
                best = (distance, year)
        if best is not None:
            return best[1]
    return FIRST_YEAR if month >= FIRST_MONTH else FIRST_YEAR + 1


def find_period(text: str) -> re.Match[str] | None:
    """The first date or date range in `text` (month names required), or None."""
    return PERIOD_RE.search(text)


def names_year(text: str) -> bool:
    """True when the period in `text` prints its year (2022 titles often did not)."""
    match = find_period(text)
    return match is not None and bool(match["y1"] or match["y2"])


def parse_period(text: str, hint: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """Read the period of a title or period string: `June 2–3, 2024` → (2024-06-02, 2024-06-03).

    A year left out is inferred: nearest to `hint` (publication date, a neighbouring brief) when given,
    else 2022 for September–December and 2023 for other months (the series started in September 2022).

    Raises:
        ValueError: when `text` holds no period or the period names an impossible date.
    """
    match = find_period(text)
    if match is None:
        raise ValueError(f"no date or date range in {text!r}")
    m1 = _month_number(match["m1"])
    d1 = int(match["d1"])
    m2 = _month_number(match["m2"]) if match["m2"] else m1
    d2 = int(match["d2"]) if match["d2"] else d1
    y1 = int(match["y1"]) if match["y1"] else None
    y2 = int(match["y2"]) if match["y2"] else None
    if y2 is None and y1 is not None and match["d2"] is None:
        y2 = y1
    try:
        if y2 is None:
            y2 = _pick_year(m2, d2, hint) if y1 is None else (y1 if (m2, d2) >= (m1, d1) else y1 + 1)
        if y1 is None:
            # only a range from a later month into an earlier one crosses a year ("Dec. 31–Jan. 2, 2023")
            y1 = y2 if (m1, d1) <= (m2, d2) or m1 == m2 else y2 - 1
        start, end = dt.date(y1, m1, d1), dt.date(y2, m2, d2)
    except ValueError as exc:
        raise ValueError(f"impossible date in {match.group(0)!r}: {exc}") from None
    if end < start:
        raise ValueError(f"period ends before it starts in {match.group(0)!r}")
    return start, end


def parse_title(title: str, hint: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The period of a brief title in any form the archive used (see `parse_period`)."""
    return parse_period(title, hint)


def looks_like_title(line: str) -> bool:
    """True for a line that reads as a brief's title: a short line naming the summary and its period."""
    text = line.strip()
    if not text or len(text) > 160 or text[-1] in ".!?;:" or not _TITLE_WORDS.search(text):
        return False
    match = find_period(text)
    if match is None:
        return False
    # the period comes after the wording, never at the start of a sentence about a date
    return match.start() > 0


def _month_day(day: dt.date) -> str:
    return f"{_AP_MONTHS[day.month - 1]} {day.day}"


def format_period(start: dt.date, end: dt.date) -> str:
    """A period in house style.

    `June 4, 2024`, `June 2–3, 2024`, `July 31–Aug. 1, 2023`, `Dec. 31, 2022 – Jan. 2, 2023`.

    Raises:
        ValueError: when `end` is before `start`.
    """
    if end < start:
        raise ValueError(f"period ends ({end}) before it starts ({start})")
    if start == end:
        return f"{_month_day(start)}, {start.year}"
    if start.year != end.year:
        return f"{_month_day(start)}, {start.year} – {_month_day(end)}, {end.year}"
    if start.month != end.month:
        return f"{_month_day(start)}–{_month_day(end)}, {end.year}"
    return f"{_month_day(start)}–{end.day}, {end.year}"


def format_title(start: dt.date, end: dt.date) -> str:
    """The house title of a brief for a period: `Mobilization in Russia for June 2–3, 2024`."""
    return f"{TITLE_PREFIX} {format_period(start, end)}"


def is_house_title(title: str) -> bool:
    """True when `title` is exactly the house title of the period it names (what the lint checks)."""
    try:
        start, end = parse_title(title)
    except ValueError:
        return False
    return title.strip() == format_title(start, end)


def house_title(title: str, hint: dt.date | None = None) -> str | None:
    """The house form of any title the archive used (the lint's fix), or None when it names no period."""
    try:
        start, end = parse_title(title, hint)
    except ValueError:
        return None
    return format_title(start, end)
