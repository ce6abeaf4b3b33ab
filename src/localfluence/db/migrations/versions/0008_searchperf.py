"""content.last_modified_at kept by triggers; indexes for ordered space listings and lastmodified

Revision ID: 0008_searchperf
Revises: 0007_templates
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008_searchperf'
down_revision = '0007_templates'
branch_labels = None
depends_on = None

# The column is the created_at of the content's current version. Two triggers keep it on both
# engines, whatever writes (services, bulk seeding, snapshot loads): a new version row that is the
# current one sets it, and a change of content.version looks the version up (finding nothing when
# the version row follows in the same flush, which the first trigger then fixes).
SQLITE_TRIGGERS = (
    "CREATE TRIGGER content_version_last_modified AFTER INSERT ON content_version BEGIN "
    "UPDATE content SET last_modified_at = NEW.created_at WHERE id = NEW.content_id AND version = NEW.number; END",
    "CREATE TRIGGER content_last_modified AFTER UPDATE OF version ON content BEGIN "
    "UPDATE content SET last_modified_at = (SELECT created_at FROM content_version "
    "WHERE content_id = NEW.id AND number = NEW.version) WHERE id = NEW.id; END",
)
POSTGRESQL_TRIGGERS = (
    "CREATE FUNCTION content_version_last_modified() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "UPDATE content SET last_modified_at = NEW.created_at WHERE id = NEW.content_id AND version = NEW.number; "
    "RETURN NULL; END $$",
    "CREATE TRIGGER content_version_last_modified AFTER INSERT ON content_version "
    "FOR EACH ROW EXECUTE FUNCTION content_version_last_modified()",
    "CREATE FUNCTION content_last_modified() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "NEW.last_modified_at := (SELECT created_at FROM content_version "
    "WHERE content_id = NEW.id AND number = NEW.version); RETURN NEW; END $$",
    "CREATE TRIGGER content_last_modified BEFORE INSERT OR UPDATE OF version ON content "
    "FOR EACH ROW EXECUTE FUNCTION content_last_modified()",
)


def upgrade() -> None:
    with op.batch_alter_table("content", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_modified_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_content_space_order", ["space_id", "type", "status", "position", "id"], unique=False)
        batch_op.create_index(
            "ix_content_space_modified", ["space_id", "type", "status", "last_modified_at"], unique=False
        )
        batch_op.create_index("ix_content_last_modified", ["last_modified_at"], unique=False)
    op.execute(
        "UPDATE content SET last_modified_at = (SELECT v.created_at FROM content_version v "
        "WHERE v.content_id = content.id AND v.number = content.version)"
    )
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_TRIGGERS if dialect == "sqlite" else POSTGRESQL_TRIGGERS if dialect == "postgresql" else ():
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS content_version_last_modified")
        op.execute("DROP TRIGGER IF EXISTS content_last_modified")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS content_version_last_modified ON content_version")
        op.execute("DROP TRIGGER IF EXISTS content_last_modified ON content")
        op.execute("DROP FUNCTION IF EXISTS content_version_last_modified()")
        op.execute("DROP FUNCTION IF EXISTS content_last_modified()")
    with op.batch_alter_table("content", schema=None) as batch_op:
        batch_op.drop_index("ix_content_last_modified")
        batch_op.drop_index("ix_content_space_modified")
        batch_op.drop_index("ix_content_space_order")
        batch_op.drop_column("last_modified_at")
