"""telegram processed updates

Revision ID: 0002_telegram
Revises: 0001
Create Date: 2026-11-23 20:14:53.437862
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models.base


revision = '0002_telegram'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('telegram_update',
    sa.Column('bot_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('update_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('processed_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('bot_id', 'update_id', name=op.f('pk_telegram_update'))
    )
    with op.batch_alter_table('telegram_update', schema=None) as batch_op:
        batch_op.create_index('ix_telegram_update_processed_at', ['processed_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('telegram_update', schema=None) as batch_op:
        batch_op.drop_index('ix_telegram_update_processed_at')

    op.drop_table('telegram_update')
