"""Space permission routes (tag "Space permissions") and the content permission check (tag
"Content permissions")."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from localfluence.api import Context, ok
from localfluence.permissions import check, space
from localfluence.permissions.schemas import (
    ContentPermissionRequestIn,
    SpacePermissionCustomContentIn,
    SpacePermissionIn,
)
from localfluence.permissions.serialize import serialize_permission_v2

router = APIRouter()


@router.post("/space/{spaceKey}/permission", operation_id="addPermissionToSpace", tags=["Space permissions"])
async def add_permission_to_space(spaceKey: str, ctx: Context, body: SpacePermissionIn) -> Response:
    row = space.add_permission(ctx.session, ctx.principal, spaceKey, body)
    return ok(serialize_permission_v2(ctx, row, spaceKey))


@router.post(
    "/space/{spaceKey}/permission/custom-content",
    operation_id="addCustomContentPermissions",
    tags=["Space permissions"],
)
async def add_custom_content_permissions(spaceKey: str, ctx: Context, body: SpacePermissionCustomContentIn) -> Response:
    space.add_custom_content_permissions(ctx.session, ctx.principal, spaceKey, body)
    return Response(status_code=200)


@router.delete(
    "/space/{spaceKey}/permission/{id}", operation_id="removePermission", status_code=204, tags=["Space permissions"]
)
async def remove_permission(spaceKey: str, id: int, ctx: Context) -> Response:
    space.remove_permission(ctx.session, ctx.principal, spaceKey, id)
    return Response(status_code=204)


@router.post("/content/{id}/permission/check", operation_id="checkContentPermission", tags=["Content permissions"])
async def check_content_permission(id: str, ctx: Context, body: ContentPermissionRequestIn) -> Response:
    verdict = check.check_content_permission(ctx.session, ctx.principal, id, body)
    return ok(
        {
            "hasPermission": verdict.has_permission,
            "errors": [{"translation": e, "args": []} for e in verdict.errors],
            "_links": ctx.links.top(),
        }
    )
