"""What a background job works on beyond a draft: the story it re-drafts, the file it imports (its name and
bytes, dropped once the job ends), and a line saying what it did.

Revision ID: 0014_background_job_inputs
Revises: 0013_background_jobs
Create Date: 2026-12-06 06:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_background_job_inputs"
down_revision: str | None = "0013_background_jobs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("background_jobs") as batch:
        batch.add_column(sa.Column("story_id", sa.Integer, nullable=True))
        batch.add_column(sa.Column("file_name", sa.String(300), nullable=True))
        batch.add_column(sa.Column("payload", sa.LargeBinary, nullable=True))
        batch.add_column(sa.Column("result", sa.Text, nullable=True))
        batch.create_foreign_key(
            "fk_background_jobs_story_id_stories", "stories", ["story_id"], ["id"], ondelete="SET NULL"
        )
    op.create_index("ix_background_jobs_finished_at", "background_jobs", ["finished_at"])


def downgrade() -> None:
    op.drop_index("ix_background_jobs_finished_at", table_name="background_jobs")
    with op.batch_alter_table("background_jobs") as batch:
        batch.drop_constraint("fk_background_jobs_story_id_stories", type_="foreignkey")
        batch.drop_column("result")
        batch.drop_column("payload")
        batch.drop_column("file_name")
        batch.drop_column("story_id")
