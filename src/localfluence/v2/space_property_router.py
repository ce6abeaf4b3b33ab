"""v2 space properties (tag "Space Properties"): v1's space property service, addressed by id."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request
from sqlalchemy import select
from starlette.responses import Response

from localfluence.api import Context, ok
from localfluence.context import Ctx
from localfluence.errors import Conflict, NotFound
from localfluence.kit.ids import parse_id
from localfluence.models import Space, SpaceProperty
from localfluence.properties import service, values
from localfluence.v2.paging import cursor_page, decode_cursor, parse_limit
from localfluence.v2.space_router import space_by_id, space_properties_json

router = APIRouter(tags=["Space Properties"])
JsonBody = Annotated[Any, Body()]


def _administered(ctx: Ctx, space_id: str) -> Space:
    return service.administered(ctx.session, ctx.principal, space_by_id(ctx, space_id))


def _property(ctx: Ctx, space: Space, property_id: str) -> SpaceProperty:
    number = parse_id(property_id)
    prop = (
        ctx.session.scalar(select(SpaceProperty).where(SpaceProperty.space_id == space.id, SpaceProperty.id == number))
        if number is not None
        else None
    )
    if prop is None:
        raise NotFound(f"No space property with id {property_id} in space {space.id}")
    return prop


@router.get("/spaces/{space_id}/properties", operation_id="getSpaceProperties")
async def get_space_properties(
    space_id: str,
    request: Request,
    ctx: Context,
    key: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Response:
    space = space_by_id(ctx, space_id)
    size = parse_limit(limit)
    offset = decode_cursor(request)
    query = select(SpaceProperty).where(SpaceProperty.space_id == space.id).order_by(SpaceProperty.key)
    if key is not None:
        query = query.where(SpaceProperty.key == key)
    rows = list(ctx.session.scalars(query.offset(offset).limit(size + 1)))
    results = space_properties_json(ctx, rows[:size])
    return cursor_page(request, results, offset=offset, limit=size, has_more=len(rows) > size, base=ctx.links.base)


@router.post("/spaces/{space_id}/properties", operation_id="createSpaceProperty", status_code=201)
async def create_space_property(space_id: str, ctx: Context, body: JsonBody) -> Response:
    data = values.body_object(body)
    space = _administered(ctx, space_id)
    prop = service.create_space_property(
        ctx.session, ctx.principal, space, data.get("key"), data.get("value"), exists_error=Conflict
    )
    return ok(space_properties_json(ctx, [prop])[0], status=201)


@router.get("/spaces/{space_id}/properties/{property_id}", operation_id="getSpacePropertyById")
async def get_space_property_by_id(space_id: str, property_id: str, ctx: Context) -> Response:
    space = space_by_id(ctx, space_id)
    return ok(space_properties_json(ctx, [_property(ctx, space, property_id)])[0])


@router.put("/spaces/{space_id}/properties/{property_id}", operation_id="updateSpacePropertyById")
async def update_space_property_by_id(space_id: str, property_id: str, ctx: Context, body: JsonBody) -> Response:
    data: dict[str, Any] = dict(values.body_object(body))
    space = _administered(ctx, space_id)
    prop = _property(ctx, space, property_id)
    updated = service.update_space_property(ctx.session, ctx.principal, space, prop.key, data)
    return ok(space_properties_json(ctx, [updated])[0])


@router.delete("/spaces/{space_id}/properties/{property_id}", operation_id="deleteSpacePropertyById", status_code=204)
async def delete_space_property_by_id(space_id: str, property_id: str, ctx: Context) -> Response:
    space = _administered(ctx, space_id)
    prop = _property(ctx, space, property_id)
    service.delete_space_property(ctx.session, space, prop.key)
    return Response(status_code=204)
