"""Render a brief as Markdown (`#` title, `##` headings); split the `[label](url)` links renderers share."""

from __future__ import annotations

import re

from mobrief.records import Brief

LINK_RE = re.compile(
    r"\[([^\[\]\n]+)\]\((https?://[^\s)]+)\)"  # [label](url)
    r"|(https?://[^\s<>\"\[\]()]*[^\s<>\"\[\]().,;:!?'’”])"  # a bare URL, without the punctuation after it
)
_SPACE = re.compile(r"\s+")
# a paragraph starting like this would read back as a heading, a rule or a setext underline: escape it
_NEEDS_ESCAPE = re.compile(r"^(?:\\|#|=+$|-{3,}$|\*\*.*\*\*$|__.*__$)")


def split_links(text: str) -> list[tuple[str, str | None]]:
    """A paragraph as (text, url) pieces: `[label](url)` and bare URLs are linked, the rest plain text."""
    pieces: list[tuple[str, str | None]] = []
    last = 0
    for match in LINK_RE.finditer(text):
        if match.start() > last:
            pieces.append((text[last : match.start()], None))
        if match.group(1) is not None:
            pieces.append((match.group(1), match.group(2)))
        else:
            pieces.append((match.group(3), match.group(3)))
        last = match.end()
    if last < len(text):
        pieces.append((text[last:], None))
    return pieces


def render_markdown(brief: Brief) -> str:
    """The brief as Markdown; reading it back with `archive_import.parse_markdown` gives the same brief."""
    parts = [f"# {_one_line(brief.title)}"]
    for section in brief.sections:
        if section.heading:
            parts.append(f"## {_one_line(section.heading)}")
        for paragraph in section.paragraphs:
            line = _one_line(paragraph)
            parts.append("\\" + line if _NEEDS_ESCAPE.match(line) else line)
    return "\n\n".join(parts) + "\n"


def _one_line(text: str) -> str:
    return _SPACE.sub(" ", text).strip()
