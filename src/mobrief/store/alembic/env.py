"""Alembic environment: migrate the engine handed over in the config (see store.database.upgrade)."""

from __future__ import annotations

from alembic import context

from mobrief.store.schema import metadata

config = context.config
engine = config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    context.run_migrations()
