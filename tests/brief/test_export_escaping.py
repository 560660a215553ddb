"""Exports carry no markup: Markdown and text escape HTML, and only http(s) and mailto links survive anywhere.

The Markdown is read by markdown-it in CommonMark mode with raw HTML allowed and its own link check turned off,
like the most permissive renderer a reader of the `.md` might use.
"""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from mobrief.brief import (
    archive_import,
    links,
    render_atom,
    render_html,
    render_json,
    render_markdown,
    render_telegram,
    render_text,
)
from mobrief.records import Brief, BriefSection

HOSTILE = (
    "<script>window.__pwned = 1; alert('md')</script> plain",
    '<svg onload="window.__pwned = 2; alert(2)"></svg> svg',
    '<a href="javascript:window.__pwned = 3; alert(3)">click</a>',
    "[x](javascript:window.__pwned=4) and ![y](javascript:alert(5))",
    '<img src=x onerror="window.__pwned = 6">',
    "[a [nested](https://ok.example/n) b](javascript:alert(7))",
    "&lt;script&gt;alert(8)&lt;/script&gt; stays text",
    "<javascript:alert(9)> and <https://autolink.example>",
    "[ref]: javascript:alert(10)",
    "see [ref] and [ref][] here",
    "<details open ontoggle=alert(11)>",
    "[data](data:text/html,<script>alert(12)</script>) [vb](vbscript:msgbox) [file](file:///etc/passwd)",
    "\\<script>alert(13)\\</script> backslashed",
    "[ok](https://example.org/a?x=1&y=2) and [write to us](mailto:desk@example.org) and https://bare.example/x",
)


def hostile_brief(paragraphs: tuple[str, ...] = HOSTILE) -> Brief:
    return Brief(
        title="Mobilization in Russia for June 2–3, 2024",
        period_start=dt.date(2024, 6, 2),
        period_end=dt.date(2024, 6, 3),
        url="javascript:alert('canonical')",
        sections=(
            BriefSection(key="special", heading="<img src=x onerror=alert('heading')> Floods", paragraphs=paragraphs),
        ),
    )


def permissive_markdown() -> MarkdownIt:
    """CommonMark with raw HTML on and no link check: what a careless site would render the `.md` with."""
    md = MarkdownIt("commonmark", {"html": True})
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    return md


class _Markup(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.links: list[str] = []
        self.handlers: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("href", "src", "action", "formaction", "xlink:href"):
                self.links.append(value or "")
            if name.startswith("on"):
                self.handlers.append(name)


def markup_of(html: str) -> _Markup:
    parsed = _Markup()
    parsed.feed(html)
    parsed.close()
    return parsed


MARKDOWN_TAGS = {"h1", "h2", "p", "a", "em", "strong", "code", "blockquote", "ul", "ol", "li", "hr", "br", "pre"}


def assert_safe_markup(html: str, allowed: set[str]) -> _Markup:
    parsed = markup_of(html)
    assert set(parsed.tags) <= allowed, set(parsed.tags) - allowed
    assert parsed.handlers == []
    assert all(links.safe_link(link) for link in parsed.links if not link.startswith("#")), parsed.links
    return parsed


def test_markdown_of_hostile_text_renders_no_markup_and_only_safe_links() -> None:
    text = render_markdown.render_markdown(hostile_brief())
    parsed = assert_safe_markup(permissive_markdown().render(text), MARKDOWN_TAGS)
    assert parsed.links == [
        "https://ok.example/n",
        "https://example.org/a?x=1&y=2",
        "mailto:desk@example.org",
    ]
    assert "<script>" not in text and "<svg" not in text and not re.search(r"(?<!\\)\]\(javascript:", text)
    rendered = permissive_markdown().render(text)
    assert "&lt;script&gt;window.__pwned = 1;" in rendered  # shown as text, not dropped
    assert "&amp;lt;script&amp;gt;alert(8)" in rendered  # entities in the source stay entities, as text


def test_text_export_escapes_html() -> None:
    text = render_text.render_text(hostile_brief())
    assert "<" not in text and ">" not in text
    assert "&lt;script&gt;window.__pwned = 1;" in text
    assert "&amp;lt;script&amp;gt;alert(8)" in text  # an entity in the source is not decoded by a reader
    assert_safe_markup(text, set())


def test_every_format_links_only_http_and_mailto() -> None:
    brief = hostile_brief()
    page = render_html.render_html(brief)
    assert "canonical" not in page and "javascript:" not in page.split("<style>")[0]
    assert_safe_markup(
        page.split("</style>", 1)[1],
        {
            "body",
            "main",
            "header",
            "h1",
            "h2",
            "p",
            "a",
            "nav",
            "ol",
            "li",
            "section",
            "footer",
            "article",
            "time",
            "html",
            "span",
        },
    )
    for message in render_telegram.render_telegram(brief):
        assert_safe_markup(message, {"a", "b", "i"})
    entry = render_atom.FeedEntry(brief=brief, url="https://briefs.example/1", published_at=None)
    assert_safe_markup(render_atom.brief_content_html(entry.brief), {"h2", "p", "a"})
    assert '"url": null' in render_json.render_json(brief)


def test_markdown_and_text_read_back_the_hostile_brief() -> None:
    hostile = hostile_brief()
    # plain text tells a heading by its words: a known one, so the check is about escaping alone
    section = BriefSection(key="legal", heading="Sentences, Legal Proceedings and Incidents", paragraphs=HOSTILE)
    brief = Brief(
        title=hostile.title, period_start=hostile.period_start, period_end=hostile.period_end, sections=(section,)
    )
    assert archive_import.parse_markdown(render_markdown.render_markdown(brief))[0].sections == brief.sections
    assert archive_import.parse_text(render_text.render_text(brief))[0].sections == brief.sections


HOSTILE_PIECES = st.sampled_from(
    [
        "<",
        ">",
        "&",
        "&lt;",
        "&#60;",
        "\\",
        "[",
        "]",
        "(",
        ")",
        "!",
        "`",
        "*",
        "_",
        "#",
        "javascript:",
        "mailto:",
        "https://a.example/p",
        "<script>",
        "</script>",
        "<img src=x onerror=alert(1)>",
        "](javascript:x)",
        "[x]",
        "](https://a.example)",
        "<https://a.example>",
        "\n",
        " ",
        "word",
        "Военкомат",
        "&amp;",
        "\\<",
        "\\]",
    ]
)
PARAGRAPHS = st.one_of(st.text(max_size=80), st.lists(HOSTILE_PIECES, min_size=1, max_size=12).map("".join))


@settings(max_examples=300)
@given(PARAGRAPHS)
def test_no_paragraph_renders_as_markup_in_markdown(paragraph: str) -> None:
    md = permissive_markdown()
    tokens = md.parse(render_markdown.paragraph_markdown(" ".join(paragraph.split())))
    for token in tokens:
        for child in [token, *(token.children or [])]:
            assert child.type not in ("html_block", "html_inline"), child
            if child.type in ("link_open", "image"):
                assert links.safe_link(child.attrGet("href") or child.attrGet("src")), child


@settings(max_examples=300)
@given(PARAGRAPHS)
def test_no_paragraph_renders_as_markup_in_text_html_or_telegram(paragraph: str) -> None:
    assert "<" not in render_text.escape_text(paragraph) and ">" not in render_text.escape_text(paragraph)
    assert_safe_markup(str(render_html.paragraph_html(paragraph)), {"a"})
    assert_safe_markup(render_telegram.paragraph_telegram(paragraph), {"a"})


@settings(max_examples=300)
@given(PARAGRAPHS)
def test_markdown_escaping_reads_back_exactly(paragraph: str) -> None:
    line = " ".join(paragraph.split())
    assert archive_import.unescape_markdown(render_markdown.escape_text(line)) == line
    assert archive_import.unescape_text(render_text.escape_text(line)) == line


@given(st.text(max_size=60))
def test_safe_link_only_ever_returns_http_or_mailto(text: str) -> None:
    result = links.safe_link(text)
    assert result is None or result.lower().startswith(("http://", "https://", "mailto:"))
