"""Faster item inserts: FTS5 indexed once per batch on SQLite, and no index on items.content_hash.

- A per-row insert trigger makes FTS5 flush its pending terms at every row (each row of an executemany is its
  own statement savepoint): about 65 µs per item on a large import, where one INSERT … SELECT per batch costs
  about 9. The store now indexes the rows it inserts itself (`SearchIndex.index_new`). Updates and deletes
  keep their triggers: they are rare and one row at a time.
- No query looks items up by content hash (re-imports compare it per key), and the random hashes made every
  batch dirty pages all over that index: 90 → 42 µs per row of SQLite work at 200,000 items.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 22:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_items_content_hash", table_name="items")  # plain DDL: a batch copy would lose the triggers
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS items_search_ai")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            """CREATE TRIGGER items_search_ai AFTER INSERT ON items BEGIN
        INSERT INTO items_fts(rowid, search_lemmas) VALUES (new.id, new.search_lemmas);
    END"""
        )
    op.create_index("ix_items_content_hash", "items", ["content_hash"], unique=False)
