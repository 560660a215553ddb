"""Render a brief as Telegram messages: Telegram's HTML subset (<b>, <i>, <a>), at most 4,096 characters each.

Messages break between paragraphs, a heading stays with the paragraph under it, and only a paragraph longer
than a whole message is cut, between sentences (or words) and never inside a tag or an entity.
"""

from __future__ import annotations

import html
import re

from mobrief.brief import links
from mobrief.records import Brief

MESSAGE_LIMIT = 4096
_SENTENCE_BREAK = re.compile(r"(?<=[.!?…])\s+(?=\S)")


def telegram_length(message: str) -> int:
    """Length as Telegram counts it (UTF-16 code units), of the message with its tags: an upper bound."""
    return len(message.encode("utf-16-le")) // 2


def escape_text(text: str) -> str:
    """Text safe inside Telegram HTML: `&`, `<` and `>` as entities."""
    return html.escape(text, quote=False)


def paragraph_telegram(text: str) -> str:
    """One paragraph in Telegram HTML, with `[label](url)` and bare URLs as <a> links."""
    out = []
    for piece, url in links.split_links(text):
        if url is None:
            out.append(escape_text(piece))
        else:
            out.append(f'<a href="{html.escape(url, quote=True)}">{escape_text(piece)}</a>')
    return "".join(out)


def _pieces(text: str, limit: int) -> list[str]:
    """A paragraph as rendered pieces within `limit`: whole, else by sentences, else by words, else cut."""
    rendered = paragraph_telegram(text)
    if telegram_length(rendered) <= limit:
        return [rendered]
    for splitter in (_SENTENCE_BREAK, re.compile(r"\s+")):
        parts = [p for p in splitter.split(text) if p]
        if len(parts) > 1:
            pieces: list[str] = []
            current = ""
            for part in parts:
                candidate = f"{current} {part}" if current else part
                if current and telegram_length(paragraph_telegram(candidate)) > limit:
                    pieces.extend(_pieces(current, limit))
                    current = part
                else:
                    current = candidate
            pieces.extend(_pieces(current, limit))
            return pieces
    # one unbreakable word longer than a message: cut the plain text so no entity is split
    head, tail = text, ""
    while len(head) > 1 and telegram_length(escape_text(head)) > limit:
        cut = max(1, len(head) * limit // telegram_length(escape_text(head)) - 1)
        head, tail = head[:cut], head[cut:] + tail
    return [escape_text(head), *(_pieces(tail, limit) if tail else [])]


def _bold(text: str, limit: int) -> list[str]:
    """A title or heading in bold, in pieces should it be longer than a message."""
    line = " ".join(text.split())
    if telegram_length(f"<b>{escape_text(line)}</b>") <= limit:
        return [f"<b>{escape_text(line)}</b>"]
    return [f"<b>{piece}</b>" for piece in _pieces(line, limit - len("<b></b>"))]


def render_telegram(brief: Brief, limit: int = MESSAGE_LIMIT) -> list[str]:
    """The brief as a list of Telegram HTML messages, each at most `limit` characters.

    Raises:
        ValueError: when `limit` is too small to hold a tag and a word (under 64).
    """
    if limit < 64:
        raise ValueError(f"a Telegram message limit of {limit} characters is too small")
    blocks: list[tuple[str, bool]] = [(bold, True) for bold in _bold(brief.title, limit)]
    for section in brief.sections:
        if section.heading:
            blocks.extend((bold, True) for bold in _bold(section.heading, limit))
        for paragraph in section.paragraphs:
            text = " ".join(paragraph.split())
            if text:
                blocks.extend((piece, False) for piece in _pieces(text, limit))
    messages: list[str] = []
    current: list[str] = []
    for i, (block, keep_with_next) in enumerate(blocks):
        if keep_with_next and current and i + 1 < len(blocks):
            # a heading (or the title) opens a new message unless its first paragraph fits after it here
            follow = blocks[i + 1][0]
            if telegram_length("\n\n".join([*current, block, follow])) > limit:
                messages.append("\n\n".join(current))
                current = []
        if current and telegram_length("\n\n".join([*current, block])) > limit:
            messages.append("\n\n".join(current))
            current = []
        current.append(block)
    if current:
        messages.append("\n\n".join(current))
    return messages
