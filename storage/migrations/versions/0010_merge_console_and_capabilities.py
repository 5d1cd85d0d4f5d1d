"""one head again: the console, the Telegram staff group and the other capability branches

Revision ID: 0010_merge
Revises: 0008_console, 0008_staff_group, 0008_channels
"""
from __future__ import annotations

revision = '0010_merge'
down_revision = ('0008_console', '0008_staff_group', '0008_channels')
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
