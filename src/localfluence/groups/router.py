"""Group routes (tag "Group"). The fixed paths come before /group/{groupName}, which would
otherwise swallow them (a group literally named "member" is reached through by-name)."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query
from starlette.responses import Response

from localfluence.api import Context, ExpandParam, ok
from localfluence.context import Ctx
from localfluence.groups import repository, service
from localfluence.groups.schemas import AccountIdBody, GroupName
from localfluence.groups.serialize import group_page, serialize_group
from localfluence.kit.expand import Expand
from localfluence.kit.paging import Paging, page_envelope
from localfluence.people.serialize import serialize_users

router = APIRouter(tags=["Group"])

# Spec defaults are 200; group members never come more than 200 at a time (an over-large limit
# is capped, as Cloud does: atlassian-python-api#522).
MAX_LIMIT = 200

StartParam = Annotated[int | None, Query(ge=0)]
LimitParam = Annotated[int | None, Query(ge=0)]
TotalSizeParam = Annotated[bool, Query()]
UserKeyParam = Annotated[str | None, Query(deprecated=True)]


def _paging(start: int | None, limit: int | None) -> Paging:
    return Paging.of(start, limit, default=MAX_LIMIT, maximum=MAX_LIMIT)


def _members_page(
    ctx: Ctx,
    group_ref: dict[str, str],
    start: int | None,
    limit: int | None,
    total: bool,
    expand: Expand,
    path: str,
    query: dict[str, str],
) -> Response:
    group = service.get_group(ctx.session, ctx.principal, **group_ref)
    paging = _paging(start, limit)
    rows = repository.list_members(ctx.session, group.id, start=paging.start, limit=paging.limit)
    body = page_envelope(
        serialize_users(ctx, rows[: paging.limit], expand),
        paging,
        has_more=len(rows) > paging.limit,
        path=path.format(name=quote(group.name, safe=""), id=group.id),
        query=query,
        links=ctx.links.top(),
    )
    if total:
        body["totalSize"] = repository.count_members(ctx.session, group.id)
    return ok(body)


@router.get("/group", operation_id="getGroups")
async def get_groups(
    ctx: Context,
    start: StartParam = None,
    limit: LimitParam = None,
    accessType: Annotated[Literal["user", "admin", "site-admin"] | None, Query()] = None,
) -> Response:
    service.require_can_use(ctx.session, ctx.principal)
    paging = _paging(start, limit)
    rows = repository.list_groups(ctx.session, start=paging.start, limit=paging.limit, access_type=accessType)
    return ok(group_page(ctx, rows, paging, path="/rest/api/group", query={"accessType": accessType}))


@router.post("/group", operation_id="createGroup", status_code=201)
async def create_group(ctx: Context, body: GroupName) -> Response:
    group = service.create_group(ctx.session, ctx.principal, body.name)
    return ok(serialize_group(ctx, group, top=True), status=201)


@router.delete("/group", operation_id="removeGroup", status_code=204, deprecated=True)
async def remove_group(ctx: Context, name: Annotated[str, Query()]) -> Response:
    service.delete_group(ctx.session, ctx.principal, name=name)
    return Response(status_code=204)


@router.get("/group/by-name", operation_id="getGroupByQueryParam", deprecated=True)
async def get_group_by_query_param(ctx: Context, name: Annotated[str, Query()]) -> Response:
    return ok(serialize_group(ctx, service.get_group(ctx.session, ctx.principal, name=name), top=True))


@router.get("/group/by-id", operation_id="getGroupByGroupId")
async def get_group_by_group_id(ctx: Context, id: Annotated[str, Query()]) -> Response:
    return ok(serialize_group(ctx, service.get_group(ctx.session, ctx.principal, group_id=id), top=True))


@router.delete("/group/by-id", operation_id="removeGroupById", status_code=204)
async def remove_group_by_id(ctx: Context, id: Annotated[str, Query()]) -> Response:
    service.delete_group(ctx.session, ctx.principal, group_id=id)
    return Response(status_code=204)


@router.get("/group/member", operation_id="getMembersByQueryParam", deprecated=True)
async def get_members_by_query_param(
    ctx: Context,
    expand: ExpandParam,
    name: Annotated[str, Query()],
    start: StartParam = None,
    limit: LimitParam = None,
    shouldReturnTotalSize: TotalSizeParam = False,
) -> Response:
    path = "/rest/api/group/member"
    return _members_page(ctx, {"name": name}, start, limit, shouldReturnTotalSize, expand, path, {"name": name})


@router.get("/group/picker", operation_id="searchGroups")
async def search_groups(
    ctx: Context,
    query: Annotated[str, Query()],
    start: StartParam = None,
    limit: LimitParam = None,
    shouldReturnTotalSize: TotalSizeParam = False,
) -> Response:
    service.require_can_use(ctx.session, ctx.principal)
    paging = _paging(start, limit)
    rows = repository.list_groups(ctx.session, start=paging.start, limit=paging.limit, query=query)
    total = repository.count_groups(ctx.session, query=query) if shouldReturnTotalSize else None
    return ok(group_page(ctx, rows, paging, path="/rest/api/group/picker", query={"query": query}, total_size=total))


@router.post("/group/userByGroupId", operation_id="addUserToGroupByGroupId", status_code=201)
async def add_user_to_group_by_group_id(
    ctx: Context, body: AccountIdBody, groupId: Annotated[str, Query()]
) -> Response:
    service.add_member(ctx.session, ctx.principal, group_id=groupId, account_id=body.accountId)
    return Response(status_code=201)


@router.delete("/group/userByGroupId", operation_id="removeMemberFromGroupByGroupId", status_code=204)
async def remove_member_from_group_by_group_id(
    ctx: Context,
    groupId: Annotated[str, Query()],
    accountId: Annotated[str | None, Query()] = None,
    username: UserKeyParam = None,
    key: UserKeyParam = None,
) -> Response:
    service.remove_member(
        ctx.session, ctx.principal, group_id=groupId, account_id=accountId, username=username, key=key
    )
    return Response(status_code=204)


@router.post("/group/user", operation_id="addUserToGroup", status_code=201, deprecated=True)
async def add_user_to_group(ctx: Context, body: AccountIdBody, name: Annotated[str, Query()]) -> Response:
    service.add_member(ctx.session, ctx.principal, name=name, account_id=body.accountId)
    return Response(status_code=201)


@router.delete("/group/user", operation_id="removeMemberFromGroup", status_code=204, deprecated=True)
async def remove_member_from_group(
    ctx: Context,
    name: Annotated[str, Query()],
    accountId: Annotated[str | None, Query()] = None,
    username: UserKeyParam = None,
    key: UserKeyParam = None,
) -> Response:
    service.remove_member(ctx.session, ctx.principal, name=name, account_id=accountId, username=username, key=key)
    return Response(status_code=204)


@router.get("/group/{groupId}/membersByGroupId", operation_id="getGroupMembersByGroupId")
async def get_group_members_by_group_id(
    ctx: Context,
    groupId: str,
    expand: ExpandParam,
    start: StartParam = None,
    limit: LimitParam = None,
    shouldReturnTotalSize: TotalSizeParam = False,
) -> Response:
    path = "/rest/api/group/{id}/membersByGroupId"
    return _members_page(ctx, {"group_id": groupId}, start, limit, shouldReturnTotalSize, expand, path, {})


@router.get("/group/{groupName}/member", operation_id="getGroupMembers", deprecated=True)
async def get_group_members(
    ctx: Context, groupName: str, expand: ExpandParam, start: StartParam = None, limit: LimitParam = None
) -> Response:
    return _members_page(ctx, {"name": groupName}, start, limit, False, expand, "/rest/api/group/{name}/member", {})


@router.get("/group/{groupName}", operation_id="getGroupByName", deprecated=True)
async def get_group_by_name(ctx: Context, groupName: str) -> Response:
    return ok(serialize_group(ctx, service.get_group(ctx.session, ctx.principal, name=groupName), top=True))
