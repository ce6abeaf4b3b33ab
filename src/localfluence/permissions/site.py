"""Global permissions: "use" (can use), "createspace", and anonymous access; all admin-only.

Site administration itself is membership in confluence-administrators (the Principal says so),
so it is managed through groups, not here."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from localfluence import events
from localfluence.access import checks
from localfluence.access.principal import Principal
from localfluence.access.subjects import Subject, resolve_subject
from localfluence.auth.credentials import ANONYMOUS_ACCESS_SETTING, anonymous_access_enabled
from localfluence.errors import BadRequest, NotFound
from localfluence.models import SitePermission, SiteSetting
from localfluence.permissions.schemas import GlobalPermissionIn

MANAGED_PERMISSIONS = ("use", "createspace")


def get_anonymous_access(session: Session, principal: Principal) -> bool:
    checks.require_admin(principal)
    return anonymous_access_enabled(session)


def set_anonymous_access(session: Session, principal: Principal, enabled: bool) -> bool:
    """Anonymous users still see only spaces that grant read to anonymous."""
    checks.require_admin(principal)
    setting = session.get(SiteSetting, ANONYMOUS_ACCESS_SETTING)
    value = "true" if enabled else "false"
    if setting is None:
        session.add(SiteSetting(key=ANONYMOUS_ACCESS_SETTING, value=value))
    else:
        setting.value = value
    session.flush()
    events.record(session, "global_permissions_updated", {"anonymousAccess": enabled})
    return enabled


def list_global_permissions(session: Session, principal: Principal) -> list[SitePermission]:
    checks.require_admin(principal)
    return list(session.scalars(select(SitePermission).order_by(SitePermission.id)))


def grant_global_permission(session: Session, principal: Principal, data: GlobalPermissionIn) -> SitePermission:
    checks.require_admin(principal)
    if data.permission not in MANAGED_PERMISSIONS:
        raise BadRequest(
            f"Invalid global permission: {data.permission}; use one of {', '.join(MANAGED_PERMISSIONS)} "
            "(site administration is membership in confluence-administrators; anonymous access has its own setting)"
        )
    subject = resolve_subject(session, data.subject.type, data.subject.identifier)
    if subject.type == "anonymous":
        raise BadRequest("Anonymous access is switched with /_localfluence/settings/anonymous-access")
    if _find(session, data.permission, subject) is not None:
        raise BadRequest(f"Permission already exists for the given {subject.type}: {data.permission}")
    row = SitePermission(
        permission=data.permission,
        subject_type=subject.type,
        user_id=subject.user.id if subject.user else None,
        group_id=subject.group.id if subject.group else None,
    )
    session.add(row)
    session.flush()
    events.record(session, "global_permissions_updated", {"added": data.model_dump(), "id": row.id})
    return row


def revoke_global_permission(session: Session, principal: Principal, permission_id: int) -> None:
    checks.require_admin(principal)
    row = session.get(SitePermission, permission_id)
    if row is None:
        raise NotFound(f"No global permission with id {permission_id}")
    if row.permission not in MANAGED_PERMISSIONS:
        raise BadRequest(f"The '{row.permission}' permission follows membership in confluence-administrators")
    events.record(session, "global_permissions_updated", {"removed": {"id": row.id, "permission": row.permission}})
    session.delete(row)
    session.flush()


def _find(session: Session, permission: str, subject: Subject) -> SitePermission | None:
    query = select(SitePermission).where(SitePermission.permission == permission)
    if subject.user is not None:
        query = query.where(SitePermission.user_id == subject.user.id)
    elif subject.group is not None:
        query = query.where(SitePermission.group_id == subject.group.id)
    return session.scalar(query.limit(1))
