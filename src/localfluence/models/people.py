"""Users, their API tokens, groups and memberships."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from localfluence.db.base import Base


class User(Base):
    # "user" is reserved in PostgreSQL.
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[str] = mapped_column(String(128), unique=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    # Server/Data Center clients log in with a username; Cloud ones with the email.
    username: Mapped[str] = mapped_column(String(255), unique=True)
    display_name: Mapped[str] = mapped_column(String(255))
    public_name: Mapped[str] = mapped_column(String(255))
    password_hash: Mapped[str | None] = mapped_column(Text, default=None)
    account_type: Mapped[str] = mapped_column(String(32), default="atlassian")
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    # Deactivated users keep everything but cannot authenticate.
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    # Deleted users keep their row (and account id) so the content they wrote still names an
    # author, shown as a former user; their personal data is erased (people/service.py).
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)


class ApiToken(Base):
    """API tokens are random and high-entropy: only their SHA-256 digest is kept."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(255), default="")
    # Space-separated OAuth-style scopes; NULL acts with the user's full permissions.
    scopes: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime]


class Group(Base):
    __tablename__ = "user_group"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    # Stored lower-case, as Confluence does.
    name: Mapped[str] = mapped_column(String(255), unique=True)
    created_at: Mapped[datetime]
    # A deleted group keeps its row (renamed, without members) so that content restrictions
    # naming it keep admitting nobody instead of vanishing and opening the page to everyone.
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)


class GroupMember(Base):
    __tablename__ = "group_member"
    __table_args__ = (Index("ix_group_member_user", "user_id"),)

    group_id: Mapped[str] = mapped_column(ForeignKey("user_group.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
