"""Events and processes: one development reported by many articles, and the thread of
developments of one peace process (SPEC §5).

Records already stored have no event yet: `parley events rebuild` attaches them (the README
says so under "Upgrading").

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('process',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('parties', sa.JSON(), nullable=True),
    sa.Column('countries', sa.JSON(), nullable=True),
    sa.Column('mediators', sa.JSON(), nullable=True),
    sa.Column('date_from', sa.Date(), nullable=True),
    sa.Column('date_to', sa.Date(), nullable=True),
    sa.Column('latest_status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('event_count', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('process', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_process_date_to'), ['date_to'], unique=False)

    op.create_table('event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('parties', sa.JSON(), nullable=True),
    sa.Column('mediators', sa.JSON(), nullable=True),
    sa.Column('location', sa.JSON(), nullable=True),
    sa.Column('countries', sa.JSON(), nullable=True),
    sa.Column('date', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.Column('end_date', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.Column('date_from', sa.Date(), nullable=True),
    sa.Column('date_to', sa.Date(), nullable=True),
    sa.Column('sort_date', sa.Date(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=True),
    sa.Column('process_id', sa.Integer(), nullable=True),
    sa.Column('source_count', sa.Integer(), nullable=False),
    sa.Column('first_reported_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_reported_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['process_id'], ['process.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_process_id'), ['process_id'], unique=False)
        batch_op.create_index('ix_event_sort', ['sort_date', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_status'), ['status'], unique=False)

    op.create_table('event_country',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('country', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('sort_date', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', 'country')
    )
    with op.batch_alter_table('event_country', schema=None) as batch_op:
        batch_op.create_index('ix_event_country_sorted', ['country', 'sort_date', 'event_id'], unique=False)

    op.create_table('event_mediator',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('mediator', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('sort_date', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', 'mediator')
    )
    with op.batch_alter_table('event_mediator', schema=None) as batch_op:
        batch_op.create_index('ix_event_mediator_sorted', ['mediator', 'sort_date', 'event_id'], unique=False)

    op.create_table('event_anchor',
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('country', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('day_from', sa.Date(), nullable=False),
    sa.Column('day_to', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['record_id'], ['record.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('record_id', 'country')
    )
    with op.batch_alter_table('event_anchor', schema=None) as batch_op:
        batch_op.create_index('ix_event_anchor_search', ['kind', 'country', 'day_from'], unique=False)

    # Plain ADD COLUMN, not a batch copy: copying `record` would lose the full-text triggers
    # 0001 put on it.
    op.add_column('record', sa.Column('event_id', sa.Integer(), nullable=True))
    op.add_column('record', sa.Column('event_score', sa.Float(), nullable=True))
    op.add_column(
        'record',
        sa.Column('event_reasons', sa.JSON(), nullable=True, server_default=sa.text("'[]'")),
    )
    op.create_index('ix_record_event_id', 'record', ['event_id'], unique=False)


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+), not a batch copy (see upgrade).
    op.drop_index('ix_record_event_id', table_name='record')
    for column in ('event_reasons', 'event_score', 'event_id'):
        op.execute(f'ALTER TABLE record DROP COLUMN {column}')

    with op.batch_alter_table('event_anchor', schema=None) as batch_op:
        batch_op.drop_index('ix_event_anchor_search')

    op.drop_table('event_anchor')
    with op.batch_alter_table('event_mediator', schema=None) as batch_op:
        batch_op.drop_index('ix_event_mediator_sorted')

    op.drop_table('event_mediator')
    with op.batch_alter_table('event_country', schema=None) as batch_op:
        batch_op.drop_index('ix_event_country_sorted')

    op.drop_table('event_country')
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_status'))
        batch_op.drop_index('ix_event_sort')
        batch_op.drop_index(batch_op.f('ix_event_process_id'))
        batch_op.drop_index(batch_op.f('ix_event_kind'))

    op.drop_table('event')
    with op.batch_alter_table('process', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_process_date_to'))

    op.drop_table('process')
