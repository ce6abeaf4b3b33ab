"""Labels and their attachment to content."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from localfluence.db.base import Base


class Label(Base):
    __tablename__ = "label"
    __table_args__ = (UniqueConstraint("prefix", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    prefix: Mapped[str] = mapped_column(String(16), default="global")
    name: Mapped[str] = mapped_column(String(255))


class ContentLabel(Base):
    __tablename__ = "content_label"
    __table_args__ = (Index("ix_content_label_label", "label_id"),)

    content_id: Mapped[int] = mapped_column(ForeignKey("content.id", ondelete="CASCADE"), primary_key=True)
    label_id: Mapped[int] = mapped_column(ForeignKey("label.id", ondelete="CASCADE"), primary_key=True)
