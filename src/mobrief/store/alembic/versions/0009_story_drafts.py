"""Machine drafts of stories (the English text, the backend, each sentence's source, the fact guard's findings),
and a draft entry's drafting provenance.

Revision ID: 0009_story_drafts
Revises: 0008_item_deleted_at
Create Date: 2026-12-05 04:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_story_drafts"
down_revision: str | None = "0008_item_deleted_at"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "story_drafts",
        sa.Column("story_id", sa.Integer, sa.ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("backend", sa.String(40), nullable=False),
        sa.Column("backend_version", sa.String(120), nullable=False),
        sa.Column("sentences", sa.JSON, nullable=False),
        sa.Column("findings", sa.JSON, nullable=False),
        sa.Column("item_ids", sa.JSON, nullable=False),
        sa.Column("drafted_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.add_column("brief_paragraphs", sa.Column("drafting", sa.JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("brief_paragraphs") as batch:
        batch.drop_column("drafting")
    op.drop_table("story_drafts")
