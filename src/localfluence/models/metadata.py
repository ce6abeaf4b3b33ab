"""What hangs off content, spaces and users besides properties: space labels, watches, content
states, relations, comment placement and page views."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from localfluence.db.base import Base


class SpaceLabel(Base):
    __tablename__ = "space_label"
    __table_args__ = (Index("ix_space_label_label", "label_id"),)

    space_id: Mapped[int] = mapped_column(ForeignKey("space.id", ondelete="CASCADE"), primary_key=True)
    label_id: Mapped[int] = mapped_column(ForeignKey("label.id", ondelete="CASCADE"), primary_key=True)


class ContentWatch(Base):
    __tablename__ = "content_watch"
    __table_args__ = (Index("ix_content_watch_content", "content_id"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    content_id: Mapped[int] = mapped_column(ForeignKey("content.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime]


class SpaceWatch(Base):
    __tablename__ = "space_watch"
    __table_args__ = (Index("ix_space_watch_space", "space_id"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("space.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime]


class LabelWatch(Base):
    __tablename__ = "label_watch"
    __table_args__ = (Index("ix_label_watch_label", "label_id"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    label_id: Mapped[int] = mapped_column(ForeignKey("label.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime]


class CustomContentState(Base):
    """A state a user made up (name and colour); space-suggested states are fixed (ids 0-2)."""

    __tablename__ = "custom_content_state"
    __table_args__ = (UniqueConstraint("owner_id", "name", "color"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(20))
    color: Mapped[str] = mapped_column(String(7))
    last_used_at: Mapped[datetime]


class ContentStateAssignment(Base):
    """The state on the published ("current") or the draft side of a content. Name and colour are
    copied so the state reads the same after its owner changes or deletes it."""

    __tablename__ = "content_state_assignment"
    __table_args__ = (Index("ix_content_state_assignment_state", "state_id"),)

    content_id: Mapped[int] = mapped_column(ForeignKey("content.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    state_id: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(20))
    color: Mapped[str] = mapped_column(String(7))
    updated_at: Mapped[datetime]


class Relation(Base):
    """A named one-way relation between two entities (user, content or space), by their row ids.
    Rows can outlive a purged entity; every read joins the entity back through visibility."""

    __tablename__ = "relation"
    __table_args__ = (
        UniqueConstraint("name", "source_type", "source_id", "target_type", "target_id"),
        Index("ix_relation_target", "name", "target_type", "target_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    source_type: Mapped[str] = mapped_column(String(16))
    source_id: Mapped[int] = mapped_column(Integer)
    target_type: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int] = mapped_column(Integer)
    creator_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime]


class CommentPlacement(Base):
    """Where a comment sits: footer or inline (with the inline marker and selection), and whether
    an inline comment was resolved. Comments without a row are footer comments."""

    __tablename__ = "comment_placement"

    content_id: Mapped[int] = mapped_column(ForeignKey("content.id", ondelete="CASCADE"), primary_key=True)
    location: Mapped[str] = mapped_column(String(16), default="footer")
    # JSON object of the inline properties (markerRef, originalSelection, ...).
    inline_properties: Mapped[str] = mapped_column(Text, default="{}")
    resolution: Mapped[str | None] = mapped_column(String(16), default=None)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), default=None)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)


class ContentView(Base):
    __tablename__ = "content_view"
    __table_args__ = (
        Index("ix_content_view_content_when", "content_id", "viewed_at"),
        Index("ix_content_view_user_content", "user_id", "content_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    content_id: Mapped[int] = mapped_column(ForeignKey("content.id", ondelete="CASCADE"))
    # NULL for anonymous views: they count as views, not as viewers.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), default=None)
    viewed_at: Mapped[datetime]
