"""Editors fix the clustering by hand: merge stories, move a report to another story, split a story; the drafts
follow. The CLI and the web app call these alike.

Every change is one transaction that places the reports (as the editor's: clustering never moves them), signs
the stories it touched again (so later reports are matched against what the stories now hold) and records the
decision in `story_decisions` as item ids; then every open draft the change touches is composed again (here, or
queued by the caller: the web app hands them to its job runner, so no request waits on a compose). A rebuild
of the clustering forgets every story, then `replay_decisions` applies the decisions again in order, so an
editor's merge or split is never undone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from mobrief.errors import ConfigError, NotFound
from mobrief.newsroom import compose
from mobrief.store import Store
from mobrief.stories import pending
from mobrief.stories.same_event import StoryProfile
from mobrief.stories.signatures import sign_item


@dataclass(frozen=True, slots=True, kw_only=True)
class StoryEdit:
    """What a merge, move or split changed: the story the reports went to, every story still standing whose
    reports changed, and the stories that are gone (emptied, folded into `story_id`)."""

    story_id: int
    changed: tuple[int, ...]
    removed: tuple[int, ...] = ()
    composed: tuple[int, ...] = ()  # the open drafts composed again after it (or queued to be, by the caller)


ComposeDrafts = Callable[[Sequence[int]], object]
"""How the drafts an edit touches are composed again, given their ids (default: one after the other, here)."""


def _profile_values(store: Store, item_ids: Iterable[int]) -> dict[str, Any]:
    """The `stories` columns a story holding exactly these reports gets (title, span, outlets, profile)."""
    enriched = store.stories.enriched_items(item_ids)
    if not enriched:
        raise ConfigError("a story needs at least one report")
    signed = [sign_item(item) for item in enriched]
    profile = StoryProfile.start(0, signed[0])
    for signature in signed[1:]:
        profile.add(signature)
    return pending.story_values(profile)


def _regroup(
    store: Store, item_ids: Sequence[int], target: int | None, *, kind: str, editor: str | None, record: bool
) -> StoryEdit:
    """Move reports from wherever they are into `target` (a new story when None); sources left empty are folded
    into the target. The core of merge, move, split and replay."""
    decisions = store.story_decisions
    moving = sorted(set(item_ids))
    where = decisions.item_stories(moving)
    missing = [i for i in moving if i not in where]
    if missing:
        raise NotFound(f"no story holds report {missing[0]} (is it clustered yet?)")
    if target is not None:
        store.stories.get(target)  # NotFound names the id
        moving = [i for i in moving if where[i] != target]
        if not moving:
            return StoryEdit(story_id=target, changed=())
    sources = sorted({where[i] for i in moving})
    before = {s: set(store.inbox.item_ids(s)) for s in sources}
    target_items = set(store.inbox.item_ids(target)) if target is not None else set()
    left = {s: before[s].difference(moving) for s in sources}
    # sign outside the transaction: it is the slow part
    target_values = _profile_values(store, target_items.union(moving))
    source_values = {s: _profile_values(store, left[s]) for s in sources if left[s]}
    with store.transaction() as conn:
        if target is None:
            first = decisions.story_row(conn, sources[0])
            status = "new" if first.status == "skip" else first.status
            target = decisions.create_story(conn, {**target_values, "status": status})
            target_values = {}
        decisions.place_items(conn, moving, target)
        for source in sources:
            went = sorted(before[source].intersection(moving))
            if record:
                decisions.record(
                    conn,
                    kind=kind,
                    story_id=target,
                    from_story_id=source,
                    item_ids=went,
                    joined_item_ids=sorted(target_items),
                    left_item_ids=sorted(left[source]),
                    editor=editor,
                )
            if left[source]:
                decisions.update_story(
                    conn, source, _keep_editor_section(decisions.story_row(conn, source), source_values[source])
                )
            else:
                decisions.fold_story(conn, source, target)
        if target_values:
            decisions.update_story(conn, target, _keep_editor_section(decisions.story_row(conn, target), target_values))
    standing = tuple(s for s in sources if left[s])
    return StoryEdit(
        story_id=target,
        changed=(target, *standing),
        removed=tuple(s for s in sources if not left[s]),
    )


def _keep_editor_section(row: Any, values: dict[str, Any]) -> dict[str, Any]:
    """A story's section stays what it was when it had one (an editor may have set it)."""
    if row.section:
        return {k: v for k, v in values.items() if k != "section"}
    return values


def merge_stories(
    store: Store,
    keep: int,
    others: Sequence[int],
    *,
    editor: str | None = None,
    compose_drafts: ComposeDrafts | None = None,
) -> StoryEdit:
    """Fold `others` into story `keep`: their reports, draft entries (an editor's text is kept), suggestions and
    links move over, and the stories that were merged are gone."""
    absorbed = sorted(set(others) - {keep})
    if not absorbed:
        raise ConfigError("choose at least one other story to merge")
    items = [i for story in absorbed for i in _reports_of(store, story)]
    edit = _regroup(store, items, keep, kind="merge", editor=editor, record=True)
    return _drafts_follow(store, edit, compose_drafts)


def move_reports(
    store: Store,
    item_ids: Sequence[int],
    target: int,
    *,
    editor: str | None = None,
    compose_drafts: ComposeDrafts | None = None,
) -> StoryEdit:
    """Move reports to another story (a story left without reports is folded into it)."""
    if not item_ids:
        raise ConfigError("choose at least one report to move")
    edit = _regroup(store, item_ids, target, kind="move", editor=editor, record=True)
    return _drafts_follow(store, edit, compose_drafts)


def split_story(
    store: Store,
    story_id: int,
    item_ids: Sequence[int],
    *,
    editor: str | None = None,
    compose_drafts: ComposeDrafts | None = None,
) -> StoryEdit:
    """Take some reports out of a story into a new one; the new story's id is `StoryEdit.story_id`."""
    reports = set(_reports_of(store, story_id))
    chosen = set(item_ids)
    if not chosen:
        raise ConfigError("choose the reports that tell the other event")
    if not chosen <= reports:
        raise ConfigError(f"report {min(chosen - reports)} is not in story {story_id}")
    if chosen == reports:
        raise ConfigError("leave at least one report in the story: splitting off every report changes nothing")
    edit = _regroup(store, sorted(chosen), None, kind="split", editor=editor, record=True)
    return _drafts_follow(store, edit, compose_drafts)


def _drafts_follow(store: Store, edit: StoryEdit, compose_drafts: ComposeDrafts | None) -> StoryEdit:
    """The edit, after composing again (or handing `compose_drafts`) the open drafts it touches."""
    if compose_drafts is None:
        return replace(edit, composed=tuple(recompose_for_stories(store, (*edit.changed, *edit.removed))))
    touched = drafts_touching(store, (*edit.changed, *edit.removed))
    if touched:
        compose_drafts(touched)
    return replace(edit, composed=tuple(touched))


def recompose_for_stories(store: Store, story_ids: Iterable[int]) -> list[int]:
    """Compose again the open drafts that tell one of these stories or whose period meets one of their reports;
    returns the draft ids composed (editors' texts, order and removals are kept, as always)."""
    touched = drafts_touching(store, story_ids)
    for draft_id in touched:
        compose.compose_draft(store, draft_id)
    return touched


def drafts_touching(store: Store, story_ids: Iterable[int]) -> list[int]:
    """The open drafts that tell one of these stories or whose period meets one of their reports."""
    wanted = set(story_ids)
    spans = []
    for story_id in sorted(wanted):
        try:
            story = store.stories.get(story_id)
        except NotFound:  # folded into another story meanwhile
            continue
        spans.append((story.first_seen.date(), story.last_seen.date()))
    touched = []
    for draft in store.drafts.listing("draft", limit=500):
        if draft.period_start is None or draft.period_end is None:
            continue
        overlaps = any(first <= draft.period_end and last >= draft.period_start for first, last in spans)
        if overlaps or wanted & store.drafts.story_ids(draft.id):
            touched.append(draft.id)
    return touched


def _reports_of(store: Store, story_id: int) -> list[int]:
    store.stories.get(story_id)  # NotFound names the id
    return store.inbox.item_ids(story_id)


def replay_decisions(store: Store) -> int:
    """Apply every recorded decision again, oldest first (after clustering was rebuilt); returns how many
    changed anything. A decision whose reports already sit as the editor left them is skipped."""
    applied = 0
    for decision in store.story_decisions.all():
        ids = set(decision.item_ids) | set(decision.joined_item_ids) | set(decision.left_item_ids)
        where = store.story_decisions.item_stories(ids)
        moved = [i for i in decision.item_ids if i in where]
        if not moved:
            continue
        if decision.kind in ("merge", "move"):
            anchor = next((where[i] for i in decision.joined_item_ids if i in where), None)
            if anchor is None or all(where[i] == anchor for i in moved):
                continue
            _regroup(store, moved, anchor, kind=decision.kind, editor=None, record=False)
        else:
            homes = {where[i] for i in moved}
            left = {where[i] for i in decision.left_item_ids if i in where}
            if len(homes) == 1 and not homes & left:
                continue
            _regroup(store, moved, None, kind="split", editor=None, record=False)
        applied += 1
    return applied
