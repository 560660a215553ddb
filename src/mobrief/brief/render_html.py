"""Render a brief as a standalone HTML page: readable type, section anchors, source links, print styles."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from mobrief.brief import links
from mobrief.records import Brief
from mobrief.style import dates

TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True, slots=True)
class _Section:
    anchor: str
    key: str
    heading: str | None
    paragraphs: tuple[Markup, ...]


@functools.cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def slug(text: str) -> str:
    """An anchor for a heading: ASCII letters, digits, hyphens (`Army Recruitment` → `army-recruitment`)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "section"


def paragraph_html(text: str) -> Markup:
    """One paragraph as escaped HTML, its `[label](url)` and bare URLs turned into links."""
    out = Markup("")
    for piece, url in links.split_links(text):
        if url is None:
            out += escape(piece)
        else:
            out += Markup('<a href="{}">{}</a>').format(url, piece)
    return out


def render_html(brief: Brief) -> str:
    """The brief as a complete HTML document; every piece of text is escaped."""
    sections: list[_Section] = []
    used: set[str] = set()
    for position, section in enumerate(brief.sections):
        base = slug(section.heading) if section.heading else f"part-{position + 1}"
        anchor, n = base, 2
        while anchor in used:
            anchor, n = f"{base}-{n}", n + 1
        used.add(anchor)
        sections.append(
            _Section(
                anchor=anchor,
                key=section.key,
                heading=section.heading,
                paragraphs=tuple(paragraph_html(p) for p in section.paragraphs),
            )
        )
    period = None
    if brief.period_start is not None and brief.period_end is not None and brief.period_end >= brief.period_start:
        period = dates.format_period(brief.period_start, brief.period_end)
    toc = [(s.anchor, s.heading) for s in sections if s.heading]
    page = _environment().get_template("brief.html.j2")
    # an imported brief's URL came from a file: only an http(s) address becomes the canonical link
    return page.render(brief=brief, url=links.safe_link(brief.url), sections=sections, toc=toc, period=period)
