"""Mark up a report's text for the writing view: the facts enrichment found, and the sentences drafts rest on.

Enrichment stores what it found as surface text (the stored mentions carry no offsets), so facts are found
again in the text, longest first; sentence spans come with offsets. Everything else is escaped: source text
is hostile.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from mobrief.records import Enrichment


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of text to mark: [start, end), a CSS class and a title shown on hover."""

    start: int
    end: int
    kind: str
    label: str = ""
    anchor: str = ""


def fact_spans(text: str, enrichment: Enrichment | None) -> list[Span]:
    """Where the people, organisations, places and amounts enrichment found appear in `text`."""
    if enrichment is None or not text:
        return []
    wanted: dict[str, tuple[str, str]] = {}
    for mention in enrichment.entities:
        kind = "person" if mention.kind == "person" else "org"
        wanted.setdefault(mention.text, (kind, mention.latin or mention.normalized))
    for place in enrichment.places:
        wanted.setdefault(place.text, ("place", place.name))
    for amount in enrichment.amounts:
        kind = "term" if amount.currency in ("months", "years", "days") else "amount"
        wanted.setdefault(amount.text, (kind, amount.text))
    taken: list[Span] = []
    for surface in sorted((s for s in wanted if len(s.strip()) >= 2), key=len, reverse=True):
        kind, label = wanted[surface]
        for match in re.finditer(re.escape(surface), text):
            span = Span(match.start(), match.end(), kind, label)
            if not any(span.start < other.end and other.start < span.end for other in taken):
                taken.append(span)
    return sorted(taken, key=lambda s: s.start)


def mark_up(text: str, facts: Sequence[Span] = (), sentences: Iterable[Span] = ()) -> Markup:
    """`text` escaped, with sentence spans as <span class="source-sentence"> and facts inside as <mark>.

    A fact that crosses a sentence boundary is left unmarked rather than break the nesting.
    """
    outer = sorted((s for s in sentences if 0 <= s.start < s.end <= len(text)), key=lambda s: s.start)
    kept_outer: list[Span] = []
    for span in outer:
        if not kept_outer or span.start >= kept_outer[-1].end:
            kept_outer.append(span)
    inner = [
        f
        for f in facts
        if all(f.end <= o.start or f.start >= o.end or (o.start <= f.start and f.end <= o.end) for o in kept_outer)
    ]
    events: list[
        tuple[int, int, str]
    ] = []  # (position, order, html): at one position a fact closes, then a sentence, then they open
    for o in kept_outer:
        anchor = Markup(' id="{}"').format(o.anchor) if o.anchor else Markup("")
        events.append((o.start, 2, Markup('<span class="source-sentence"{} title="{}">').format(anchor, o.label)))
        events.append((o.end, 1, Markup("</span>")))
    for f in inner:
        events.append((f.start, 3, Markup('<mark class="fact fact-{}" title="{}">').format(f.kind, f.label)))
        events.append((f.end, 0, Markup("</mark>")))
    events.sort(key=lambda e: (e[0], e[1]))
    out: list[str] = []
    cursor = 0
    for position, _, html in events:
        out.append(str(escape(text[cursor:position])))
        out.append(html)
        cursor = position
    out.append(str(escape(text[cursor:])))
    return Markup("".join(out))
