"""Space permission rules: the operation/target pairs Confluence knows, one grant per subject and
pair, read space before anything else, and a space never left without an administrator."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from localfluence import events
from localfluence.access import checks
from localfluence.access.principal import Principal
from localfluence.access.subjects import Subject, resolve_subject
from localfluence.errors import BadRequest, NotFound
from localfluence.models import Space, SpacePermission
from localfluence.permissions.schemas import SpacePermissionCustomContentIn, SpacePermissionIn
from localfluence.spaces import repository as space_repo

# Spec (SpacePermissionRequest): the valid operation.key → operation.target combinations.
# delete/space is "Delete Own"; restrict_content/space is "Add/Delete Restrictions".
VALID_PAIRS: dict[str, tuple[str, ...]] = {
    "create": ("page", "blogpost", "comment", "attachment"),
    "read": ("space",),
    "delete": ("page", "blogpost", "comment", "attachment", "space"),
    "export": ("space",),
    "administer": ("space",),
    "archive": ("page",),
    "restrict_content": ("space",),
}
CUSTOM_CONTENT_OPERATIONS = ("read", "create", "delete")
# Confluence offers anonymous users neither space administration nor restriction management.
ANONYMOUS_REFUSED = ("administer", "restrict_content")


def check_pair(key: str, target: str) -> None:
    if key not in VALID_PAIRS:
        raise BadRequest(f"Invalid space permission operation: {key}; use one of {', '.join(sorted(VALID_PAIRS))}")
    if target not in VALID_PAIRS[key]:
        raise BadRequest(
            f"Invalid target '{target}' for operation '{key}'; '{key}' applies to: {', '.join(VALID_PAIRS[key])}"
        )


def administered_space(session: Session, principal: Principal, key: str) -> Space:
    """The space, if the caller sees it (else 404) and administers it (else 403)."""
    space = space_repo.get_space(session, principal, key)
    checks.require_space_permission(session, principal, space.id, "administer", "space")
    return space


def add_permission(session: Session, principal: Principal, key: str, data: SpacePermissionIn) -> SpacePermission:
    space = administered_space(session, principal, key)
    check_pair(data.operation.key, data.operation.target)
    subject = resolve_subject(session, data.subject.type, data.subject.identifier)
    if subject.type == "anonymous" and data.operation.key in ANONYMOUS_REFUSED:
        raise BadRequest(f"Anonymous users cannot be granted the '{data.operation.key}' permission")
    events.record(session, "space_permissions_updated", {"space": {"key": space.key}, "added": data.model_dump()})
    return _grant(session, space, subject, data.operation.key, data.operation.target)


def add_custom_content_permissions(
    session: Session, principal: Principal, key: str, data: SpacePermissionCustomContentIn
) -> None:
    space = administered_space(session, principal, key)
    subject = resolve_subject(session, data.subject.type, data.subject.identifier)
    for op in data.operations:
        if op.key not in CUSTOM_CONTENT_OPERATIONS:
            raise BadRequest(f"Invalid custom content operation: {op.key}; use read, create or delete")
        if op.target in ("space", "page", "blogpost", "comment", "attachment"):
            raise BadRequest(f"'{op.target}' is not a custom content type")
    for op in data.operations:
        existing = _find(session, space.id, subject, op.key, op.target)
        if op.access and existing is None:
            _require_read_space(session, space, subject)
            session.add(_row(space.id, subject, op.key, op.target))
        elif not op.access and existing is not None:
            session.delete(existing)
    session.flush()
    events.record(session, "space_permissions_updated", {"space": {"key": space.key}, "custom": data.model_dump()})


def remove_permission(session: Session, principal: Principal, key: str, permission_id: int) -> None:
    space = administered_space(session, principal, key)
    row = session.scalar(
        select(SpacePermission).where(SpacePermission.id == permission_id, SpacePermission.space_id == space.id)
    )
    if row is None:
        raise NotFound(f"No permission with id {permission_id} in space {space.key}")
    doomed = [row]
    if (row.operation, row.target_type) == ("read", "space"):
        # Spec (removePermission): removing read space removes every permission of that subject.
        doomed = list(
            session.scalars(
                select(SpacePermission).where(
                    SpacePermission.space_id == space.id,
                    SpacePermission.subject_type == row.subject_type,
                    _same_subject(row),
                )
            )
        )
    doomed_ids = {r.id for r in doomed}
    admins_left = [r for r in _admin_grants(session, space.id) if r.id not in doomed_ids]
    if not admins_left:
        raise BadRequest("All of the admin permissions cannot be removed from a space")
    for r in doomed:
        session.delete(r)
    session.flush()
    events.record(session, "space_permissions_updated", {"space": {"key": space.key}, "removed": sorted(doomed_ids)})


def set_role_grants(
    session: Session, principal: Principal, space: Space, assignments: Iterable[tuple[Subject, set[tuple[str, str]]]]
) -> None:
    """v2's role assignments: each subject's grants in the space become exactly the given pairs
    (no pairs removes its access), read space first; the space must keep an administrator."""
    checks.require_space_permission(session, principal, space.id, "administer", "space")
    assigned: list[dict[str, object]] = []
    for subject, pairs in assignments:
        wanted = {(op, t) for op, t in pairs if not (subject.type == "anonymous" and op in ANONYMOUS_REFUSED)}
        assigned.append(
            {
                "subject": {"type": subject.type, "identifier": subject.identifier},
                "operations": [{"key": op, "target": target} for op, target in sorted(wanted)],
            }
        )
        query = select(SpacePermission).where(
            SpacePermission.space_id == space.id, SpacePermission.subject_type == subject.type
        )
        if subject.user is not None:
            query = query.where(SpacePermission.user_id == subject.user.id)
        elif subject.group is not None:
            query = query.where(SpacePermission.group_id == subject.group.id)
        current = {(r.operation, r.target_type): r for r in session.scalars(query)}
        for pair, row in current.items():
            if pair not in wanted:
                session.delete(row)
        session.flush()
        for op, target in sorted(wanted - set(current), key=lambda p: p != ("read", "space")):
            session.add(_row(space.id, subject, op, target))
        session.flush()
    if not _admin_grants(session, space.id):
        raise BadRequest("A space must keep at least one administrator")
    events.record(session, "space_permissions_updated", {"space": {"key": space.key}, "assigned": assigned})


def grants_shown_to(session: Session, principal: Principal, space: Space) -> list[SpacePermission]:
    """A space's grants as its administrators see them; others see none."""
    if not checks.has_space_permission(session, principal, space.id, "administer", "space"):
        return []
    return list_permissions(session, {space.id})


def list_permissions(session: Session, space_ids: set[int]) -> list[SpacePermission]:
    """Unchecked: callers decide who may see a space's permissions."""
    if not space_ids:
        return []
    return list(
        session.scalars(
            select(SpacePermission)
            .where(SpacePermission.space_id.in_(space_ids))
            .order_by(SpacePermission.space_id, SpacePermission.id)
        )
    )


def _grant(session: Session, space: Space, subject: Subject, operation: str, target: str) -> SpacePermission:
    if _find(session, space.id, subject, operation, target) is not None:
        raise BadRequest(f"Permission already exists for the given {_noun(subject)}: {operation} {target}")
    if (operation, target) != ("read", "space"):
        _require_read_space(session, space, subject)
    row = _row(space.id, subject, operation, target)
    session.add(row)
    session.flush()
    return row


def _require_read_space(session: Session, space: Space, subject: Subject) -> None:
    if _find(session, space.id, subject, "read", "space") is None:
        raise BadRequest(f"'read space' permission doesn't exist for the given {_noun(subject)}")


def _find(session: Session, space_id: int, subject: Subject, operation: str, target: str) -> SpacePermission | None:
    query = select(SpacePermission).where(
        SpacePermission.space_id == space_id,
        SpacePermission.operation == operation,
        SpacePermission.target_type == target,
        SpacePermission.subject_type == subject.type,
    )
    if subject.user is not None:
        query = query.where(SpacePermission.user_id == subject.user.id)
    elif subject.group is not None:
        query = query.where(SpacePermission.group_id == subject.group.id)
    return session.scalar(query.limit(1))


def _same_subject(row: SpacePermission):  # type: ignore[no-untyped-def]
    if row.user_id is not None:
        return SpacePermission.user_id == row.user_id
    if row.group_id is not None:
        return SpacePermission.group_id == row.group_id
    return SpacePermission.user_id.is_(None) & SpacePermission.group_id.is_(None)


def _admin_grants(session: Session, space_id: int) -> list[SpacePermission]:
    # Anonymous can hold "administer" on paper, but it administers nothing; a space needs a real one.
    return list(
        session.scalars(
            select(SpacePermission).where(
                SpacePermission.space_id == space_id,
                SpacePermission.operation == "administer",
                SpacePermission.target_type == "space",
                SpacePermission.subject_type != "anonymous",
            )
        )
    )


def _row(space_id: int, subject: Subject, operation: str, target: str) -> SpacePermission:
    return SpacePermission(
        space_id=space_id,
        operation=operation,
        target_type=target,
        subject_type=subject.type,
        user_id=subject.user.id if subject.user is not None else None,
        group_id=subject.group.id if subject.group is not None else None,
    )


def _noun(subject: Subject) -> str:
    return {"user": "user", "group": "group"}.get(subject.type, "anonymous user")
