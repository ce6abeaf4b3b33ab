"""user_account.deleted_at, user_group.deleted_at: deleted users and groups keep their rows

Revision ID: 0003_identity
Revises: 0002_metadata
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0003_identity'
down_revision = '0002_metadata'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('user_group', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('user_group', schema=None) as batch_op:
        batch_op.drop_column('deleted_at')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('deleted_at')
