"""content templates, appearance (look and feel, themes, space settings), connect modules

Revision ID: 0007_templates
Revises: 0006_storage
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007_templates'
down_revision = '0006_storage'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "content_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("space_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("template_type", sa.String(length=32), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("labels", sa.Text(), nullable=False),
        sa.Column("creator_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["space_id"], ["space.id"], name=op.f("fk_content_template_space_id_space"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["creator_id"],
            ["user_account.id"],
            name=op.f("fk_content_template_creator_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_template")),
    )
    with op.batch_alter_table("content_template", schema=None) as batch_op:
        batch_op.create_index("ix_content_template_space", ["space_id"], unique=False)

    op.create_table(
        "appearance",
        sa.Column("scope", sa.String(length=32), nullable=False),
        sa.Column("space_id", sa.Integer(), nullable=True),
        sa.Column("selected", sa.String(length=16), nullable=False),
        sa.Column("custom", sa.Text(), nullable=True),
        sa.Column("theme_key", sa.String(length=255), nullable=True),
        sa.Column("route_override_enabled", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["space_id"], ["space.id"], name=op.f("fk_appearance_space_id_space"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("scope", name=op.f("pk_appearance")),
    )
    op.create_table(
        "connect_module",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("app_key", sa.String(length=255), nullable=False),
        sa.Column("module_type", sa.String(length=64), nullable=False),
        sa.Column("module_key", sa.String(length=255), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connect_module")),
        sa.UniqueConstraint("app_key", "module_key", name=op.f("uq_connect_module_app_key_module_key")),
    )


def downgrade() -> None:
    op.drop_table("connect_module")
    op.drop_table("appearance")
    with op.batch_alter_table("content_template", schema=None) as batch_op:
        batch_op.drop_index("ix_content_template_space")
    op.drop_table("content_template")
