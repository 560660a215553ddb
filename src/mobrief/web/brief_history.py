"""A brief's history: every change an editor makes to a draft or a published brief is recorded in the audit log
against the brief (who, when, what), and read back as lines an editor understands.

A run of autosaves of one entry by one editor is one line: the box saves every few seconds while they type.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from mobrief.store import Store
from mobrief.store.audit import AuditEntry
from mobrief.store.users import User

# what each action says in the history; {story} and {section} come from the entry's detail
SAYINGS = {
    "brief.composed": "composed the draft",
    "brief.recomposed": "composed it again",
    "brief.redrafted": "asked for its machine-drafted entries to be drafted again",
    "brief.entry_redrafted": "asked for the entry of {story} to be drafted again",
    "brief.entry_written": "wrote the entry of {story}",
    "brief.fix_applied": "applied a style fix to the entry of {story}",
    "brief.suggestion_used": "took a volunteer's text for the entry of {story}",
    "brief.entry_moved": "moved the entry of {story} {direction}",
    "brief.entry_section": "moved the entry of {story} to {section}",
    "brief.entry_removed": "removed {story} from this brief",
    "brief.story_restored": "put {story} back",
    "brief.story_added": "added {story} to the brief",
    "brief.stories_changed": "changed the stories it tells (merge, split or move), so it was composed again",
    "brief.published": "published it",
    "brief.correction_started": "started a correction",
    "brief.withdrawn": "withdrew it",
    "brief.deleted": "deleted the draft",
}
SAVES_AS_ONE = dt.timedelta(minutes=15)


@dataclass(frozen=True, slots=True, kw_only=True)
class HistoryLine:
    at: dt.datetime
    who: str
    what: str
    story_id: int | None = None


def record(store: Store, user: User, brief_id: int, action: str, client: str | None = None, **detail: Any) -> None:
    """Note one change to a brief; a save of the entry this editor saved last, within 15 minutes, is not
    noted again."""
    if action == "brief.entry_written":
        last = store.audit.list(target=("brief", brief_id), limit=1)
        if (
            last
            and last[0].action == action
            and last[0].actor_email == user.email
            and last[0].detail.get("entry") == detail.get("entry")
            and dt.datetime.now(dt.UTC) - last[0].at < SAVES_AS_ONE
        ):
            return
    store.audit.record(
        action, actor_id=user.id, actor_email=user.email, client=client, target=("brief", brief_id), detail=detail
    )


def record_each(
    store: Store, user: User, brief_ids: Iterable[int], action: str, client: str | None = None, **detail: Any
) -> None:
    for brief_id in dict.fromkeys(brief_ids):
        record(store, user, brief_id, action, client, **detail)


def _say(entry: AuditEntry) -> str:
    saying = SAYINGS.get(entry.action, entry.action)
    detail: Mapping[str, Any] = entry.detail
    story = f"story {detail['story']}" if detail.get("story") else "an entry"
    words = {"story": story, "section": detail.get("section", "another section"), "direction": ""}
    words["direction"] = {-1: "up", 1: "down"}.get(detail.get("step", 0), "")
    text = saying.format(**words).strip()
    if detail.get("note"):
        text += f": {detail['note']}"
    return text


def lines_of(store: Store, brief_id: int, limit: int = 500) -> list[HistoryLine]:
    """What was done to a brief, newest first."""
    return [
        HistoryLine(
            at=e.at,
            who=e.actor_email or "someone",
            what=_say(e),
            story_id=int(e.detail["story"]) if isinstance(e.detail.get("story"), int) else None,
        )
        for e in store.audit.list(target=("brief", brief_id), limit=limit)
        if e.action.startswith("brief.") and e.action != "brief.withdrawn"  # the page lists withdrawals with notes
    ]
