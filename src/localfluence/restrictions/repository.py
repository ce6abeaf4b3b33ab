"""Restriction entries. Callers have proved the content visible before they come here."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from localfluence.models import ContentRestriction


def entries_of_many(session: Session, content_ids: Sequence[int]) -> list[ContentRestriction]:
    if not content_ids:
        return []
    return list(
        session.scalars(
            select(ContentRestriction)
            .where(ContentRestriction.content_id.in_(content_ids))
            .order_by(ContentRestriction.content_id, ContentRestriction.id)
        )
    )


def entries(session: Session, content_id: int, operation: str | None = None) -> list[ContentRestriction]:
    rows = entries_of_many(session, [content_id])
    return [r for r in rows if operation is None or r.operation == operation]


def add_user(session: Session, content_id: int, operation: str, user_id: int) -> bool:
    """False when the user was already named."""
    if any(e.user_id == user_id for e in entries(session, content_id, operation)):
        return False
    session.add(ContentRestriction(content_id=content_id, operation=operation, user_id=user_id))
    session.flush()
    return True


def add_group(session: Session, content_id: int, operation: str, group_id: str) -> bool:
    if any(e.group_id == group_id for e in entries(session, content_id, operation)):
        return False
    session.add(ContentRestriction(content_id=content_id, operation=operation, group_id=group_id))
    session.flush()
    return True


def remove_user(session: Session, content_id: int, operation: str, user_id: int) -> int:
    result = session.execute(
        delete(ContentRestriction).where(
            ContentRestriction.content_id == content_id,
            ContentRestriction.operation == operation,
            ContentRestriction.user_id == user_id,
        )
    )
    return result.rowcount  # type: ignore[attr-defined,no-any-return]


def remove_group(session: Session, content_id: int, operation: str, group_id: str) -> int:
    result = session.execute(
        delete(ContentRestriction).where(
            ContentRestriction.content_id == content_id,
            ContentRestriction.operation == operation,
            ContentRestriction.group_id == group_id,
        )
    )
    return result.rowcount  # type: ignore[attr-defined,no-any-return]


def clear(session: Session, content_id: int, operations: Sequence[str]) -> None:
    session.execute(
        delete(ContentRestriction).where(
            ContentRestriction.content_id == content_id, ContentRestriction.operation.in_(operations)
        )
    )
