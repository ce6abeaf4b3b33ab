"""Long-running task records (space deletion, tree copies, archiving, ...)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from localfluence.db.base import Base


class LongTask(Base):
    __tablename__ = "long_task"
    __table_args__ = (Index("ix_long_task_state", "state"),)

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
    # The worker's view: queued → running → done | failed. Records written before the worker
    # existed, and synchronous records, are "done".
    state: Mapped[str] = mapped_column(String(16), default="done", server_default="done")
    # Which job runs it (tasks/jobs.py) and its JSON arguments.
    kind: Mapped[str | None] = mapped_column(String(64), default=None)
    params: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")
    # Scopes of the submitting token (JSON list, or null for full permissions): the worker acts as
    # owner_id with these, so it passes the same permission checks the request would.
    scopes: Mapped[str | None] = mapped_column(Text, default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    claimed_by: Mapped[str | None] = mapped_column(String(64), default=None)
    # Real time (not the test-double clock): after it, a running task counts as interrupted.
    lease_until: Mapped[datetime | None] = mapped_column(default=None)
