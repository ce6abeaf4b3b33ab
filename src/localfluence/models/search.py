"""The search index: one document per content, written in the same transaction as the content.

The engines' own structures hang off this table and are made by the migration, not the ORM:
the FTS5 table `search_fts` and its triggers on SQLite, the generated tsvector column
`document` and its GIN index on PostgreSQL (db/dialect.py describes both)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from localfluence.db.base import Base


class SearchDocument(Base):
    __tablename__ = "search_document"

    content_id: Mapped[int] = mapped_column(
        ForeignKey("content.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    # `s<space id>`: lets FTS narrow to a space inside the full-text lookup itself.
    space_token: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(Text, default="")
    # Body text with the markup stripped.
    body: Mapped[str] = mapped_column(Text, default="")
    # Label names, space-separated.
    labels: Mapped[str] = mapped_column(Text, default="")
