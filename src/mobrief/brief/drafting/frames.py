"""The default backend: recognise what kind of event a story reports, fill that kind's slots from the Russian text
and what enrichment found in it, and write one to three English sentences in the house voice.

Written for mobrief rather than taken from a library: no offline Russian→English system ships without a model
download, and a template over slots can say only what the reports say. Every English word comes from a
template, the phrasebook, the glossary or a transliterated name, so Russian never leaks into a draft: a slot the
phrasebook can't render is left out.

Its parts: `sentence_slots` reads what each Russian sentence says, `event_writers` writes one clause per kind of
event, `facts_sentences` writes what else the reports discuss, name, mention and cite; this module picks the lead
report and the kind, and puts the draft together.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import replace

from mobrief.brief.drafting import phrasebook
from mobrief.brief.drafting.event_writers import WRITERS, attributed, is_named_payment, tidy
from mobrief.brief.drafting.facts_sentences import facts_not_stated, plain_report, sum_value
from mobrief.brief.drafting.phrasebook import Phrasebook
from mobrief.brief.drafting.records import DraftContext, DraftSentence, Report, StoryDraft, StoryReports, without_aside
from mobrief.brief.drafting.sentence_slots import CYRILLIC, Slots, Span, fill, is_predicate, sentences

NAME = "frames"
VERSION = "frames-4"  # raise when a change of the code (not the phrasebook) changes drafts: `--redraft` follows it
LEAD_SENTENCES = 2  # the event is told in the opening sentences; later ones give detail or background
MAX_EVENT_SENTENCES = 3  # the 1–3 sentences for the event; the facts sentence comes after
KINDS = ("sentence", "arrest", "treason", "desertion", "payment", "deaths", "appeal", "recruitment", "youth", "law")


def is_russian(report: Report) -> bool:
    return (report.lang or "").startswith("ru") or bool(CYRILLIC.search(report.text[:200]))


def lead_report(reports: Sequence[Report]) -> Report:
    """The report a draft rests on: Russian, on the beat, full enough to state the event, and, among those alike,
    one whose opening states an event a frame can tell (not only what it is about)."""
    book = phrasebook.load()
    return max(
        reports,
        key=lambda r: (
            is_russian(r),
            len(r.text) >= 200,
            round(r.relevance or 0.0, 1),
            len(reports) > 1 and _opens_with_event(r, book),
            min(len(r.text), 1500),
        ),
    )


def _opens_with_event(report: Report, book: Phrasebook) -> bool:
    spans = sentences(report)
    kind = kind_of(spans, book)
    order = ([kind] if kind else []) + [k for k in KINDS if k != kind]
    return any(_event_clause(fill(span, book), book, order, kind) for span in spans[:LEAD_SENTENCES])


def kind_of(spans: Sequence[Span], book: Phrasebook) -> str | None:
    """The kind of event the opening sentences report (the first sentence counts double), or None."""
    total: dict[str, float] = {}
    for n, span in enumerate(spans[:3]):
        for kind, score in book.kind_scores(span.words).items():
            total[kind] = total.get(kind, 0.0) + score * (2.0 if n == 0 else 1.0)
    if not total:
        return None
    best = max(KINDS, key=lambda k: (total.get(k, 0.0), -KINDS.index(k)))
    return best if total.get(best, 0.0) >= 2.0 else None


def _with_referents(slots: list[Slots]) -> list[Slots]:
    """«Об этом заявил …», «Как сообщил …»: a sentence that says who said the one before it speaks on that one's
    topics."""
    for before, s in itertools.pairwise(slots):
        opening = [w.lemma for w in s.span.words[:2]]
        if (opening == ["о", "этот"] or opening[:1] == ["как"]) and not s.topics:
            s.topics = list(before.topics) or list(before.payments)
    return slots


def _event_clause(s: Slots, book: Phrasebook, order: Sequence[str], kind: str | None) -> tuple[str, str] | None:
    """The kind and English clause a sentence points to most strongly (the story's kind breaks ties). A sentence
    that denies («не участвует») or quotes someone (««Мы …»») tells no event: a frame can state neither."""
    if _negated(s.span) or s.span.text.lstrip()[:1] in '«"“„—–-':
        return None
    here = book.kind_scores(s.span.words)
    for k in sorted(
        (k for k in order if here.get(k, 0.0) >= 2.0), key=lambda k: (-here[k] - 0.5 * (k == kind), order.index(k))
    ):
        clause = WRITERS[k](s)
        if clause and not CYRILLIC.search(clause):
            return k, clause
    return None


def _negated(span: Span) -> bool:
    """Whether a predicate of the sentence is denied: «не» or «ни» right before a verb or short participle."""
    text = span.report.text
    pairs = itertools.pairwise(span.words)
    return any(a.lemma in ("не", "ни") and is_predicate(text[b.start : b.end]) for a, b in pairs)


def _adds_facts(s: Slots, clause: str, stated: str, *, repeat: bool) -> bool:
    """Whether a clause says something the draft has not: a name, sum, term or charge it lacks so far (or, for a
    kind of event not yet told, a place)."""
    if not stated:
        return True
    if clause in stated:
        return False
    low, text = stated.lower(), clause.lower()
    facts = [n.split()[-1] for n in s.names] + [sum_value(r) for r in s.rubles] + s.terms + s.charges + s.counted
    facts += [] if repeat else s.places
    return any(f.lower().removeprefix("the ") in text and f.lower().removeprefix("the ") not in low for f in facts)


_DATED = re.compile(r"^(?:Jan\.|Feb\.|March|April|May|June|July|Aug\.|Sept\.|Oct\.|Nov\.|Dec\.) \d")


def _elsewhere_earlier(s: Slots, stated: str) -> bool:
    """Whether a later sentence recaps another event: dated («3 октября в Тамбовской области …») and somewhere the
    draft has not been. Told after the event, it would read as part of it."""
    dated = any(_DATED.match(f) for f in s.figures)
    return dated and bool(s.places) and not any(p.removeprefix("the ") in stated for p in s.places)


def _sentence_record(text: str, span: Span) -> DraftSentence:
    return DraftSentence(
        text=text, item_id=span.report.item_id, start=span.start, end=span.end, source_text=span.text.strip()
    )


def draft(story: StoryReports, context: DraftContext, book: Phrasebook | None = None) -> StoryDraft:
    """The `frames` draft of a story: one sentence for the event, one for the facts not yet stated."""
    book = book or phrasebook.load()
    lead = lead_report(story.reports)
    outlet = without_aside(context.outlet(lead.outlet))
    spans = sentences(lead)
    slots = _with_referents([fill(span, book) for span in spans])
    written: list[DraftSentence] = []
    kind = kind_of(spans, book)
    order = ([kind] if kind else []) + [k for k in KINDS if k != kind]
    kinds_written: list[str] = []
    for n, s in enumerate(slots):
        if not written and n >= LEAD_SENTENCES:  # the event is stated up top; later sentences only add to it
            plain = plain_report(outlet, slots)
            written.append(
                _sentence_record(plain[0], plain[1].span)
                if plain
                else DraftSentence(text=f"{outlet} has reported on this story.", item_id=lead.item_id, source_text="")
            )
            kinds_written.append("")
        event = _event_clause(s, book, order, kind)
        if event is None:
            continue
        k, clause = event
        stated = " ".join(w.text for w in written)
        if written and _elsewhere_earlier(s, stated):
            break  # the report has moved on to background: what follows is that other event's
        if written and k == "payment" and not is_named_payment(s):
            continue
        if not _adds_facts(s, clause, stated, repeat=k in kinds_written):
            continue
        written.append(_sentence_record(tidy(attributed(outlet, clause) if not written else clause), s.span))
        kinds_written.append(k)
        if len(written) == MAX_EVENT_SENTENCES:
            break
    if not written:
        plain = plain_report(outlet, slots)
        if plain:
            written.append(_sentence_record(plain[0], plain[1].span))
        else:
            written.append(
                DraftSentence(text=f"{outlet} has reported on this story.", item_id=lead.item_id, source_text="")
            )
    others = [fill(span, book) for r in story.reports if r is not lead and is_russian(r) for span in sentences(r)]
    for text, source in facts_not_stated(slots + others, " ".join(s.text for s in written), lead.item_id):
        if not CYRILLIC.search(text):
            written.append(_sentence_record(tidy(text), source.span))
    return StoryDraft(
        story_id=story.story_id,
        text=" ".join(s.text for s in written),
        status="",
        backend=NAME,
        backend_version=f"{VERSION}+{book.version}",
        sentences=tuple(written),
        item_ids=tuple(r.item_id for r in story.reports),
    )


class FramesBackend:
    """Offline and deterministic: the same reports always give the same draft."""

    name = NAME

    def __init__(self) -> None:
        self.version = f"{VERSION}+{phrasebook.version()}"

    def draft(self, story: StoryReports, context: DraftContext) -> StoryDraft:
        return replace(draft(story, context), backend_version=self.version)
