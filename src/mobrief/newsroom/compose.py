"""Compose a period's draft brief, the one way the CLI, the web app and the tasks take: read the period's stories,
the archive and the draft through the store, draft the stories whose entry is a machine draft and have none,
let `brief.compose` lay the draft out, and save it. Composing again keeps what editors wrote, moved or removed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
from collections.abc import Iterator, Sequence

from mobrief.brief import continuations
from mobrief.brief.compose import (
    ComposedBrief,
    ComposeProgress,
    HouseStyle,
    composed_from,
    lay_out,
    needs_machine_draft,
)
from mobrief.brief.drafting import backends
from mobrief.brief.drafting.backends import DraftBackend
from mobrief.errors import ConfigError
from mobrief.newsroom import house_style
from mobrief.newsroom.drafting import draft_pending
from mobrief.records import PeriodStory, StoryDraft
from mobrief.store import Store
from mobrief.style import dates, glossary


def house_style_of(store: Store) -> HouseStyle:
    """The newsroom's glossary, rates and outlet spellings, as one compose uses them."""
    terms = house_style.newsroom_glossary(store)
    # editors' outlet aliases win: one outlet is attributed under one name however its sources are called
    overrides = glossary.overrides_from(terms) | store.outlet_aliases.all()
    return HouseStyle(terms=terms, rates=house_style.newsroom_rates(store), overrides=overrides)


def compose_brief(
    store: Store,
    start: dt.date,
    end: dt.date,
    *,
    style: HouseStyle | None = None,
    draft_id: int | None = None,
    backend: DraftBackend | None = None,
    progress: ComposeProgress | None = None,
) -> ComposedBrief:
    """Build (or update) and store the draft brief for [start, end] (draft `draft_id` when given, else the
    period's own); returns it as composed. Stories an editor removed from the draft stay out. `progress` is
    told each stage as it starts."""
    with _no_cycle_collection() as collecting:
        return _compose(
            store, start, end, style=style, draft_id=draft_id, backend=backend, progress=progress, collecting=collecting
        )


def _compose(
    store: Store,
    start: dt.date,
    end: dt.date,
    *,
    style: HouseStyle | None,
    draft_id: int | None,
    backend: DraftBackend | None,
    progress: ComposeProgress | None,
    collecting: bool,
) -> ComposedBrief:
    """`compose_brief` with the cycle collector paused (`collecting`: whether its caller had it running): what
    this made and no longer holds is freed by reference counting as it returns, so collection resumes over little
    more than the composed brief, where it used to resume three times over everything read so far."""
    tell = progress or _no_progress
    if end < start:
        raise ConfigError(f"the period ends ({end}) before it starts ({start})")
    style = style or house_style_of(store)
    style.rates.rate_on(end)  # a period outside the rate table is an error before anything is written
    tell("reading the period's stories", None, None)
    archive = continuations.Archive(
        store.periods.published_paragraphs_between(continuations.lookback_start(start), start)
    )
    stories = store.periods.load_period_stories(start, end)
    if draft_id is None:
        draft_id = store.periods.draft_for_period(start, end)
    if draft_id is None:
        draft_id = store.drafts.create(dates.format_title(start, end), start, end)
    removed = store.drafts.removed_story_ids(draft_id)
    stories = [s for s in stories if s.id not in removed]
    drafted = machine_drafts(store, stories, backend, tell, collecting=collecting)
    tell("applying the house style", None, None)
    draft = store.drafts.layout(draft_id)
    laid_out = lay_out(draft, stories, style, start=start, end=end, archive=archive, machine_drafts=drafted)
    tell("saving the draft", None, None)
    entry_ids = store.drafts.save_layout(
        draft_id, title=laid_out.title, sections=laid_out.headings, entries=laid_out.stored_entries()
    )
    return laid_out.as_saved(draft, entry_ids)


def compose_draft(
    store: Store, draft_id: int, backend: DraftBackend | None = None, progress: ComposeProgress | None = None
) -> ComposedBrief:
    """Compose an existing draft again for its own period."""
    draft = store.drafts.get(draft_id)
    if draft.status != "draft" or draft.period_start is None or draft.period_end is None:
        raise ConfigError(f"brief {draft_id} is not a draft with a period")
    return compose_brief(
        store, draft.period_start, draft.period_end, draft_id=draft_id, backend=backend, progress=progress
    )


def machine_drafts(
    store: Store,
    stories: Sequence[PeriodStory],
    backend: DraftBackend | None = None,
    progress: ComposeProgress | None = None,
    *,
    collecting: bool = True,
) -> dict[int, StoryDraft]:
    """The stored drafts of the stories whose entry is a machine draft, drafting first those without a current
    one (with the cycle collector running if `collecting`, whatever composing did with it)."""
    wanted = [s.id for s in stories if needs_machine_draft(s)]
    drafts = store.story_drafts.get_many(wanted)
    if wanted:
        backend = backend or backends.get_backend()  # a misconfigured backend fails the compose, drafting or not
        pending = store.story_drafts.needing_drafts(story_ids=wanted, drafts=drafts)  # their drafts not read again
        if pending:

            def counted(done: int, total: int | None) -> None:
                if progress is not None:
                    progress("drafting stories", done, total)

            with _cycle_collection(collecting):  # a backend may draft for minutes
                draft_pending(store, story_ids=pending, backend=backend, progress=counted if progress else None)
            drafts.update(store.story_drafts.get_many(pending))
        elif progress is not None:
            progress("drafting stories", 0, 0)
    return drafts


def load_composed(store: Store, brief_id: int) -> ComposedBrief:
    """A stored draft (or published brief) as a ComposedBrief."""
    return composed_from(store.drafts.get(brief_id))


def write_entry_text(store: Store, story_id: int, text: str) -> None:
    """Set a story's English entry text: on the story and on every draft entry telling it (as an editor's), the
    entries in one transaction."""
    store.stories.get(story_id)  # NotFound names the id
    entry_ids = [place.entry_id for place in store.drafts.entries_telling(story_id)]
    if entry_ids:
        store.drafts.set_texts(entry_ids, text)
    else:
        store.stories.set_entry_text(story_id, text)


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[bool]:
    """Composing makes hundreds of thousands of small dicts and tuples, none in a reference cycle (freed by
    reference counting), so the cycle collector's passes over them while they pile up are wasted: they cost
    0.5–0.8 of 4.5 s composing 9,680 entries. Yields whether it was running; it resumes as it was afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield was_enabled
    finally:
        if was_enabled:
            gc.enable()


@contextlib.contextmanager
def _cycle_collection(collecting: bool) -> Iterator[None]:
    """The cycle collector running while a backend drafts (which may take minutes, in code that may make cycles)
    if `collecting`, paused again after."""
    if collecting:
        gc.enable()
    try:
        yield
    finally:
        if collecting:
            gc.disable()


def _no_progress(_stage: str, _done: int | None, _total: int | None) -> None:
    return None
