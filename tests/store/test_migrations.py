"""Alembic migrations produce exactly the schema in store/schema.py, and downgrade runs."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from mobrief.store import database
from mobrief.store.schema import metadata


def _ignore_search_objects(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    # the full-text index lives outside the metadata on purpose (FTS5 tables, stored tsvector columns, GIN indexes)
    return not (name or "").startswith(
        ("items_fts", "paragraphs_fts", "ix_items_search", "ix_paragraph_search", "search_vector")
    )


def test_upgrade_head_matches_metadata(db_url: str) -> None:
    engine = database.create_engine(db_url)
    database.upgrade(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": _ignore_search_objects})
        diff = compare_metadata(context, metadata)
    engine.dispose()
    assert diff == []


def test_downgrade_to_base_then_upgrade_again(db_url: str) -> None:
    from alembic import command

    engine = database.create_engine(db_url)
    database.upgrade(engine)
    command.downgrade(database.alembic_config(engine), "base")
    tables = set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
    assert tables == set()
    database.upgrade(engine)
    assert "items" in sa.inspect(engine).get_table_names()
    engine.dispose()
