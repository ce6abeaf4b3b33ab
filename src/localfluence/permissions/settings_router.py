"""localfluence's own admin settings (not part of Confluence's API): anonymous access and the
global permissions "use" and "createspace". Site admins only."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from localfluence.access import subjects
from localfluence.api import Context, ok
from localfluence.context import Ctx
from localfluence.models import SitePermission
from localfluence.permissions import site
from localfluence.permissions.schemas import AnonymousAccessIn, GlobalPermissionIn

PREFIX = "/_localfluence/settings"
router = APIRouter(prefix=PREFIX, tags=["localfluence settings"])


@router.get("/anonymous-access", operation_id="localfluenceGetAnonymousAccess")
async def get_anonymous_access(ctx: Context) -> Response:
    """Whether anonymous (not signed-in) users may use the site. Off by default. Even when on,
    anonymous users see only spaces that grant "read space" to anonymous
    (POST /wiki/rest/api/space/{key}/permission with subject {"type": "user", "identifier": "anonymous"})."""
    return ok({"enabled": site.get_anonymous_access(ctx.session, ctx.principal)})


@router.put("/anonymous-access", operation_id="localfluenceSetAnonymousAccess")
async def set_anonymous_access(ctx: Context, body: AnonymousAccessIn) -> Response:
    """Switch anonymous access on or off: `{"enabled": true}`."""
    return ok({"enabled": site.set_anonymous_access(ctx.session, ctx.principal, body.enabled)})


@router.get("/global-permissions", operation_id="localfluenceGetGlobalPermissions")
async def get_global_permissions(ctx: Context) -> Response:
    """Every global permission grant: "use" (Can use), "createspace", and "administer" (which
    follows membership in confluence-administrators)."""
    rows = site.list_global_permissions(ctx.session, ctx.principal)
    return ok({"results": _grants(ctx, rows), "size": len(rows)})


@router.post("/global-permissions", operation_id="localfluenceGrantGlobalPermission")
async def grant_global_permission(ctx: Context, body: GlobalPermissionIn) -> Response:
    """Grant "use" or "createspace" to a user (`{"type": "user", "identifier": accountId}`) or a
    group (`{"type": "group", "identifier": group id or name}`)."""
    return ok(_grants(ctx, [site.grant_global_permission(ctx.session, ctx.principal, body)])[0])


@router.delete("/global-permissions/{id}", operation_id="localfluenceRevokeGlobalPermission", status_code=204)
async def revoke_global_permission(id: int, ctx: Context) -> Response:
    site.revoke_global_permission(ctx.session, ctx.principal, id)
    return Response(status_code=204)


def _grants(ctx: Ctx, rows: list[SitePermission]) -> list[dict[str, Any]]:
    # One query for every user the grants name, not one per grant.
    users = subjects.users_by_id(ctx.session, {r.user_id for r in rows if r.user_id is not None})
    return [
        {
            "id": row.id,
            "permission": row.permission,
            "subject": {"type": "user", "identifier": users[row.user_id].account_id}
            if row.user_id is not None
            else {"type": "group", "identifier": row.group_id},
        }
        for row in rows
    ]
