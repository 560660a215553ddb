"""Plain text and outbound links from an HTML fragment (a feed entry's summary, a post's body).

Written on the stdlib `html.parser` rather than lxml because fragments are small, lxml ships no type
stubs, and all we need is text with line breaks where blocks and `<br>` were, plus every `href`.

Feeds cut their HTML at a length, often inside a tag (`<span data-body="&lt;p&gt;…`): the parser holds back
what it cannot finish, and we drop that unfinished tail rather than letting `close()` pass it on as text.
HTML escaped twice (tags that arrive as text) is read once more.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "blockquote",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "pre",
        "table",
        "tr",
        "figure",
        "figcaption",
        "header",
        "footer",
        "hr",
    }
)
SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template", "head"})
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_TAG_LIKE = re.compile(r"<[a-zA-Z/!?]")
_BLANK_LINES = re.compile(r"\n{3,}")


@dataclass(frozen=True, slots=True, kw_only=True)
class HtmlText:
    """What a reader sees of a fragment, and where its links point."""

    text: str
    links: tuple[str, ...]


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED_TAGS:
            self._skipping += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in BLOCK_TAGS:
            self.parts.append("\n\n" if tag == "p" else "\n")
        if tag == "a":
            href = dict(attrs).get("href")
            if href and not href.startswith(("#", "javascript:")):
                self.links.append(href.strip())

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in SKIPPED_TAGS:
            self._skipping -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED_TAGS:
            self._skipping = max(0, self._skipping - 1)
        elif tag in BLOCK_TAGS:
            self.parts.append("\n\n" if tag == "p" else "\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:  # a newline in HTML source is only a space; breaks come from tags
            self.parts.append(data.replace("\n", " "))


def tidy_text(text: str) -> str:
    """Collapse runs of spaces, trim every line, keep at most one blank line between paragraphs."""
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def unique(values: list[str]) -> tuple[str, ...]:
    """The values in first-seen order, each once."""
    return tuple(dict.fromkeys(v for v in values if v))


def html_to_text(fragment: str) -> HtmlText:
    """Text of an HTML fragment with paragraph and `<br>` breaks kept, and each link's href once, in order.
    A tag, comment or declaration cut off at the end of the fragment is dropped; the text before it is kept."""
    if "<" not in fragment and "&" not in fragment:
        return HtmlText(text=tidy_text(fragment), links=())
    text, links = _parse(fragment)
    for _ in range(2):  # markup that was escaped twice reads as text after one pass
        if not _TAG_LIKE.search(text):
            break
        text, more = _parse(text.replace("\n", "<br>"))  # its line breaks are the text's own by now
        links += more
    return HtmlText(text=tidy_text(text), links=unique(links))


def _parse(fragment: str) -> tuple[str, list[str]]:
    collector = _TextCollector()
    collector.feed(fragment)
    if collector.rawdata.startswith("<"):  # held back because it never ends: a cut tag, not text
        collector.rawdata = ""
    collector.close()
    return "".join(collector.parts), collector.links
