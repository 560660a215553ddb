"""Keep every record durably: schema, migrations, repositories and full-text search (SQLite or PostgreSQL)."""

from __future__ import annotations

from mobrief.store.database import Store, open_store

__all__ = ["Store", "open_store"]
