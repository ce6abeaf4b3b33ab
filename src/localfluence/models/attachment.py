"""Attachment bytes: one blob per distinct SHA-256, and one attachment version per content version."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, ForeignKeyConstraint, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from localfluence.db.base import Base


class Blob(Base):
    """Bytes kept by the blob store, deduplicated by digest. A row exists exactly while the store
    holds the bytes: it is committed together with the first version that uses them, and the
    foreign key from attachment_version keeps it from being collected while anything refers to it."""

    __tablename__ = "blob"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    # Where the store keeps the bytes (a path under the blob dir, or an S3 object key).
    key: Mapped[str] = mapped_column(String(512))
    created_at: Mapped[datetime]


class AttachmentVersion(Base):
    """What a version of an attachment holds beyond its content_version row. Every content version
    of an attachment has one (metadata-only versions reuse the previous blob)."""

    __tablename__ = "attachment_version"
    __table_args__ = (
        ForeignKeyConstraint(
            ["content_id", "number"],
            ["content_version.content_id", "content_version.number"],
            # Deleting a version renumbers the later ones (content.service.delete_version).
            ondelete="CASCADE",
            onupdate="CASCADE",
        ),
        Index("ix_attachment_version_blob_sha256", "blob_sha256"),
    )

    content_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    blob_sha256: Mapped[str] = mapped_column(ForeignKey("blob.sha256"))
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(255))
    comment: Mapped[str] = mapped_column(Text, default="")
    # Confluence Cloud's media-service file id (extensions.fileId); new for every upload.
    file_id: Mapped[str] = mapped_column(String(36))
