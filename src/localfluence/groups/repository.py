"""Group and membership queries. Deleted groups are invisible here (they survive only as the
subjects of old content restrictions)."""

from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from localfluence.errors import NotFound
from localfluence.models import Group, GroupMember, SitePermission, User

# Confluence's accessType filter on GET /group, as the global permission a group holds.
ACCESS_TYPE_PERMISSIONS = {"user": "use", "admin": "administer", "site-admin": "administer"}


def live_groups() -> Select[tuple[Group]]:
    return select(Group).where(Group.deleted_at.is_(None))


def find_group_by_name(session: Session, name: str) -> Group | None:
    return session.scalar(live_groups().where(Group.name == name.strip().lower()))


def find_group_by_id(session: Session, group_id: str) -> Group | None:
    return session.scalar(live_groups().where(Group.id == group_id))


def get_group_by_name(session: Session, name: str) -> Group:
    group = find_group_by_name(session, name)
    if group is None:
        raise NotFound(f"No group found with name: {name}")
    return group


def get_group_by_id(session: Session, group_id: str) -> Group:
    group = find_group_by_id(session, group_id)
    if group is None:
        raise NotFound(f"No group found with id: {group_id}")
    return group


def list_groups(
    session: Session, *, start: int, limit: int, access_type: str | None = None, query: str | None = None
) -> list[Group]:
    """One page in name order plus one extra row, which tells whether another page exists."""
    statement = _filtered(access_type, query)
    return list(session.scalars(statement.order_by(Group.name).offset(start).limit(limit + 1)))


def count_groups(session: Session, *, access_type: str | None = None, query: str | None = None) -> int:
    statement = _filtered(access_type, query).with_only_columns(func.count(Group.id)).order_by(None)
    return int(session.scalar(statement) or 0)


def _filtered(access_type: str | None, query: str | None) -> Select[tuple[Group]]:
    statement = live_groups()
    if access_type:
        statement = statement.where(
            Group.id.in_(
                select(SitePermission.group_id).where(
                    SitePermission.permission == ACCESS_TYPE_PERMISSIONS[access_type],
                    SitePermission.group_id.is_not(None),
                )
            )
        )
    if query:
        # Names are stored lower-case; the picker matches any part of the name.
        pattern = "%" + query.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        statement = statement.where(Group.name.like(pattern, escape="\\"))
    return statement


def members_statement(group_id: str) -> Select[tuple[User]]:
    return (
        select(User)
        .join(GroupMember, GroupMember.user_id == User.id)
        .where(GroupMember.group_id == group_id, User.deleted_at.is_(None))
    )


def list_members(session: Session, group_id: str, *, start: int, limit: int) -> list[User]:
    statement = members_statement(group_id).order_by(func.lower(User.display_name), User.id)
    return list(session.scalars(statement.offset(start).limit(limit + 1)))


def count_members(session: Session, group_id: str) -> int:
    statement = members_statement(group_id).with_only_columns(func.count(User.id)).order_by(None)
    return int(session.scalar(statement) or 0)


def is_member(session: Session, group_id: str, user_id: int) -> bool:
    return (
        session.scalar(
            select(GroupMember.user_id).where(GroupMember.group_id == group_id, GroupMember.user_id == user_id)
        )
        is not None
    )


def groups_of_user(session: Session, user_id: int, *, start: int, limit: int) -> list[Group]:
    statement = (
        live_groups()
        .join(GroupMember, GroupMember.group_id == Group.id)
        .where(GroupMember.user_id == user_id)
        .order_by(Group.name)
    )
    return list(session.scalars(statement.offset(start).limit(limit + 1)))


def count_active_members_except(session: Session, group_id: str, user_id: int) -> int:
    statement = (
        select(func.count(User.id))
        .join(GroupMember, GroupMember.user_id == User.id)
        .where(
            GroupMember.group_id == group_id,
            User.id != user_id,
            User.active.is_(True),
            User.deleted_at.is_(None),
        )
    )
    return int(session.scalar(statement) or 0)
