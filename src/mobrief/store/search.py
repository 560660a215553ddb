"""Full-text search over the lemma column of items: one small Protocol, an implementation per dialect."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.engine import Connection

from mobrief import lemmas


class SearchIndex(Protocol):
    """Finds items whose lemmas contain every lemma of a query, best first."""

    def search(self, conn: Connection, terms: list[str], *, limit: int, offset: int) -> list[tuple[int, float]]:
        """(item id, score) pairs; higher scores are better."""
        ...

    def newest(self, conn: Connection, terms: list[str], *, limit: int) -> list[int]:
        """Ids of the newest items matching every term, unranked: cheap on a big store, for time-ordered lists."""
        ...

    def index_new(self, conn: Connection, *, after_id: int) -> None:
        """Index the items inserted in this transaction, all with ids above `after_id` (a no-op where the
        database maintains the index itself)."""
        ...


def query_terms(query: str) -> list[str]:
    """The lemmas of a user's query, deduplicated in order: «военкоматы» → ["военкомат"]."""
    return list(dict.fromkeys(lemmas.lemmatize(query)))


def search_index_for(dialect: str) -> SearchIndex:
    """The search implementation for a SQLAlchemy dialect name."""
    if dialect == "sqlite":
        from mobrief.store.search_sqlite import SqliteSearch

        return SqliteSearch()
    from mobrief.store.search_postgres import PostgresSearch

    return PostgresSearch()
