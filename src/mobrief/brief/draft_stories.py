"""What drafting the stories works over and counts: a story's reports as the backends read them, the house's
names and terms for them, and what a run drafted. `newsroom.drafting.draft_pending`, which `mobrief draft`, the end
of `mobrief enrich` and composing a brief all go through, reads the stories and stores the drafts."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mobrief.brief.drafting.records import DraftContext, Report, StoryReports
from mobrief.brief.outlets import OutletNames
from mobrief.errors import ConfigError
from mobrief.records import DRAFTED, GlossaryTerm, PeriodItem, StoryDraft
from mobrief.style import glossary


@dataclass(slots=True)
class DraftRun:
    """What a drafting run did."""

    backend: str
    drafted: int = 0
    needs_check: int = 0
    fell_back: int = 0
    story_ids: list[int] = field(default_factory=list)

    def as_dict(self, *, with_ids: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "backend": self.backend,
            "drafted": self.drafted,
            "needs_check": self.needs_check,
            "fell_back": self.fell_back,
        }
        if with_ids:
            out["story_ids"] = self.story_ids
        return out

    def count(self, draft: StoryDraft) -> None:
        """Count a stored draft: drafted, or to check, and whether its backend fell back to frames."""
        self.story_ids.append(draft.story_id)
        if draft.status == DRAFTED:
            self.drafted += 1
        else:
            self.needs_check += 1
        if any(f.kind == "fallback" for f in draft.findings):
            self.fell_back += 1


def summary_line(run: DraftRun) -> str:
    """ "drafts: 12 drafted, 3 to check (frames)"."""
    text = f"drafts: {run.drafted} drafted, {run.needs_check} to check ({run.backend})"
    if run.fell_back:
        text += f"; {run.fell_back} fell back to frames"
    return text


def recent_since(env: Mapping[str, str] | None = None) -> dt.datetime:
    """The oldest story `mobrief enrich` drafts: seen in the last MOBRIEF_DRAFT_DAYS days (default 14); older
    stories are drafted when a brief needs them."""
    env = os.environ if env is None else env
    try:
        days = float(env.get("MOBRIEF_DRAFT_DAYS", "14"))
    except ValueError as exc:
        raise ConfigError(f"MOBRIEF_DRAFT_DAYS must be a number of days, not {env['MOBRIEF_DRAFT_DAYS']!r}") from exc
    return dt.datetime.now(dt.UTC) - dt.timedelta(days=days)


def report_of(item: PeriodItem) -> Report:
    return Report(
        item_id=item.id,
        outlet=item.outlet,
        text=item.text,
        published_at=item.published_at,
        title=item.title,
        url=item.url,
        lang=item.lang,
        relevance=item.relevance,
        entities=item.entities,
        places=item.places,
        amounts=item.amounts,
    )


def story_reports(story_id: int, items: Sequence[PeriodItem]) -> StoryReports:
    return StoryReports(story_id=story_id, reports=tuple(report_of(i) for i in items))


def draft_context(terms: Sequence[GlossaryTerm], aliases: Mapping[str, str]) -> DraftContext:
    """The house's outlet names, transliteration overrides and glossary terms, as drafting reads them."""
    overrides = glossary.overrides_from(terms)
    names = OutletNames(aliases, overrides)  # the glossary merged once, for both
    return DraftContext(namer=names.name, overrides=overrides, glossary_terms=tuple(t.term for t in terms))
