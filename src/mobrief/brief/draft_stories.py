"""Draft the stories that need it and keep the drafts: `mobrief draft`, the end of `mobrief enrich`, and composing
a brief all go through `draft_pending` (batched, resumable: each batch is stored before the next is drafted)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mobrief.brief import house_style
from mobrief.brief.drafting import backends
from mobrief.brief.drafting.records import DraftContext, Report, StoryReports
from mobrief.brief.outlets import OutletNames
from mobrief.errors import ConfigError
from mobrief.records import DRAFTED, StoryDraft
from mobrief.store import Store
from mobrief.store.period_stories import PeriodItem
from mobrief.style import glossary

BATCH = 50
Progress = Callable[[int, int | None], None]


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


def context_of(store: Store) -> DraftContext:
    """The house's outlet names, transliteration overrides and glossary terms, as drafting reads them."""
    terms = house_style.newsroom_glossary(store)
    overrides = glossary.overrides_from(terms)
    names = OutletNames(store.outlet_aliases.all(), overrides)  # the glossary merged once, for both
    return DraftContext(namer=names.name, overrides=overrides, glossary_terms=tuple(t.term for t in terms))


def draft_pending(
    store: Store,
    *,
    backend: backends.DraftBackend | None = None,
    story_ids: Sequence[int] | None = None,
    redraft: bool = False,
    force: bool = False,
    seen_since: dt.datetime | None = None,
    progress: Progress | None = None,
) -> DraftRun:
    """Draft every story that needs a draft (see `StoryDraftRepository.needing_drafts`) and store the drafts."""
    backend = backend or backends.get_backend()
    pending = store.story_drafts.needing_drafts(
        backend_version=backend.version if redraft else None,
        story_ids=story_ids,
        seen_since=seen_since,
        force=force,
    )
    run = DraftRun(backend=backend.name)
    if progress:
        progress(0, len(pending))
    if not pending:
        return run
    context = context_of(store)
    done = 0
    for start in range(0, len(pending), BATCH):
        batch = pending[start : start + BATCH]
        reports = store.story_drafts.reports_of(batch)
        drafts = list(
            backends.draft_stories((story_reports(i, reports[i]) for i in batch if reports.get(i)), context, backend)
        )
        store.story_drafts.save_many(drafts)
        for d in drafts:
            _count(run, d)
        done += len(batch)
        if progress:
            progress(done, len(pending))
    return run


def _count(run: DraftRun, draft: StoryDraft) -> None:
    run.story_ids.append(draft.story_id)
    if draft.status == DRAFTED:
        run.drafted += 1
    else:
        run.needs_check += 1
    if any(f.kind == "fallback" for f in draft.findings):
        run.fell_back += 1
