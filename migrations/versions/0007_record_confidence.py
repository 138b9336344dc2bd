"""A record says how sure its extractor is: record.confidence (0-1; null from the LLM).

Records already stored keep null: re-extracting an article with the rules extractor fills it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN, not a batch copy: copying `record` would lose the full-text triggers.
    op.add_column("record", sa.Column("confidence", sa.Float(), nullable=True))


def downgrade() -> None:
    op.execute("ALTER TABLE record DROP COLUMN confidence")
