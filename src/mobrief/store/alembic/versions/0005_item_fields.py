"""Item fields a source gives beyond its text: sender id, forward origin, reply, views, the edited mark, and
the flag of a text cut at the size limit (its whole text stays in `raw`).

Plain ADD COLUMN on both backends: a batch copy of `items` on SQLite would lose its full-text triggers.

Revision ID: 0005_item_fields
Revises: 0004_search_vectors
Create Date: 2026-12-03 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_item_fields"
down_revision: str | None = "0004_search_vectors"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXT_COLUMNS = ("author_id", "forwarded_from", "forwarded_from_id", "reply_to")


def upgrade() -> None:
    op.add_column("items", sa.Column("edited", sa.Boolean(), nullable=False, server_default=sa.false()))
    for name in TEXT_COLUMNS:
        op.add_column("items", sa.Column(name, sa.Text(), nullable=True))
    op.add_column("items", sa.Column("views", sa.Integer(), nullable=True))
    op.add_column("items", sa.Column("truncated", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    for name in ("truncated", "views", *reversed(TEXT_COLUMNS), "edited"):
        op.drop_column("items", name)
