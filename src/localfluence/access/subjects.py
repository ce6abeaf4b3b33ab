"""Who a permission or restriction names: users by account id (or legacy username/key), groups by
id or name."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from localfluence.access.principal import ANONYMOUS_ACCOUNT_ID
from localfluence.errors import BadRequest
from localfluence.models import Group, User


@dataclass(frozen=True)
class Subject:
    """A permission's subject (PermissionSubject): a user, a group, or the anonymous user."""

    type: str
    user: User | None = None
    group: Group | None = None

    @property
    def identifier(self) -> str:
        if self.user is not None:
            return self.user.account_id
        if self.group is not None:
            return self.group.id
        return ANONYMOUS_ACCOUNT_ID


def resolve_subject(session: Session, type: str, identifier: str) -> Subject:
    """{type: user, identifier: accountId | "anonymous"} or {type: group, identifier: id | name}."""
    if type == "user":
        if identifier == ANONYMOUS_ACCOUNT_ID:
            return Subject("anonymous")
        user = find_user(session, account_id=identifier)
        if user is None:
            raise BadRequest(f"No user found with accountId: {identifier}")
        return Subject("user", user=user)
    if type == "group":
        group = find_group(session, identifier)
        if group is None:
            raise BadRequest(f"No group found with the given groupName or groupId: {identifier}")
        return Subject("group", group=group)
    raise BadRequest(f"Invalid subject type: {type}; use user or group")


def find_user(
    session: Session, *, account_id: str | None = None, username: str | None = None, key: str | None = None
) -> User | None:
    if account_id:
        return session.scalar(select(User).where(User.account_id == account_id))
    if username:
        return session.scalar(select(User).where(User.username == username))
    if key:
        # Server's userKey; Cloud has none, so the account id stands in for it.
        return session.scalar(select(User).where(User.account_id == key))
    return None


def find_group_by_id(session: Session, group_id: str) -> Group | None:
    return session.get(Group, group_id)


def find_group_by_name(session: Session, name: str) -> Group | None:
    # Confluence group names are case-insensitive.
    return session.scalar(select(Group).where(func.lower(Group.name) == name.lower()))


def find_group(session: Session, identifier: str) -> Group | None:
    """Group ids first (the spec's preferred form), then names (deprecated, still accepted)."""
    return find_group_by_id(session, identifier) or find_group_by_name(session, identifier)


def users_by_id(session: Session, ids: set[int]) -> dict[int, User]:
    if not ids:
        return {}
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))}


def groups_by_id(session: Session, ids: set[str]) -> dict[str, Group]:
    if not ids:
        return {}
    return {g.id: g for g in session.scalars(select(Group).where(Group.id.in_(ids)))}
