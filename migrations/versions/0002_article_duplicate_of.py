"""Articles fetched from a URL can turn out to duplicate an earlier one: article.duplicate_of.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("article") as batch_op:
        batch_op.add_column(sa.Column("duplicate_of", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_article_duplicate_of", "article", ["duplicate_of"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("article") as batch_op:
        batch_op.drop_constraint("fk_article_duplicate_of", type_="foreignkey")
        batch_op.drop_column("duplicate_of")
