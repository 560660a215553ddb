"""HTML fragments to plain text: breaks where blocks and <br> were, scripts dropped, links kept once."""

from __future__ import annotations

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
