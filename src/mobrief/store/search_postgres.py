"""Full-text search on PostgreSQL: a GIN index over `to_tsvector('simple', items.search_lemmas)`.

The column already holds lemmas (pymorphy3), so the 'simple' configuration is right: the `russian`
stemmer would stem our lemmas a second time and miss English words.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

CANDIDATES = 500  # ranking recomputes each candidate's tsvector: rank only the newest matches of a common word

# MATERIALIZED keeps the planner on the GIN index: without it, it walks the primary key backwards and
# computes to_tsvector row by row (about 20 times slower for a common word). Only ids are materialized;
# the text is read back for the few candidates that get ranked.
_QUERY = sa.text(
    "WITH matches AS MATERIALIZED (SELECT id FROM items "
    "WHERE to_tsvector('simple', search_lemmas) @@ plainto_tsquery('simple', :query)), "
    "newest AS (SELECT id FROM matches ORDER BY id DESC LIMIT :candidates) "
    "SELECT items.id, ts_rank(to_tsvector('simple', items.search_lemmas), plainto_tsquery('simple', :query)) "
    "AS score FROM newest JOIN items ON items.id = newest.id "
    "ORDER BY score DESC, items.id DESC LIMIT :limit OFFSET :offset"
)
_NEWEST = sa.text(
    "WITH matches AS MATERIALIZED (SELECT id FROM items "
    "WHERE to_tsvector('simple', search_lemmas) @@ plainto_tsquery('simple', :query)) "
    "SELECT id FROM matches ORDER BY id DESC LIMIT :limit"
)


class PostgresSearch:
    """Search through the tsvector expression index, ranked by ts_rank."""

    def search(self, conn: Connection, terms: list[str], *, limit: int, offset: int) -> list[tuple[int, float]]:
        if not terms:
            return []
        params = {"query": " ".join(terms), "limit": limit, "offset": offset, "candidates": CANDIDATES}
        return [(int(row[0]), float(row[1])) for row in conn.execute(_QUERY, params)]

    def newest(self, conn: Connection, terms: list[str], *, limit: int) -> list[int]:
        if not terms:
            return []
        return [int(row[0]) for row in conn.execute(_NEWEST, {"query": " ".join(terms), "limit": limit})]

    def index_new(self, conn: Connection, *, after_id: int) -> None:
        """The GIN expression index follows the table by itself."""
