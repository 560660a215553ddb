"""Draft the stories that need it and keep the drafts: `mobrief draft`, the end of `mobrief enrich` (the recent
stories, `processing.draft_recent`), re-drafting and composing a brief all go through `draft_pending`, batched and
resumable: each batch is read, drafted by a backend (`brief.drafting`) and stored before the next."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from mobrief.brief.draft_stories import DraftRun, draft_context, story_reports
from mobrief.brief.drafting import backends
from mobrief.brief.drafting.records import DraftContext
from mobrief.newsroom import house_style
from mobrief.store import Store

BATCH = 50  # stories drafted, then stored, at a time: what a killed run can lose and redo
Progress = Callable[[int, int | None], None]


def context_of(store: Store) -> DraftContext:
    """The newsroom's outlet names, transliteration overrides and glossary terms, as drafting reads them."""
    return draft_context(house_style.newsroom_glossary(store), store.outlet_aliases.all())


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
            run.count(d)
        done += len(batch)
        if progress:
            progress(done, len(pending))
    return run
