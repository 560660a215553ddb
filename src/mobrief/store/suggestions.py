"""Volunteers' suggested English entries for a story (`story_suggestions`), one per volunteer and story."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from mobrief.errors import NotFound
from mobrief.records import utc
from mobrief.store.database import reading
from mobrief.store.schema import stories, story_suggestions


@dataclass(frozen=True, slots=True, kw_only=True)
class Suggestion:
    id: int
    story_id: int
    text: str
    editor: str | None
    created_at: dt.datetime


class SuggestionRepository:
    """Rows of `story_suggestions`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def of_stories(self, story_ids: list[int]) -> dict[int, list[Suggestion]]:
        """Suggestions per story, newest first."""
        if not story_ids:
            return {}
        query = (
            sa.select(story_suggestions)
            .where(story_suggestions.c.story_id.in_(story_ids))
            .order_by(story_suggestions.c.created_at.desc(), story_suggestions.c.id.desc())
        )
        out: dict[int, list[Suggestion]] = {}
        with reading(self.engine) as conn:
            for row in conn.execute(query):
                out.setdefault(row.story_id, []).append(
                    Suggestion(
                        id=row.id,
                        story_id=row.story_id,
                        text=row.text,
                        editor=row.editor,
                        created_at=utc(row.created_at),
                    )
                )
        return out

    def get(self, suggestion_id: int) -> Suggestion:
        with reading(self.engine) as conn:
            row = conn.execute(sa.select(story_suggestions).where(story_suggestions.c.id == suggestion_id)).first()
        if row is None:
            raise NotFound(f"no suggestion with id {suggestion_id}")
        return Suggestion(
            id=row.id, story_id=row.story_id, text=row.text, editor=row.editor, created_at=utc(row.created_at)
        )

    def save(self, story_id: int, editor: str, text: str) -> None:
        """Set a volunteer's suggestion for a story (an empty text withdraws it)."""
        now = dt.datetime.now(dt.UTC)
        with self.engine.begin() as conn:
            if conn.execute(sa.select(stories.c.id).where(stories.c.id == story_id)).first() is None:
                raise NotFound(f"no story with id {story_id}")
            mine = (story_suggestions.c.story_id == story_id) & (story_suggestions.c.editor == editor)
            if not text.strip():
                conn.execute(story_suggestions.delete().where(mine))
                return
            if conn.execute(story_suggestions.update().where(mine).values(text=text, created_at=now)).rowcount:
                return
            conn.execute(story_suggestions.insert().values(story_id=story_id, text=text, editor=editor, created_at=now))


def move_to_story(conn: Connection, absorbed: int, kept: int) -> None:
    """Inside the caller's transaction (a merge of stories), the suggestions for `absorbed` are for `kept`."""
    conn.execute(story_suggestions.update().where(story_suggestions.c.story_id == absorbed).values(story_id=kept))
