"""Stories whose thread links are still to be computed, so a killed clustering run loses none.

Revision ID: 0010_stories_to_link
Revises: 0009_story_drafts
Create Date: 2026-12-06 00:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_stories_to_link"
down_revision: str | None = "0009_story_drafts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stories_to_link",
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["story_id"], ["stories.id"], name=op.f("fk_stories_to_link_story_id_stories"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("story_id", name=op.f("pk_stories_to_link")),
    )


def downgrade() -> None:
    op.drop_table("stories_to_link")
