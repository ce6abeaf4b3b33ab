"""POST /content/{id}/permission/check: what the enforcement would decide for a subject.

Every answer comes from the functions the enforcement itself calls (access.gate, access.visibility,
access.checks), so the check cannot drift from what a request by that subject would get."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from localfluence.access import checks, gate, visibility
from localfluence.access.principal import Principal
from localfluence.access.subjects import Subject, resolve_subject
from localfluence.auth.credentials import ADMIN_GROUP, anonymous_access_enabled, principal_for
from localfluence.content import repository as content_repo
from localfluence.content.service import parse_content_id
from localfluence.errors import BadRequest
from localfluence.models import Content
from localfluence.permissions.schemas import ContentPermissionRequestIn

OPERATIONS = ("read", "update", "delete")
ANY_STATUS = ("current", "draft", "archived", "trashed")


@dataclass
class Verdict:
    has_permission: bool
    errors: list[str] = field(default_factory=list)


def check_content_permission(
    session: Session, caller: Principal, content_id: str, data: ContentPermissionRequestIn
) -> Verdict:
    if data.operation not in OPERATIONS:
        raise BadRequest(f"Invalid operation: {data.operation}; use read, update or delete")
    if caller.is_anonymous:
        checks.refuse(caller, "Checking permissions requires authentication")
    subject = resolve_subject(session, data.subject.type, data.subject.identifier)
    if not (subject.user is not None and subject.user.id == caller.user_id):
        # Spec: checking anyone but yourself takes the Confluence Administrator permission.
        checks.require_admin(caller)
    content = content_repo.get_content(session, caller, parse_content_id(content_id), ANY_STATUS)
    return evaluate(session, subject, content, data.operation)


def subject_principal(session: Session, subject: Subject) -> Principal:
    if subject.user is not None:
        return principal_for(session, subject.user)
    if subject.group is not None:
        return Principal.for_group(subject.group.id, is_admin=subject.group.name == ADMIN_GROUP)
    return Principal.anonymous(anonymous_access=anonymous_access_enabled(session))


def evaluate(session: Session, subject: Subject, content: Content, operation: str) -> Verdict:
    who = {"user": "User", "group": "Group"}.get(subject.type, "Anonymous user")
    principal = subject_principal(session, subject)
    if subject.type == "anonymous" and not gate.can_use(session, principal):
        return Verdict(False, ["Anonymous users are not allowed to use Confluence"])
    if subject.user is not None and not (subject.user.active and gate.can_use(session, principal)):
        return Verdict(False, ["User is not allowed to use Confluence"])
    if not visibility.can_read_space(session, principal, content.space_id):
        return Verdict(False, [f"{who} does not have permission to the space"])
    if not visibility.is_content_visible(session, principal, content.id):
        return Verdict(False, [f"{who} does not have permission to the content"])
    target = checks.permission_target(content.type)
    if operation == "update":
        if not checks.has_space_permission(session, principal, content.space_id, "create", target):
            return Verdict(False, [f"{who} does not have permission to the space"])
        if not checks.can_update_content(session, principal, content):
            return Verdict(False, [f"{who} does not have permission to the content"])
    elif operation == "delete" and not checks.can_delete_content(session, principal, content):
        return Verdict(False, [f"{who} does not have permission to the space"])
    return Verdict(True)
