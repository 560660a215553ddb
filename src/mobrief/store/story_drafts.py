"""Machine drafts of stories: one per story, replaced when the story gains reports or the backend changes, and
never while an editor has written the story's entry (their text lives on the story and in the brief)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from mobrief.records import DraftSentence, Finding, PeriodItem, StoryDraft
from mobrief.store import id_lists, json_columns, relevance, upserts
from mobrief.store.database import reading
from mobrief.store.period_stories import period_items, story_items_query
from mobrief.store.schema import brief_paragraphs, item_enrichments, items, stories, story_drafts, story_items


def _drafts(rows: Sequence[Any]) -> list[StoryDraft]:
    """Rows of `_DRAFT_COLUMNS`, their sentences, findings and reports decoded together."""
    lists = json_columns.decode_lists([text for row in rows for text in row[-3:]])
    found = []
    for at, (story_id, text, status, backend, backend_version, _, _, _) in enumerate(rows):
        sentences, findings, item_ids = lists[3 * at : 3 * at + 3]
        found.append(
            StoryDraft(
                story_id=story_id,
                text=text,
                status=status,
                backend=backend,
                backend_version=backend_version,
                sentences=tuple(map(DraftSentence.from_dict, sentences)),  # map, not a generator per draft
                findings=tuple(map(Finding.from_dict, findings)) if findings else (),
                item_ids=tuple(map(int, item_ids)),
            )
        )
    return found


_DRAFT_COLUMNS = (
    story_drafts.c.story_id,
    story_drafts.c.text,
    story_drafts.c.status,
    story_drafts.c.backend,
    story_drafts.c.backend_version,
    json_columns.as_text(story_drafts.c.sentences),
    json_columns.as_text(story_drafts.c.findings),
    json_columns.as_text(story_drafts.c.item_ids),
)


class StoryDraftRepository:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def get(self, story_id: int) -> StoryDraft | None:
        return self.get_many([story_id]).get(story_id)

    def get_many(self, story_ids: Iterable[int]) -> dict[int, StoryDraft]:
        query = sa.select(*_DRAFT_COLUMNS).where(
            id_lists.among(story_drafts.c.story_id, story_ids, self.engine.dialect.name)
        )
        with reading(self.engine) as conn:
            rows = conn.execute(query).all()
        return {draft.story_id: draft for draft in _drafts(rows)}

    def texts(self, story_ids: Iterable[int]) -> dict[int, str]:
        """The English text of each story's draft that has some, without its sentences' provenance (what a list
        of stories shows under each title)."""
        query = sa.select(story_drafts.c.story_id, story_drafts.c.text).where(
            id_lists.among(story_drafts.c.story_id, story_ids, self.engine.dialect.name)
        )
        with reading(self.engine) as conn:
            return {int(i): str(t) for i, t in conn.execute(query) if t and str(t).strip()}

    def save_many(self, drafts: Sequence[StoryDraft]) -> None:
        """Store drafts in one transaction, replacing each story's earlier draft."""
        if not drafts:
            return
        now = dt.datetime.now(dt.UTC)
        rows = [
            {
                "story_id": d.story_id,
                "text": d.text,
                "status": d.status,
                "backend": d.backend,
                "backend_version": d.backend_version,
                "sentences": [s.as_dict() for s in d.sentences],
                "findings": [f.as_dict() for f in d.findings],
                "item_ids": list(d.item_ids),
                "drafted_at": now,
            }
            for d in drafts
        ]
        # an upsert: a second process drafting the same story at once replaces the draft rather than colliding
        statement = upserts.insert(self.engine.dialect.name, story_drafts)
        statement = statement.on_conflict_do_update(
            index_elements=["story_id"], set_={name: statement.excluded[name] for name in rows[0] if name != "story_id"}
        )
        with self.engine.begin() as conn:
            conn.execute(statement, rows)

    def edited_story_ids(self, story_ids: Sequence[int]) -> set[int]:
        """Stories whose entry an editor has written: on the story, or in a brief's entry."""
        dialect = self.engine.dialect.name
        written = sa.select(stories.c.id).where(
            id_lists.among(stories.c.id, story_ids, dialect), stories.c.entry_text.is_not(None)
        )
        in_briefs = sa.select(brief_paragraphs.c.story_id).where(
            id_lists.among(brief_paragraphs.c.story_id, story_ids, dialect), brief_paragraphs.c.edited.is_(True)
        )
        with reading(self.engine) as conn:
            return {int(i) for i in conn.execute(sa.union(written, in_briefs)).scalars()}

    def needing_drafts(
        self,
        *,
        backend_version: str | None = None,
        story_ids: Sequence[int] | None = None,
        seen_since: dt.datetime | None = None,
        force: bool = False,
        drafts: Mapping[int, StoryDraft] | None = None,
    ) -> list[int]:
        """Stories with a kept Russian report that need a (new) draft: none yet, or reports gained since, or
        (with `backend_version`) drafted by another version; never one an editor has written, unless `force`
        (one story asked for by id). `drafts`, the stored drafts of `story_ids` when the caller has read them
        (`get_many`), are not read again."""
        russian_lang = sa.func.coalesce(item_enrichments.c.lang, items.c.lang, "ru").like("ru%")
        query = (
            sa.select(story_items.c.story_id, items.c.id, russian_lang.label("russian"))
            .select_from(
                items.join(story_items, story_items.c.item_id == items.c.id)
                .join(item_enrichments, item_enrichments.c.item_id == items.c.id)
                .join(stories, stories.c.id == story_items.c.story_id)
            )
            .where(relevance.kept(), stories.c.status != "skip")
        )
        if story_ids is not None:
            query = query.where(id_lists.among(story_items.c.story_id, story_ids, self.engine.dialect.name))
        if seen_since is not None:
            query = query.where(stories.c.last_seen >= seen_since)
        current: dict[int, set[int]] = {}
        russian: set[int] = set()
        with reading(self.engine) as conn:
            rows = conn.execute(query).all()
        for story_id, item_id, is_russian in rows:
            current.setdefault(story_id, set()).add(item_id)
            if is_russian:
                russian.add(story_id)
        candidates = sorted(s for s in current if s in russian)
        drafted = (
            self._drafted_from(candidates)
            if drafts is None
            else {i: (set(d.item_ids), d.backend_version) for i in candidates if (d := drafts.get(i)) is not None}
        )
        edited = set() if force else self.edited_story_ids(candidates)
        out = []
        for story_id in candidates:
            old = drafted.get(story_id)
            if story_id in edited:
                continue
            if (
                force
                or old is None
                or old[0] != current[story_id]
                or (backend_version is not None and old[1] != backend_version)
            ):
                out.append(story_id)
        return out

    def _drafted_from(self, story_ids: Sequence[int]) -> dict[int, tuple[set[int], str]]:
        """The reports and backend version each story's draft was made from (its sentences are not decoded)."""
        query = sa.select(
            story_drafts.c.story_id, story_drafts.c.backend_version, json_columns.as_text(story_drafts.c.item_ids)
        ).where(id_lists.among(story_drafts.c.story_id, story_ids, self.engine.dialect.name))
        with reading(self.engine) as conn:
            rows = conn.execute(query).all()
        reports = json_columns.decode_lists([row[2] for row in rows])
        return {
            story_id: ({int(i) for i in item_ids}, version)
            for (story_id, version, _), item_ids in zip(rows, reports, strict=True)
        }

    def reports_of(self, story_ids: Sequence[int]) -> dict[int, list[PeriodItem]]:
        """Every kept report of each story, oldest first, with what enrichment found in it."""
        found: dict[int, list[PeriodItem]] = {int(i): [] for i in story_ids}
        with reading(self.engine) as conn:
            rows = conn.execute(story_items_query(story_ids, self.engine.dialect.name)).all()
        for story_id, item in period_items(rows):
            found[story_id].append(item)
        return found
