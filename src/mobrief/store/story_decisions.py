"""Editors' decisions on which reports tell one story (`story_decisions`), and the rows they change.

An editor merges two stories, moves a report to another story, or splits a story. Each decision is kept as
lists of item ids, so it still means something after clustering is rebuilt and story ids change:

- `item_ids`: the reports the editor moved (a merge moves every report of the absorbed story);
- `joined_item_ids`: the reports they joined (merge, move): they belong in one story with `item_ids`;
- `left_item_ids`: the reports they left (move, split): they must never again share a story with `item_ids`.

Reports an editor placed carry `story_items.method = "editor"`. Clustering only assigns items that have no
story, so it never moves them; a rebuild replays the decisions in order (`newsroom.story_edits.replay_decisions`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from mobrief.errors import NotFound
from mobrief.records import utc
from mobrief.store import stories as story_store
from mobrief.store import suggestions
from mobrief.store.database import reading
from mobrief.store.drafts import DraftRepository
from mobrief.store.schema import stories, story_decisions, story_items

DECISION_KINDS = ("merge", "move", "split")
EDITOR_METHOD = "editor"  # story_items.method of a report an editor placed


@dataclass(frozen=True, slots=True, kw_only=True)
class StoryDecision:
    """One editor's decision, in the terms clustering can replay (item ids)."""

    id: int
    kind: str
    story_id: int | None
    from_story_id: int | None
    item_ids: tuple[int, ...]
    joined_item_ids: tuple[int, ...]
    left_item_ids: tuple[int, ...]
    editor: str | None
    created_at: dt.datetime


def _ids(values: Any) -> tuple[int, ...]:
    return tuple(int(v) for v in values or ())


def _row_to_decision(row: Any) -> StoryDecision:
    return StoryDecision(
        id=row.id,
        kind=row.kind,
        story_id=row.story_id,
        from_story_id=row.from_story_id,
        item_ids=_ids(row.item_ids),
        joined_item_ids=_ids(row.joined_item_ids),
        left_item_ids=_ids(row.left_item_ids),
        editor=row.editor,
        created_at=utc(row.created_at),
    )


class StoryDecisionRepository:
    """Rows of `story_decisions`, and the row changes a decision makes (inside the caller's transaction)."""

    def __init__(self, engine: Engine, drafts: DraftRepository) -> None:
        self.engine = engine
        self._drafts = drafts  # the writer of the brief tables: a merge re-points and joins draft entries there

    # ---- reading ----

    def all(self) -> list[StoryDecision]:
        """Every decision, oldest first: the order a rebuild replays them in."""
        with reading(self.engine) as conn:
            rows = conn.execute(sa.select(story_decisions).order_by(story_decisions.c.id))
            return [_row_to_decision(row) for row in rows]

    def of_story(self, story_id: int) -> list[StoryDecision]:
        """Decisions that moved reports into or out of a story, newest first."""
        query = sa.select(story_decisions).where(
            sa.or_(story_decisions.c.story_id == story_id, story_decisions.c.from_story_id == story_id)
        )
        with reading(self.engine) as conn:
            return [_row_to_decision(row) for row in conn.execute(query.order_by(story_decisions.c.id.desc()))]

    def merged_into(self, story_id: int) -> int | None:
        """The story a merged (now gone) story lives on in, following later merges."""
        seen: set[int] = set()
        current = story_id
        with reading(self.engine) as conn:
            while current not in seen:
                seen.add(current)
                target = conn.execute(
                    sa.select(story_decisions.c.story_id)
                    .where(story_decisions.c.kind == "merge", story_decisions.c.from_story_id == current)
                    .order_by(story_decisions.c.id.desc())
                ).scalar()
                if target is None:
                    break
                current = int(target)
                if conn.execute(sa.select(stories.c.id).where(stories.c.id == current)).scalar() is not None:
                    return current
        return None

    def item_stories(self, item_ids: Iterable[int]) -> dict[int, int]:
        """Item id → story id, for the items that have a story."""
        wanted = sorted(set(item_ids))
        out: dict[int, int] = {}
        with reading(self.engine) as conn:
            for start in range(0, len(wanted), 500):
                query = sa.select(story_items.c.item_id, story_items.c.story_id).where(
                    story_items.c.item_id.in_(wanted[start : start + 500])
                )
                out.update({int(i): int(s) for i, s in conn.execute(query)})
        return out

    # ---- writing (the caller's transaction) ----

    def record(
        self,
        conn: Connection,
        *,
        kind: str,
        story_id: int,
        from_story_id: int | None,
        item_ids: Sequence[int],
        joined_item_ids: Sequence[int] = (),
        left_item_ids: Sequence[int] = (),
        editor: str | None,
    ) -> int:
        result = conn.execute(
            story_decisions.insert().values(
                kind=kind,
                story_id=story_id,
                from_story_id=from_story_id,
                item_ids=sorted(item_ids),
                joined_item_ids=sorted(joined_item_ids),
                left_item_ids=sorted(left_item_ids),
                editor=editor,
                created_at=dt.datetime.now(dt.UTC),
            )
        )
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    def place_items(self, conn: Connection, item_ids: Sequence[int], story_id: int) -> None:
        """Put reports into a story as an editor's placement (clustering never moves them again)."""
        story_store.place_story_items(conn, item_ids, story_id, method=EDITOR_METHOD, score=1.0)

    def fold_story(self, conn: Connection, absorbed: int, kept: int) -> None:
        """Everything that points at `absorbed` points at `kept` now, then `absorbed` goes.

        In a draft that tells both stories, the two entries become one: an editor's text is never lost (both
        texts are kept, the kept story's first). Published briefs only change which story a paragraph tells.
        """
        old = conn.execute(sa.select(stories).where(stories.c.id == absorbed)).first()
        new = conn.execute(sa.select(stories).where(stories.c.id == kept)).first()
        if old is None or new is None:
            raise NotFound(f"no story with id {absorbed if old is None else kept}")
        self._drafts.fold_story(conn, absorbed, kept)
        suggestions.move_to_story(conn, absorbed, kept)
        # later stories that continued the absorbed one continue the kept one (unless linked already)
        story_store.repoint_links(conn, absorbed, kept)
        texts = [t for t in (new.entry_text, old.entry_text) if t and t.strip()]
        story_store.update_story(
            conn,
            kept,
            status=_stronger_status(new.status, old.status),
            section=new.section or old.section,
            pinned=bool(new.pinned or old.pinned),
            entry_text=" ".join(texts) if texts else new.entry_text,
        )
        story_store.delete_story(conn, absorbed)

    def create_story(self, conn: Connection, values: dict[str, Any]) -> int:
        return story_store.insert_story(conn, values)

    def update_story(self, conn: Connection, story_id: int, values: dict[str, Any]) -> None:
        story_store.update_story(conn, story_id, **values)

    def story_item_ids(self, conn: Connection, story_id: int) -> list[int]:
        query = sa.select(story_items.c.item_id).where(story_items.c.story_id == story_id)
        return sorted(int(i) for i in conn.execute(query).scalars())

    def story_row(self, conn: Connection, story_id: int) -> Any:
        row = conn.execute(sa.select(stories).where(stories.c.id == story_id)).first()
        if row is None:
            raise NotFound(f"no story with id {story_id}")
        return row


def _stronger_status(a: str, b: str) -> str:
    """A merged story is for the brief if either was, new if either still was, else skipped."""
    for status in ("brief", "new"):
        if status in (a, b):
            return status
    return a
