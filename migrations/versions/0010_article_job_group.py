"""Articles of a bulk upload are extracted in groups, one workflow each: `article.job_group`
names the group's workflow (app.pipeline.groups).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN, not a batch copy: copying a table would lose its triggers on SQLite.
    op.add_column("article", sa.Column("job_group", sa.String(length=64), nullable=True))
    op.create_index("ix_article_job_group", "article", ["job_group"])


def downgrade() -> None:
    op.drop_index("ix_article_job_group", table_name="article")
    op.execute("ALTER TABLE article DROP COLUMN job_group")
