"""listindex: covering indexes for a space's listing (id order) and a page's children (position order)

Revision ID: 0012_listindex
Revises: 0011_platform2
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

revision = "0012_listindex"
down_revision = "0011_platform2"
branch_labels = None
depends_on = None

# Listings choose a page of ids from the index alone (every column the listing and the visibility
# rule test is in it), then read the rows of that page. (space_id, type, status) is a prefix of
# the new space index, which serves whatever it served.
LISTING = ["space_id", "type", "status", "id", "creator_id"]
CHILDREN = ["parent_id", "type", "status", "position", "id", "creator_id", "space_id"]


def upgrade() -> None:
    op.create_index("ix_content_space_listing", "content", LISTING, unique=False)
    op.create_index("ix_content_children", "content", CHILDREN, unique=False)
    op.drop_index("ix_content_space_type_status", table_name="content")


def downgrade() -> None:
    op.create_index("ix_content_space_type_status", "content", ["space_id", "type", "status"], unique=False)
    op.drop_index("ix_content_children", table_name="content")
    op.drop_index("ix_content_space_listing", table_name="content")
