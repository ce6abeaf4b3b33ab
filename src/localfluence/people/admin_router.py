"""Our own admin API for people, outside Confluence's paths (Confluence Cloud manages users in
the Atlassian admin, not in its REST API): create, list, deactivate, reactivate, delete users and
issue API tokens. Site admins only."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.responses import Response

from localfluence.api import Context, ok
from localfluence.context import Ctx
from localfluence.kit.paging import Paging, page_envelope
from localfluence.models import User
from localfluence.people import admin
from localfluence.people.schemas import TokenCreate, UserCreate
from localfluence.people.serialize import serialize_users

PREFIX = "/_localfluence/users"
router = APIRouter(prefix=PREFIX, tags=["localfluence: users"])


def _admin_view(ctx: Ctx, users: list[User]) -> list[dict[str, Any]]:
    out = serialize_users(ctx, users)
    for item, user in zip(out, users, strict=True):
        item["active"] = user.active
        item["deleted"] = user.deleted_at is not None
        item["_links"]["self"] = ctx.links.api(f"{PREFIX}/{user.account_id}")
    return out


@router.get("", operation_id="localfluenceListUsers")
async def list_users(
    ctx: Context,
    start: Annotated[int | None, Query(ge=0)] = None,
    limit: Annotated[int | None, Query(ge=0)] = None,
    includeDeleted: bool = False,
) -> Response:
    """Users in creation order (site admins only)."""
    paging = Paging.of(start, limit, default=100, maximum=1000)
    rows = admin.list_users(ctx.session, ctx.principal, paging, include_deleted=includeDeleted)
    body = page_envelope(
        _admin_view(ctx, rows[: paging.limit]),
        paging,
        has_more=len(rows) > paging.limit,
        path=PREFIX,
        query={"includeDeleted": "true" if includeDeleted else None},
        links=ctx.links.top(),
    )
    return ok(body)


@router.post("", operation_id="localfluenceCreateUser", status_code=201)
async def create_user(ctx: Context, body: UserCreate) -> Response:
    """Create a user (a member of confluence-users; `siteAdmin` adds confluence-administrators)."""
    user = admin.create_user(ctx.session, ctx.principal, body)
    return ok(_admin_view(ctx, [user])[0], status=201)


@router.get("/{accountId}", operation_id="localfluenceGetUser")
async def get_user(ctx: Context, accountId: str) -> Response:
    user = admin.get_user(ctx.session, ctx.principal, accountId)
    return ok(_admin_view(ctx, [user])[0])


@router.post("/{accountId}/deactivate", operation_id="localfluenceDeactivateUser")
async def deactivate_user(ctx: Context, accountId: str) -> Response:
    """The user can no longer authenticate (401); content, groups and grants stay."""
    user = admin.deactivate_user(ctx.session, ctx.principal, accountId)
    return ok(_admin_view(ctx, [user])[0])


@router.post("/{accountId}/activate", operation_id="localfluenceActivateUser")
async def activate_user(ctx: Context, accountId: str) -> Response:
    user = admin.activate_user(ctx.session, ctx.principal, accountId)
    return ok(_admin_view(ctx, [user])[0])


@router.delete("/{accountId}", operation_id="localfluenceDeleteUser", status_code=204)
async def delete_user(ctx: Context, accountId: str) -> Response:
    """Erase the user's personal data, tokens and memberships; their content stays, by a former user."""
    admin.delete_user(ctx.session, ctx.principal, accountId)
    return Response(status_code=204)


@router.post("/{accountId}/tokens", operation_id="localfluenceCreateToken", status_code=201)
async def create_token(ctx: Context, accountId: str, body: TokenCreate) -> Response:
    """Issue an API token for the user, shown once. With `scopes` it may only call the operations
    they cover; without, it acts with the user's full permissions."""
    token, scopes = admin.create_token(ctx.session, ctx.principal, accountId, body)
    return ok({"accountId": accountId, "label": body.label, "scopes": scopes, "token": token}, status=201)
