"""Group rules: the two default groups, names as Confluence stores them, site-admin-only changes,
and a site that always keeps an active administrator."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from localfluence import events
from localfluence.access.checks import require_admin, require_site_permission
from localfluence.access.principal import Principal
from localfluence.auth.credentials import ADMIN_GROUP, USERS_GROUP
from localfluence.errors import BadRequest, NotFound
from localfluence.groups import repository
from localfluence.kit.clock import clock
from localfluence.models import Group, GroupMember, SitePermission, User
from localfluence.people import repository as people_repo

DEFAULT_GROUPS = (USERS_GROUP, ADMIN_GROUP)
MAX_NAME_LENGTH = 255


def ensure_default_groups(session: Session) -> dict[str, Group]:
    """confluence-users (can use, can create spaces) and confluence-administrators (site admin)
    exist from the start, as in Confluence."""
    groups = {g.name: g for g in session.scalars(repository.live_groups().where(Group.name.in_(DEFAULT_GROUPS)))}
    for name in DEFAULT_GROUPS:
        if name not in groups:
            group = Group(id=str(uuid.uuid4()), name=name, created_at=clock.now())
            session.add(group)
            groups[name] = group
    session.flush()
    has_use = session.scalar(
        select(SitePermission.id).where(
            SitePermission.permission == "use", SitePermission.group_id == groups[USERS_GROUP].id
        )
    )
    if has_use is None:
        for permission in ("use", "createspace"):
            session.add(SitePermission(permission=permission, subject_type="group", group_id=groups[USERS_GROUP].id))
        session.add(SitePermission(permission="administer", subject_type="group", group_id=groups[ADMIN_GROUP].id))
    return groups


def normalize_name(name: str | None) -> str:
    if name is None or not name.strip():
        raise BadRequest("A group name is required")
    name = name.strip().lower()
    if len(name) > MAX_NAME_LENGTH:
        raise BadRequest(f"A group name can have at most {MAX_NAME_LENGTH} characters")
    if any(ord(c) < 32 or c == "\x7f" for c in name):
        raise BadRequest("A group name cannot contain control characters")
    return name


def require_can_use(session: Session, principal: Principal) -> None:
    """Reading groups and members needs the 'Can use' global permission (spec)."""
    require_site_permission(session, principal, "use")


def find_group(session: Session, *, name: str | None = None, group_id: str | None = None) -> Group:
    if group_id is not None:
        return repository.get_group_by_id(session, group_id)
    if name is not None:
        return repository.get_group_by_name(session, name)
    raise BadRequest("A group name or id is required")


def get_group(session: Session, principal: Principal, *, name: str | None = None, group_id: str | None = None) -> Group:
    require_can_use(session, principal)
    return find_group(session, name=name, group_id=group_id)


def find_member(session: Session, account_id: str | None, username: str | None = None, key: str | None = None) -> User:
    """The user named by accountId (or the deprecated username / userKey); deleted users are gone."""
    if account_id:
        return people_repo.get_user_by_account_id(session, account_id)
    if username:
        user = people_repo.find_user_by_username(session, username)
        if user is None:
            raise NotFound(f"No user found with username: {username}")
        return user
    if key:
        return people_repo.get_user_by_account_id(session, key)
    raise BadRequest("The accountId query parameter is required")


def create_group(session: Session, principal: Principal, name: str | None) -> Group:
    require_admin(principal)
    name = normalize_name(name)
    if repository.find_group_by_name(session, name) is not None:
        raise BadRequest(f"A group with this name already exists: {name}")
    group = Group(id=str(uuid.uuid4()), name=name, created_at=clock.now())
    session.add(group)
    session.flush()
    events.group_event(session, "created", group)
    return group


def delete_group(
    session: Session, principal: Principal, *, name: str | None = None, group_id: str | None = None
) -> None:
    require_admin(principal)
    group = find_group(session, name=name, group_id=group_id)
    if group.name in DEFAULT_GROUPS:
        raise BadRequest(f"The default group {group.name} cannot be deleted")
    events.group_event(session, "removed", group)
    # Memberships and global grants go; the row stays, renamed so the name can be reused, so that
    # content restrictions naming the group keep excluding everyone else. Confluence likewise keeps
    # restrictions of deleted groups (its getContent documentation says so).
    session.execute(delete(GroupMember).where(GroupMember.group_id == group.id))
    session.execute(delete(SitePermission).where(SitePermission.group_id == group.id))
    suffix = f" (deleted {group.id})"
    group.deleted_at = clock.now()
    group.name = group.name[: MAX_NAME_LENGTH - len(suffix)] + suffix
    session.flush()


def add_member(
    session: Session, principal: Principal, *, account_id: str, name: str | None = None, group_id: str | None = None
) -> None:
    require_admin(principal)
    group = find_group(session, name=name, group_id=group_id)
    user = find_member(session, account_id)
    if repository.is_member(session, group.id, user.id):
        raise BadRequest(f"Cannot add user. User is already a member of '{group.name}'")
    session.add(GroupMember(group_id=group.id, user_id=user.id))
    session.flush()
    events.group_event(session, "member_added", group, user)


def remove_member(
    session: Session,
    principal: Principal,
    *,
    name: str | None = None,
    group_id: str | None = None,
    account_id: str | None = None,
    username: str | None = None,
    key: str | None = None,
) -> None:
    """Removing a user who is not a member succeeds quietly (spec: removeMemberFromGroup, 204)."""
    require_admin(principal)
    group = find_group(session, name=name, group_id=group_id)
    user = find_member(session, account_id, username, key)
    if not repository.is_member(session, group.id, user.id):
        return
    if group.name == ADMIN_GROUP:
        require_admins_remain(session, user, f"Cannot remove the last active member of {ADMIN_GROUP}")
    session.execute(delete(GroupMember).where(GroupMember.group_id == group.id, GroupMember.user_id == user.id))
    session.flush()
    events.group_event(session, "member_removed", group, user)


def require_admins_remain(session: Session, leaving: User, message: str) -> None:
    """Refuse a change that would leave the site without an active site administrator."""
    admins = repository.find_group_by_name(session, ADMIN_GROUP)
    if admins is None or not repository.is_member(session, admins.id, leaving.id):
        return
    if not leaving.active or leaving.deleted_at is not None:
        return
    if repository.count_active_members_except(session, admins.id, leaving.id) == 0:
        raise BadRequest(f"{message}: the site needs at least one active administrator")
