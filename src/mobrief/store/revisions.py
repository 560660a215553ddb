"""Published briefs corrected or withdrawn in the open (`brief_revisions`), and the drafts that correct them.

A correction starts as a draft copy of the published brief (`briefs.corrects_brief_id`). Publishing it keeps
the brief's id and URL: the text before is kept in the revision with the note readers see ("Corrected on …").
A withdrawal sets the brief's status to "withdrawn" with a note; its text is kept, its page says so.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from mobrief.errors import ConfigError, NotFound
from mobrief.records import utc
from mobrief.store import audit
from mobrief.store import briefs as brief_store
from mobrief.store.database import reading
from mobrief.store.schema import brief_revisions, briefs

KINDS = ("correction", "withdrawal")


@dataclass(frozen=True, slots=True, kw_only=True)
class BriefRevision:
    """One correction or withdrawal of a published brief."""

    id: int
    brief_id: int
    kind: str
    note: str
    editor: str | None
    created_at: dt.datetime
    previous: Mapping[str, Any] | None = None


def _row_to_revision(row: Any) -> BriefRevision:
    return BriefRevision(
        id=row.id,
        brief_id=row.brief_id,
        kind=row.kind,
        note=row.note,
        editor=row.editor,
        created_at=utc(row.created_at),
        previous=row.previous,
    )


class RevisionRepository:
    """Rows of `brief_revisions`, correction drafts, and the status change of a withdrawal (the brief's own rows
    are written by `store.briefs`)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def of(self, brief_id: int) -> list[BriefRevision]:
        """A brief's corrections and withdrawal, oldest first."""
        query = sa.select(brief_revisions).where(brief_revisions.c.brief_id == brief_id).order_by(brief_revisions.c.id)
        with reading(self.engine) as conn:
            return [_row_to_revision(row) for row in conn.execute(query)]

    def of_many(self, brief_ids: Sequence[int]) -> dict[int, list[BriefRevision]]:
        if not brief_ids:
            return {}
        query = (
            sa.select(brief_revisions)
            .where(brief_revisions.c.brief_id.in_(list(brief_ids)))
            .order_by(brief_revisions.c.id)
        )
        out: dict[int, list[BriefRevision]] = {}
        with reading(self.engine) as conn:
            for row in conn.execute(query):
                out.setdefault(row.brief_id, []).append(_row_to_revision(row))
        return out

    def correction_draft(self, brief_id: int) -> int | None:
        """The open draft correcting a published brief, if there is one."""
        query = sa.select(briefs.c.id).where(briefs.c.corrects_brief_id == brief_id, briefs.c.status == "draft")
        with reading(self.engine) as conn:
            value = conn.execute(query.order_by(briefs.c.id.desc())).scalar()
        return None if value is None else int(value)

    def start_correction(self, brief_id: int) -> int:
        """A draft copy of published brief `brief_id` (entries, their stories and provenance, marked as written by
        editors), or the open one already correcting it."""
        with self.engine.begin() as conn:
            # one transaction, the published brief's row locked first (PostgreSQL; SQLite has one writer): two
            # editors starting a correction at once get the same draft, never two
            row = conn.execute(sa.select(briefs).where(briefs.c.id == brief_id).with_for_update()).first()
            if row is None:
                raise NotFound(f"no brief with id {brief_id}")
            open_draft = conn.execute(
                sa.select(briefs.c.id)
                .where(briefs.c.corrects_brief_id == brief_id, briefs.c.status == "draft")
                .order_by(briefs.c.id.desc())
            ).scalar()
            if open_draft is not None:
                return int(open_draft)
            if row.status != "published":
                raise ConfigError(f"brief {brief_id} is {row.status}: only a published brief can be corrected")
            draft_id = brief_store.insert_brief(
                conn,
                title=row.title,
                period_start=row.period_start,
                period_end=row.period_end,
                status="draft",
                url=None,
                content_hash=f"correction-{brief_id}-{dt.datetime.now(dt.UTC).timestamp()}",
                published_at=None,
                corrects_brief_id=brief_id,
            )
            brief_store.copy_sections(conn, brief_id, draft_id, as_draft=True)
        return draft_id

    def publish_correction(
        self, draft_id: int, note: str, editor: str | None, now: dt.datetime, *, leave_out: Sequence[int] = ()
    ) -> int:
        """Replace the text of the published brief a draft corrects with the draft's (less the entries in
        `leave_out`, and a section they leave empty), keep the old text with the note, and drop the draft, in one
        transaction; returns the corrected brief's id (its URL does not change)."""
        note = note.strip()
        if not note:
            raise ConfigError("say what the correction changes: readers see this note")
        with self.engine.begin() as conn:
            draft = conn.execute(sa.select(briefs).where(briefs.c.id == draft_id)).first()
            if draft is None or draft.corrects_brief_id is None or draft.status != "draft":
                raise ConfigError(f"brief {draft_id} is not a correction draft")
            target = int(draft.corrects_brief_id)
            if leave_out:  # and each section they leave empty
                touched = brief_store.delete_paragraphs(conn, leave_out, brief_id=draft_id)
                brief_store.delete_empty_sections(conn, touched)
            before = brief_store.load_briefs(conn, [target])
            if not before:
                raise NotFound(f"no brief with id {target}")
            conn.execute(
                brief_revisions.insert().values(
                    brief_id=target,
                    kind="correction",
                    note=note,
                    previous=before[0].as_dict(),
                    editor=editor,
                    created_at=utc(now),
                )
            )
            brief_store.delete_sections(conn, target)
            brief_store.move_sections(conn, draft_id, target)
            brief_store.delete_brief(conn, draft_id)
            brief_store.delete_blank_paragraphs(conn, target)
            brief_store.rehash(conn, target)
        return target

    def withdraw(
        self,
        brief_id: int,
        note: str,
        editor: str | None,
        now: dt.datetime,
        *,
        actor_id: int | None = None,
        client: str | None = None,
    ) -> None:
        """Take a published brief back: status "withdrawn", the note readers see; its text is kept. The audit log
        records it in the same transaction: who (`actor_id`, with `editor` as their email) and from where
        (`client`: an address, or "cli")."""
        note = note.strip()
        if not note:
            raise ConfigError("say why the brief is withdrawn: readers see this note")
        with self.engine.begin() as conn:
            status = conn.execute(sa.select(briefs.c.status).where(briefs.c.id == brief_id)).scalar()
            if status is None:
                raise NotFound(f"no brief with id {brief_id}")
            if status != "published":
                raise ConfigError(f"brief {brief_id} is {status}: only a published brief can be withdrawn")
            conn.execute(
                brief_revisions.insert().values(
                    brief_id=brief_id, kind="withdrawal", note=note, previous=None, editor=editor, created_at=utc(now)
                )
            )
            brief_store.update_brief(conn, brief_id, status="withdrawn")
            drafts = sa.select(briefs.c.id).where(briefs.c.corrects_brief_id == brief_id, briefs.c.status == "draft")
            for draft_id in list(conn.execute(drafts).scalars()):
                brief_store.delete_brief(conn, int(draft_id))
            audit.AuditLog(self.engine).record(
                "brief.withdrawn",
                actor_id=actor_id,
                actor_email=editor if actor_id is not None else None,
                client=client,
                target=("brief", brief_id),
                detail={"note": note},
                conn=conn,
            )
