"""What is derived from a body on save (links, mentions, macros, excerpt) and kept for others to
query, plus the results of asynchronous body conversions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from localfluence.db.base import Base


class ContentDigest(Base):
    """Which body the rows below were extracted from, and its excerpt."""

    __tablename__ = "content_digest"

    content_id: Mapped[int] = mapped_column(ForeignKey("content.id", ondelete="CASCADE"), primary_key=True)
    # blake2b of the storage: extraction is skipped when the body did not change.
    body_hash: Mapped[str] = mapped_column(String(32))
    excerpt: Mapped[str] = mapped_column(Text, default="")


class ContentLink(Base):
    """A link from a body to other content, by the names storage uses (pages are linked by title,
    so a link may point at a page that does not exist yet)."""

    __tablename__ = "content_link"
    __table_args__ = (
        Index("ix_content_link_content", "content_id"),
        Index("ix_content_link_target", "kind", "space_key", "title"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    content_id: Mapped[int] = mapped_column(ForeignKey("content.id", ondelete="CASCADE"))
    # page, blogpost, attachment, space or content (a ri:content-entity, by id)
    kind: Mapped[str] = mapped_column(String(16))
    space_key: Mapped[str | None] = mapped_column(String(255), default=None)
    title: Mapped[str | None] = mapped_column(String(255), default=None)
    posting_day: Mapped[str | None] = mapped_column(String(10), default=None)
    filename: Mapped[str | None] = mapped_column(String(255), default=None)
    target_id: Mapped[int | None] = mapped_column(Integer, default=None)


class ContentMention(Base):
    __tablename__ = "content_mention"
    __table_args__ = (Index("ix_content_mention_user", "user_id"),)

    content_id: Mapped[int] = mapped_column(ForeignKey("content.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)


class ContentMacro(Base):
    __tablename__ = "content_macro"
    __table_args__ = (Index("ix_content_macro_name", "name"),)

    content_id: Mapped[int] = mapped_column(ForeignKey("content.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(128), primary_key=True)


class AsyncConversion(Base):
    """A conversion requested through /contentbody/convert/async; kept until expires_at."""

    __tablename__ = "async_conversion"
    __table_args__ = (Index("ix_async_conversion_expires_at", "expires_at"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), default=None)
    status: Mapped[str] = mapped_column(String(16))
    representation: Mapped[str] = mapped_column(String(32))
    value: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
