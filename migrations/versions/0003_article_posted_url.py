"""An article remembers the URL it was sent as: article.posted_url (canonical form, unique).

Existing articles get the canonical form of their `url`; when several share one, the earliest
keeps it (the later ones are its duplicates).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.fetching.canonical import canonical_url

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_URL_CHARS = 2048


def upgrade() -> None:
    with op.batch_alter_table("article") as batch_op:
        batch_op.add_column(sa.Column("posted_url", sa.String(length=_URL_CHARS), nullable=True))
    _backfill()
    op.create_index("ix_article_posted_url", "article", ["posted_url"], unique=True)


def _backfill() -> None:
    article = sa.table(
        "article", sa.column("id", sa.Integer), sa.column("url"), sa.column("posted_url")
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(article.c.id, article.c.url)
        .where(article.c.url.is_not(None))
        .order_by(article.c.id)
    )
    seen: set[str] = set()
    updates = []
    for article_id, url in rows:
        try:
            posted = canonical_url(url)
        except ValueError:  # not a URL urlsplit can read: nothing to remember
            continue
        if posted not in seen and len(posted) <= _URL_CHARS:
            seen.add(posted)
            updates.append({"row_id": article_id, "posted": posted})
    if updates:
        connection.execute(
            article.update()
            .where(article.c.id == sa.bindparam("row_id"))
            .values(posted_url=sa.bindparam("posted")),
            updates,
        )


def downgrade() -> None:
    op.drop_index("ix_article_posted_url", table_name="article")
    with op.batch_alter_table("article") as batch_op:
        batch_op.drop_column("posted_url")
