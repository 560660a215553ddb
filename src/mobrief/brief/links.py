"""Links in a brief's text: `[label](url)` and bare URLs, of which only http(s) and mailto ever become links.

Every renderer splits paragraphs with `split_links`, so no output format can turn a `javascript:`, `data:` or
any other URL into a link: such text stays text, escaped as the format requires.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_URL_CHARS = r"[^\s()<>\"\\\[\]]"  # no spaces, brackets, quotes or backslashes: nothing that ends a link early
LINK_RE = re.compile(
    rf"\[([^\[\]\n]+)\]\(((?:https?://|mailto:){_URL_CHARS}+)\)"  # [label](url)
    r"|(https?://[^\s<>\"\[\]()\\]*[^\s<>\"\[\]().,;:!?'’”\\])"  # a bare URL, without the punctuation after it
)


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


def safe_link(url: object) -> str | None:
    """`url` when it may be a link in published output (absolute http(s), or mailto), else None."""
    if not isinstance(url, str):
        return None
    text = url.strip()
    if not text or any(ch.isspace() or ord(ch) < 0x20 or ch in '<>"\\' for ch in text):
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme in ("http", "https") and parts.netloc:
        return text
    if scheme == "mailto" and "@" in parts.path:
        return text
    return None
