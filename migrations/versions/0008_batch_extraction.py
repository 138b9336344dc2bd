"""Extraction through the OpenAI Batch API: an article's route (`extraction_mode`, 'sync' or
'batch') and the batch that claimed it (`batch_key`); each extraction says how it ran (`mode`)
and what it cost (`cost_usd`, an estimate from the configured price table).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMNs, not batch copies: copying a table would lose its triggers on SQLite.
    op.add_column(
        "article",
        sa.Column("extraction_mode", sa.String(length=8), nullable=False, server_default="sync"),
    )
    op.add_column("article", sa.Column("batch_key", sa.String(length=64), nullable=True))
    op.create_index("ix_article_batch_key", "article", ["batch_key"])
    op.add_column(
        "extraction",
        sa.Column("mode", sa.String(length=8), nullable=False, server_default="sync"),
    )
    op.add_column("extraction", sa.Column("cost_usd", sa.Float(), nullable=True))


def downgrade() -> None:
    op.drop_index("ix_article_batch_key", table_name="article")
    for table, column in (
        ("extraction", "cost_usd"),
        ("extraction", "mode"),
        ("article", "batch_key"),
        ("article", "extraction_mode"),
    ):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
