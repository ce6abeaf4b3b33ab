"""User queries. Deleted users stay findable by account id (their content still names them) but
never by email or username, which were erased."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from localfluence.errors import NotFound
from localfluence.models import User


def find_user_by_account_id(session: Session, account_id: str, *, include_deleted: bool = False) -> User | None:
    statement = select(User).where(User.account_id == account_id)
    if not include_deleted:
        statement = statement.where(User.deleted_at.is_(None))
    return session.scalar(statement)


def get_user_by_account_id(session: Session, account_id: str, *, include_deleted: bool = False) -> User:
    user = find_user_by_account_id(session, account_id, include_deleted=include_deleted)
    if user is None:
        raise NotFound(f"No user found with accountId: {account_id}")
    return user


def find_user_by_username(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username, User.deleted_at.is_(None)))


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.strip().lower(), User.deleted_at.is_(None)))


def users_by_account_ids(session: Session, account_ids: Sequence[str]) -> list[User]:
    """Users in the order asked for; unknown ids are left out."""
    if not account_ids:
        return []
    found = {u.account_id: u for u in session.scalars(select(User).where(User.account_id.in_(set(account_ids))))}
    return [found[a] for a in dict.fromkeys(account_ids) if a in found]


def list_users(
    session: Session, *, start: int = 0, limit: int | None = None, include_deleted: bool = False
) -> list[User]:
    statement = select(User).order_by(User.id)
    if not include_deleted:
        statement = statement.where(User.deleted_at.is_(None))
    if limit is not None:
        statement = statement.offset(start).limit(limit + 1)
    return list(session.scalars(statement))


def count_users(session: Session, *, include_deleted: bool = False) -> int:
    statement = select(func.count(User.id))
    if not include_deleted:
        statement = statement.where(User.deleted_at.is_(None))
    return int(session.scalar(statement) or 0)
