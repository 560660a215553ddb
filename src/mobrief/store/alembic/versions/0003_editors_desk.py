"""The editors' desk: editors' story decisions (merge, move, split), stories removed from a draft, corrections
and withdrawals of published briefs, correction drafts, volunteers' suggested entries, outlet aliases.

Revision ID: 0003_editors_desk
Revises: 0002
Create Date: 2026-12-05 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_editors_desk"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # plain ALTER TABLE: a batch copy of `briefs` would drop the table, and foreign keys would cascade
    op.add_column("briefs", sa.Column("corrects_brief_id", sa.Integer(), nullable=True))
    op.create_table(
        "brief_exclusions",
        sa.Column("brief_id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("editor", sa.String(length=320), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["brief_id"], ["briefs.id"], name=op.f("fk_brief_exclusions_brief_id_briefs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["story_id"], ["stories.id"], name=op.f("fk_brief_exclusions_story_id_stories"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("brief_id", "story_id", name=op.f("pk_brief_exclusions")),
    )
    op.create_table(
        "brief_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("brief_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("previous", sa.JSON(), nullable=True),
        sa.Column("editor", sa.String(length=320), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["brief_id"], ["briefs.id"], name=op.f("fk_brief_revisions_brief_id_briefs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_brief_revisions")),
    )
    with op.batch_alter_table("brief_revisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_brief_revisions_brief_id"), ["brief_id"], unique=False)
    op.create_table(
        "story_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=True),
        sa.Column("from_story_id", sa.Integer(), nullable=True),
        sa.Column("item_ids", sa.JSON(), nullable=False),
        sa.Column("joined_item_ids", sa.JSON(), nullable=False),
        sa.Column("left_item_ids", sa.JSON(), nullable=False),
        sa.Column("editor", sa.String(length=320), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["story_id"], ["stories.id"], name=op.f("fk_story_decisions_story_id_stories"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_story_decisions")),
    )
    with op.batch_alter_table("story_decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_story_decisions_story_id"), ["story_id"], unique=False)
    op.create_table(
        "story_suggestions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("editor", sa.String(length=320), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["story_id"], ["stories.id"], name=op.f("fk_story_suggestions_story_id_stories"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_story_suggestions")),
    )
    with op.batch_alter_table("story_suggestions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_story_suggestions_story_id"), ["story_id"], unique=False)
    op.create_table(
        "outlet_aliases",
        sa.Column("alias", sa.String(length=300), nullable=False),
        sa.Column("outlet", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("alias", name=op.f("pk_outlet_aliases")),
    )
    with op.batch_alter_table("outlet_aliases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outlet_aliases_outlet"), ["outlet"], unique=False)


def downgrade() -> None:
    op.drop_table("outlet_aliases")
    op.drop_table("story_suggestions")
    op.drop_table("story_decisions")
    op.drop_table("brief_revisions")
    op.drop_table("brief_exclusions")
    op.drop_column("briefs", "corrects_brief_id")  # SQLite 3.35+ drops a column in place
