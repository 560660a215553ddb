"""HTML fragments to plain text: breaks where blocks and <br> were, scripts dropped, links kept once."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from mobrief.sources.html_text import html_to_text


def test_paragraphs_breaks_and_links() -> None:
    found = html_to_text(
        '<p>Первый  абзац\nв две строки исходника.</p><p>Второй<br>с переносом и <a href="https://a.example/1">'
        'ссылкой</a>, <a href="https://a.example/1">снова</a>.</p><script>var x = 1;</script>'
    )
    assert found.text == "Первый абзац в две строки исходника.\n\nВторой\nс переносом и ссылкой, снова."
    assert found.links == ("https://a.example/1",)


def test_entities_are_decoded() -> None:
    assert html_to_text("Суд &amp; следствие &laquo;Вёрстка&raquo;").text == "Суд & следствие «Вёрстка»"


@given(st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=200))
def test_any_text_gives_text_without_crashing(fragment: str) -> None:
    found = html_to_text(fragment)
    assert isinstance(found.text, str)
    assert found.text == found.text.strip()


# ---- HTML cut at any point, as feeds cut it ----

_TEXT = st.text(st.sampled_from("абвгд ежзик ABC xyz 0123 .,;:!?«»—-\n"), min_size=1, max_size=25)
_ESCAPED = st.text(st.sampled_from("абв xyz <>p/ "), max_size=20).map(
    lambda t: t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
)
_OPEN = st.one_of(
    st.sampled_from(["<p>", "<b>", "<i>", "<div>", "<li>", "<blockquote>", "<br>", "<br/>", "<hr>"]),
    st.builds(lambda n: f'<a href="https://a.example/{n}">', st.integers(0, 99)),
    st.builds(lambda body: f'<span data-id="1" class="FootnoteLink" data-body="{body}">', _ESCAPED),
    st.builds(lambda t: f"<!-- {t} -->", st.sampled_from(["note", "a > b", "x"])),
)
_CLOSE = st.sampled_from(["</p>", "</b>", "</i>", "</div>", "</a>", "</span>", "</li>", "</blockquote>"])
# a fragment as (markup or text, is_text) pieces, so the text before any cut is known
_PIECES = st.lists(st.one_of(_TEXT.map(lambda t: (t, True)), _OPEN.map(lambda m: (m, False)),
                             _CLOSE.map(lambda m: (m, False))), min_size=1, max_size=25)  # fmt: skip


def _visible(text: str) -> str:
    return "".join(text.split())


@given(_PIECES, st.floats(0, 1))
def test_html_cut_anywhere_leaves_no_tag_and_loses_no_text_before_the_cut(
    pieces: list[tuple[str, bool]], where: float
) -> None:
    html = "".join(piece for piece, _ in pieces)
    cut = round(len(html) * where)
    before, position = [], 0
    for piece, is_text in pieces:
        if is_text:
            before.append(piece[: max(0, cut - position)])
        position += len(piece)
    found = html_to_text(html[:cut]).text
    assert not re.search(r"<[a-zA-Z/!?]", found), found
    assert _visible(found) == _visible("".join(before))


def test_a_feed_cut_inside_a_footnote_tag_keeps_the_text_and_drops_the_tag() -> None:
    cut = '<p>Первый абзац.</p><p>Второй со сноской<span data-id="1" class="FootnoteLink" data-body="&lt;p&gt;Сно'
    assert html_to_text(cut).text == "Первый абзац.\n\nВторой со сноской"
    assert html_to_text("<p>Текст и обрыв <").text == "Текст и обрыв"
    assert html_to_text("<p>5 < 6, и это текст</p>").text == "5 < 6, и это текст"


def test_markup_escaped_twice_is_read_as_markup() -> None:
    found = html_to_text("&lt;p&gt;Абзац&lt;/p&gt;&lt;p&gt;Второй &lt;a href='https://b.example/'&gt;ссылка&lt;/a&gt;")
    assert found.text == "Абзац\n\nВторой ссылка"
    assert found.links == ("https://b.example/",)
