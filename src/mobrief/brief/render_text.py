"""Render a brief as plain text in the published layout: title, headings and paragraphs, blank-line apart.

Plain text gets pasted into pages and content systems that read it as HTML, so `<`, `>` and an `&` that starts
an entity are written as entities: such a paste shows the text and runs nothing. `archive_import.parse_text`
reads them back.
"""

from __future__ import annotations

import re

from mobrief.records import Brief

_SPACE = re.compile(r"\s+")
_ESCAPES = re.compile(r"(&(?=#[0-9]+;|#[xX][0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;))|(<)|(>)")


def escape_text(text: str) -> str:
    """Text with `<`, `>` and entity-starting `&` as entities (a lone `&` stays readable)."""
    return _ESCAPES.sub(lambda m: "&amp;" if m.group(1) else "&lt;" if m.group(2) else "&gt;", text)


def render_text(brief: Brief) -> str:
    """The brief as plain text; reading it back with `archive_import.parse_text` gives the same brief."""
    parts = [escape_text(_one_line(brief.title))]
    for section in brief.sections:
        if section.heading:
            parts.append(escape_text(_one_line(section.heading)))
        parts.extend(escape_text(_one_line(paragraph)) for paragraph in section.paragraphs)
    return "\n\n".join(parts) + "\n"


def _one_line(text: str) -> str:
    return _SPACE.sub(" ", text).strip()
