"""Page templates (global and space), per-scope look and feel, themes and space settings, and
dynamically registered Connect modules."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from localfluence.db.base import Base


class ContentTemplate(Base):
    __tablename__ = "content_template"
    __table_args__ = (Index("ix_content_template_space", "space_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # NULL: a global template.
    space_id: Mapped[int | None] = mapped_column(ForeignKey("space.id", ondelete="CASCADE"), default=None)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    template_type: Mapped[str] = mapped_column(String(32), default="page")
    # Storage format, as page bodies are kept.
    body: Mapped[str] = mapped_column(Text, default="")
    # JSON list of label ids (label table), in the order given.
    labels: Mapped[str] = mapped_column(Text, default="[]")
    creator_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Appearance(Base):
    """Look and feel, theme and settings of the site (scope "site") or one space ("space:<id>")."""

    __tablename__ = "appearance"

    scope: Mapped[str] = mapped_column(String(32), primary_key=True)
    space_id: Mapped[int | None] = mapped_column(ForeignKey("space.id", ondelete="CASCADE"), default=None)
    # global | custom | theme
    selected: Mapped[str] = mapped_column(String(16), default="global")
    # LookAndFeel JSON, or NULL when no custom settings exist.
    custom: Mapped[str | None] = mapped_column(Text, default=None)
    theme_key: Mapped[str | None] = mapped_column(String(255), default=None)
    route_override_enabled: Mapped[bool] = mapped_column(Boolean, default=False)


class ConnectModule(Base):
    __tablename__ = "connect_module"
    __table_args__ = (UniqueConstraint("app_key", "module_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    app_key: Mapped[str] = mapped_column(String(255))
    module_type: Mapped[str] = mapped_column(String(64))
    module_key: Mapped[str] = mapped_column(String(255))
    # The module as registered (JSON).
    data: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
