"""Full-text search on SQLite: the FTS5 table `items_fts` mirrors `items.search_lemmas`.

New items are indexed by the store once per batch (`index_new`); updates and deletes go through triggers.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

_QUERY = sa.text(
    "SELECT rowid, -bm25(items_fts) AS score FROM items_fts WHERE items_fts MATCH :match "
    "ORDER BY score DESC, rowid DESC LIMIT :limit OFFSET :offset"
)


_INDEX_NEW = sa.text(
    "INSERT INTO items_fts(rowid, search_lemmas) SELECT id, search_lemmas FROM items WHERE id > :after"
)
_NEWEST = sa.text("SELECT rowid FROM items_fts WHERE items_fts MATCH :match ORDER BY rowid DESC LIMIT :limit")


def fts5_match(terms: list[str]) -> str:
    """An FTS5 query requiring every term, each quoted so no user text is read as FTS syntax."""
    return " ".join('"' + term.replace('"', '""') + '"' for term in terms)


class SqliteSearch:
    """Search through FTS5, ranked by bm25."""

    def search(self, conn: Connection, terms: list[str], *, limit: int, offset: int) -> list[tuple[int, float]]:
        if not terms:
            return []
        rows = conn.execute(_QUERY, {"match": fts5_match(terms), "limit": limit, "offset": offset})
        return [(int(row[0]), float(row[1])) for row in rows]

    def newest(self, conn: Connection, terms: list[str], *, limit: int) -> list[int]:
        if not terms:
            return []
        return [int(row[0]) for row in conn.execute(_NEWEST, {"match": fts5_match(terms), "limit": limit})]

    def index_new(self, conn: Connection, *, after_id: int) -> None:
        conn.execute(_INDEX_NEW, {"after": after_id})
