"""Long work the web app queues (composing a draft): its state, stage and counts, written by whoever runs it
(a `mobrief worker` or the web process's own thread) and read by every web process.

Revision ID: 0013_background_jobs
Revises: 0012_entries_by_story
Create Date: 2026-12-06 03:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_background_jobs"
down_revision: str | None = "0012_entries_by_story"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "background_jobs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("brief_id", sa.Integer, sa.ForeignKey("briefs.id", ondelete="CASCADE"), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("stage", sa.String(60), nullable=False),
        sa.Column("done", sa.Integer, nullable=True),
        sa.Column("total", sa.Integer, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("runner", sa.String(16), nullable=False),
        sa.Column("owner", sa.String(200), nullable=True),
        sa.Column("queue_job_id", sa.Integer, nullable=True),
        sa.Column("requested_by", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_background_jobs_brief_id", "background_jobs", ["brief_id"])


def downgrade() -> None:
    op.drop_index("ix_background_jobs_brief_id", table_name="background_jobs")
    op.drop_table("background_jobs")
