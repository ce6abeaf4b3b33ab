"""customtype: content.type holds custom content types as Confluence names them

Forge custom content types ("forge:<app-id>:<environment-id>:<module-key>") are longer than the
32 characters content.type had, and custom content was stored as "custom:<type>", which v1 then
showed. The column widens to 255 and custom rows lose the prefix: a custom type is any type with a
colon (Connect's "ac:<app>:<module>", Forge's "forge:...").

Revision ID: 0010_customtype
Revises: 0009_platform
Create Date: 2026-11-27
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0010_customtype"
down_revision = "0009_platform"
branch_labels = None
depends_on = None


def _sqlite_declare_type(old: str, new: str) -> None:
    # SQLite ignores a VARCHAR's length, so only the declared type changes: rewriting the table's
    # CREATE statement (SQLite's documented writable_schema route for changes that leave the stored
    # format alone) instead of a batch copy, which would drop content's triggers and, with foreign
    # keys on, cascade-delete everything that references the old table.
    bind = op.get_bind()
    sql = bind.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'content'").scalar_one()
    rewritten, count = re.subn(rf"(\btype\s+){re.escape(old)}", rf"\g<1>{new}", sql, count=1)
    assert count == 1, sql
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.exec_driver_sql(
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'content'", (rewritten,)
    )
    bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_declare_type("VARCHAR(32)", "VARCHAR(255)")
    else:
        op.alter_column("content", "type", existing_type=sa.String(length=32), type_=sa.String(length=255))
    op.execute("UPDATE content SET type = substr(type, 8) WHERE type LIKE 'custom:%'")


def downgrade() -> None:
    # Types that no longer fit lose their tail, as narrowing must.
    op.execute("UPDATE content SET type = substr('custom:' || type, 1, 32) WHERE type LIKE '%:%'")
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_declare_type("VARCHAR(255)", "VARCHAR(32)")
    else:
        op.alter_column("content", "type", existing_type=sa.String(length=255), type_=sa.String(length=32))
