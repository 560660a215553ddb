"""The sentences that follow the event: what the reports also discuss, name, mention and cite, and, when no kind of
event fits, who reported on what."""

from __future__ import annotations

import re
from collections.abc import Sequence

from mobrief.brief.drafting.event_writers import and_list, tidy
from mobrief.brief.drafting.sentence_slots import Slots


def facts_not_stated(slots: Sequence[Slots], stated: str, lead_id: int | None = None) -> list[tuple[str, Slots]]:
    """A plain sentence of the facts the draft is sure of and has not stated yet: people, places and named bodies,
    sums and figures, from the lead report (`lead_id`) first, then from the story's other reports: "The report also
    …" only when every fact is the lead's, else "The reports also …"."""
    low = stated.lower()
    found: dict[str, dict[str, Slots]] = {"names": {}, "places": {}, "sums": {}, "topics": {}}
    seen_names: set[str] = set()
    for s in slots:
        for phrase, name in zip(s.people, s.names, strict=False):
            surname = name.split()[-1].lower()
            if surname not in low and surname not in seen_names:
                seen_names.add(surname)
                found["names"].setdefault(phrase, s)
        bodies = [i for i in s.institutions + s.venues if i.removeprefix("the ")[:1].isupper()]  # not "a court"
        for place in s.places + bodies:
            bare = place.removeprefix("the ")
            if bare.lower() not in low and not any(bare in f for f in [*found["places"], *found["names"]]):
                found["places"].setdefault(place, s)
        for figure in [amount for amount, _ in s.bounded_sums()] + s.counted + s.figures:
            told = sum_value(figure) in stated  # "1.7 million" of a raise already told
            if not told and not any(_same_figure(figure, f) for f in found["sums"]):
                found["sums"].setdefault(figure, s)
        for topic in s.topics:
            bare = topic.lower().removeprefix("a ").removeprefix("the ")  # "a one-time payment" told as "the …"
            if _singular(bare) not in _singular(low) and not any(topic in t or t in topic for t in found["topics"]):
                found["topics"].setdefault(topic, s)
    names, places, sums, topics = (
        list(found[k].items())[:cap] for k, cap in (("names", 4), ("places", 4), ("sums", 6), ("topics", 3))
    )
    sentences: list[tuple[str, Slots]] = []
    plural = bool({s.span.report.item_id for _, s in names + places + sums + topics} - {lead_id})  # another's too
    subject, verb = ("The reports", "discuss") if plural else ("The report", "discusses")
    if topics:
        first = min((s for _, s in topics), key=slots.index)
        sentences.append((f"{subject} also {verb} {and_list([t for t, _ in topics])}.", first))
        subject = "They" if plural else "It"
    parts = [f"name {and_list([n for n, _ in names])}"] if names else []
    parts += [f"mention {and_list([p for p, _ in places])}"] if places else []
    parts += [f"cite {and_list([f for f, _ in sums])}"] if sums else []
    if parts:
        joined = " and ".join(parts) if len(parts) <= 2 else ", ".join(parts[:-1]) + ", and " + parts[-1]
        if not plural:
            joined = re.sub(r"\b(name|mention|cite)\b", r"\1s", joined)
        first = min((s for _, s in names + places + sums), key=slots.index)
        sentences.append((f"{subject}{'' if topics else ' also'} {joined}.", first))
    return sentences


def _singular(text: str) -> str:
    """A text with its words' plural -s dropped: "payments for signing" is told by "the payment for signing"."""
    return re.sub(r"(?<=[a-z])s\b", "", text)


def _same_figure(a: str, b: str) -> bool:
    """Whether two figures state one number: "410,000 people" and "410,000 citizens", "Dec. 24" and "Dec. 24, 2025"."""
    if a.startswith(b) or b.startswith(a):
        return True
    head_a, head_b = a.split(" ")[0], b.split(" ")[0]
    return head_a == head_b and head_a[:1].isdigit() and "rubles" not in (a + b)


def plain_report(outlet: str, slots: Sequence[Slots]) -> tuple[str, Slots] | None:
    """No kind fits: say plainly who reported on what, with the places and topics it is sure of."""
    for s in slots:
        actor = s.people[0] if s.people else next((i for i in s.institutions if "court" not in i), None)
        documents = [f"{d} by {actor}" for d in s.documents[:1] if actor]
        topics = documents or s.topics[:2] or s.payments[:1] or [f"a case of {c}" for c in s.charges[:1]]
        if topics:
            where = f" in {s.places[0]}" if s.places else ""
            return tidy(f"{outlet} has reported on {and_list(topics)}{where}."), s
    return None


def sum_value(rubles: str) -> str:
    """The number of a ruble sum as a draft may already state it: "1.7 million" of "1.7 million rubles"."""
    return rubles.split(" rubles")[0].removeprefix("from ")
