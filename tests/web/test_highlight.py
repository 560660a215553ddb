"""Marking up a report for the writing view: facts and sentence spans around escaped text, nothing lost."""

from __future__ import annotations

import html
import re

from hypothesis import given
from hypothesis import strategies as st

from mobrief.records import Amount, Enrichment, Mention, Place
from mobrief.web import highlight

TAG = re.compile(r"<[^>]*>")


def _plain(markup: str) -> str:
    return html.unescape(TAG.sub("", markup))


@given(
    st.text(max_size=200),
    st.lists(st.tuples(st.integers(0, 200), st.integers(0, 200)), max_size=5),
    st.lists(st.tuples(st.integers(0, 200), st.integers(0, 200)), max_size=5),
)
def test_marking_up_keeps_the_text_and_escapes_it(text: str, facts: list, sentences: list) -> None:
    fact_spans = [highlight.Span(min(a, b), max(a, b), "person", "<label>") for a, b in facts if a != b]
    fact_spans = [
        f for n, f in enumerate(fact_spans) if all(f.end <= g.start or f.start >= g.end for g in fact_spans[:n])
    ]
    sentence_spans = [highlight.Span(min(a, b), max(a, b), "sentence", "s") for a, b in sentences if a != b]
    out = str(highlight.mark_up(text, fact_spans, sentence_spans))
    assert _plain(out) == text
    assert out.count("<mark") == out.count("</mark>") and out.count("<span") == out.count("</span>")
    assert "<script" not in out.lower().replace("&lt;script", "")


def test_facts_are_found_again_in_the_text_longest_first() -> None:
    text = "Суд в Калуге приговорил Алексея Пушкарёва к 8 годам; Калуге не впервой. <b>"
    enrichment = Enrichment(
        item_id=1,
        entities=(Mention(kind="person", text="Алексея Пушкарёва", normalized="Алексей Пушкарёв", latin="Alexei"),),
        places=(Place(key="kaluga", name="Kaluga", text="Калуге"),),
        amounts=(Amount(currency="months", value=96, text="8 годам"),),
    )
    out = str(highlight.mark_up(text, highlight.fact_spans(text, enrichment)))
    assert out.count('<mark class="fact fact-place" title="Kaluga">Калуге</mark>') == 2
    assert '<mark class="fact fact-person" title="Alexei">Алексея Пушкарёва</mark>' in out
    assert '<mark class="fact fact-term" title="8 годам">8 годам</mark>' in out
    assert out.endswith("&lt;b&gt;")
