"""Site settings and permissions, space permissions and content restrictions.

A permission's subject is exactly one of: a user, a group, or anonymous (both ids NULL)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from localfluence.db.base import Base


class SiteSetting(Base):
    __tablename__ = "site_setting"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class SitePermission(Base):
    """Global permissions: "use" (can log in), "createspace", "administer"."""

    __tablename__ = "site_permission"

    id: Mapped[int] = mapped_column(primary_key=True)
    permission: Mapped[str] = mapped_column(String(32))
    subject_type: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    group_id: Mapped[str | None] = mapped_column(ForeignKey("user_group.id", ondelete="CASCADE"))


class SpacePermission(Base):
    """A Confluence operation/target pair (read/space, create/page, administer/space, ...)
    granted to a subject in one space."""

    __tablename__ = "space_permission"
    __table_args__ = (
        Index("ix_space_permission_space_op", "space_id", "operation", "target_type"),
        Index("ix_space_permission_user", "user_id"),
        Index("ix_space_permission_group", "group_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("space.id", ondelete="CASCADE"))
    operation: Mapped[str] = mapped_column(String(32))
    target_type: Mapped[str] = mapped_column(String(32))
    subject_type: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    group_id: Mapped[str | None] = mapped_column(ForeignKey("user_group.id", ondelete="CASCADE"))


class ContentRestriction(Base):
    """A read or update restriction entry; content with any read entry is visible only to the
    subjects listed, and that holds for all its descendants too."""

    __tablename__ = "content_restriction"
    __table_args__ = (Index("ix_content_restriction_content_op", "content_id", "operation"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    content_id: Mapped[int] = mapped_column(ForeignKey("content.id", ondelete="CASCADE"))
    operation: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    group_id: Mapped[str | None] = mapped_column(ForeignKey("user_group.id", ondelete="CASCADE"))
