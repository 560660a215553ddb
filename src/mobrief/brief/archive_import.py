"""Read published briefs (saved HTML pages, Markdown, plain text) into `Brief` records, one or many per file.

Our own reader, not trafilatura: extraction keeps one main text per page and loses what we need most, the
headings (often a bold paragraph) and the exact paragraph boundaries; and a site's list page holds several
briefs that must be split at each title.
"""

from __future__ import annotations

import datetime as dt
import html
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from mobrief.errors import BadRecord, SourceUnavailable
from mobrief.records import Brief, BriefSection
from mobrief.style import dates, sections

# What a block of input is, before we know where it belongs.
TEXT = "text"  # a line or paragraph: heading or paragraph, decided by how it reads
HEADING = "heading"  # the markup says heading (h2, `##`, a bold-only paragraph)
ITEM = "item"  # a list item: always a paragraph


@dataclass(frozen=True, slots=True)
class Block:
    """One line, paragraph or heading of the input, in reading order."""

    kind: str
    text: str


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_SPACE = re.compile(r"\s+")
_SENTENCE_END = ".,;:!?…"
_CLOSERS = "\"'”’»)]"
_BULLET = re.compile(r"^(?:[-*+•·▪–—]|\d{1,2}[.)])\s")
_RELATIVE_DAY = re.compile(r"^(?:today|yesterday|\d{1,2} (?:hours?|days?) ago)$", re.IGNORECASE)
_SUBTITLE = re.compile(r"^(?:by )?(?:CIT )?volunteers?(?: summary)?$", re.IGNORECASE)
_SMALL_WORDS = _word_set(
    "a an and as at but by for from in into of on or the to with vs via against about after over under"
)


def clean_line(text: str) -> str:
    """One line with its spacing normalised: any run of whitespace (non-breaking too) becomes one space."""
    return _SPACE.sub(" ", text).strip()


def is_date_line(text: str) -> bool:
    """True for a dateline such as `June 4`, `April 14, 2023` or `Yesterday` printed near a title."""
    if _RELATIVE_DAY.match(text):
        return True
    match = dates.find_period(text)
    return match is not None and match.start() == 0 and match.end() == len(text.rstrip(". "))


def looks_like_heading(text: str) -> bool:
    """True for a line that reads as a section heading: short, capitalised, no sentence punctuation to end.

    Known headings always qualify; others need at most 14 words in Title Case, 10 in sentence case.
    """
    if sections.is_known_heading(text):
        return True
    if not text or len(text) > 90 or _BULLET.match(text):
        return False
    stripped = text.rstrip(_CLOSERS).rstrip()
    if not stripped or stripped[-1] in _SENTENCE_END:
        return False
    first = text.lstrip("\"'“‘«")[:1]
    if not first.isalpha() or not first.isupper():
        return False
    if text.endswith(")"):  # "The Ukrainian Insurgent Army (UPA)": an item of a list, not a heading
        return False
    words = text.split()
    content = [w for w in words[1:] if w.lower().strip("\"'“”‘’«»") not in _SMALL_WORDS]
    title_case = all(w.lstrip("\"'“‘«(")[:1].isupper() or not w[:1].isalpha() for w in content)
    return len(words) <= (14 if title_case else 10)


# ---- readers: one per format, each turns a file into blocks ----


def text_blocks(text: str) -> list[Block]:
    """Blocks of a plain-text brief: each non-empty line is one block, unless the text is hard-wrapped.

    Hard-wrapped text (short lines, many continued in lower case on the next) gets one block per blank-line
    chunk, with a leading title, heading or dateline line kept apart.
    """
    lines = [unescape_text(clean_line(line)) for line in text.splitlines()]
    chunks: list[list[str]] = [[]]
    for line in lines:
        if line:
            chunks[-1].append(line)
        elif chunks[-1]:
            chunks.append([])
    chunks = [chunk for chunk in chunks if chunk]
    # hard-wrapped text: short lines, and a line often goes on in lower case on the next one
    pairs = [(a, b) for chunk in chunks for a, b in itertools.pairwise(chunk)]
    carried = sum(1 for a, b in pairs if b[:1].islower() and a[-1:] not in ".!?:")
    wrapped = max((len(line) for line in lines), default=0) <= 120 and carried >= max(1, len(pairs) // 4)
    blocks: list[Block] = []
    for chunk in chunks:
        if not wrapped:
            blocks.extend(Block(TEXT, line) for line in chunk)
            continue
        rest = list(chunk)
        while len(rest) > 1 and (
            dates.looks_like_title(rest[0]) or is_date_line(rest[0]) or sections.is_known_heading(rest[0])
        ):
            blocks.append(Block(TEXT, rest.pop(0)))
        blocks.append(Block(TEXT, " ".join(rest)))
    return blocks


_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_BOLD_LINE = re.compile(r"^\s*(\*\*|__)(.+?)\1\s*$")
_MD_SETEXT = re.compile(r"^\s{0,3}(=+|-{3,})\s*$")
_MD_ITEM = re.compile(r"^\s*(?:[-*+•·]|\d{1,2}[.)])\s+")
# what render_markdown and render_text escape, read back: backslash escapes and entities (with their semicolon)
_MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])|(&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);)")
_ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")


def unescape_markdown(text: str) -> str:
    """Markdown text as a reader sees it: `\\[` → `[`, `&lt;` → `<` (CommonMark's escapes and entities)."""
    return _MD_ESCAPE.sub(lambda m: m.group(1) or html.unescape(m.group(2)), text)


def unescape_text(text: str) -> str:
    """Plain text with its entities read (`&lt;` → `<`): what render_text writes for `<`, `>` and `&…;`."""
    return _ENTITY.sub(lambda m: html.unescape(m.group(0)), text)


def markdown_blocks(text: str) -> list[Block]:
    """Blocks of a Markdown brief: `#` and bold-line headings, list items, blank-line separated paragraphs."""
    blocks: list[Block] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append(Block(TEXT, unescape_markdown(clean_line(" ".join(paragraph)))))
            paragraph.clear()

    lines = text.splitlines()
    if lines and lines[0].strip() == "---":  # YAML front matter
        end = next((i for i, line in enumerate(lines[1:], 1) if line.strip() in {"---", "..."}), None)
        if end is not None:
            lines = lines[end + 1 :]
    for raw in lines:
        if not raw.strip():
            flush()
            continue
        if (m := _MD_SETEXT.match(raw)) and len(paragraph) == 1:
            blocks.append(Block(HEADING, unescape_markdown(clean_line(paragraph.pop()))))
            continue
        if (m := _MD_HEADING.match(raw)) or (m := _MD_BOLD_LINE.match(raw)):
            flush()
            blocks.append(Block(HEADING, unescape_markdown(clean_line(m.group(2)))))
        elif _MD_ITEM.match(raw):
            flush()
            paragraph.append(raw.strip())
            flush()
            blocks[-1] = Block(ITEM, blocks[-1].text)
        else:
            paragraph.append(raw.strip())
    flush()
    return blocks


_SKIPPED_TAGS = _word_set("script style noscript nav footer aside form svg button select template iframe head")
_BLOCK_TAGS = _word_set(
    "p div h1 h2 h3 h4 h5 h6 li blockquote td th dt dd pre figcaption section article main header ul ol table tr"
)
_VOID_TAGS = _word_set("area base br col embed hr img input link meta source track wbr")
_HEADING_TAGS = _word_set("h1 h2 h3 h4 h5 h6")
_BOLD_TAGS = frozenset(["b", "strong"])


class _PageReader(HTMLParser):
    """Collects the blocks of a saved page, inside its <article>s (or <main>) when it has them."""

    def __init__(self, container: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.container = container
        self.blocks: list[Block] = []
        self.published: dt.date | None = None
        self.url: str | None = None
        self._skip_depth = 0
        self._container_depth = 0
        self._bold_depth = 0
        self._block_stack: list[str] = []
        self._lines: list[list[tuple[str, bool]]] = [[]]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "meta":
            self._read_meta(attributes)
        elif tag == "link" and attributes.get("rel") == "canonical" and not self.url:
            self.url = attributes.get("href") or None
        elif tag == "time" and self.published is None:
            self.published = _iso_date(attributes.get("datetime", ""))
        if tag in _VOID_TAGS:
            if tag == "br":
                self._lines.append([])
            return
        if tag in _SKIPPED_TAGS:
            self._skip_depth += 1
            return
        if tag == self.container:
            self._container_depth += 1
        if tag in _BLOCK_TAGS:
            self._flush()
            self._block_stack.append(tag)
        elif tag in _BOLD_TAGS:
            self._bold_depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID_TAGS:
            return
        if tag in _SKIPPED_TAGS:
            self._skip_depth = max(0, self._skip_depth - 1)
            return
        if tag in _BLOCK_TAGS:
            self._flush()
            if tag in self._block_stack:  # close it and anything left open inside it
                del self._block_stack[len(self._block_stack) - 1 - self._block_stack[::-1].index(tag) :]
        elif tag in _BOLD_TAGS:
            self._bold_depth = max(0, self._bold_depth - 1)
        if tag == self.container:
            self._container_depth = max(0, self._container_depth - 1)

    def handle_data(self, data: str) -> None:
        if self._skip_depth or (self.container and not self._container_depth):
            return
        self._lines[-1].append((data, self._bold_depth > 0))

    def close(self) -> None:
        super().close()
        self._flush()

    def _read_meta(self, attributes: dict[str, str]) -> None:
        name = attributes.get("property") or attributes.get("name") or ""
        content = attributes.get("content", "")
        if name in {"article:published_time", "date", "dc.date", "datePublished"} and self.published is None:
            self.published = _iso_date(content)
        elif name == "og:url" and not self.url:
            self.url = content or None

    def _flush(self) -> None:
        """Close the current block: `<br>` joins the lines of a paragraph, `<br><br>` parts paragraphs."""
        tag = self._block_stack[-1] if self._block_stack else None
        pending: list[str] = []

        def emit(kind: str, text: str) -> None:
            if text:
                self.blocks.append(Block(kind, text))

        for segments in self._lines:
            text = clean_line("".join(s for s, _ in segments))
            bold_only = bool(text) and all(bold for s, bold in segments if s.strip())
            if tag in _HEADING_TAGS or (bold_only and len(text) <= 120 and tag not in {"li", "td", "th"}):
                emit(TEXT, " ".join(pending))
                pending = []
                emit(HEADING, text)
            elif text:
                pending.append(text)
            else:
                emit(ITEM if tag == "li" else TEXT, " ".join(pending))
                pending = []
        emit(ITEM if tag == "li" else TEXT, " ".join(pending))
        self._lines = [[]]


def _iso_date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def html_blocks(page: str) -> tuple[list[Block], dt.date | None, str | None]:
    """Blocks of a saved page, its publication date (meta or <time>) and canonical URL; chrome dropped."""
    lowered = page.lower()
    container = "article" if "<article" in lowered else "main" if "<main" in lowered else None
    reader = _PageReader(container)
    reader.feed(page)
    reader.close()
    return reader.blocks, reader.published, reader.url


# ---- from blocks to briefs ----


def assemble_briefs(blocks: Sequence[Block], *, hint: dt.date | None = None, url: str | None = None) -> list[Brief]:
    """Split blocks into briefs at each title line and build their sections.

    A heading needs something under it: a heading-like line that ends a brief (a page cut short) is kept as a
    paragraph. Paragraphs before any heading form an unheaded section (key `sections.UNHEADED`).

    Raises:
        ValueError: when no block reads as a brief title.
    """
    starts = [i for i, block in enumerate(blocks) if block.kind != ITEM and dates.looks_like_title(block.text)]
    if not starts:
        raise ValueError("no brief title found (expected a line like 'Mobilization in Russia for June 2–3, 2024')")
    preamble_hint = _dateline_hint(blocks[: starts[0]])
    groups = [blocks[start:end] for start, end in zip(starts, [*starts[1:], len(blocks)], strict=True)]
    titles = [group[0].text for group in groups]
    # briefs whose titles print the year anchor the ones that do not (neighbours on a list page)
    anchors: list[dt.date | None] = []
    for title in titles:
        anchors.append(_safe_period(title, None)[1] if dates.names_year(title) else None)
    briefs = []
    for index, group in enumerate(groups):
        title = titles[index]
        own_hint = _dateline_hint(group[1:3]) or (preamble_hint if index == 0 else None)
        start, end = _safe_period(title, own_hint or hint)
        if not (own_hint or hint) and not dates.names_year(title):
            start, end = _period_from_neighbours(title, anchors, index) or (start, end)
        briefs.append(
            Brief(
                title=title,
                period_start=start,
                period_end=end,
                sections=tuple(_build_sections(group[1:])),
                url=url,
            )
        )
    return briefs


NEIGHBOUR_DAYS = 45


def _safe_period(title: str, hint: dt.date | None) -> tuple[dt.date | None, dt.date | None]:
    try:
        return dates.parse_title(title, hint)
    except ValueError:
        return None, None


def _period_from_neighbours(title: str, anchors: list[dt.date | None], index: int) -> tuple[dt.date, dt.date] | None:
    """The period of a title without a year, read next to the nearest dated briefs before and after it.

    Used only when every such neighbour agrees and lies within a few weeks: a list page runs in date order, a
    file in any other order says nothing about the year.
    """
    before = next((a for a in reversed(anchors[:index]) if a is not None), None)
    after = next((a for a in anchors[index + 1 :] if a is not None), None)
    found: set[tuple[dt.date, dt.date]] = set()
    for neighbour in (before, after):
        if neighbour is None:
            continue
        period = _safe_period(title, neighbour)
        if period[0] is None or period[1] is None or abs((period[1] - neighbour).days) > NEIGHBOUR_DAYS:
            return None
        found.add((period[0], period[1]))
    return found.pop() if len(found) == 1 else None


def _dateline_hint(blocks: Iterable[Block]) -> dt.date | None:
    for block in blocks:
        if is_date_line(block.text) and dates.names_year(block.text):
            return _safe_period(block.text, None)[1]
    return None


def _build_sections(blocks: Sequence[Block]) -> list[BriefSection]:
    body = list(blocks)
    # a dateline or a "CIT Volunteer Summary" subtitle right under the title is page furniture, not text
    while body and body[0].kind != ITEM and (is_date_line(body[0].text) or _SUBTITLE.match(body[0].text)):
        body.pop(0)
    # where the markup marks headings (h2, `##`, bold lines) it alone decides; plain lines go by their look
    marked = any(block.kind == HEADING for block in body)
    guessed = [
        not marked
        and block.kind == TEXT
        and not sections.is_known_heading(block.text)
        and looks_like_heading(block.text)
        for block in body
    ]
    # several heading-like lines in a row are the items of a list, not empty sections
    in_run = [
        g and ((i > 0 and guessed[i - 1]) or (i + 1 < len(body) and guessed[i + 1])) for i, g in enumerate(guessed)
    ]
    is_heading = [
        block.kind == HEADING
        or (not marked and block.kind == TEXT and sections.is_known_heading(block.text))
        or (guessed[i] and not in_run[i])
        for i, block in enumerate(body)
    ]
    built: list[BriefSection] = []
    heading: str | None = None
    paragraphs: list[str] = []

    def close() -> None:
        if paragraphs:
            built.append(BriefSection(key=sections.section_key(heading), heading=heading, paragraphs=tuple(paragraphs)))

    for i, block in enumerate(body):
        if is_heading[i] and i + 1 < len(body):
            close()
            heading, paragraphs = block.text, []
        else:
            paragraphs.append(block.text)
    close()
    return built


# ---- files ----

HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdown"})


def parse_text(text: str, *, hint: dt.date | None = None) -> list[Brief]:
    """Briefs in a plain-text file like the seed (title line, heading lines, paragraph lines)."""
    return assemble_briefs(text_blocks(text), hint=hint)


def parse_markdown(text: str, *, hint: dt.date | None = None) -> list[Brief]:
    """Briefs in a Markdown file (`#` title, `##` headings, paragraphs)."""
    return assemble_briefs(markdown_blocks(text), hint=hint)


def parse_html(page: str, *, hint: dt.date | None = None, url: str | None = None) -> list[Brief]:
    """Briefs on a saved HTML page: one post, or a list page holding several."""
    blocks, published, canonical = html_blocks(page)
    return assemble_briefs(blocks, hint=published or hint, url=canonical or url)


def detect_format(path: Path, text: str) -> str:
    """ "html", "markdown" or "text", from the file name and, failing that, the first characters."""
    suffix = path.suffix.lower()
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in MARKDOWN_SUFFIXES:
        return "markdown"
    head = text.lstrip()[:500].lower()
    if head.startswith(("<!doctype html", "<html")) or ("<body" in head and "</" in text):
        return "html"
    if re.search(r"^#{1,3} \S", text[:2000], re.MULTILINE):
        return "markdown"
    return "text"


def decode(data: bytes, path: str) -> str:
    """The text of a file: UTF-8 (BOM or not), else the charset an HTML page declares, else cp1252."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    declared = re.search(rb"charset=[\"']?([\w-]+)", data[:4096], re.IGNORECASE)
    for encoding in [declared.group(1).decode("ascii") if declared else None, "cp1252"]:
        if encoding:
            try:
                return data.decode(encoding)
            except (LookupError, UnicodeDecodeError):
                continue
    raise SourceUnavailable(path, "not a text file (neither UTF-8 nor a declared encoding)")


def read_briefs(path: str | Path, *, hint: dt.date | None = None) -> list[Brief]:
    """Every brief in one file (HTML, Markdown or plain text).

    Raises:
        SourceUnavailable: the file cannot be read or decoded.
        BadRecord: the file holds no brief (no title line), or is no text at all.
    """
    location = Path(path)
    try:
        data = location.read_bytes()
    except OSError as exc:
        raise SourceUnavailable(str(path), exc.strerror or str(exc)) from None
    return read_data(data, str(path), hint=hint)


def read_data(data: bytes, name: str, *, hint: dt.date | None = None) -> list[Brief]:
    """Every brief in a file's bytes; `name` is the file's name, which tells its format and names it in errors
    (with the line at fault, where there is one)."""
    nul = data.find(b"\x00")
    if nul >= 0:  # a PDF, a Word file, an image: nothing a newsroom publishes a brief as
        line = data.count(b"\n", 0, nul) + 1
        raise BadRecord(name, line, None, "not a text file (save the brief as HTML, Markdown or plain text)")
    text = decode(data, name)
    kind = detect_format(Path(name), text)
    try:
        if kind == "html":
            return parse_html(text, hint=hint)
        if kind == "markdown":
            return parse_markdown(text, hint=hint)
        return parse_text(text, hint=hint)
    except ValueError as exc:
        first = next(((n, line.strip()) for n, line in enumerate(text.splitlines(), 1) if line.strip()), None)
        if kind == "html" or first is None:
            raise BadRecord(name, None, None, str(exc)) from None
        reason = f"{exc}; the first line reads {_clip(first[1], 80)!r}"
        raise BadRecord(name, first[0], None, reason) from None


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def line_of(data: bytes, text: str) -> int | None:
    """The first line of a file's bytes that holds `text` (a title, as read), if one does as it is."""
    for number, line in enumerate(decode(data, "").splitlines(), 1):
        if text in line:
            return number
    return None
