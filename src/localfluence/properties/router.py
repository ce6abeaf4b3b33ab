"""Property routes (tags "Content properties", "Space properties", "User properties")."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from starlette.responses import Response

from localfluence.api import Context, ExpandParam, ok
from localfluence.content.service import parse_content_id
from localfluence.errors import BadRequest, Conflict
from localfluence.kit.expand import Expand
from localfluence.kit.paging import Paging, page_envelope
from localfluence.properties import service, values
from localfluence.properties.serialize import (
    serialize_content_property,
    serialize_space_property,
    serialize_user_property,
    space_property_users,
)

Start = Annotated[int | None, Query()]
Limit = Annotated[int | None, Query()]
JsonBody = Annotated[Any, Body()]

content_router = APIRouter(tags=["Content properties"])


@content_router.get("/content/{id}/property", operation_id="getContentProperties")
async def get_content_properties(
    id: str,
    ctx: Context,
    expand: ExpandParam,
    key: Annotated[list[str] | None, Query()] = None,
    start: Start = None,
    limit: Limit = None,
) -> Response:
    content = service.readable_content(ctx.session, ctx.principal, parse_content_id(id))
    paging = Paging.of(start, limit, default=10, maximum=200)
    keys = [k for chunk in key or [] for k in chunk.split(",") if k]
    rows = service.list_content_properties(ctx.session, content.id, keys=keys, start=paging.start, limit=paging.limit)
    results = [serialize_content_property(ctx, p, expand, content) for p in rows[: paging.limit]]
    return ok(
        page_envelope(
            results,
            paging,
            has_more=len(rows) > paging.limit,
            path=f"/rest/api/content/{content.id}/property",
            query={"key": keys or None, "expand": expand.render() or None},
            links=ctx.links.top(),
        )
    )


@content_router.post("/content/{id}/property", operation_id="createContentProperty")
async def create_content_property(id: str, ctx: Context, body: JsonBody) -> Response:
    data = values.body_object(body)
    content = service.editable_content(ctx.session, ctx.principal, parse_content_id(id))
    prop = service.create_content_property(
        ctx.session, ctx.principal, content, data.get("key"), values.required_value(data)
    )
    return ok(serialize_content_property(ctx, prop, Expand(), content, top=True))


@content_router.get("/content/{id}/property/{key}", operation_id="getContentProperty")
async def get_content_property(
    id: str,
    key: str,
    ctx: Context,
    expand: ExpandParam,
    status: Annotated[list[str] | None, Query()] = None,
) -> Response:
    from localfluence.content.queries import parse_statuses

    statuses = parse_statuses(status, default=service.DEFAULT_GET_STATUSES)
    content = service.readable_content(ctx.session, ctx.principal, parse_content_id(id), statuses)
    prop = service.get_content_property(ctx.session, content, key)
    return ok(serialize_content_property(ctx, prop, expand, content, top=True))


@content_router.put("/content/{id}/property/{key}", operation_id="updateContentProperty")
async def update_content_property(id: str, key: str, ctx: Context, body: JsonBody) -> Response:
    data = values.body_object(body)
    content = service.editable_content(ctx.session, ctx.principal, parse_content_id(id))
    prop = service.update_content_property(ctx.session, ctx.principal, content, key, data)
    return ok(serialize_content_property(ctx, prop, Expand(), content, top=True))


@content_router.post("/content/{id}/property/{key}", operation_id="createContentPropertyForKey")
async def create_content_property_for_key(id: str, key: str, ctx: Context, body: JsonBody) -> Response:
    data = values.body_object(body)
    content = service.editable_content(ctx.session, ctx.principal, parse_content_id(id))
    prop = service.create_content_property(ctx.session, ctx.principal, content, key, values.required_value(data))
    return ok(serialize_content_property(ctx, prop, Expand(), content, top=True))


@content_router.delete("/content/{id}/property/{key}", operation_id="deleteContentProperty", status_code=204)
async def delete_content_property(id: str, key: str, ctx: Context) -> Response:
    content = service.editable_content(ctx.session, ctx.principal, parse_content_id(id))
    service.delete_content_property(ctx.session, content, key)
    return Response(status_code=204)


space_router = APIRouter(tags=["Space properties"])
SPACE_DEFAULT = Expand.parse("version")


@space_router.get("/space/{spaceKey}/property", operation_id="getSpaceProperties")
async def get_space_properties(
    spaceKey: str, ctx: Context, expand: ExpandParam, start: Start = None, limit: Limit = None
) -> Response:
    space = service.readable_space(ctx.session, ctx.principal, spaceKey)
    paging = Paging.of(start, limit, default=10, maximum=200)
    rows = service.list_space_properties(ctx.session, space.id, start=paging.start, limit=paging.limit)
    page = rows[: paging.limit]
    users = space_property_users(ctx, page)
    results = [serialize_space_property(ctx, p, space, expand, users) for p in page]
    return ok(
        page_envelope(
            results,
            paging,
            has_more=len(rows) > paging.limit,
            path=f"/rest/api/space/{space.key}/property",
            query={"expand": expand.render() or None},
            links=ctx.links.top(),
        )
    )


@space_router.post("/space/{spaceKey}/property", operation_id="createSpaceProperty")
async def create_space_property(spaceKey: str, ctx: Context, body: JsonBody) -> Response:
    data = values.body_object(body)
    space = service.administered_space(ctx.session, ctx.principal, spaceKey)
    space_ref = data.get("space")
    if isinstance(space_ref, dict) and space_ref.get("key") not in (None, space.key):
        raise BadRequest(f"The space key in the body ({space_ref.get('key')}) does not match the path ({space.key})")
    prop = service.create_space_property(
        ctx.session, ctx.principal, space, data.get("key"), values.required_value(data), exists_error=Conflict
    )
    users = space_property_users(ctx, [prop])
    return ok(serialize_space_property(ctx, prop, space, SPACE_DEFAULT, users, top=True))


@space_router.get("/space/{spaceKey}/property/{key}", operation_id="getSpaceProperty")
async def get_space_property(spaceKey: str, key: str, ctx: Context, expand: ExpandParam) -> Response:
    space = service.readable_space(ctx.session, ctx.principal, spaceKey)
    prop = service.get_space_property(ctx.session, space, key)
    users = space_property_users(ctx, [prop])
    return ok(serialize_space_property(ctx, prop, space, expand, users, top=True))


@space_router.put("/space/{spaceKey}/property/{key}", operation_id="updateSpaceProperty")
async def update_space_property(spaceKey: str, key: str, ctx: Context, body: JsonBody) -> Response:
    data = values.body_object(body)
    space = service.administered_space(ctx.session, ctx.principal, spaceKey)
    prop = service.update_space_property(ctx.session, ctx.principal, space, key, data)
    users = space_property_users(ctx, [prop])
    return ok(serialize_space_property(ctx, prop, space, SPACE_DEFAULT, users, top=True))


@space_router.post("/space/{spaceKey}/property/{key}", operation_id="createSpacePropertyForKey")
async def create_space_property_for_key(spaceKey: str, key: str, ctx: Context, body: JsonBody) -> Response:
    data = values.body_object(body)
    space = service.administered_space(ctx.session, ctx.principal, spaceKey)
    prop = service.create_space_property(
        ctx.session, ctx.principal, space, key, values.required_value(data), exists_error=BadRequest
    )
    users = space_property_users(ctx, [prop])
    return ok(serialize_space_property(ctx, prop, space, SPACE_DEFAULT, users, top=True))


@space_router.delete("/space/{spaceKey}/property/{key}", operation_id="deleteSpaceProperty", status_code=204)
async def delete_space_property(spaceKey: str, key: str, ctx: Context) -> Response:
    space = service.administered_space(ctx.session, ctx.principal, spaceKey)
    service.delete_space_property(ctx.session, space, key)
    return Response(status_code=204)


user_router = APIRouter(tags=["User properties"])


@user_router.get("/user/{userId}/property", operation_id="getUserProperties")
async def get_user_properties(userId: str, ctx: Context, start: Start = None, limit: Limit = None) -> Response:
    user = service.property_owner(ctx.session, ctx.principal, userId)
    paging = Paging.of(start, limit, default=5, maximum=25)
    rows = service.list_user_properties(ctx.session, user, start=paging.start, limit=paging.limit)
    results = [{"key": p.key} for p in rows[: paging.limit]]
    return ok(
        page_envelope(
            results,
            paging,
            has_more=len(rows) > paging.limit,
            path=f"/rest/api/user/{userId}/property",
            query={},
            links=ctx.links.top(),
        )
    )


@user_router.get("/user/{userId}/property/{key}", operation_id="getUserProperty")
async def get_user_property(userId: str, key: str, ctx: Context) -> Response:
    user = service.property_owner(ctx.session, ctx.principal, userId)
    prop = service.get_user_property(ctx.session, user, key)
    return ok(serialize_user_property(ctx, prop, user.account_id))


@user_router.put("/user/{userId}/property/{key}", operation_id="updateUserProperty", status_code=204)
async def update_user_property(userId: str, key: str, ctx: Context, body: JsonBody) -> Response:
    user = service.property_owner(ctx.session, ctx.principal, userId)
    service.update_user_property(ctx.session, user, key, body)
    return Response(status_code=204)


@user_router.post("/user/{userId}/property/{key}", operation_id="createUserProperty", status_code=201)
async def create_user_property(userId: str, key: str, ctx: Context, body: JsonBody) -> Response:
    user = service.property_owner(ctx.session, ctx.principal, userId)
    service.create_user_property(ctx.session, user, key, body)
    return Response(status_code=201)


@user_router.delete("/user/{userId}/property/{key}", operation_id="deleteUserProperty", status_code=204)
async def delete_user_property(userId: str, key: str, ctx: Context) -> Response:
    user = service.property_owner(ctx.session, ctx.principal, userId)
    service.delete_user_property(ctx.session, user, key)
    return Response(status_code=204)


def _register_create_hook() -> None:
    from localfluence.content.service import CREATE_HOOKS

    if service.create_with_content not in CREATE_HOOKS:
        CREATE_HOOKS.append(service.create_with_content)


_register_create_hook()
