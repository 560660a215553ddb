"""Render a brief as plain text in the published layout: title, headings and paragraphs, blank-line apart."""

from __future__ import annotations

import re

from mobrief.records import Brief

_SPACE = re.compile(r"\s+")


def render_text(brief: Brief) -> str:
    """The brief as plain text; reading it back with `archive_import.parse_text` gives the same brief."""
    parts = [_one_line(brief.title)]
    for section in brief.sections:
        if section.heading:
            parts.append(_one_line(section.heading))
        parts.extend(_one_line(paragraph) for paragraph in section.paragraphs)
    return "\n\n".join(parts) + "\n"


def _one_line(text: str) -> str:
    return _SPACE.sub(" ", text).strip()
