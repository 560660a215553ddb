"""Items enrichment could not finish: how many runs began one and stopped (killed, out of memory), and the
items set aside with their error, so no item can stop the stage twice.

Revision ID: 0007_enrichment_set_aside
Revises: 0006_sessions_and_audit
Create Date: 2026-12-04 22:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_enrichment_set_aside"
down_revision: str | None = "0006_sessions_and_audit"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "enrichment_failures",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("set_aside", sa.Boolean(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name=op.f("fk_enrichment_failures_item_id_items"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("item_id", name=op.f("pk_enrichment_failures")),
    )


def downgrade() -> None:
    op.drop_table("enrichment_failures")
