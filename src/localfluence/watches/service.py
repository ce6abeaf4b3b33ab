"""Watch rules. The watcher is the caller, or a user named by accountId (site admins only).
These operations answer 403 for content or spaces that do not exist or cannot be seen, as the
spec documents for them (one answer for both, so nothing leaks)."""

from __future__ import annotations

from sqlalchemy import delete, exists, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from localfluence.access import checks
from localfluence.access.principal import Principal
from localfluence.content import repository as content_repo
from localfluence.errors import BadRequest, Forbidden, NotFound
from localfluence.kit.clock import clock
from localfluence.labels import service as labels
from localfluence.models import Content, ContentWatch, Label, LabelWatch, Space, SpaceWatch, User
from localfluence.spaces import repository as space_repo

XSRF_VALUES = ("no-check", "nocheck")
WATCHABLE_STATUSES = ("current", "draft", "archived")


def require_xsrf_token(header: str | None) -> None:
    # Confluence insists on "no-check"; Data Center documents "nocheck" too: accept both.
    if header is None or header.strip().lower() not in XSRF_VALUES:
        raise Forbidden("XSRF check failed")


def watcher(
    session: Session, principal: Principal, account_id: str | None, key: str | None, username: str | None
) -> User:
    if principal.is_anonymous:
        checks.refuse(principal, "You must be logged in to watch")
    named = account_id or key or username
    if named:
        column = User.username if username and not (account_id or key) else User.account_id
        user = session.scalar(select(User).where(column == named))
        if user is None:
            raise NotFound(f"No user found with accountId: {named}")
        if user.id != principal.user_id:
            checks.require_admin(principal)
        return user
    user = session.get(User, principal.user_id)
    assert user is not None
    return user


def watched_content(session: Session, principal: Principal, content_id: int) -> Content:
    content = content_repo.find_content(session, principal, content_id, WATCHABLE_STATUSES)
    if content is None:
        raise Forbidden(f"No content found with id {content_id}, or you may not view it")
    return content


def watched_space(session: Session, principal: Principal, space_key: str) -> Space:
    space = space_repo.find_space(session, principal, space_key)
    if space is None:
        raise Forbidden(f"No space found with key {space_key}, or you may not view it")
    return space


def watched_label(session: Session, label_name: str) -> Label:
    prefix, name = labels.parse_reference(label_name)
    label = labels.find_label(session, prefix, name)
    if label is None:
        raise Forbidden(f"No label exists with the name {label_name}")
    return label


def is_watching_content(session: Session, user: User, content: Content) -> bool:
    return bool(
        session.scalar(select(exists().where(ContentWatch.user_id == user.id, ContentWatch.content_id == content.id)))
    )


def is_watching_space(session: Session, user: User, space: Space) -> bool:
    return bool(session.scalar(select(exists().where(SpaceWatch.user_id == user.id, SpaceWatch.space_id == space.id))))


def is_watching_label(session: Session, user: User, label: Label) -> bool:
    return bool(session.scalar(select(exists().where(LabelWatch.user_id == user.id, LabelWatch.label_id == label.id))))


def _insert_ignore(session: Session, model: type, **values: object) -> None:
    """Watching twice is not an error: insert unless present, race-free on both dialects."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(model).values(created_at=clock.now(), **values).on_conflict_do_nothing())


def watch_content(session: Session, user: User, content: Content) -> None:
    _insert_ignore(session, ContentWatch, user_id=user.id, content_id=content.id)


def unwatch_content(session: Session, user: User, content: Content) -> None:
    session.execute(delete(ContentWatch).where(ContentWatch.user_id == user.id, ContentWatch.content_id == content.id))


def watch_space(session: Session, user: User, space: Space) -> None:
    _insert_ignore(session, SpaceWatch, user_id=user.id, space_id=space.id)


def unwatch_space(session: Session, user: User, space: Space) -> None:
    session.execute(delete(SpaceWatch).where(SpaceWatch.user_id == user.id, SpaceWatch.space_id == space.id))


def watch_label(session: Session, user: User, label: Label) -> None:
    _insert_ignore(session, LabelWatch, user_id=user.id, label_id=label.id)


def unwatch_label(session: Session, user: User, label: Label) -> None:
    session.execute(delete(LabelWatch).where(LabelWatch.user_id == user.id, LabelWatch.label_id == label.id))


def content_watchers(session: Session, content_id: int, *, start: int, limit: int) -> list[User]:
    query = (
        select(User)
        .join(ContentWatch, ContentWatch.user_id == User.id)
        .where(ContentWatch.content_id == content_id)
        .order_by(ContentWatch.created_at, User.id)
    )
    return list(session.scalars(query.offset(start).limit(limit + 1)))


def space_watchers(session: Session, space_id: int, *, start: int, limit: int) -> list[User]:
    query = (
        select(User)
        .join(SpaceWatch, SpaceWatch.user_id == User.id)
        .where(SpaceWatch.space_id == space_id)
        .order_by(SpaceWatch.created_at, User.id)
    )
    return list(session.scalars(query.offset(start).limit(limit + 1)))


def parse_paging_value(value: str | None, name: str) -> int | None:
    """getWatchersForSpace takes start and limit as strings (spec)."""
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise BadRequest(f"{name} must be a number") from None
