"""Review: a record's review state and whether a person placed it in its event, and the
append-only history of every change people make (SPEC §6).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_change_subject", "change", ["subject", "subject_id", "id"], unique=False)
    # Plain ADD COLUMN, not a batch copy: copying `record` would lose the full-text triggers
    # 0001 put on it. Existing records are machine output nobody has reviewed yet.
    op.add_column(
        "record",
        sa.Column("event_pinned", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column(
        "record",
        sa.Column(
            "review",
            sqlmodel.sql.sqltypes.AutoString(length=16),
            nullable=False,
            server_default="unreviewed",
        ),
    )
    op.create_index("ix_record_review", "record", ["review"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_record_review", table_name="record")
    for column in ("review", "event_pinned"):
        op.execute(f"ALTER TABLE record DROP COLUMN {column}")
    op.drop_index("ix_change_subject", table_name="change")
    op.drop_table("change")
