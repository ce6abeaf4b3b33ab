"""Content (pages, blog posts, comments, attachments), its versions and its ancestry."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, FetchedValue, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from localfluence.db.base import Base


class Content(Base):
    __tablename__ = "content"
    __table_args__ = (
        # Titles are unique per space (pages) or per posting day (blog posts), trash and archive
        # included; the service computes title_key, NULL where no uniqueness applies.
        UniqueConstraint("space_id", "title_key", name="uq_content_space_title_key"),
        Index("ix_content_parent_position", "parent_id", "position"),
        # Listings pick a page of ids from these alone (content/repository.py's _listing and
        # _children): every column the listing and the visibility rule test is in them.
        Index("ix_content_space_listing", "space_id", "type", "status", "id", "creator_id"),
        Index("ix_content_children", "parent_id", "type", "status", "position", "id", "creator_id", "space_id"),
        # Space listings in their order (position, id) without sorting the space.
        Index("ix_content_space_order", "space_id", "type", "status", "position", "id"),
        # CQL's default and lastmodified orderings, within a space and across the site.
        Index("ix_content_space_modified", "space_id", "type", "status", "last_modified_at"),
        Index("ix_content_last_modified", "last_modified_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # A built-in type ("page", "comment", ...) or a custom content type as its app names it
    # ("ac:<app>:<module>", "forge:<app-id>:<environment-id>:<module-key>"): any type with a colon.
    type: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(255))
    title_key: Mapped[str | None] = mapped_column(String(400), default=None)
    space_id: Mapped[int] = mapped_column(ForeignKey("space.id", ondelete="CASCADE"))
    # The parent page, or the container of a comment or attachment.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("content.id", ondelete="CASCADE"), default=None)
    position: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)
    creator_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime]
    # Blog posts are addressed by the day they were posted (yyyy-mm-dd).
    posting_day: Mapped[str | None] = mapped_column(String(10), default=None)
    # The status to come back to when restored from the trash.
    previous_status: Mapped[str | None] = mapped_column(String(16), default=None)
    # When the current version was made (its created_at), copied here so that CQL can sort and
    # filter by lastmodified from an index instead of looking up the current version per row.
    # Kept by database triggers (migration 0007_searchperf) on every write path, bulk ones
    # included; the ORM never writes it and reloads it when read.
    last_modified_at: Mapped[datetime | None] = mapped_column(
        server_default=FetchedValue(), server_onupdate=FetchedValue(), default=None
    )


class ContentVersion(Base):
    """Every version of a content, the current one included; the body is storage format."""

    __tablename__ = "content_version"
    __table_args__ = (UniqueConstraint("content_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    content_id: Mapped[int] = mapped_column(ForeignKey("content.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text, default="")
    message: Mapped[str] = mapped_column(Text, default="")
    minor_edit: Mapped[bool] = mapped_column(Boolean, default=False)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime]


class ContentAncestor(Base):
    """Closure table of the content tree (self at depth 0), so descendants and inherited read
    restrictions are single indexed lookups instead of recursive walks."""

    __tablename__ = "content_ancestor"
    __table_args__ = (Index("ix_content_ancestor_descendant", "descendant_id", "depth"),)

    ancestor_id: Mapped[int] = mapped_column(ForeignKey("content.id", ondelete="CASCADE"), primary_key=True)
    descendant_id: Mapped[int] = mapped_column(ForeignKey("content.id", ondelete="CASCADE"), primary_key=True)
    depth: Mapped[int] = mapped_column(Integer)
