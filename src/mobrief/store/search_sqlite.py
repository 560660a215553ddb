"""Full-text search on SQLite: the FTS5 table `items_fts` mirrors `items.search_lemmas`.

New items are indexed by the store once per batch (`index_new`); updates and deletes go through triggers.
FTS5 keeps each term's matches in rowid order, so the newest matches come straight from the index and bm25 is
computed for one block of them only (it costs about 0.7 µs a match: ranking every match of a common word of a
million items took 0.6 s).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mobrief.store import search
from mobrief.store.search import SearchQuery

_RANK_BLOCK = sa.text(
    "SELECT id, score FROM (SELECT rowid AS id, -bm25(items_fts) AS score FROM items_fts "
    "WHERE items_fts MATCH :match ORDER BY rowid DESC LIMIT :size OFFSET :skip) "
    "ORDER BY score DESC, id DESC"
)
_INDEX_NEW = sa.text(
    "INSERT INTO items_fts(rowid, search_lemmas) SELECT id, search_lemmas FROM items WHERE id > :after"
)
_NEWEST = sa.text(
    "SELECT rowid FROM items_fts WHERE items_fts MATCH :match ORDER BY rowid DESC LIMIT :limit OFFSET :offset"
)

_PARAGRAPHS = sa.text("SELECT rowid FROM paragraphs_fts WHERE paragraphs_fts MATCH :match")


def _phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def fts5_match(query: SearchQuery | Sequence[str]) -> str:
    """An FTS5 query requiring every group (any of its terms), each term quoted so no user text is read as FTS
    syntax."""
    groups = search.as_query(query).groups
    if all(len(group) == 1 for group in groups):
        return " ".join(_phrase(group[0]) for group in groups)
    return " AND ".join("(" + " OR ".join(_phrase(t) for t in group) + ")" for group in groups)


class SqliteSearch:
    """Search through FTS5, ranked by bm25 within blocks of the newest matches."""

    def rank_block(self, conn: Connection, query: SearchQuery, *, skip: int, size: int) -> list[tuple[int, float]]:
        if not query:
            return []
        rows = conn.execute(_RANK_BLOCK, {"match": fts5_match(query), "size": size, "skip": skip})
        return [(int(row[0]), float(row[1])) for row in rows]

    def search(
        self, conn: Connection, query: SearchQuery | Sequence[str], *, limit: int, offset: int
    ) -> list[tuple[int, float]]:
        parsed = search.as_query(query)
        return search.ranked_page(
            lambda skip, size: self.rank_block(conn, parsed, skip=skip, size=size), limit=limit, offset=offset
        )

    def first_matches(self, conn: Connection, queries: Sequence[SearchQuery], *, limit: int) -> list[list[int]]:
        return [[i for i, _ in self.search(conn, query, limit=limit, offset=0)] for query in queries]

    def some_matches(self, conn: Connection, queries: Sequence[SearchQuery], *, limit: int) -> list[list[int]]:
        return [self.newest(conn, query, limit=limit) for query in queries]

    def newest(self, conn: Connection, query: SearchQuery | Sequence[str], *, limit: int, offset: int = 0) -> list[int]:
        parsed = search.as_query(query)
        if not parsed:
            return []
        params = {"match": fts5_match(parsed), "limit": limit, "offset": offset}
        return [int(row[0]) for row in conn.execute(_NEWEST, params)]

    def paragraph_ids(self, conn: Connection, query: SearchQuery) -> list[int]:
        if not query:
            return []
        return [int(row[0]) for row in conn.execute(_PARAGRAPHS, {"match": fts5_match(query)})]

    def index_new(self, conn: Connection, *, after_id: int) -> None:
        conn.execute(_INDEX_NEW, {"after": after_id})
