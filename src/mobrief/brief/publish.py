"""Publishing's pure parts: a brief's file name, its files in every format, and how a correction or withdrawal is
dated and named. The use case itself (review, freeze, audit, feed) is `newsroom.publish`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from mobrief.brief import formats, render_html
from mobrief.records import Brief
from mobrief.style import dates


def check_renders(brief: Brief) -> None:
    """Render every published form now, so a brief that cannot be rendered is noticed at once."""
    for fmt in formats.FORMATS.values():
        fmt.render(brief)


def notice_of(kind: str) -> str:
    return "Withdrawn" if kind == "withdrawal" else "Corrected"


def long_date(moment: dt.datetime) -> str:
    """The day of a correction as the house writes dates: "June 5, 2024", "Sept. 22, 2023"."""
    day = moment.astimezone(dt.UTC).date()
    return dates.format_period(day, day)


def brief_slug(brief: Brief) -> str:
    """A stable file and URL name: `mobilization-in-russia-for-june-2-3-2024`."""
    return render_html.slug(brief.title)


def write_formats(brief: Brief, folder: Path) -> dict[str, Path]:
    """Every published format of a brief, written under `folder`; returns format → path."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = brief_slug(brief)
    paths = {}
    for fmt in formats.FORMATS.values():
        path = folder / f"{stem}{fmt.suffix}"
        path.write_text(fmt.render(brief), encoding="utf-8")
        paths[fmt.name] = path
    return paths
