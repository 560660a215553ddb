"""Full-text search on PostgreSQL: a GIN index over `to_tsvector('simple', items.search_lemmas)`.

The column already holds lemmas (pymorphy3), so the 'simple' configuration is right: the `russian`
stemmer would stem our lemmas a second time and miss English words.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

_QUERY = sa.text(
    "SELECT id, ts_rank(to_tsvector('simple', search_lemmas), query) AS score "
    "FROM items, plainto_tsquery('simple', :query) AS query "
    "WHERE to_tsvector('simple', search_lemmas) @@ query "
    "ORDER BY score DESC, id DESC LIMIT :limit OFFSET :offset"
)


class PostgresSearch:
    """Search through the tsvector expression index, ranked by ts_rank."""

    def search(
        self, conn: Connection, terms: list[str], *, limit: int, offset: int
    ) -> list[tuple[int, float]]:
        if not terms:
            return []
        rows = conn.execute(_QUERY, {"query": " ".join(terms), "limit": limit, "offset": offset})
        return [(int(row[0]), float(row[1])) for row in rows]
