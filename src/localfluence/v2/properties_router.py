"""v2 content properties (tag "Content Properties"): one implementation over the v1 properties
service, its routes generated per entity type with the spec's own paths and operationIds.

v2 addresses a property by its id, not its key; the rules (key and value limits, create refusing
an existing key, update as a compare-and-set on version + 1, 409 otherwise) are the v1 service's."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import select
from starlette.responses import Response

from localfluence.api import Context, ok
from localfluence.content import repository as content_repo
from localfluence.content import service as content_service
from localfluence.content.types import is_custom
from localfluence.context import Ctx
from localfluence.errors import BadRequest, NotFound
from localfluence.kit.bodyfirst import RawBody
from localfluence.kit.clock import iso
from localfluence.kit.ids import parse_id
from localfluence.models import Content, ContentProperty
from localfluence.people.serialize import load_users
from localfluence.properties import service
from localfluence.properties.values import body_object, decode_value
from localfluence.v2.paging import cursor_page, decode_cursor, parse_limit

router = APIRouter(tags=["Content Properties"])


@dataclass(frozen=True)
class Entity:
    """One kind of v2 object that carries content properties."""

    name: str  # the operationId's word: Page, Blogpost, Attachment, ...
    collection: str  # the path's first segment: pages, blogposts, ...
    # The id's name in the list/create and the by-id paths; the spec's "page-id" is served as
    # {page_id}, as Starlette's path parameters cannot hold a hyphen.
    list_param: str
    item_param: str
    accepts: Callable[[str], bool]  # which content types are this entity


def _is(*types: str) -> Callable[[str], bool]:
    return lambda content_type: content_type in types


ENTITIES = (
    Entity("Attachment", "attachments", "attachment_id", "attachment_id", _is("attachment")),
    Entity("Blogpost", "blogposts", "blogpost_id", "blogpost_id", _is("blogpost")),
    Entity("CustomContent", "custom-content", "custom_content_id", "custom_content_id", is_custom),
    Entity("Page", "pages", "page_id", "page_id", _is("page")),
    Entity("Comment", "comments", "comment_id", "comment_id", _is("comment")),
    Entity("Whiteboard", "whiteboards", "id", "whiteboard_id", _is("whiteboard")),
    Entity("Database", "databases", "id", "database_id", _is("database")),
    Entity("SmartLink", "embeds", "id", "embed_id", _is("embed")),
    Entity("Folder", "folders", "id", "folder_id", _is("folder")),
)


def _owner(ctx: Ctx, entity: Entity, raw_id: str, *, write: bool) -> Content:
    content_id = content_service.parse_content_id(raw_id)
    if write:
        content = service.editable_content(ctx.session, ctx.principal, content_id)
    else:
        content = service.readable_content(ctx.session, ctx.principal, content_id)
    if not entity.accepts(content.type):
        raise content_repo.not_found(raw_id)
    return content


def _property(ctx: Ctx, content: Content, raw_id: str) -> ContentProperty:
    prop_id = parse_id(raw_id, "property id")
    prop = (
        ctx.session.scalar(
            select(ContentProperty).where(ContentProperty.id == prop_id, ContentProperty.content_id == content.id)
        )
        if prop_id is not None
        else None
    )
    if prop is None:
        raise NotFound(f"No property with id {raw_id} on content {content.id}")
    return prop


def serialize_property_v2(ctx: Ctx, props: Sequence[ContentProperty]) -> list[dict[str, Any]]:
    users = load_users(ctx, [p.author_id for p in props])
    out = []
    for prop in props:
        author = users.get(prop.author_id) if prop.author_id is not None else None
        out.append(
            {
                "id": str(prop.id),
                "key": prop.key,
                "value": decode_value(prop.value),
                "version": {
                    "createdAt": iso(prop.updated_at),
                    "message": prop.message,
                    "number": prop.version,
                    "minorEdit": prop.minor_edit,
                    "authorId": author.account_id if author is not None else "",
                },
            }
        )
    return out


SORTS = {"key": ContentProperty.key.asc(), "-key": ContentProperty.key.desc()}


def list_properties(request: Request, ctx: Ctx, entity: Entity) -> Response:
    content = _owner(ctx, entity, request.path_params[entity.list_param], write=False)
    params = request.query_params
    sort = params.get("sort")
    if sort is not None and sort not in SORTS:
        raise BadRequest(f"Invalid sort: {sort}; use key or -key")
    size = parse_limit(_int_param(params.get("limit")))
    offset = decode_cursor(request)
    query = select(ContentProperty).where(ContentProperty.content_id == content.id)
    if params.get("key") is not None:
        query = query.where(ContentProperty.key == params["key"])
    query = query.order_by(SORTS.get(sort or "key", ContentProperty.key.asc()), ContentProperty.id)
    rows = list(ctx.session.scalars(query.offset(offset).limit(size + 1)))
    results = serialize_property_v2(ctx, rows[:size])
    return cursor_page(request, results, offset=offset, limit=size, has_more=len(rows) > size, base=ctx.links.base)


def _int_param(raw: str | None) -> int | None:
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        raise BadRequest(f"Invalid limit: {raw}") from None


def _json(raw: bytes) -> dict[str, Any]:
    try:
        return body_object(json.loads(raw))  # what request.json() does
    except ValueError:
        raise BadRequest("The request body must be JSON") from None


def _handlers(entity: Entity) -> dict[str, Callable[..., Any]]:
    async def get_properties(request: Request, ctx: Context) -> Response:
        return list_properties(request, ctx, entity)

    # RawBody before Context: the body is read before the write transaction begins.
    async def create_property(request: Request, raw: RawBody, ctx: Context) -> Response:
        body = _json(raw)
        content = _owner(ctx, entity, request.path_params[entity.list_param], write=True)
        prop = service.create_content_property(ctx.session, ctx.principal, content, body.get("key"), body.get("value"))
        return ok(serialize_property_v2(ctx, [prop])[0])

    async def get_property(request: Request, ctx: Context) -> Response:
        content = _owner(ctx, entity, request.path_params[entity.item_param], write=False)
        prop = _property(ctx, content, request.path_params["property_id"])
        return ok(serialize_property_v2(ctx, [prop])[0])

    async def update_property(request: Request, raw: RawBody, ctx: Context) -> Response:
        body = _json(raw)
        content = _owner(ctx, entity, request.path_params[entity.item_param], write=True)
        prop = _property(ctx, content, request.path_params["property_id"])
        if body.get("version") is None:
            raise BadRequest("version.number is required")
        # v2 may rename nothing: the key in the body, when sent, must be the property's.
        body.setdefault("key", prop.key)
        updated = service.update_content_property(ctx.session, ctx.principal, content, prop.key, body)
        ctx.session.refresh(updated)
        return ok(serialize_property_v2(ctx, [updated])[0])

    async def delete_property(request: Request, ctx: Context) -> Response:
        content = _owner(ctx, entity, request.path_params[entity.item_param], write=True)
        prop = _property(ctx, content, request.path_params["property_id"])
        service.delete_content_property(ctx.session, content, prop.key)
        return Response(status_code=204)

    return {
        "list": get_properties,
        "create": create_property,
        "get": get_property,
        "update": update_property,
        "delete": delete_property,
    }


def _operation_ids(entity: Entity) -> dict[str, str]:
    name = entity.name
    return {
        "list": f"get{name}ContentProperties",
        "create": f"create{name}Property",
        "get": f"get{name}ContentPropertiesById",
        "update": f"update{name}PropertyById",
        "delete": f"delete{name}PropertyById",
    }


def _register() -> None:
    for entity in ENTITIES:
        handlers = _handlers(entity)
        ids = _operation_ids(entity)
        listing = f"/{entity.collection}/{{{entity.list_param}}}/properties"
        item = f"/{entity.collection}/{{{entity.item_param}}}/properties/{{property_id}}"
        router.add_api_route(listing, handlers["list"], methods=["GET"], operation_id=ids["list"])
        router.add_api_route(listing, handlers["create"], methods=["POST"], operation_id=ids["create"])
        router.add_api_route(item, handlers["get"], methods=["GET"], operation_id=ids["get"])
        router.add_api_route(item, handlers["update"], methods=["PUT"], operation_id=ids["update"])
        router.add_api_route(item, handlers["delete"], methods=["DELETE"], operation_id=ids["delete"], status_code=204)


_register()
