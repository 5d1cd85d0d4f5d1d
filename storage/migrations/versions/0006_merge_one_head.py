"""one head

Revision ID: 0006_merge
Revises: 0002_telegram, 0002_wechat, 0004_fees, 0005_tickets
Create Date: 2026-11-23 21:30:44.402448
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models.base
import storage.types


revision = '0006_merge'
down_revision = ('0002_telegram', '0002_wechat', '0004_fees', '0005_tickets')
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
