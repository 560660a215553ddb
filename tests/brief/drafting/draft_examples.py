"""Stories for drafting tests, written for mobrief: Russian reports enriched by the real enrichment stages."""

from __future__ import annotations

import dataclasses
import datetime as dt

from mobrief.brief.drafting.records import Report, StoryReports
from mobrief.enrich.entities import find_entities
from mobrief.enrich.money import parse_amounts
from mobrief.enrich.places import find_places

DAY = dt.datetime(2024, 6, 2, 9, 0, tzinfo=dt.UTC)


def report(text: str, *, item_id: int = 1, outlet: str = "Медиазона", lang: str = "ru") -> Report:
    """A report with what enrichment finds in it (entities, places and amounts with their offsets)."""
    return Report(
        item_id=item_id,
        outlet=outlet,
        text=text,
        published_at=DAY,
        lang=lang,
        relevance=0.9,
        entities=tuple(dataclasses.asdict(m) for m in find_entities(text, lang=lang)),
        places=tuple(dataclasses.asdict(p) for p in find_places(text)),
        amounts=tuple(dataclasses.asdict(a) for a in parse_amounts(text)),
    )


def story(*texts: str, story_id: int = 7) -> StoryReports:
    return StoryReports(story_id=story_id, reports=tuple(report(t, item_id=n) for n, t in enumerate(texts, 1)))
