"""User routes (tag "Users")."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from localfluence.api import Context, ExpandParam, ok
from localfluence.errors import BadRequest
from localfluence.groups import repository as group_repo
from localfluence.groups.serialize import group_page
from localfluence.kit.paging import Paging, page_envelope
from localfluence.people import service
from localfluence.people.serialize import anonymous_user, load_users, serialize_user, serialize_users

router = APIRouter(tags=["Users"])

# Spec: getGroupMembershipsForUser pages like the group lists (default 200); getBulkUserLookup
# takes 1..200.
MAX_GROUPS = 200
MAX_BULK = 200

StartParam = Annotated[int | None, Query(ge=0)]
LimitParam = Annotated[int | None, Query(ge=0)]


def _account_ids(raw: list[str]) -> list[str]:
    """accountId=a,b and accountId=a&accountId=b both name several users."""
    ids = [part.strip() for value in raw for part in value.split(",")]
    ids = [i for i in ids if i]
    if not ids:
        raise BadRequest("The accountId query parameter is required")
    return ids


@router.get("/user/current", operation_id="getCurrentUser")
async def get_current_user(ctx: Context, expand: ExpandParam) -> Response:
    if ctx.principal.is_anonymous:
        return ok(anonymous_user(ctx, expand, top=True))
    # A read-only row: authentication is cached across requests, so the ORM's get() would query
    # anyway, and through its loading machinery, for a user the serializer only reads.
    user = load_users(ctx, [ctx.principal.user_id]).get(ctx.principal.user_id)
    return ok(serialize_user(ctx, user, expand, top=True))


@router.get("/user/anonymous", operation_id="getAnonymousUser")
async def get_anonymous_user(ctx: Context, expand: ExpandParam) -> Response:
    return ok(anonymous_user(ctx, expand, top=True))


@router.get("/user", operation_id="getUser")
async def get_user(
    ctx: Context,
    expand: ExpandParam,
    accountId: Annotated[str | None, Query()] = None,
    username: Annotated[str | None, Query(deprecated=True)] = None,
    key: Annotated[str | None, Query(deprecated=True)] = None,
) -> Response:
    user = service.lookup_user(ctx.session, ctx.principal, account_id=accountId, username=username, key=key)
    return ok(serialize_user(ctx, user, expand, top=True))


@router.get("/user/memberof", operation_id="getGroupMembershipsForUser")
async def get_group_memberships_for_user(
    ctx: Context,
    accountId: Annotated[str, Query()],
    start: StartParam = None,
    limit: LimitParam = None,
) -> Response:
    user = service.get_user_for_reading(ctx.session, ctx.principal, accountId)
    paging = Paging.of(start, limit, default=MAX_GROUPS, maximum=MAX_GROUPS)
    rows = group_repo.groups_of_user(ctx.session, user.id, start=paging.start, limit=paging.limit)
    return ok(group_page(ctx, rows, paging, path="/rest/api/user/memberof", query={"accountId": accountId}))


@router.get("/user/bulk", operation_id="getBulkUserLookup")
async def get_bulk_user_lookup(
    ctx: Context,
    expand: ExpandParam,
    accountId: Annotated[list[str], Query()],
    limit: Annotated[int | None, Query(ge=1, le=MAX_BULK)] = None,
) -> Response:
    ids = _account_ids(accountId)
    paging = Paging.of(0, limit, default=MAX_BULK, maximum=MAX_BULK)
    users = service.bulk_lookup(ctx.session, ctx.principal, ids)
    shown = users[: paging.limit]
    body = page_envelope(
        serialize_users(ctx, shown, expand),
        paging,
        has_more=False,
        path="/rest/api/user/bulk",
        query={"accountId": ",".join(ids)},
        links=ctx.links.top(),
    )
    return ok(body)


@router.get("/user/email", operation_id="getPrivacyUnsafeUserEmail")
async def get_privacy_unsafe_user_email(ctx: Context, accountId: Annotated[str, Query()]) -> Response:
    user = service.email_address(ctx.session, ctx.principal, accountId)
    return ok({"accountId": user.account_id, "email": user.email})


@router.get("/user/email/bulk", operation_id="getPrivacyUnsafeUserEmailBulk")
async def get_privacy_unsafe_user_email_bulk(ctx: Context, accountId: Annotated[list[str], Query()]) -> Response:
    users = service.email_addresses(ctx.session, ctx.principal, _account_ids(accountId))
    return ok([{"accountId": u.account_id, "email": u.email} for u in users])
