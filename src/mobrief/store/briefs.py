"""Briefs in the archive: brief → sections → paragraphs, saved idempotently by a hash of their content.

This module is the one writer of `briefs`, `brief_sections` and `brief_paragraphs`: the drafts repository (the
brief editor, composing, publishing) and revisions (corrections, withdrawals) decide what changes and call the
functions at its end inside their own transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import operator
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from mobrief.errors import NotFound
from mobrief.records import ArchiveParagraph, Brief, BriefSection
from mobrief.store import id_lists, json_columns
from mobrief.store.database import reading
from mobrief.store.schema import brief_paragraphs, brief_sections, briefs

_BATCH = 200


@dataclass(frozen=True, slots=True, kw_only=True)
class BriefListing:
    """One line of the archive's table of contents: a brief without its text."""

    id: int
    title: str
    period_start: dt.date | None
    period_end: dt.date | None
    status: str
    url: str | None
    sections: int
    paragraphs: int


def content_hash(brief: Brief) -> str:
    """Hash of what a reader sees: title, status and every section's key, heading and paragraphs in order."""
    payload = {
        "title": brief.title,
        "status": brief.status,
        "sections": [[s.key, s.heading, list(s.paragraphs)] for s in brief.sections],
    }
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


class BriefRepository:
    """Rows of `briefs`, `brief_sections` and `brief_paragraphs`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def save(self, brief: Brief) -> tuple[int, bool]:
        """Store a brief; returns its id and whether anything was written.

        Saving the same content again changes nothing. A brief with the same title, period and status but
        other text replaces the stored one (a corrected page), keeping its id.
        """
        brief_id, outcome = self.upsert(brief)
        return brief_id, outcome != "unchanged"

    def upsert(self, brief: Brief) -> tuple[int, str]:
        """Like `save`, telling what happened: "new", "replaced" or "unchanged"."""
        try:
            return self._upsert(brief)
        except sa.exc.IntegrityError:
            # another importer stored the same text between our lookup and our insert: it is there now
            return self._upsert(brief)

    def _upsert(self, brief: Brief) -> tuple[int, str]:
        digest = content_hash(brief)
        with self.engine.begin() as conn:
            found = conn.execute(sa.select(briefs.c.id).where(briefs.c.content_hash == digest)).scalar()
            if found is not None:
                return int(found), "unchanged"
            same = conn.execute(
                sa.select(briefs.c.id)
                .where(
                    briefs.c.title == brief.title,
                    _equal_or_null(briefs.c.period_start, brief.period_start),
                    _equal_or_null(briefs.c.period_end, brief.period_end),
                    briefs.c.status == brief.status,
                )
                .order_by(briefs.c.id)
            ).scalar()
            if same is not None:
                brief_id = int(same)
                delete_sections(conn, brief_id)
                update_brief(conn, brief_id, content_hash=digest, url=brief.url, status=brief.status)
                outcome = "replaced"
            else:
                brief_id = insert_brief(
                    conn,
                    title=brief.title,
                    period_start=brief.period_start,
                    period_end=brief.period_end,
                    status=brief.status,
                    url=brief.url,
                    content_hash=digest,
                    published_at=None,
                )
                outcome = "new"
            _insert_sections(conn, brief_id, brief.sections)
        return brief_id, outcome

    def list(self) -> list[BriefListing]:
        """Every stored brief, oldest period first, with its section and paragraph counts."""
        section_counts = (
            sa.select(brief_sections.c.brief_id, sa.func.count().label("n"))
            .group_by(brief_sections.c.brief_id)
            .subquery()
        )
        paragraph_counts = (
            sa.select(brief_sections.c.brief_id, sa.func.count(brief_paragraphs.c.id).label("n"))
            .select_from(brief_sections.join(brief_paragraphs))
            .group_by(brief_sections.c.brief_id)
            .subquery()
        )
        query = (
            sa.select(
                briefs,
                sa.func.coalesce(section_counts.c.n, 0).label("n_sections"),
                sa.func.coalesce(paragraph_counts.c.n, 0).label("n_paragraphs"),
            )
            .outerjoin(section_counts, section_counts.c.brief_id == briefs.c.id)
            .outerjoin(paragraph_counts, paragraph_counts.c.brief_id == briefs.c.id)
            .order_by(briefs.c.period_end.is_(None), briefs.c.period_end, briefs.c.id)
        )
        with reading(self.engine) as conn:
            return [
                BriefListing(
                    id=row.id,
                    title=row.title,
                    period_start=row.period_start,
                    period_end=row.period_end,
                    status=row.status,
                    url=row.url,
                    sections=int(row.n_sections),
                    paragraphs=int(row.n_paragraphs),
                )
                for row in conn.execute(query)
            ]

    def get(self, brief_id: int) -> Brief:
        """The stored brief with this id, sections and paragraphs in order.

        Raises:
            NotFound: no brief has this id.
        """
        with reading(self.engine) as conn:
            found = load_briefs(conn, [brief_id])
        if not found:
            raise NotFound(f"no brief with id {brief_id}")
        return found[0]

    def delete(self, brief_id: int) -> None:
        """Remove a brief and its text.

        Raises:
            NotFound: no brief has this id.
        """
        with self.engine.begin() as conn:
            if not delete_brief(conn, brief_id):
                raise NotFound(f"no brief with id {brief_id}")

    def iter_briefs(self, status: str | None = None) -> Iterator[Brief]:
        """Every stored brief with its text, oldest period first, read a batch at a time."""
        query = sa.select(briefs.c.id).order_by(briefs.c.period_end.is_(None), briefs.c.period_end, briefs.c.id)
        if status is not None:
            query = query.where(briefs.c.status == status)
        with reading(self.engine) as conn:
            ids = [int(i) for i in conn.execute(query).scalars()]
        for start in range(0, len(ids), _BATCH):
            with reading(self.engine) as conn:
                yield from load_briefs(conn, ids[start : start + _BATCH])

    def iter_paragraphs(self, status: str | None = "published") -> Iterator[ArchiveParagraph]:
        """Every paragraph of the archive in reading order, oldest brief first.

        `position` counts paragraphs from 0 across the whole brief (not within its section), so "first mention
        in a brief" is the lowest position. Unheaded paragraphs have `section_key` "unknown", `heading` None.
        """
        for brief in self.iter_briefs(status):
            assert brief.id is not None
            position = 0
            for section in brief.sections:
                for text in section.paragraphs:
                    yield ArchiveParagraph(
                        brief_id=brief.id,
                        period_end=brief.period_end,
                        section_key=section.key,
                        heading=section.heading,
                        position=position,
                        text=text,
                    )
                    position += 1

    def export(self, status: str | None = None) -> Iterator[dict[str, Any]]:
        """Every brief as a JSON-ready dict (`Brief.as_dict`), oldest first: what `archive export` prints."""
        for brief in self.iter_briefs(status):
            yield brief.as_dict()


def load_briefs(conn: Connection, ids: list[int]) -> list[Brief]:
    """The briefs with these ids (in that order, missing ones left out), read inside the caller's transaction."""
    if not ids:
        return []
    rows = {row.id: row for row in conn.execute(sa.select(briefs).where(briefs.c.id.in_(ids)))}
    section_rows = conn.execute(
        sa.select(brief_sections)
        .where(brief_sections.c.brief_id.in_(ids))
        .order_by(brief_sections.c.brief_id, brief_sections.c.position)
    ).all()
    texts: dict[int, list[str]] = {row.id: [] for row in section_rows}
    if texts:
        for row in conn.execute(
            sa.select(brief_paragraphs.c.section_id, brief_paragraphs.c.text)
            .where(brief_paragraphs.c.section_id.in_(list(texts)))
            .order_by(brief_paragraphs.c.section_id, brief_paragraphs.c.position)
        ):
            texts[row.section_id].append(row.text)
    by_brief: dict[int, list[BriefSection]] = {i: [] for i in ids}
    for row in section_rows:
        by_brief[row.brief_id].append(BriefSection(key=row.key, heading=row.heading, paragraphs=tuple(texts[row.id])))
    return [
        Brief(
            id=row.id,
            title=row.title,
            period_start=row.period_start,
            period_end=row.period_end,
            status=row.status,
            url=row.url,
            sections=tuple(by_brief[row.id]),
        )
        for row in (rows[i] for i in ids if i in rows)
    ]


def rehash(conn: Connection, brief_id: int) -> bool:
    """Inside the caller's transaction, give a brief the content hash of what it now says, so re-importing its
    published page finds it; returns False (the hash left as it was) when another brief already says exactly
    that, as an imported copy of the same text would."""
    (brief,) = load_briefs(conn, [brief_id])
    digest = content_hash(brief)
    clash = conn.execute(
        sa.select(briefs.c.id).where(briefs.c.content_hash == digest, briefs.c.id != brief_id)
    ).scalar()
    if clash is not None:
        return False
    update_brief(conn, brief_id, content_hash=digest)
    return True


def _equal_or_null(column: sa.ColumnElement[Any], value: object) -> sa.ColumnElement[bool]:
    return column.is_(None) if value is None else column == value


# ---- the writes of briefs, brief_sections and brief_paragraphs: every one, inside the caller's transaction ----


def insert_brief(conn: Connection, **values: Any) -> int:
    """Insert a brief (columns of `briefs`; created now) and return its id."""
    result = conn.execute(briefs.insert().values({"created_at": dt.datetime.now(dt.UTC), **values}))
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def update_brief(conn: Connection, brief_id: int, **values: Any) -> None:
    """Set columns of a brief."""
    conn.execute(briefs.update().where(briefs.c.id == brief_id).values(**values))


def delete_brief(conn: Connection, brief_id: int, *, status: str | None = None) -> bool:
    """Remove a brief with its sections and paragraphs (only while it has `status`, when given); whether it was
    there to remove (when not, the caller's rollback keeps its text)."""
    delete_sections(conn, brief_id)
    statement = briefs.delete().where(briefs.c.id == brief_id)
    if status is not None:
        statement = statement.where(briefs.c.status == status)
    return bool(conn.execute(statement).rowcount)


def delete_sections(conn: Connection, brief_id: int) -> None:
    """Remove a brief's sections and paragraphs (its whole text)."""
    section_ids = sa.select(brief_sections.c.id).where(brief_sections.c.brief_id == brief_id)
    conn.execute(brief_paragraphs.delete().where(brief_paragraphs.c.section_id.in_(section_ids)))
    conn.execute(brief_sections.delete().where(brief_sections.c.brief_id == brief_id))


def _insert_sections(conn: Connection, brief_id: int, sections: tuple[BriefSection, ...]) -> None:
    """An imported brief's text: its sections, each with its paragraphs in order."""
    for position, section in enumerate(sections):
        section_id = insert_section(conn, brief_id, position=position, key=section.key, heading=section.heading)
        insert_paragraphs(
            conn,
            [
                {"section_id": section_id, "position": i, "text": text, "story_id": None, "item_ids": []}
                for i, text in enumerate(section.paragraphs)
            ],
        )


def copy_sections(conn: Connection, source: int, target: int, *, as_draft: bool) -> None:
    """Copy brief `source`'s sections and paragraphs (stories and provenance included) to brief `target`;
    `as_draft` marks every paragraph as written by an editor, so composing again keeps it."""
    section_rows = list(
        conn.execute(
            sa.select(brief_sections).where(brief_sections.c.brief_id == source).order_by(brief_sections.c.position)
        )
    )
    for section in section_rows:
        new_id = insert_section(conn, target, position=section.position, key=section.key, heading=section.heading)
        paragraphs = conn.execute(
            sa.select(brief_paragraphs)
            .where(brief_paragraphs.c.section_id == section.id)
            .order_by(brief_paragraphs.c.position, brief_paragraphs.c.id)
        )
        for p in paragraphs:
            values = {c.name: getattr(p, c.name) for c in brief_paragraphs.c if c.name not in ("id", "section_id")}
            if as_draft:
                values |= {"status": "written", "edited": True}
            conn.execute(brief_paragraphs.insert().values(section_id=new_id, **values))


def move_sections(conn: Connection, source: int, target: int) -> None:
    """Give brief `source`'s sections (with their paragraphs) to brief `target`."""
    conn.execute(brief_sections.update().where(brief_sections.c.brief_id == source).values(brief_id=target))


def insert_section(conn: Connection, brief_id: int, *, position: int, key: str, heading: str | None) -> int:
    """Insert a section into a brief and return its id."""
    result = conn.execute(
        brief_sections.insert().values(brief_id=brief_id, position=position, key=key, heading=heading)
    )
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def update_section(conn: Connection, section_id: int, **values: Any) -> None:
    """Set columns of a section (its position, its heading)."""
    conn.execute(brief_sections.update().where(brief_sections.c.id == section_id).values(**values))


def delete_sections_by_id(conn: Connection, section_ids: Sequence[int]) -> None:
    """Remove these sections (the caller has emptied them)."""
    if section_ids:
        conn.execute(brief_sections.delete().where(brief_sections.c.id.in_(list(section_ids))))


def delete_empty_sections(conn: Connection, section_ids: Sequence[int]) -> None:
    """Remove each of these sections that holds no paragraph."""
    for section_id in section_ids:
        left = conn.execute(sa.select(sa.func.count()).where(brief_paragraphs.c.section_id == section_id)).scalar()
        if not left:
            conn.execute(brief_sections.delete().where(brief_sections.c.id == section_id))


def insert_paragraphs(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert paragraphs (columns of `brief_paragraphs`) in one executemany."""
    if rows:
        _execute_many(conn, brief_paragraphs.insert(), rows)


def update_paragraph(conn: Connection, paragraph_id: int, **values: Any) -> None:
    """Set columns of a paragraph (an entry's text, place, story, `edited` flag)."""
    conn.execute(brief_paragraphs.update().where(brief_paragraphs.c.id == paragraph_id).values(**values))


def update_paragraphs(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Set the same columns of many paragraphs in one executemany: dicts of the columns and `entry_id`, the
    paragraph's id (a statement each cost 1 ms: 10 s for a brief of 10,000 entries)."""
    if rows:
        _execute_many(conn, brief_paragraphs.update().where(brief_paragraphs.c.id == sa.bindparam("entry_id")), rows)


_PARAGRAPH_JSON = frozenset(c.key for c in brief_paragraphs.c if isinstance(c.type, sa.JSON))


def _execute_many(conn: Connection, statement: sa.Insert | sa.Update, rows: Sequence[Mapping[str, Any]]) -> None:
    """`statement` for each row of `brief_paragraphs` in one executemany at the driver, compiled by SQLAlchemy and
    the JSON columns encoded here: SQLAlchemy processing each row's parameters cost as much as SQLite writing them
    (a brief of 9,680 entries: about 0.15 s). Rows that leave a column to its default go through SQLAlchemy."""
    compiled = statement.compile(dialect=conn.dialect, column_keys=list(rows[0]), for_executemany=True)
    names = list(compiled.positiontup or ()) if compiled.positional else list(compiled.bind_names.values())
    if not set(names) <= set(rows[0]):
        conn.execute(statement, [dict(row) for row in rows])
        return
    encode = json_columns.encode
    pick = operator.itemgetter(*names)
    json_at = [at for at, name in enumerate(names) if name in _PARAGRAPH_JSON]
    values = []
    for row in rows:
        picked = list(pick(row)) if len(names) > 1 else [row[names[0]]]
        for at in json_at:
            picked[at] = encode(picked[at])  # None as JSON null, as SQLAlchemy writes it
        values.append(tuple(picked))
    if compiled.positional:
        conn.exec_driver_sql(str(compiled), values)
    else:
        conn.exec_driver_sql(str(compiled), [dict(zip(names, row, strict=True)) for row in values])


def delete_unlisted_paragraphs(
    conn: Connection, section_ids: Sequence[int], *, newest_before: int, kept: Sequence[int]
) -> None:
    """Remove the paragraphs of these sections that existed before (id up to `newest_before`) and are not
    `kept`: a draft laid out again keeps only the entries it lists."""
    if section_ids:
        stale = brief_paragraphs.delete().where(
            brief_paragraphs.c.section_id.in_(list(section_ids)), brief_paragraphs.c.id <= newest_before
        )
        if kept:  # as one parameter: composing again keeps thousands
            stale = stale.where(~id_lists.among(brief_paragraphs.c.id, kept, conn.dialect.name))
        conn.execute(stale)


def delete_paragraphs(conn: Connection, paragraph_ids: Sequence[int], *, brief_id: int | None = None) -> list[int]:
    """Remove paragraphs (of brief `brief_id` only, when given); returns the sections they were in."""
    chosen: sa.ColumnElement[bool] = brief_paragraphs.c.id.in_(list(paragraph_ids))
    if brief_id is not None:
        in_brief = sa.select(brief_sections.c.id).where(brief_sections.c.brief_id == brief_id)
        chosen = sa.and_(brief_paragraphs.c.section_id.in_(in_brief), chosen)
    touched = conn.execute(sa.select(brief_paragraphs.c.section_id).where(chosen)).scalars()
    sections = sorted({int(section_id) for section_id in touched})
    conn.execute(brief_paragraphs.delete().where(chosen))
    return sections


def delete_blank_paragraphs(conn: Connection, brief_id: int) -> None:
    """Remove a brief's paragraphs that hold no text (entries never written)."""
    in_brief = sa.select(brief_sections.c.id).where(brief_sections.c.brief_id == brief_id)
    conn.execute(
        brief_paragraphs.delete().where(
            brief_paragraphs.c.section_id.in_(in_brief), sa.func.trim(brief_paragraphs.c.text) == ""
        )
    )
