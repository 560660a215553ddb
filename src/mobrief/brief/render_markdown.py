"""Render a brief as Markdown (`#` title, `##` headings), escaped so that no Markdown renderer makes markup of it.

Source text is hostile: a report may carry `<script>`, `<svg onload=…>` or `[x](javascript:…)`, and many
renderers (CommonMark's reference, markdown-it with `html`, Python-Markdown) pass raw HTML through. So `<`
becomes `&lt;` (an entity every Markdown flavour leaves alone, where `\\<` is not an escape in all of them), a
`]` that could close a link is backslash-escaped, and only `[label](url)` pieces with an http(s) or mailto URL
(`links.split_links`) are written as links. `archive_import.parse_markdown` undoes exactly these escapes.
"""

from __future__ import annotations

import re

from mobrief.brief import links
from mobrief.records import Brief

_SPACE = re.compile(r"\s+")
# a paragraph starting like this would read back as a heading, a rule or a setext underline: escape it
_NEEDS_ESCAPE = re.compile(r"^(?:#|=+$|-{3,}$|\*\*.*\*\*$|__.*__$)")
_ENTITY_LIKE = r"&(?=#[0-9]+;|#[xX][0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)"
# in text: a backslash before punctuation (it would escape it), an ampersand that starts an entity, every
# "<" (raw HTML, autolinks), a "]" that could close a link or image ("](", "]["), a "[" that could open a
# reference definition (at the start)
_TEXT_ESCAPES = re.compile(r"(\\(?=[!-/:-@\[-`{-~]))|(" + _ENTITY_LIKE + r")|(<)|(\](?=[(\[]))|(^\[)")
_URL_ESCAPES = re.compile(_ENTITY_LIKE)


def _escape_match(match: re.Match[str]) -> str:
    backslash, amp, less, close, _ = match.groups()
    if backslash:
        return "\\\\"
    if amp:
        return "&amp;"
    if less:
        return "&lt;"
    return "\\]" if close else "\\["


def escape_text(text: str) -> str:
    """Text as Markdown that renders as exactly this text, never as HTML or a link."""
    return _TEXT_ESCAPES.sub(_escape_match, text)


def paragraph_markdown(text: str) -> str:
    """One paragraph as Markdown: its http(s) and mailto links kept as links, everything else escaped text."""
    out = []
    for piece, url in links.split_links(text):
        if url is None:
            out.append(escape_text(piece))
        elif piece == url:  # a bare URL: text that linkifying renderers make a link
            out.append(_URL_ESCAPES.sub("&amp;", url))
        else:
            out.append(f"[{escape_text(piece)}]({_URL_ESCAPES.sub('&amp;', url)})")
    line = "".join(out)
    return "\\" + line if _NEEDS_ESCAPE.match(line) else line


def render_markdown(brief: Brief) -> str:
    """The brief as Markdown; reading it back with `archive_import.parse_markdown` gives the same brief."""
    parts = [f"# {escape_text(_one_line(brief.title))}"]
    for section in brief.sections:
        if section.heading:
            parts.append(f"## {escape_text(_one_line(section.heading))}")
        for paragraph in section.paragraphs:
            parts.append(paragraph_markdown(_one_line(paragraph)))
    return "\n\n".join(parts) + "\n"


def _one_line(text: str) -> str:
    return _SPACE.sub(" ", text).strip()
