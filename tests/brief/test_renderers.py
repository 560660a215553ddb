"""Renderers over a brief: text and Markdown read back the same, HTML and Telegram escape everything."""

from __future__ import annotations

import datetime as dt
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from mobrief.brief import (
    archive_import,
    render_html,
    render_json,
    render_markdown,
    render_telegram,
    render_text,
)
from mobrief.records import Brief, BriefSection
from mobrief.style import dates, sections

DATA = Path(__file__).parent / "data"


def normalize(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def sample_brief() -> Brief:
    return Brief(
        title="Mobilization in Russia for June 2–3, 2024",
        period_start=dt.date(2024, 6, 2),
        period_end=dt.date(2024, 6, 3),
        url="https://notes.example.org/briefs/june-2-3?x=1&y=2",
        sections=(
            BriefSection(
                key="special",
                heading="Floods & <Fires> in the North",
                paragraphs=("Rescuers in <b>Lesnoy</b> & Kamensk said 3 < 4 and 5 > 2.",),
            ),
            BriefSection(
                key="authorities",
                heading="Authorities and Relatives of Mobilized Soldiers",
                paragraphs=(
                    "The Golos Ottsov [Fathers' Voice] group wrote to the governor, "
                    "[Severny Vestnik](https://example.org/sv?a=1&b=2) reported.",
                    "See https://example.org/decree-15 for the decree.",
                ),
            ),
        ),
    )


# ---- plain text ----


def test_text_of_a_seed_like_file_gives_back_its_text() -> None:
    source = (DATA / "two_briefs.txt").read_text(encoding="utf-8")
    first, second = archive_import.parse_text(source)
    body = source.split("\n", 2)[2]  # the two preamble lines aside
    assert normalize(render_text.render_text(first) + render_text.render_text(second)) == normalize(body)


def test_text_layout_is_title_headings_and_paragraphs_blank_line_apart() -> None:
    text = render_text.render_text(sample_brief())
    assert text.startswith("Mobilization in Russia for June 2–3, 2024\n\nFloods & &lt;Fires&gt; in the North\n\n")
    assert text.endswith("See https://example.org/decree-15 for the decree.\n")


# ---- round trips (hypothesis) ----

WORDS = st.sampled_from(
    [
        "the",
        "recruiters",
        "governor",
        "court",
        "Kamensk",
        "Lesnoy",
        "soldiers",
        "of",
        "in",
        "and",
        "paid",
        "200,000",
        "rubles",
        "[$2,180]",
        "Put",
        "Domoy",
        "[Way",
        "Home]",
        "“peacekeeping”",
        "said",
        "–",
        "3.5",
        "%",
        "&",
        "<",
        ">",
        "reported",
        "Telegram",
        "1,000",
        "men’s",
    ]
)
KNOWN_HEADINGS = [h for hs in sections.HEADINGS_SEEN.values() for h in hs]
SPECIAL_HEADINGS = ["Flood Relief Operations", "Crocus City Hall Terrorist Attack", "Direct Line with Putin"]


@st.composite
def sentences(draw: st.DrawFn) -> str:
    first = draw(st.sampled_from(["Officials", "The", "A", "In", "According", "Mediazona", "Twelve"]))
    rest = draw(st.lists(WORDS, min_size=2, max_size=30))
    return " ".join([first, *rest]) + draw(st.sampled_from([".", "!", "?", ".”", ":"]))


@st.composite
def briefs(draw: st.DrawFn, paragraph: st.SearchStrategy[str]) -> Brief:
    start = draw(st.dates(min_value=dt.date(2022, 9, 1), max_value=dt.date(2030, 12, 31)))
    end = start + dt.timedelta(days=draw(st.integers(0, 4)))
    suffix = draw(st.sampled_from(["", " CIT Volunteer Summary"]))
    built = []
    if draw(st.booleans()):
        built.append(
            BriefSection(
                key=sections.UNHEADED,
                heading=None,
                paragraphs=tuple(draw(st.lists(paragraph, min_size=1, max_size=3))),
            )
        )
    for heading in draw(st.lists(st.sampled_from(KNOWN_HEADINGS + SPECIAL_HEADINGS), max_size=4)):
        built.append(
            BriefSection(
                key=sections.section_key(heading),
                heading=heading,
                paragraphs=tuple(draw(st.lists(paragraph, min_size=1, max_size=3))),
            )
        )
    assume(built)
    return Brief(
        title=dates.format_title(start, end) + suffix,
        period_start=start,
        period_end=end,
        sections=tuple(built),
    )


@settings(max_examples=150)
@given(briefs(sentences()))
def test_text_parse_render_parse_round_trips(brief: Brief) -> None:
    assert archive_import.parse_text(render_text.render_text(brief)) == [brief]


MARKDOWN_TRICKS = st.sampled_from(
    ["# not a heading", "- a list item", "1. first", "**all bold**", "---", "\\# escaped", "=", "> quoted"]
)


@st.composite
def markdown_paragraphs(draw: st.DrawFn) -> str:
    text = draw(
        st.one_of(sentences(), MARKDOWN_TRICKS, st.builds(lambda a, b: f"{a} {b}", MARKDOWN_TRICKS, sentences()))
    )
    assume(not dates.looks_like_title(text))
    return text


@settings(max_examples=150)
@given(briefs(markdown_paragraphs()))
def test_markdown_parse_render_parse_round_trips(brief: Brief) -> None:
    assume(any(s.heading for s in brief.sections))  # Markdown headings make every other line a paragraph
    assert archive_import.parse_markdown(render_markdown.render_markdown(brief)) == [brief]


def test_markdown_layout() -> None:
    text = render_markdown.render_markdown(sample_brief())
    assert text.splitlines()[0] == "# Mobilization in Russia for June 2–3, 2024"
    assert "\n## Authorities and Relatives of Mobilized Soldiers\n" in text


# ---- HTML ----


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.ids: list[str] = []
        self.hrefs: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        found = dict(attrs)
        if found.get("id"):
            self.ids.append(found["id"] or "")
        if tag == "a" and found.get("href"):
            self.hrefs.append(found["href"] or "")


def test_html_is_a_standalone_escaped_page_with_anchors_links_and_print_styles() -> None:
    page = render_html.render_html(sample_brief())
    assert page.startswith("<!doctype html>")
    assert "@media print" in page
    assert "<b>Lesnoy</b>" not in page and "&lt;b&gt;Lesnoy&lt;/b&gt; &amp; Kamensk said 3 &lt; 4" in page
    assert "Floods &amp; &lt;Fires&gt; in the North" in page
    collected = _Collector()
    collected.feed(page)
    assert "script" not in collected.tags and "b" not in collected.tags
    assert collected.ids == ["floods-fires-in-the-north", "authorities-and-relatives-of-mobilized-soldiers"]
    assert "#authorities-and-relatives-of-mobilized-soldiers" in collected.hrefs
    assert "https://example.org/sv?a=1&b=2" in collected.hrefs  # source link, its & escaped in the markup
    assert "https://example.org/decree-15" in collected.hrefs
    assert "https://notes.example.org/briefs/june-2-3?x=1&y=2" in collected.hrefs
    assert 'href="https://example.org/sv?a=1&amp;b=2">Severny Vestnik</a>' in page


def test_html_reads_back_as_the_same_brief() -> None:
    brief = sample_brief()
    (again,) = archive_import.parse_html(render_html.render_html(brief))
    assert again.title == brief.title and again.url == brief.url
    assert [(s.key, s.heading) for s in again.sections] == [(s.key, s.heading) for s in brief.sections]
    assert again.sections[0].paragraphs == brief.sections[0].paragraphs
    assert again.sections[1].paragraphs[0].endswith("Severny Vestnik reported.")


# ---- Telegram ----

ALLOWED_TAG = re.compile(r"</?(?:b|i|a)(?:\s+href=\"[^\"<>]*\")?>")


def assert_telegram_html(message: str) -> None:
    without_tags = ALLOWED_TAG.sub("", message)
    assert "<" not in without_tags and ">" not in without_tags
    assert not re.search(r"&(?!amp;|lt;|gt;|quot;)", without_tags)


def test_telegram_escapes_text_and_keeps_to_its_html_subset() -> None:
    (message,) = render_telegram.render_telegram(sample_brief())
    assert message.startswith("<b>Mobilization in Russia for June 2–3, 2024</b>\n\n<b>Floods &amp; &lt;Fires&gt;")
    assert "&lt;b&gt;Lesnoy&lt;/b&gt; &amp; Kamensk said 3 &lt; 4 and 5 &gt; 2." in message
    assert '<a href="https://example.org/sv?a=1&amp;b=2">Severny Vestnik</a>' in message
    assert_telegram_html(message)


def test_telegram_splits_long_briefs_at_paragraph_boundaries() -> None:
    paragraphs = tuple(f"Story {i}: the governor of Lesnoy & Kamensk said <{i}> things. " * 12 for i in range(40))
    brief = Brief(
        title="Mobilization in Russia for June 4, 2024",
        period_start=dt.date(2024, 6, 4),
        period_end=dt.date(2024, 6, 4),
        sections=(
            BriefSection(key="authorities", heading="Authorities and Legislation", paragraphs=paragraphs[:25]),
            BriefSection(key="recruitment", heading="Army Recruitment", paragraphs=paragraphs[25:]),
        ),
    )
    messages = render_telegram.render_telegram(brief)
    assert len(messages) > 1
    for message in messages:
        assert render_telegram.telegram_length(message) <= 4096
        assert_telegram_html(message)
        assert not message.endswith("</b>")  # a heading is never left alone at the end of a message
    blocks = [block for message in messages for block in message.split("\n\n")]
    assert blocks == [
        "<b>Mobilization in Russia for June 4, 2024</b>",
        "<b>Authorities and Legislation</b>",
        *(render_telegram.paragraph_telegram(p.strip()) for p in paragraphs[:25]),
        "<b>Army Recruitment</b>",
        *(render_telegram.paragraph_telegram(p.strip()) for p in paragraphs[25:]),
    ]


@given(
    st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=3000), max_size=6),
    st.integers(min_value=64, max_value=4096),
)
def test_telegram_messages_never_exceed_the_limit(paragraphs: list[str], limit: int) -> None:
    brief = Brief(
        title="Mobilization in Russia for June 4, 2024 & <more>",
        period_start=None,
        period_end=None,
        sections=(BriefSection(key="special", heading="A & B", paragraphs=tuple(paragraphs)),),
    )
    messages = render_telegram.render_telegram(brief, limit=limit)
    assert messages
    for message in messages:
        assert render_telegram.telegram_length(message) <= limit


def test_telegram_refuses_a_tiny_limit() -> None:
    with pytest.raises(ValueError, match="too small"):
        render_telegram.render_telegram(sample_brief(), limit=10)


# ---- JSON ----


def test_json_has_the_export_fields() -> None:
    brief = sample_brief()
    data = json.loads(render_json.render_json(brief))
    assert data["title"] == brief.title
    assert (data["period_start"], data["period_end"]) == ("2024-06-02", "2024-06-03")
    assert [s["key"] for s in data["sections"]] == ["special", "authorities"]
    assert data["sections"][1]["paragraphs"] == list(brief.sections[1].paragraphs)
