"""Content restriction routes (tag "Content restrictions")."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from starlette.responses import Response

from localfluence.api import Context, ExpandParam, ok
from localfluence.errors import BadRequest, NotFound
from localfluence.kit.paging import Paging
from localfluence.restrictions import serialize, service
from localfluence.restrictions.schemas import OPERATIONS, parse_restrictions

router = APIRouter(tags=["Content restrictions"])

Start = Annotated[int | None, Query()]
Limit = Annotated[int | None, Query()]
RestrictionsBody = Annotated[
    Any,
    Body(
        description="ContentRestrictionAddOrUpdateArray: an array of {operation, restrictions: {user, group}}, "
        "or an object holding it in 'results'",
    ),
]
AccountId = Annotated[str | None, Query()]
# Deprecated user lookups (Server-style clients still send them).
Username = Annotated[str | None, Query(deprecated=True)]
Key = Annotated[str | None, Query(deprecated=True)]


def _paging(start: int | None, limit: int | None) -> Paging:
    return Paging.of(start, limit, default=serialize.DEFAULT_LIMIT, maximum=serialize.DEFAULT_LIMIT)


@router.get("/content/{id}/restriction", operation_id="getRestrictions")
async def get_restrictions(
    id: str, ctx: Context, expand: ExpandParam, start: Start = None, limit: Limit = None
) -> Response:
    content = service.readable_content(ctx.session, ctx.principal, id)
    paging = _paging(start, limit)
    return ok(serialize.restriction_array(ctx, content, expand, start=paging.start, limit=paging.limit))


@router.put("/content/{id}/restriction", operation_id="updateRestrictions")
async def update_restrictions(id: str, ctx: Context, expand: ExpandParam, body: RestrictionsBody) -> Response:
    changes = parse_restrictions(body)
    content = service.restrictable_content(ctx.session, ctx.principal, id)
    service.update_restrictions(ctx.session, ctx.principal, content, changes)
    return ok(serialize.restriction_array(ctx, content, expand))


@router.post("/content/{id}/restriction", operation_id="addRestrictions")
async def add_restrictions(id: str, ctx: Context, expand: ExpandParam, body: RestrictionsBody) -> Response:
    changes = parse_restrictions(body)
    content = service.restrictable_content(ctx.session, ctx.principal, id)
    service.add_restrictions(ctx.session, ctx.principal, content, changes)
    return ok(serialize.restriction_array(ctx, content, expand))


@router.delete("/content/{id}/restriction", operation_id="deleteRestrictions")
async def delete_restrictions(id: str, ctx: Context, expand: ExpandParam) -> Response:
    content = service.restrictable_content(ctx.session, ctx.principal, id)
    service.delete_restrictions(ctx.session, content)
    return ok(serialize.restriction_array(ctx, content, expand))


@router.get("/content/{id}/restriction/byOperation", operation_id="getRestrictionsByOperation")
async def get_restrictions_by_operation(id: str, ctx: Context, expand: ExpandParam) -> Response:
    content = service.readable_content(ctx.session, ctx.principal, id)
    return ok(serialize.by_operation(ctx, content, expand))


@router.get("/content/{id}/restriction/byOperation/{operationKey}", operation_id="getRestrictionsForOperation")
async def get_restrictions_for_operation(
    id: str, operationKey: str, ctx: Context, expand: ExpandParam, start: Start = None, limit: Limit = None
) -> Response:
    operation = service.check_operation(operationKey)
    content = service.readable_content(ctx.session, ctx.principal, id)
    paging = _paging(start, limit)
    return ok(serialize.one_operation(ctx, content, operation, expand, start=paging.start, limit=paging.limit))


# --- one group, by name (deprecated) and by id ------------------------------------------------


def _operation_or_404(operation: str) -> str:
    # Spec: these endpoints answer 404 for "an invalid operation or group".
    if operation not in OPERATIONS:
        raise NotFound(f"Invalid restriction operation: {operation}; use read or update")
    return operation


@router.get(
    "/content/{id}/restriction/byOperation/{operationKey}/group/{groupName}",
    operation_id="getContentRestrictionStatusForGroup",
    deprecated=True,
)
async def get_content_restriction_status_for_group(
    id: str, operationKey: str, groupName: str, ctx: Context
) -> Response:
    operation = _operation_or_404(operationKey)
    content = service.readable_content(ctx.session, ctx.principal, id)
    group = service.group_by_name(ctx.session, groupName)
    return _status(service.names_group(ctx.session, content, operation, group))


@router.put(
    "/content/{id}/restriction/byOperation/{operationKey}/group/{groupName}",
    operation_id="addGroupToContentRestriction",
    deprecated=True,
)
async def add_group_to_content_restriction(id: str, operationKey: str, groupName: str, ctx: Context) -> Response:
    operation = _operation_or_404(operationKey)
    content = service.restrictable_content(ctx.session, ctx.principal, id)
    service.add_group(ctx.session, ctx.principal, content, operation, service.group_by_name(ctx.session, groupName))
    return _empty()


@router.delete(
    "/content/{id}/restriction/byOperation/{operationKey}/group/{groupName}",
    operation_id="removeGroupFromContentRestrictionById",
    deprecated=True,
)
async def remove_group_from_content_restriction_by_id(
    id: str, operationKey: str, groupName: str, ctx: Context
) -> Response:
    operation = _operation_or_404(operationKey)
    content = service.restrictable_content(ctx.session, ctx.principal, id)
    service.remove_group(ctx.session, ctx.principal, content, operation, service.group_by_name(ctx.session, groupName))
    return _empty()


@router.get(
    "/content/{id}/restriction/byOperation/{operationKey}/byGroupId/{groupId}",
    operation_id="getIndividualGroupRestrictionStatusByGroupId",
)
async def get_individual_group_restriction_status_by_group_id(
    id: str, operationKey: str, groupId: str, ctx: Context
) -> Response:
    operation = _operation_or_404(operationKey)
    content = service.readable_content(ctx.session, ctx.principal, id)
    group = service.group_by_id(ctx.session, groupId)
    return _status(service.names_group(ctx.session, content, operation, group))


@router.put(
    "/content/{id}/restriction/byOperation/{operationKey}/byGroupId/{groupId}",
    operation_id="addGroupToContentRestrictionByGroupId",
)
async def add_group_to_content_restriction_by_group_id(
    id: str, operationKey: str, groupId: str, ctx: Context
) -> Response:
    operation = _operation_or_404(operationKey)
    content = service.restrictable_content(ctx.session, ctx.principal, id)
    service.add_group(ctx.session, ctx.principal, content, operation, _group_id_or_400(ctx, groupId))
    return _empty()


@router.delete(
    "/content/{id}/restriction/byOperation/{operationKey}/byGroupId/{groupId}",
    operation_id="removeGroupFromContentRestriction",
)
async def remove_group_from_content_restriction(id: str, operationKey: str, groupId: str, ctx: Context) -> Response:
    operation = _operation_or_404(operationKey)
    content = service.restrictable_content(ctx.session, ctx.principal, id)
    service.remove_group(ctx.session, ctx.principal, content, operation, service.group_by_id(ctx.session, groupId))
    return _empty()


def _group_id_or_400(ctx, group_id: str):  # type: ignore[no-untyped-def]
    # Spec (addGroupToContentRestrictionByGroupId): 400 "Group Id is not valid".
    try:
        return service.group_by_id(ctx.session, group_id)
    except NotFound as exc:
        raise BadRequest(exc.message) from None


# --- one user ---------------------------------------------------------------------------------


@router.get(
    "/content/{id}/restriction/byOperation/{operationKey}/user", operation_id="getContentRestrictionStatusForUser"
)
async def get_content_restriction_status_for_user(
    id: str, operationKey: str, ctx: Context, accountId: AccountId = None, username: Username = None, key: Key = None
) -> Response:
    operation = _operation_or_404(operationKey)
    content = service.readable_content(ctx.session, ctx.principal, id)
    user = service.user_for_lookup(ctx.session, account_id=accountId, username=username, key=key, missing=NotFound)
    return _status(service.names_user(ctx.session, content, operation, user))


@router.put("/content/{id}/restriction/byOperation/{operationKey}/user", operation_id="addUserToContentRestriction")
async def add_user_to_content_restriction(
    id: str, operationKey: str, ctx: Context, accountId: AccountId = None, username: Username = None, key: Key = None
) -> Response:
    operation = _operation_or_404(operationKey)
    content = service.restrictable_content(ctx.session, ctx.principal, id)
    user = service.user_for_lookup(ctx.session, account_id=accountId, username=username, key=key, missing=BadRequest)
    service.add_user(ctx.session, ctx.principal, content, operation, user)
    return _empty()


@router.delete(
    "/content/{id}/restriction/byOperation/{operationKey}/user", operation_id="removeUserFromContentRestriction"
)
async def remove_user_from_content_restriction(
    id: str, operationKey: str, ctx: Context, accountId: AccountId = None, username: Username = None, key: Key = None
) -> Response:
    operation = _operation_or_404(operationKey)
    content = service.restrictable_content(ctx.session, ctx.principal, id)
    user = service.user_for_lookup(ctx.session, account_id=accountId, username=username, key=key, missing=NotFound)
    service.remove_user(ctx.session, ctx.principal, content, operation, user)
    return _empty()


def _status(applies: bool) -> Response:
    # Confluence answers with the status code alone: 200 when the restriction names the subject.
    if not applies:
        raise NotFound("The restriction does not apply to the given subject")
    return _empty()


def _empty() -> Response:
    return Response(status_code=200)
