"""When the store saw a source no longer show an item (a deleted post): the item stays, citable, marked.

Revision ID: 0008_item_deleted_at
Revises: 0007_enrichment_set_aside
Create Date: 2026-12-04 23:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_item_deleted_at"
down_revision: str | None = "0007_enrichment_set_aside"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("items", sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("items", "deleted_at")
