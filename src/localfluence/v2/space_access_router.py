"""v2 space permissions and space roles (tags "Space Permissions", "Space Roles"), as a site with
the default system roles answers, derived from (and written to) v1's space permission grants.

Roles are fixed sets of grants: Admin is what a space's creator gets, Collaborator what
confluence-users get in a new space, Viewer read-only. A principal's role is the largest one its
grants reach. As in v1, only space administrators see who holds what; other readers get empty lists."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from starlette.responses import Response

from localfluence.access.principal import ANONYMOUS_ACCOUNT_ID
from localfluence.access.subjects import Subject, groups_by_id, resolve_subject, users_by_id
from localfluence.api import Context, ok
from localfluence.context import Ctx
from localfluence.errors import BadRequest, NotFound
from localfluence.kit.ids import parse_id
from localfluence.models import Space, SpacePermission
from localfluence.permissions import space as space_permissions
from localfluence.spaces.service import ALL_PERMISSIONS, DEFAULT_MEMBER_PERMISSIONS
from localfluence.v2.paging import cursor_page, decode_cursor, parse_limit
from localfluence.v2.space_router import space_by_id

router = APIRouter(tags=["Space Permissions", "Space Roles"])

ANONYMOUS_CLASS = "anonymous-users"
ROLES: dict[str, dict[str, Any]] = {
    "1": {"name": "Admin", "description": "Full control of the space", "grants": ALL_PERMISSIONS},
    "2": {
        "name": "Collaborator",
        "description": "Create, edit and comment on content in the space",
        "grants": DEFAULT_MEMBER_PERMISSIONS,
    },
    "3": {"name": "Viewer", "description": "View content in the space", "grants": (("read", "space"),)},
}
AVAILABLE = [(operation, target) for operation, targets in space_permissions.VALID_PAIRS.items() for target in targets]


def _permission_id(operation: str, target: str) -> str:
    return f"{operation}/{target}"


def _page(request: Request, ctx: Ctx, items: list[dict[str, Any]], limit: int | None) -> Response:
    size = parse_limit(limit)
    offset = decode_cursor(request)
    chunk = items[offset : offset + size]
    return cursor_page(
        request, chunk, offset=offset, limit=size, has_more=len(items) > offset + size, base=ctx.links.base
    )


def _shown_grants(ctx: Ctx, space: Space) -> list[SpacePermission]:
    return space_permissions.grants_shown_to(ctx.session, ctx.principal, space)


def _principals(ctx: Ctx, rows: list[SpacePermission]) -> dict[int, dict[str, str]]:
    users = users_by_id(ctx.session, {r.user_id for r in rows if r.user_id is not None})
    groups = groups_by_id(ctx.session, {r.group_id for r in rows if r.group_id is not None})
    out = {}
    for row in rows:
        if row.user_id is not None and row.user_id in users:
            out[row.id] = {"principalType": "USER", "principalId": users[row.user_id].account_id}
        elif row.group_id is not None and row.group_id in groups:
            out[row.id] = {"principalType": "GROUP", "principalId": groups[row.group_id].id}
        elif row.subject_type == "anonymous":
            out[row.id] = {"principalType": "ACCESS_CLASS", "principalId": ANONYMOUS_CLASS}
    return out


def permission_assignments(ctx: Ctx, space: Space) -> list[dict[str, Any]]:
    rows = _shown_grants(ctx, space)
    principals = _principals(ctx, rows)
    kinds = {"USER": "user", "GROUP": "group", "ACCESS_CLASS": "role"}
    return [
        {
            "id": str(row.id),
            "principal": {"type": kinds[principals[row.id]["principalType"]], "id": principals[row.id]["principalId"]},
            "operation": {"key": row.operation, "targetType": row.target_type},
        }
        for row in rows
        if row.id in principals
    ]


def role_of(grants: set[tuple[str, str]]) -> str | None:
    for role_id in ("1", "2", "3"):
        if set(ROLES[role_id]["grants"]) <= grants:
            return role_id
    if ("administer", "space") in grants:
        return "1"
    if ("create", "page") in grants:
        return "2"
    if ("read", "space") in grants:
        return "3"
    return None


def role_assignments(ctx: Ctx, space: Space) -> list[dict[str, Any]]:
    rows = _shown_grants(ctx, space)
    principals = _principals(ctx, rows)
    held: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    for row in rows:
        if row.id in principals:
            p = principals[row.id]
            held[(p["principalType"], p["principalId"])].add((row.operation, row.target_type))
    out = []
    for (kind, ident), grants in held.items():
        role_id = role_of(grants)
        if role_id is not None:
            out.append({"principal": {"principalType": kind, "principalId": ident}, "roleId": role_id})
    return out


def _role_json(role_id: str) -> dict[str, Any]:
    role = ROLES[role_id]
    return {
        "id": role_id,
        "type": "SYSTEM",
        "displayName": role["name"],
        "description": role["description"],
        "spacePermissions": [_permission_id(op, target) for op, target in role["grants"]],
    }


@router.get("/space-permissions", operation_id="getAvailableSpacePermissions")
async def get_available_space_permissions(
    request: Request, ctx: Context, cursor: str | None = None, limit: int | None = None
) -> Response:
    items = [
        {
            "id": _permission_id(op, target),
            "displayName": f"{op.replace('_', ' ').capitalize()} {target}",
            "description": f"Permission to {op.replace('_', ' ')} {target}",
            "requiredPermissionIds": [] if (op, target) == ("read", "space") else ["read/space"],
        }
        for op, target in AVAILABLE
    ]
    return _page(request, ctx, items, limit)


@router.get("/spaces/{id}/permissions", operation_id="getSpacePermissionsAssignments")
async def get_space_permissions_assignments(
    id: str, request: Request, ctx: Context, cursor: str | None = None, limit: int | None = None
) -> Response:
    return _page(request, ctx, permission_assignments(ctx, space_by_id(ctx, id)), limit)


def _check_principal_filter(principal_id: str | None, principal_type: str | None) -> None:
    if (principal_id is None) != (principal_type is None):
        raise BadRequest("principal-id and principal-type go together")
    if principal_type is not None and principal_type not in ("USER", "GROUP", "ACCESS_CLASS"):
        raise BadRequest(f"Invalid principal-type: {principal_type}")


@router.get("/space-roles", operation_id="getAvailableSpaceRoles")
async def get_available_space_roles(
    request: Request,
    ctx: Context,
    space_id: Annotated[str | None, Query(alias="space-id")] = None,
    role_type: Annotated[str | None, Query(alias="role-type")] = None,
    principal_id: Annotated[str | None, Query(alias="principal-id")] = None,
    principal_type: Annotated[str | None, Query(alias="principal-type")] = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Response:
    _check_principal_filter(principal_id, principal_type)
    if role_type is not None and role_type not in ("SYSTEM", "CUSTOM"):
        raise BadRequest(f"Invalid role-type: {role_type}")
    role_ids = list(ROLES) if role_type in (None, "SYSTEM") else []
    if space_id is not None:
        space = space_by_id(ctx, space_id)
        if principal_id is not None:
            held = {
                a["roleId"]
                for a in role_assignments(ctx, space)
                if a["principal"] == {"principalType": principal_type, "principalId": principal_id}
            }
            role_ids = [r for r in role_ids if r in held]
    return _page(request, ctx, [_role_json(r) for r in role_ids], limit)


@router.get("/space-roles/{id}", operation_id="getSpaceRolesById")
async def get_space_roles_by_id(id: str, ctx: Context) -> Response:
    number = parse_id(id, "space role id")
    if number is None or str(number) not in ROLES:
        raise NotFound(f"No space role with id {id}")
    return ok({**_role_json(str(number)), "_links": {"base": ctx.links.base}})


@router.get("/spaces/{id}/role-assignments", operation_id="getSpaceRoleAssignments")
async def get_space_role_assignments(
    id: str,
    request: Request,
    ctx: Context,
    role_id: Annotated[str | None, Query(alias="role-id")] = None,
    role_type: Annotated[str | None, Query(alias="role-type")] = None,
    principal_id: Annotated[str | None, Query(alias="principal-id")] = None,
    principal_type: Annotated[str | None, Query(alias="principal-type")] = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Response:
    _check_principal_filter(principal_id, principal_type)
    items = role_assignments(ctx, space_by_id(ctx, id))
    if role_id is not None:
        items = [a for a in items if a["roleId"] == role_id]
    if role_type == "CUSTOM":
        items = []
    if principal_id is not None:
        items = [a for a in items if a["principal"] == {"principalType": principal_type, "principalId": principal_id}]
    return _page(request, ctx, items, limit)


def _subject(ctx: Ctx, principal: Any) -> Subject:
    if not isinstance(principal, dict):
        raise BadRequest("principal is required")
    kind, ident = principal.get("principalType"), principal.get("principalId")
    if not isinstance(ident, str) or not ident:
        raise BadRequest("principal.principalId is required")
    if kind == "USER":
        return resolve_subject(ctx.session, "user", ident)
    if kind == "GROUP":
        return resolve_subject(ctx.session, "group", ident)
    if kind == "ACCESS_CLASS" and ident in (ANONYMOUS_CLASS, ANONYMOUS_ACCOUNT_ID):
        return Subject("anonymous")
    raise BadRequest(f"Unsupported principal: {kind} {ident}")


@router.post("/spaces/{id}/role-assignments", operation_id="setSpaceRoleAssignments")
async def set_space_role_assignments(id: str, request: Request, ctx: Context, body: Annotated[Any, Body()]) -> Response:
    """Each principal's grants become exactly its role's; no role removes its access."""
    space = space_by_id(ctx, id)
    entries = body if isinstance(body, list) else [body]
    if not entries or not all(isinstance(e, dict) for e in entries):
        raise BadRequest("The body must be a role assignment or a list of them")

    def assignments() -> Iterator[tuple[Subject, set[tuple[str, str]]]]:
        # Resolved as the service walks them, after its permission check: a caller who does not
        # administer the space learns nothing about the principals or roles named.
        for entry in entries:
            role_id = entry.get("roleId")
            if role_id is not None and str(role_id) not in ROLES:
                raise BadRequest(f"No space role with id {role_id}")
            grants = set(ROLES[str(role_id)]["grants"]) if role_id is not None else set()
            yield _subject(ctx, entry.get("principal")), grants

    space_permissions.set_role_grants(ctx.session, ctx.principal, space, assignments())
    return _page(request, ctx, role_assignments(ctx, space), None)
