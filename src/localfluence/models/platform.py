"""The event outbox, webhooks and their deliveries, and the audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from localfluence.db.base import Base


class Event(Base):
    """One change, written in the transaction that made it (the outbox)."""

    __tablename__ = "event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # Confluence's webhook event name: page_created, space_removed, group_created, ...
    type: Mapped[str] = mapped_column(String(64), index=True)
    # JSON: what the event is about (ids and the fields a webhook payload needs).
    payload: Mapped[str] = mapped_column(Text)
    actor_account_id: Mapped[str | None] = mapped_column(String(128), default=None)
    # Server clock (what `timestamp` says) and real time (for delivery latency).
    created_at: Mapped[datetime]
    recorded_at: Mapped[datetime]


class Webhook(Base):
    __tablename__ = "webhook"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    url: Mapped[str] = mapped_column(Text)
    # JSON list of event types; ["*"] is every event.
    events: Mapped[str] = mapped_column(Text)
    secret: Mapped[str] = mapped_column(String(255), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]


class WebhookDelivery(Base):
    """One event for one webhook: pending until the receiver answers 2xx or attempts run out."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (Index("ix_webhook_delivery_due", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhook.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    # pending | delivered | failed
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    # A worker holds a delivery until then; after it another worker may retry.
    lease_until: Mapped[datetime | None] = mapped_column(default=None)
    last_status: Mapped[int | None] = mapped_column(Integer, default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)
    # Retried until then; null: created_at + webhook_retry_seconds (a redelivery sets it).
    retry_until: Mapped[datetime | None] = mapped_column(default=None)


class AuditRecord(Base):
    __tablename__ = "audit_record"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    author_account_id: Mapped[str | None] = mapped_column(String(128), default=None)
    # A display name given by a client that created the record (POST /audit).
    author_name: Mapped[str] = mapped_column(String(255), default="")
    remote_address: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(index=True)
    summary: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(255), default="")
    sys_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    # JSON: affectedObject, changedValues, associatedObjects as Confluence's AuditRecord has them.
    affected_object: Mapped[str] = mapped_column(Text, default="{}")
    changed_values: Mapped[str] = mapped_column(Text, default="[]")
    associated_objects: Mapped[str] = mapped_column(Text, default="[]")
