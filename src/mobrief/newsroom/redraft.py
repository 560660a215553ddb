"""Re-draft what a machine wrote: draft a story again with the drafting backend (or every machine-drafted entry
of a draft), so a draft whose backend or glossary has changed, or that the fact guard faulted, gets a fresh one.

An editor's text is never touched: a story an editor has written (on the story, or in any brief's entry) is left
as it is, and composing, which puts the new drafts into the draft's entries, keeps every edited entry.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from mobrief.brief.compose import ENGLISH_REPORT
from mobrief.errors import ConfigError
from mobrief.newsroom.drafting import draft_pending
from mobrief.records import DRAFTED, NEEDS_CHECK, Draft, DraftEntry
from mobrief.store import Store

MACHINE_STATUSES = (DRAFTED, NEEDS_CHECK)


@dataclass(frozen=True, slots=True, kw_only=True)
class Redrafted:
    """What a re-draft did: the stories drafted again, and those left as an editor wrote them."""

    drafted: tuple[int, ...]
    written: tuple[int, ...]

    def summary(self) -> str:
        text = f"{len(self.drafted)} stor{'y' if len(self.drafted) == 1 else 'ies'} drafted again"
        if self.written:
            text += f"; {len(self.written)} left as an editor wrote {'it' if len(self.written) == 1 else 'them'}"
        return text


def is_machine_entry(entry: DraftEntry) -> bool:
    """Whether an entry's text is a drafting backend's that no editor has changed (an English report's text,
    taken as it is, is not drafted)."""
    return (
        entry.story_id is not None
        and not entry.edited
        and entry.status in MACHINE_STATUSES
        and entry.backend not in (None, ENGLISH_REPORT)
    )


def machine_story_ids(draft: Draft) -> list[int]:
    """The stories of a draft's machine-drafted entries, in the draft's order."""
    return [e.story_id for s in draft.sections for e in s.entries if is_machine_entry(e) and e.story_id is not None]


def check_story(store: Store, story_id: int) -> None:
    """Refuse, before anything is queued, to re-draft a story an editor has written."""
    story = store.stories.get(story_id)  # NotFound names the id
    if story_id in store.story_drafts.edited_story_ids([story.id]):
        raise ConfigError(f"story {story_id}'s entry is an editor's text: re-drafting would not change it")


def redraft_stories(
    store: Store, story_ids: Sequence[int], *, progress: Callable[[int, int | None], None] | None = None
) -> Redrafted:
    """Draft these stories again with the configured backend and keep the drafts, leaving out the stories an
    editor has written (checked now, not when the re-draft was asked for)."""
    wanted = list(dict.fromkeys(story_ids))
    written = store.story_drafts.edited_story_ids(wanted)
    todo = [s for s in wanted if s not in written]
    run = draft_pending(store, story_ids=todo, force=True, progress=progress) if todo else None
    return Redrafted(drafted=tuple(run.story_ids if run else ()), written=tuple(s for s in wanted if s in written))
