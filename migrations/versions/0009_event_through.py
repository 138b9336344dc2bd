"""A report that matches two developments the facts keep apart joins its event through one
record only: `record.event_through` names it (app.events.ambiguity).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN, not a batch copy: copying a table would lose its triggers on SQLite.
    op.add_column("record", sa.Column("event_through", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.execute("ALTER TABLE record DROP COLUMN event_through")
