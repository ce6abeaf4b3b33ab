"""platform2: webhook deliveries keep the end of their retry window

Revision ID: 0011_platform2
Revises: 0010_customtype
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_platform2"
down_revision = "0010_customtype"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("webhook_delivery", sa.Column("retry_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("webhook_delivery") as batch:
        batch.drop_column("retry_until")
