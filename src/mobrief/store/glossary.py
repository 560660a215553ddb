"""Rows of `glossary_terms`: the newsroom's glossary (mined from its archive, added and edited by editors).

The `variants` JSON column holds an object: `glosses` (every gloss used, with counts and dates), `spellings`
(other ways the term was written) and `mentioned_in` (archive briefs that mention the term); a plain list of
strings is read as other glosses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from mobrief.errors import NotFound
from mobrief.records import GlossaryTerm, GlossUse
from mobrief.store.database import reading
from mobrief.store.schema import glossary_terms


def _day(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _variants_json(term: GlossaryTerm) -> dict[str, Any]:
    history = [
        {
            "gloss": use.gloss,
            "count": use.count,
            "first_seen": use.first_seen.isoformat() if use.first_seen else None,
            "last_seen": use.last_seen.isoformat() if use.last_seen else None,
        }
        for use in term.history
    ]
    known = {use.gloss for use in term.history}
    history += [
        {"gloss": g, "count": 0, "first_seen": None, "last_seen": None} for g in term.variants if g not in known
    ]
    return {"glosses": history, "spellings": list(term.spellings), "mentioned_in": term.mentioned_in}


def _row_to_term(row: Any) -> GlossaryTerm:
    data = row.variants
    history: tuple[GlossUse, ...] = ()
    spellings: tuple[str, ...] = ()
    mentioned_in = 0
    variants: tuple[str, ...] = ()
    if isinstance(data, dict):
        history = tuple(
            GlossUse(
                gloss=str(use["gloss"]),
                count=int(use.get("count") or 0),
                first_seen=_day(use.get("first_seen")),
                last_seen=_day(use.get("last_seen")),
            )
            for use in data.get("glosses", [])
        )
        spellings = tuple(str(s) for s in data.get("spellings", []))
        mentioned_in = int(data.get("mentioned_in") or 0)
        variants = tuple(use.gloss for use in history if use.gloss != row.gloss)
        history = tuple(use for use in history if use.count > 0)
    elif isinstance(data, list):
        variants = tuple(str(v) for v in data)
    return GlossaryTerm(
        id=row.id,
        term=row.term,
        gloss=row.gloss,
        kind=row.kind,
        russian=tuple(row.russian or ()),
        variants=variants,
        spellings=spellings,
        history=history,
        count=row.count,
        mentioned_in=mentioned_in,
        first_seen=_day(row.first_seen),
        last_seen=_day(row.last_seen),
        origin=row.origin,
    )


def _values(term: GlossaryTerm) -> dict[str, Any]:
    return {
        "term": term.term,
        "gloss": term.gloss,
        "kind": term.kind,
        "russian": list(term.russian),
        "variants": _variants_json(term),
        "count": term.count,
        "first_seen": term.first_seen,
        "last_seen": term.last_seen,
        "origin": term.origin,
        "updated_at": dt.datetime.now(dt.UTC),
    }


class GlossaryRepository:
    """Glossary terms, one row per term (unique, as written in English)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def list(self, *, kind: str | None = None, origin: str | None = None) -> list[GlossaryTerm]:
        """Every stored term, alphabetically (only one kind or origin when given)."""
        query = sa.select(glossary_terms).order_by(glossary_terms.c.term)
        if kind:
            query = query.where(glossary_terms.c.kind == kind)
        if origin:
            query = query.where(glossary_terms.c.origin == origin)
        with reading(self.engine) as conn:
            return [_row_to_term(row) for row in conn.execute(query)]

    def _find(self, conn: Connection, term: str) -> Any:
        row = conn.execute(sa.select(glossary_terms).where(glossary_terms.c.term == term)).first()
        if row is None:
            row = conn.execute(
                sa.select(glossary_terms).where(sa.func.lower(glossary_terms.c.term) == term.lower())
            ).first()
        return row

    def get(self, term: str) -> GlossaryTerm:
        """The stored term spelled `term` (case-insensitive); NotFound otherwise."""
        with reading(self.engine) as conn:
            row = self._find(conn, term)
        if row is None:
            raise NotFound(f"no glossary term {term!r}")
        return _row_to_term(row)

    def add(self, term: GlossaryTerm, *, replacing: str | None = None) -> GlossaryTerm:
        """Store a new term, or replace the stored one of the same spelling; `replacing` names a stored spelling
        the term takes the place of (a rename), removed in the same transaction when there is one."""
        with self.engine.begin() as conn:
            old = self._find(conn, replacing) if replacing else None
            if old is not None:
                conn.execute(glossary_terms.delete().where(glossary_terms.c.id == old.id))
            row = self._find(conn, term.term)
            if row is None:
                conn.execute(glossary_terms.insert().values(**_values(term)))
            else:
                conn.execute(glossary_terms.update().where(glossary_terms.c.id == row.id).values(**_values(term)))
        return self.get(term.term)

    def save_mined(self, terms: Iterable[GlossaryTerm]) -> tuple[int, int, int]:
        """Store mined terms: new ones are added, mined ones refreshed, editors' (user) entries left alone.

        Returns (new, updated, kept) counts.
        """
        new = updated = kept = 0
        with self.engine.begin() as conn:
            for term in terms:
                row = self._find(conn, term.term)
                if row is None:
                    conn.execute(glossary_terms.insert().values(**_values(term)))
                    new += 1
                elif row.origin == "user":
                    kept += 1
                else:
                    conn.execute(glossary_terms.update().where(glossary_terms.c.id == row.id).values(**_values(term)))
                    updated += 1
        return new, updated, kept

    def remove(self, term: str) -> None:
        """Delete the term spelled `term`; NotFound when there is none."""
        with self.engine.begin() as conn:
            row = self._find(conn, term)
            if row is None:
                raise NotFound(f"no glossary term {term!r}")
            conn.execute(glossary_terms.delete().where(glossary_terms.c.id == row.id))
