"""What the brief editor changes in a draft: entries moved, rewritten, removed; drafts published.

A draft is a row of `briefs` with status "draft"; its entries are `brief_paragraphs` rows under
`brief_sections`.
Section order is the house order, which the store may not know (it lives in `style/`): callers pass a function
that ranks a section key.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from mobrief.errors import ConfigError, NotFound
from mobrief.records import Draft, DraftEntry, DraftLayout, DraftSection, Placement, utc
from mobrief.store import briefs as brief_store
from mobrief.store import json_columns
from mobrief.store import stories as story_store
from mobrief.store.database import reading
from mobrief.store.schema import brief_exclusions, brief_paragraphs, brief_sections, briefs, stories

SectionRank = Callable[[str], int]


@dataclass(frozen=True, slots=True, kw_only=True)
class EntryPlace:
    """Where a story is told in a draft."""

    brief_id: int
    title: str
    entry_id: int
    status: str
    text: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class RemovedStory:
    """A story an editor removed from a draft."""

    story_id: int
    title: str
    editor: str | None
    removed_at: dt.datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class DraftListing:
    id: int
    title: str
    period_start: dt.date | None
    period_end: dt.date | None
    status: str
    published_at: dt.datetime | None
    entries: int
    corrects_brief_id: int | None = None


class DraftRepository:
    """Edits of draft briefs, and the listing of drafts and published briefs the web app shows."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # ---- reading ----

    def listing(self, status: str, *, limit: int = 50, offset: int = 0) -> list[DraftListing]:
        """Briefs with `status`, newest period first."""
        counts = (
            sa.select(brief_sections.c.brief_id, sa.func.count(brief_paragraphs.c.id).label("n"))
            .select_from(brief_sections.join(brief_paragraphs))
            .group_by(brief_sections.c.brief_id)
            .subquery()
        )
        query = (
            sa.select(briefs, sa.func.coalesce(counts.c.n, 0).label("n"))
            .outerjoin(counts, counts.c.brief_id == briefs.c.id)
            .where(briefs.c.status == status)
            .order_by(briefs.c.period_end.desc(), briefs.c.id.desc())
            .limit(limit)
            .offset(offset)
        )
        with reading(self.engine) as conn:
            return [
                DraftListing(
                    id=row.id,
                    title=row.title,
                    period_start=row.period_start,
                    period_end=row.period_end,
                    status=row.status,
                    published_at=None if row.published_at is None else utc(row.published_at),
                    entries=int(row.n),
                    corrects_brief_id=row.corrects_brief_id,
                )
                for row in conn.execute(query)
            ]

    def get(self, brief_id: int) -> Draft:
        with reading(self.engine) as conn:
            row = conn.execute(sa.select(briefs).where(briefs.c.id == brief_id)).first()
            if row is None:
                raise NotFound(f"no brief with id {brief_id}")
            section_rows = list(
                conn.execute(
                    sa.select(brief_sections)
                    .where(brief_sections.c.brief_id == brief_id)
                    .order_by(brief_sections.c.position, brief_sections.c.id)
                )
            )
            entries: dict[int, list[DraftEntry]] = {s.id: [] for s in section_rows}
            if entries:
                query = (
                    sa.select(brief_paragraphs)
                    .where(brief_paragraphs.c.section_id.in_(list(entries)))
                    .order_by(brief_paragraphs.c.position, brief_paragraphs.c.id)
                )
                for p in conn.execute(query):
                    entries[p.section_id].append(_draft_entry(p))
        return Draft(
            id=row.id,
            title=row.title,
            period_start=row.period_start,
            period_end=row.period_end,
            status=row.status,
            published_at=None if row.published_at is None else utc(row.published_at),
            corrects_brief_id=row.corrects_brief_id,
            sections=tuple(
                DraftSection(id=s.id, position=s.position, key=s.key, heading=s.heading, entries=tuple(entries[s.id]))
                for s in section_rows
            ),
        )

    def layout(self, brief_id: int) -> DraftLayout:
        """The brief with where each entry stands, in full only the entries an editor touched."""
        with reading(self.engine) as conn:
            row = conn.execute(sa.select(briefs).where(briefs.c.id == brief_id)).first()
            if row is None:
                raise NotFound(f"no brief with id {brief_id}")
            query = (
                sa.select(
                    brief_sections.c.key, brief_paragraphs.c.id, brief_paragraphs.c.story_id, brief_paragraphs.c.edited
                )
                .join(brief_sections, brief_sections.c.id == brief_paragraphs.c.section_id)
                .where(brief_sections.c.brief_id == brief_id)
                .order_by(
                    brief_sections.c.position, brief_sections.c.id, brief_paragraphs.c.position, brief_paragraphs.c.id
                )
            )
            placed = [
                (key, entry_id, story_id, bool(edited)) for key, entry_id, story_id, edited in conn.execute(query)
            ]
            edited_ids = [entry_id for _, entry_id, _, edited in placed if edited]
            edited: dict[int, DraftEntry] = {}
            for chunk in (edited_ids[i : i + 500] for i in range(0, len(edited_ids), 500)):
                for p in conn.execute(sa.select(brief_paragraphs).where(brief_paragraphs.c.id.in_(chunk))):
                    edited[p.id] = _draft_entry(p)
        return DraftLayout(
            id=row.id,
            title=row.title,
            period_start=row.period_start,
            period_end=row.period_end,
            status=row.status,
            placements=tuple(
                Placement(section=key, id=entry_id, story_id=story_id, edited=edited.get(entry_id))
                for key, entry_id, story_id, _ in placed
            ),
        )

    def titles(self, brief_ids: Sequence[int]) -> dict[int, str]:
        """The titles of these briefs (those that still exist), without reading their entries."""
        if not brief_ids:
            return {}
        query = sa.select(briefs.c.id, briefs.c.title).where(briefs.c.id.in_(sorted(set(brief_ids))))
        with reading(self.engine) as conn:
            return {int(row.id): row.title for row in conn.execute(query)}

    def draft_covering(self, day: dt.date) -> int | None:
        """The newest draft whose period includes `day`."""
        query = (
            sa.select(briefs.c.id)
            .where(
                briefs.c.status == "draft",
                briefs.c.period_start <= day,
                briefs.c.period_end >= day,
                briefs.c.corrects_brief_id.is_(None),
            )
            .order_by(briefs.c.id.desc())
        )
        with reading(self.engine) as conn:
            value = conn.execute(query).scalar()
        return None if value is None else int(value)

    def story_entry(self, brief_id: int, story_id: int) -> int | None:
        """The id of the entry telling `story_id` in a brief, if it has one."""
        query = (
            sa.select(brief_paragraphs.c.id)
            .join(brief_sections, brief_sections.c.id == brief_paragraphs.c.section_id)
            .where(brief_sections.c.brief_id == brief_id, brief_paragraphs.c.story_id == story_id)
        )
        with reading(self.engine) as conn:
            value = conn.execute(query).scalar()
        return None if value is None else int(value)

    def story_ids(self, brief_id: int) -> set[int]:
        """The stories a brief's entries tell."""
        query = (
            sa.select(brief_paragraphs.c.story_id)
            .join(brief_sections, brief_sections.c.id == brief_paragraphs.c.section_id)
            .where(brief_sections.c.brief_id == brief_id, brief_paragraphs.c.story_id.is_not(None))
        )
        with reading(self.engine) as conn:
            return {int(i) for i in conn.execute(query).scalars()}

    def entries_telling(self, story_id: int) -> list[EntryPlace]:
        """The draft entries that tell a story, newest draft first."""
        return self.entries_telling_each([story_id]).get(story_id, [])

    def entries_telling_each(self, story_ids: Sequence[int]) -> dict[int, list[EntryPlace]]:
        """The draft entries that tell each of these stories, newest draft first, in one query."""
        if not story_ids:
            return {}
        query = (
            sa.select(
                briefs.c.id,
                briefs.c.title,
                brief_paragraphs.c.id.label("entry_id"),
                brief_paragraphs.c.status,
                brief_paragraphs.c.text,
                brief_paragraphs.c.story_id,
            )
            .select_from(
                brief_paragraphs.join(brief_sections, brief_sections.c.id == brief_paragraphs.c.section_id).join(
                    briefs, briefs.c.id == brief_sections.c.brief_id
                )
            )
            .where(brief_paragraphs.c.story_id.in_(sorted(set(story_ids))), briefs.c.status == "draft")
            .order_by(briefs.c.id.desc(), brief_paragraphs.c.id)
        )
        found: dict[int, list[EntryPlace]] = {}
        with reading(self.engine) as conn:
            for r in conn.execute(query):
                place = EntryPlace(
                    brief_id=r.id, title=r.title, entry_id=r.entry_id, status=r.status or "written", text=r.text
                )
                found.setdefault(int(r.story_id), []).append(place)
        return found

    def removed_story_ids(self, brief_id: int) -> set[int]:
        """Stories an editor removed from a draft: composing it again leaves them out."""
        query = sa.select(brief_exclusions.c.story_id).where(brief_exclusions.c.brief_id == brief_id)
        with reading(self.engine) as conn:
            return {int(i) for i in conn.execute(query).scalars()}

    def removed_stories(self, brief_id: int) -> list[RemovedStory]:
        """Stories removed from a draft, newest removal first, with their titles (to put one back)."""
        query = (
            sa.select(stories.c.id, stories.c.title, brief_exclusions.c.editor, brief_exclusions.c.created_at)
            .join(stories, stories.c.id == brief_exclusions.c.story_id)
            .where(brief_exclusions.c.brief_id == brief_id)
            .order_by(brief_exclusions.c.created_at.desc(), stories.c.id)
        )
        with reading(self.engine) as conn:
            return [
                RemovedStory(story_id=r.id, title=r.title or "", editor=r.editor, removed_at=utc(r.created_at))
                for r in conn.execute(query)
            ]

    # ---- writing ----

    def restore_story(self, brief_id: int, story_id: int) -> None:
        """Let a removed story back into a draft (it returns when the draft is composed again)."""
        with self.engine.begin() as conn:
            self._require_draft(conn, brief_id)
            conn.execute(
                brief_exclusions.delete().where(
                    brief_exclusions.c.brief_id == brief_id, brief_exclusions.c.story_id == story_id
                )
            )

    def create(self, title: str, start: dt.date, end: dt.date) -> int:
        """An empty draft for a period."""
        with self.engine.begin() as conn:
            return brief_store.insert_brief(
                conn,
                title=title,
                period_start=start,
                period_end=end,
                status="draft",
                url=None,
                # drafts change all the time: a random placeholder keeps the unique hash out of the way
                content_hash="draft-" + secrets.token_hex(20),
                published_at=None,
            )

    def save_layout(
        self,
        brief_id: int,
        *,
        title: str,
        sections: Sequence[tuple[str, str | None]],
        entries: Sequence[tuple[str, Mapping[str, Any]]],
    ) -> list[int]:
        """Make a draft hold exactly `sections` (in order) and `entries` (section key, fields), in one go; returns
        the id of each entry's row, in the order of `entries`.

        Entries that carry an `entry_id` keep their row (and its `edited` flag); others are inserted; rows no
        longer listed are deleted, so composing again never leaves a story twice. Rows and sections already as
        laid out are not written: composing again with nothing changed rewrote all 9,680 entries of a brief, 0.2 to
        0.4 s of PostgreSQL's time.
        """
        with self.engine.begin() as conn:
            old_places = {
                row.key: (row.id, row.position, row.heading)
                for row in conn.execute(
                    sa.select(
                        brief_sections.c.id, brief_sections.c.key, brief_sections.c.position, brief_sections.c.heading
                    ).where(brief_sections.c.brief_id == brief_id)
                )
            }
            old_sections = {key: place[0] for key, place in old_places.items()}
            stored = _stored_paragraphs(conn, list(old_sections.values()))
            section_ids: dict[str, int] = {}
            for position, (key, heading) in enumerate(sections):
                if key in old_sections:
                    section_ids[key] = old_sections[key]
                    if old_places[key][1:] != (position, heading):
                        brief_store.update_section(conn, old_sections[key], position=position, heading=heading)
                else:
                    section_ids[key] = brief_store.insert_section(
                        conn, brief_id, position=position, key=key, heading=heading
                    )
            kept: list[int] = []
            updates: list[dict[str, Any]] = []
            inserts: list[dict[str, Any]] = []
            inserted_at: list[int] = []  # where in `entries` each inserted row stands
            positions: dict[str, int] = {}
            for at, (key, fields) in enumerate(entries):
                position = positions.get(key, 0)
                positions[key] = position + 1
                values = {
                    "section_id": section_ids[key],
                    "position": position,
                    "text": fields["text"],
                    "story_id": fields["story_id"],
                    "item_ids": list(fields["item_ids"]),
                    "status": fields["status"],
                    "sources": [dict(s) for s in fields["sources"]],
                    "previously": [dict(p) for p in fields["previously"]],
                    "drafting": fields.get("drafting"),
                }
                entry_id = fields.get("entry_id")
                if entry_id is not None:
                    if stored.get(int(entry_id)) != _as_stored(values):
                        updates.append({"entry_id": int(entry_id), **values})
                    kept.append(int(entry_id))
                else:
                    inserts.append({"edited": False, **values})
                    inserted_at.append(at)
            # one executemany each (a statement per entry cost 1 ms: 10 s for a brief of 10,000 entries); rows
            # inserted now have ids above every id there was, which is how the stale ones are told from them
            newest_before = conn.execute(sa.select(sa.func.max(brief_paragraphs.c.id))).scalar() or 0
            brief_store.update_paragraphs(conn, updates)
            ids = [int(fields.get("entry_id") or 0) for _, fields in entries]
            if inserts:
                # a plain executemany, its ids read back by place: RETURNING in parameter order made SQLite insert
                # one row a statement (9,680 statements, a quarter of a second); a section's positions are unique
                brief_store.insert_paragraphs(conn, inserts)
                new_ids = {
                    (section_id, position): int(new_id)
                    for new_id, section_id, position in conn.execute(
                        sa.select(
                            brief_paragraphs.c.id, brief_paragraphs.c.section_id, brief_paragraphs.c.position
                        ).where(
                            brief_paragraphs.c.section_id.in_(list(section_ids.values())),
                            brief_paragraphs.c.id > newest_before,
                        )
                    )
                }
                for at, row in zip(inserted_at, inserts, strict=True):
                    ids[at] = new_ids[row["section_id"], row["position"]]
            all_sections = list(old_sections.values()) + [i for k, i in section_ids.items() if k not in old_sections]
            brief_store.delete_unlisted_paragraphs(conn, all_sections, newest_before=newest_before, kept=kept)
            brief_store.delete_sections_by_id(conn, [i for k, i in old_sections.items() if k not in section_ids])
            if conn.execute(sa.select(briefs.c.title).where(briefs.c.id == brief_id)).scalar() != title:
                brief_store.update_brief(conn, brief_id, title=title)
        return ids

    def set_text(self, entry_id: int, text: str) -> None:
        """Replace an entry's text; it counts as written by an editor, so composing again keeps it."""
        self.set_texts([entry_id], text)

    def set_texts(self, entry_ids: Sequence[int], text: str) -> None:
        """Give entries (of one draft or several: a story's text where it is told) the same text as `set_text`
        does, in one transaction: every entry, or none when one is missing or no longer in a draft."""
        status = "written" if text.strip() else "to-write"
        told: set[int] = set()
        with self.engine.begin() as conn:
            for entry_id in entry_ids:
                brief_id, _ = self._locate(conn, entry_id)
                self._require_draft(conn, brief_id)
                brief_store.update_paragraph(conn, entry_id, text=text, status=status, edited=True, drafting=None)
                story_id = conn.execute(
                    sa.select(brief_paragraphs.c.story_id).where(brief_paragraphs.c.id == entry_id)
                ).scalar()
                if story_id is not None:
                    told.add(int(story_id))
            for story_id in sorted(told):  # the story page shows the same English text: once a story, not an entry
                story_store.update_story(conn, story_id, entry_text=text)

    def move(self, entry_id: int, step: int) -> None:
        """Move an entry up (step -1) or down (+1) within its section; at either end nothing changes."""
        with self.engine.begin() as conn:
            brief_id, section_id = self._locate(conn, entry_id)
            self._require_draft(conn, brief_id)
            ids = self._entry_ids(conn, section_id)
            index = ids.index(entry_id)
            target = index + step
            if 0 <= target < len(ids):
                ids[index], ids[target] = ids[target], ids[index]
                self._renumber(conn, ids)
                brief_store.update_paragraph(conn, entry_id, edited=True)

    def move_to_section(self, entry_id: int, key: str, heading: str | None, rank: SectionRank) -> None:
        """Move an entry to the end of another section (created in house order when missing)."""
        with self.engine.begin() as conn:
            brief_id, old_section = self._locate(conn, entry_id)
            self._require_draft(conn, brief_id)
            section_id = self._ensure_section(conn, brief_id, key, heading, rank)
            if section_id == old_section:
                return
            position = self._next_position(conn, section_id)
            brief_store.update_paragraph(conn, entry_id, section_id=section_id, position=position, edited=True)
            brief_store.delete_empty_sections(conn, [old_section])

    def delete_entry(self, entry_id: int, *, editor: str | None = None) -> int | None:
        """Remove an entry from a draft; its story stays out when the draft is composed again (returns it)."""
        with self.engine.begin() as conn:
            brief_id, section_id = self._locate(conn, entry_id)
            self._require_draft(conn, brief_id)
            story_id = conn.execute(
                sa.select(brief_paragraphs.c.story_id).where(brief_paragraphs.c.id == entry_id)
            ).scalar()
            brief_store.delete_paragraphs(conn, [entry_id])
            brief_store.delete_empty_sections(conn, [section_id])
            if story_id is not None:
                exists = conn.execute(
                    sa.select(brief_exclusions.c.story_id).where(
                        brief_exclusions.c.brief_id == brief_id, brief_exclusions.c.story_id == story_id
                    )
                ).first()
                if exists is None:
                    conn.execute(
                        brief_exclusions.insert().values(
                            brief_id=brief_id, story_id=story_id, editor=editor, created_at=dt.datetime.now(dt.UTC)
                        )
                    )
        return None if story_id is None else int(story_id)

    def publish(
        self, brief_id: int, title: str, now: dt.datetime, *, leave_out: Sequence[int] = (), url: str | None = None
    ) -> None:
        """Freeze a draft in one transaction: status published, the house title, the time, its public URL (when
        known), and the archive's content hash (so re-importing the published page finds the same brief).

        Entries with no text yet and the entries in `leave_out` are dropped, and so are sections left empty.
        """
        with self.engine.begin() as conn:
            self._require_draft(conn, brief_id)
            section_ids = list(
                conn.execute(sa.select(brief_sections.c.id).where(brief_sections.c.brief_id == brief_id)).scalars()
            )
            if section_ids:
                if leave_out:
                    brief_store.delete_paragraphs(conn, leave_out, brief_id=brief_id)
                brief_store.delete_blank_paragraphs(conn, brief_id)
                brief_store.delete_empty_sections(conn, section_ids)
            brief_store.update_brief(conn, brief_id, title=title, status="published", published_at=utc(now), url=url)
            # when another brief already says exactly this (an imported copy), the draft's unique hash stays
            brief_store.rehash(conn, brief_id)

    def search(self, words: Sequence[str], *, limit: int = 50) -> list[ParagraphHit]:
        """Paragraphs of published briefs containing every word (case-insensitive), newest brief first.

        The archive is small (hundreds of briefs), so a LIKE scan with bound, escaped patterns is enough.
        """
        terms = [w for w in words if w.strip()][:8]
        if not terms:
            return []
        query = (
            sa.select(
                briefs.c.id,
                briefs.c.title,
                briefs.c.period_end,
                brief_sections.c.key,
                brief_paragraphs.c.text,
            )
            .select_from(
                brief_paragraphs.join(brief_sections, brief_sections.c.id == brief_paragraphs.c.section_id).join(
                    briefs, briefs.c.id == brief_sections.c.brief_id
                )
            )
            .where(briefs.c.status == "published")
            .order_by(briefs.c.period_end.desc(), briefs.c.id.desc(), brief_paragraphs.c.position)
            .limit(limit)
        )
        for term in terms:
            query = query.where(sa.func.lower(brief_paragraphs.c.text).contains(term.lower(), autoescape=True))
        with reading(self.engine) as conn:
            return [
                ParagraphHit(brief_id=r.id, title=r.title, period_end=r.period_end, section_key=r.key, text=r.text)
                for r in conn.execute(query)
            ]

    def fold_story(self, conn: Connection, absorbed: int, kept: int) -> None:
        """Inside the caller's transaction (a merge of stories), what told `absorbed` tells `kept`: in a draft
        that tells both, the two entries become one (an editor's text is never lost, the kept story's first);
        published briefs only change which story a paragraph tells; a draft that left `absorbed` out leaves
        `kept` out."""
        query = (
            sa.select(
                brief_paragraphs.c.id,
                brief_paragraphs.c.story_id,
                brief_paragraphs.c.text,
                brief_paragraphs.c.edited,
                brief_sections.c.brief_id,
                briefs.c.status,
            )
            .join(brief_sections, brief_sections.c.id == brief_paragraphs.c.section_id)
            .join(briefs, briefs.c.id == brief_sections.c.brief_id)
            .where(brief_paragraphs.c.story_id.in_([absorbed, kept]))
            .order_by(brief_paragraphs.c.id)
        )
        by_brief: dict[int, dict[int, Any]] = {}
        for row in conn.execute(query):
            by_brief.setdefault(row.brief_id, {}).setdefault(row.story_id, row)
        for rows in by_brief.values():
            gone, stays = rows.get(absorbed), rows.get(kept)
            if gone is None:
                continue
            if stays is None or gone.status != "draft":
                brief_store.update_paragraph(conn, gone.id, story_id=kept)
                continue
            if gone.edited:
                text = f"{stays.text} {gone.text}" if stays.edited else gone.text
                brief_store.update_paragraph(conn, stays.id, text=text.strip(), status="written", edited=True)
            brief_store.delete_paragraphs(conn, [gone.id])
        excluded_both = sa.select(brief_exclusions.c.brief_id).where(brief_exclusions.c.story_id == kept)
        conn.execute(
            brief_exclusions.update()
            .where(brief_exclusions.c.story_id == absorbed, brief_exclusions.c.brief_id.not_in(excluded_both))
            .values(story_id=kept)
        )

    def delete(self, brief_id: int) -> None:
        """Remove a draft, in one transaction (a published brief is part of the archive and stays: one published
        meanwhile is not removed)."""
        with self.engine.begin() as conn:
            self._require_draft(conn, brief_id)
            if not brief_store.delete_brief(conn, brief_id, status="draft"):
                raise ConfigError(f"brief {brief_id} was published meanwhile: only drafts can be deleted")

    # ---- rows ----

    def _require_draft(self, conn: Connection, brief_id: int) -> None:
        status = conn.execute(sa.select(briefs.c.status).where(briefs.c.id == brief_id)).scalar()
        if status is None:
            raise NotFound(f"no brief with id {brief_id}")
        if status != "draft":
            raise ConfigError(f"brief {brief_id} is {status}: only drafts can change")

    def _locate(self, conn: Connection, entry_id: int) -> tuple[int, int]:
        row = conn.execute(
            sa.select(brief_sections.c.brief_id, brief_paragraphs.c.section_id)
            .join(brief_sections, brief_sections.c.id == brief_paragraphs.c.section_id)
            .where(brief_paragraphs.c.id == entry_id)
        ).first()
        if row is None:
            raise NotFound(f"no brief entry with id {entry_id}")
        return int(row.brief_id), int(row.section_id)

    def _entry_ids(self, conn: Connection, section_id: int) -> list[int]:
        query = (
            sa.select(brief_paragraphs.c.id)
            .where(brief_paragraphs.c.section_id == section_id)
            .order_by(brief_paragraphs.c.position, brief_paragraphs.c.id)
        )
        return [int(i) for i in conn.execute(query).scalars()]

    def _renumber(self, conn: Connection, ids: Sequence[int]) -> None:
        for position, entry_id in enumerate(ids):
            brief_store.update_paragraph(conn, entry_id, position=position)

    def _next_position(self, conn: Connection, section_id: int) -> int:
        top = conn.execute(
            sa.select(sa.func.max(brief_paragraphs.c.position)).where(brief_paragraphs.c.section_id == section_id)
        ).scalar()
        return 0 if top is None else int(top) + 1

    def _ensure_section(self, conn: Connection, brief_id: int, key: str, heading: str | None, rank: SectionRank) -> int:
        rows = list(
            conn.execute(
                sa.select(brief_sections.c.id, brief_sections.c.key, brief_sections.c.heading)
                .where(brief_sections.c.brief_id == brief_id)
                .order_by(brief_sections.c.position, brief_sections.c.id)
            )
        )
        for row in rows:
            # a one-off topical section is told apart by its heading; the standing ones by key alone
            if row.key == key and (key != "special" or heading is None or row.heading == heading):
                return int(row.id)
        new_id = brief_store.insert_section(conn, brief_id, position=len(rows), key=key, heading=heading)
        ordered = sorted([(int(r.id), str(r.key)) for r in rows] + [(new_id, key)], key=lambda p: rank(p[1]))
        for position, (section_id, _) in enumerate(ordered):
            brief_store.update_section(conn, section_id, position=position)
        return new_id


def _draft_entry(p: Any) -> DraftEntry:
    """A `brief_paragraphs` row as a DraftEntry."""
    return DraftEntry(
        id=p.id,
        position=p.position,
        text=p.text,
        story_id=p.story_id,
        item_ids=tuple(int(i) for i in p.item_ids or ()),
        status=p.status,
        sources=tuple(p.sources or ()),
        previously=tuple(p.previously or ()),
        edited=bool(p.edited),
        backend=(p.drafting or {}).get("backend"),
        sentences=tuple((p.drafting or {}).get("sentences") or ()),
        findings=tuple((p.drafting or {}).get("findings") or ()),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class ParagraphHit:
    """A published paragraph that matched a search, with its brief."""

    brief_id: int
    title: str
    period_end: dt.date | None
    section_key: str
    text: str


_COMPARED = ("section_id", "position", "text", "story_id", "item_ids", "status", "sources", "previously", "drafting")
_COMPARED_JSON = frozenset({"item_ids", "sources", "previously", "drafting"})


def _stored_paragraphs(conn: Connection, section_ids: Sequence[int]) -> dict[int, tuple[Any, ...]]:
    """The paragraphs of these sections by id, as `_as_stored` puts a laid-out entry: the JSON columns as their
    stored text, compared with the new values encoded (decoding 10,000 entries' provenance cost half a second)."""
    if not section_ids:
        return {}
    columns = [
        json_columns.as_text(brief_paragraphs.c[name]) if name in _COMPARED_JSON else brief_paragraphs.c[name]
        for name in _COMPARED
    ]
    query = sa.select(brief_paragraphs.c.id, *columns).where(brief_paragraphs.c.section_id.in_(list(section_ids)))
    return {int(row[0]): tuple(row[1:]) for row in conn.execute(query)}


def _as_stored(values: Mapping[str, Any]) -> tuple[Any, ...]:
    """An entry's columns as `_stored_paragraphs` reads them back once written."""
    encode = json_columns.encode
    return tuple(encode(values[name]) if name in _COMPARED_JSON else values[name] for name in _COMPARED)
