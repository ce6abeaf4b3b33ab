"""Write checks: space permissions and update restrictions. Visible-but-forbidden is 403;
invisible is 404 before any of these run."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NoReturn

from sqlalchemy import ColumnElement, exists, or_, select
from sqlalchemy.orm import Session, aliased

from localfluence.access.principal import Principal
from localfluence.access.visibility import restriction_admits, subject_matches
from localfluence.errors import Forbidden, NotAuthenticated
from localfluence.models import Content, ContentRestriction, Group, GroupMember, SitePermission, SpacePermission


def has_space_permission(
    session: Session, principal: Principal, space_id: int, operation: str, target_type: str
) -> bool:
    if principal.is_admin:
        return True
    return bool(
        session.scalar(
            select(
                exists().where(
                    SpacePermission.space_id == space_id,
                    SpacePermission.operation == operation,
                    SpacePermission.target_type == target_type,
                    subject_matches(
                        principal, SpacePermission.user_id, SpacePermission.group_id, SpacePermission.subject_type
                    ),
                )
            )
        )
    )


def require_space_permission(
    session: Session, principal: Principal, space_id: int, operation: str, target_type: str
) -> None:
    if not has_space_permission(session, principal, space_id, operation, target_type):
        refuse(principal, _space_refusal(operation, target_type))


def _space_refusal(operation: str, target_type: str) -> str:
    return f"You do not have permission to {operation} {target_type} in this space"


def has_site_permission(session: Session, principal: Principal, permission: str) -> bool:
    if principal.is_admin:
        return True
    if principal.is_anonymous:
        return False
    return bool(
        session.scalar(
            select(
                exists().where(
                    SitePermission.permission == permission,
                    subject_matches(
                        principal, SitePermission.user_id, SitePermission.group_id, SitePermission.subject_type
                    ),
                )
            )
        )
    )


def user_has_site_permission(user_id_col, permission: str) -> ColumnElement[bool]:  # type: ignore[no-untyped-def]
    """has_site_permission for the principal each row's user would sign in as (principal_for: a
    member of the administrators' group is a site admin), as a condition on many users at once."""
    from localfluence.auth.credentials import ADMIN_GROUP

    member = GroupMember.__table__.c
    group = Group.__table__.c
    groups = select(member.group_id).where(member.user_id == user_id_col)
    admin = exists().where(member.user_id == user_id_col, member.group_id == group.id, group.name == ADMIN_GROUP)
    grant = SitePermission.__table__.c
    granted = exists().where(
        grant.permission == permission, or_(grant.user_id == user_id_col, grant.group_id.in_(groups))
    )
    return or_(admin, granted)


def require_site_permission(session: Session, principal: Principal, permission: str) -> None:
    if not has_site_permission(session, principal, permission):
        refuse(principal, f"You do not have the global permission: {permission}")


def require_admin(principal: Principal) -> None:
    if not principal.is_admin:
        refuse(principal, "This operation requires site administrator permission")


def permission_target(content_type: str) -> str:
    """The space-permission target a content type is governed by."""
    return content_type if content_type in ("page", "blogpost", "comment", "attachment") else "page"


def can_update_content(session: Session, principal: Principal, content: Content) -> bool:
    """Update restrictions apply to the content itself only: they do not inherit."""
    if principal.is_admin:
        return True
    restriction = aliased(ContentRestriction)
    restricted = session.scalar(
        select(exists().where(restriction.content_id == content.id, restriction.operation == "update"))
    )
    if not restricted:
        return True
    return bool(session.scalar(select(restriction_admits(principal, content.id, "update"))))


def require_update_content(session: Session, principal: Principal, content: Content) -> None:
    if not can_update_content(session, principal, content):
        refuse(principal, _update_refusal(content.id))


def _update_refusal(content_id: int) -> str:
    return f"You do not have permission to edit content {content_id}"


def can_edit_content(session: Session, principal: Principal, content: Content) -> bool:
    """Edit = the space lets the principal create that type, and no update restriction on the
    content itself leaves them out. (The caller has already proved the content visible.)"""
    return has_space_permission(
        session, principal, content.space_id, "create", permission_target(content.type)
    ) and can_update_content(session, principal, content)


def require_edit_content(session: Session, principal: Principal, content: Content) -> None:
    require_space_permission(session, principal, content.space_id, "create", permission_target(content.type))
    require_update_content(session, principal, content)


def edit_refusals(session: Session, principal: Principal, contents: Sequence[Content]) -> dict[int, str]:
    """The batch form of require_edit_content, in a fixed number of statements: the id of each
    content it would refuse, with the message it would refuse it with."""
    from localfluence.content.repository import space_grants_of_many, update_blocked_of_many

    grants = space_grants_of_many(session, principal, {c.space_id for c in contents})
    refused = {}
    for content in contents:
        target = permission_target(content.type)
        if (content.space_id, "create", target) not in grants:
            refused[content.id] = _space_refusal("create", target)
    blocked = update_blocked_of_many(session, principal, [c.id for c in contents if c.id not in refused])
    refused.update((content_id, _update_refusal(content_id)) for content_id in blocked)
    return refused


def can_delete_content(session: Session, principal: Principal, content: Content) -> bool:
    return has_space_permission(session, principal, content.space_id, "delete", permission_target(content.type))


def can_restrict_content(session: Session, principal: Principal, content: Content) -> bool:
    """Changing restrictions takes edit rights on the content plus the space's "restrict_content"
    (Add/Delete Restrictions) or "administer" permission, as in Confluence."""
    if not can_edit_content(session, principal, content):
        return False
    return has_space_permission(
        session, principal, content.space_id, "restrict_content", "space"
    ) or has_space_permission(session, principal, content.space_id, "administer", "space")


def require_restrict_content(session: Session, principal: Principal, content: Content) -> None:
    if not can_restrict_content(session, principal, content):
        refuse(principal, f"You do not have permission to change the restrictions of content {content.id}")


def refuse(principal: Principal, message: str) -> NoReturn:
    if principal.is_anonymous:
        raise NotAuthenticated(message)
    raise Forbidden(message)


def spaces_with_permission(
    session: Session, principal: Principal, space_ids: set[int], operation: str, target_type: str
) -> set[int]:
    """Of these spaces, those where the principal holds the permission (one query for a page of spaces)."""
    if not space_ids:
        return set()
    if principal.is_admin:
        return set(space_ids)
    return set(
        session.scalars(
            select(SpacePermission.space_id)
            .where(
                SpacePermission.space_id.in_(space_ids),
                SpacePermission.operation == operation,
                SpacePermission.target_type == target_type,
                subject_matches(
                    principal, SpacePermission.user_id, SpacePermission.group_id, SpacePermission.subject_type
                ),
            )
            .distinct()
        )
    )
