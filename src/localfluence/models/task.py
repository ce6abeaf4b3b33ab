"""Long-running task records (space deletion, tree copies, archiving, ...)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from localfluence.db.base import Base


class LongTask(Base):
    __tablename__ = "long_task"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    percentage: Mapped[int] = mapped_column(Integer, default=0)
    finished: Mapped[bool] = mapped_column(Boolean, default=False)
    successful: Mapped[bool] = mapped_column(Boolean, default=False)
    # JSON list of message strings.
    messages: Mapped[str] = mapped_column(Text, default="[]")
    # JSON object with what the task produced (e.g. the new root page id of a copy).
    result: Mapped[str] = mapped_column(Text, default="{}")
