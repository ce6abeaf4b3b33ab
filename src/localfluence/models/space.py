"""Spaces."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from localfluence.db.base import Base


class Space(Base):
    __tablename__ = "space"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    type: Mapped[str] = mapped_column(String(16), default="global")
    status: Mapped[str] = mapped_column(String(16), default="current")
    description: Mapped[str] = mapped_column(Text, default="")
    # use_alter: space and content point at each other.
    homepage_id: Mapped[int | None] = mapped_column(
        ForeignKey("content.id", ondelete="SET NULL", use_alter=True), default=None
    )
    creator_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime]
