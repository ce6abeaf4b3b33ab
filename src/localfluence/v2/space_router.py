"""v2 spaces (tag "Space"): the v1 space repository and service underneath, in v2's shape."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import Field
from sqlalchemy import Select, select
from starlette.responses import Response

from localfluence.api import Context, ok
from localfluence.context import Ctx
from localfluence.errors import BadRequest, NotFound
from localfluence.kit.clock import iso
from localfluence.kit.expand import EMPTY
from localfluence.kit.ids import parse_id, parse_id_list
from localfluence.kit.requestbody import RequestBody as Body
from localfluence.models import Label, Relation, Space, SpaceLabel, SpaceProperty, User
from localfluence.people.serialize import load_users
from localfluence.properties.serialize import space_property_users
from localfluence.properties.values import decode_value
from localfluence.relations.service import FAVOURITE
from localfluence.spaces import repository as space_repo
from localfluence.spaces import service as space_service
from localfluence.spaces.schemas import PlainValue, SpaceCreate, SpaceDescriptionIn
from localfluence.spaces.serialize import SPACE_EXPANDERS
from localfluence.v2.paging import cursor_page, decode_cursor, parse_limit

router = APIRouter(tags=["Space"])

SORTS = {"id": (Space.id,), "key": (Space.key, Space.id), "name": (Space.name, Space.id)}
TYPES = ("global", "collaboration", "knowledge_base", "personal")
DESCRIPTION_FORMATS = ("plain", "view")
ICON = {"path": "/wiki/images/logo/default-space-logo-256.png", "apiDownloadLink": ""}


def split_list(values: list[str] | None) -> list[str]:
    """v2 takes arrays both repeated and comma-separated."""
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


def space_by_id(ctx: Ctx, space_id: str) -> Space:
    """A readable space by its numeric id; missing and unreadable answer alike."""
    number = parse_id(space_id, "space id")
    space = None
    if number is not None:
        space = ctx.session.scalar(space_repo.visible_spaces(ctx.principal).where(Space.id == number))
    if space is None:
        raise NotFound(f"No space with id {space_id}")
    return space


def serialize_spaces_v2(
    ctx: Ctx, spaces: Sequence[Space], *, description_format: str | None, include_icon: bool, single: bool = False
) -> list[dict[str, Any]]:
    users = load_users(ctx, [s.creator_id for s in spaces])
    out = []
    for space in spaces:
        creator = users.get(space.creator_id or -1)
        item: dict[str, Any] = {
            "id": str(space.id),
            "key": space.key,
            "name": space.name,
            "type": space.type,
            "status": space.status,
            "authorId": creator.account_id if creator else "",
            "createdAt": iso(space.created_at),
            "homepageId": str(space.homepage_id) if space.homepage_id else None,
            "spaceOwnerId": creator.account_id if creator else None,
            "currentActiveAlias": space.key,
        }
        if description_format:
            value = space.description if description_format == "plain" else escape(space.description)
            item["description"] = {description_format: {"representation": description_format, "value": value}}
        if include_icon:
            item["icon"] = ICON
        item["_links"] = {"webui": f"/spaces/{space.key}"}
        if single:
            item["_links"]["base"] = ctx.links.base
        out.append(item)
    return out


def _check_description_format(value: str | None) -> None:
    if value is not None and value not in DESCRIPTION_FORMATS:
        raise BadRequest(f"Invalid description-format: {value}; use plain or view")


def optional_field(results: list[Any], path: str) -> dict[str, Any]:
    """An include-* field: the first results, with a link to the full list."""
    return {"results": results, "meta": {"hasMore": False, "cursor": None}, "_links": {"self": path}}


@router.get("/spaces", operation_id="getSpaces")
async def get_spaces(
    request: Request,
    ctx: Context,
    ids: Annotated[list[str] | None, Query()] = None,
    keys: Annotated[list[str] | None, Query()] = None,
    type: str | None = None,
    status: str | None = None,
    labels: Annotated[list[str] | None, Query()] = None,
    favorited_by: Annotated[str | None, Query(alias="favorited-by")] = None,
    not_favorited_by: Annotated[str | None, Query(alias="not-favorited-by")] = None,
    sort: str | None = None,
    description_format: Annotated[str | None, Query(alias="description-format")] = None,
    include_icon: Annotated[bool, Query(alias="include-icon")] = False,
    cursor: str | None = None,
    limit: int | None = None,
) -> Response:
    _check_description_format(description_format)
    if type is not None and type not in TYPES:
        raise BadRequest(f"Invalid type: {type}")
    if status is not None and status not in ("current", "archived"):
        raise BadRequest(f"Invalid status: {status}")
    size = parse_limit(limit)
    offset = decode_cursor(request)
    query = space_repo.visible_spaces(ctx.principal)
    wanted_ids = parse_id_list(ids, "ids")
    if wanted_ids is not None:
        query = query.where(Space.id.in_(wanted_ids))
    if keys is not None:
        query = query.where(Space.key.in_(split_list(keys)))
    if type:
        query = query.where(Space.type == type)
    if status:
        query = query.where(Space.status == status)
    names = split_list(labels)
    if names:
        labelled = select(SpaceLabel.space_id).join(Label, Label.id == SpaceLabel.label_id).where(Label.name.in_(names))
        query = query.where(Space.id.in_(labelled))
    if favorited_by:
        query = query.where(Space.id.in_(_favourites(favorited_by)))
    if not_favorited_by:
        query = query.where(Space.id.not_in(_favourites(not_favorited_by)))
    descending = bool(sort and sort.startswith("-"))
    columns = SORTS.get((sort or "id").lstrip("-"))
    if columns is None:
        raise BadRequest(f"Invalid sort: {sort}")
    query = query.order_by(*(c.desc() if descending else c.asc() for c in columns))
    rows = list(ctx.session.scalars(query.offset(offset).limit(size + 1)))
    results = serialize_spaces_v2(ctx, rows[:size], description_format=description_format, include_icon=include_icon)
    return cursor_page(request, results, offset=offset, limit=size, has_more=len(rows) > size, base=ctx.links.base)


def _favourites(account_id: str) -> Select[tuple[int]]:
    """Spaces the user marked with the relations package's "favourite" relation."""
    return (
        select(Relation.target_id)
        .join(User, User.id == Relation.source_id)
        .where(
            Relation.name == FAVOURITE,
            Relation.source_type == "user",
            Relation.target_type == "space",
            User.account_id == account_id,
        )
    )


class DescriptionV2(Body):
    value: str = Field(default="", max_length=10_000)
    representation: str = "plain"


class SpaceCreateV2(Body):
    name: str = Field(min_length=1, max_length=200)
    key: str | None = Field(default=None, max_length=255)
    alias: str | None = Field(default=None, max_length=255)
    description: DescriptionV2 | None = None
    roleAssignments: Any = None
    copySpaceAccessConfiguration: Any = None
    createPrivateSpace: bool = False
    templateKey: str | None = None


@router.post("/spaces", operation_id="createSpace", status_code=201)
async def create_space(ctx: Context, body: SpaceCreateV2) -> Response:
    data = SpaceCreate(
        key=body.key,
        alias=body.alias,
        name=body.name,
        description=SpaceDescriptionIn(plain=PlainValue(value=body.description.value)) if body.description else None,
    )
    space = space_service.create_space(ctx.session, ctx.principal, data, private=body.createPrivateSpace)
    result = serialize_spaces_v2(ctx, [space], description_format="plain", include_icon=False, single=True)[0]
    return ok(result, status=201)


@router.get("/spaces/{id}", operation_id="getSpaceById")
async def get_space_by_id(
    id: str,
    ctx: Context,
    description_format: Annotated[str | None, Query(alias="description-format")] = None,
    include_icon: Annotated[bool, Query(alias="include-icon")] = False,
    include_operations: Annotated[bool, Query(alias="include-operations")] = False,
    include_properties: Annotated[bool, Query(alias="include-properties")] = False,
    include_permissions: Annotated[bool, Query(alias="include-permissions")] = False,
    include_role_assignments: Annotated[bool, Query(alias="include-role-assignments")] = False,
    include_labels: Annotated[bool, Query(alias="include-labels")] = False,
) -> Response:
    _check_description_format(description_format)
    space = space_by_id(ctx, id)
    item = serialize_spaces_v2(
        ctx, [space], description_format=description_format, include_icon=include_icon, single=True
    )[0]
    base = f"/api/v2/spaces/{space.id}"
    if include_labels:
        from localfluence.labels import service as label_service

        found = label_service.space_labels(ctx.session, space.id, prefix=None, start=0, limit=50)
        item["labels"] = optional_field([label_json(label) for label in found], f"{base}/labels")
    if include_operations:
        ops = SPACE_EXPANDERS["operations"](ctx, [space], EMPTY)[space.id]
        item["operations"] = optional_field(ops, f"{base}/operations")
    if include_properties:
        from localfluence.properties import service as property_service

        props = property_service.list_space_properties(ctx.session, space.id, start=0, limit=50)
        item["properties"] = optional_field(space_properties_json(ctx, props), f"{base}/properties")
    if include_permissions:
        from localfluence.v2.space_access_router import permission_assignments

        item["permissions"] = optional_field(permission_assignments(ctx, space)[:50], f"{base}/permissions")
    if include_role_assignments:
        from localfluence.v2.space_access_router import role_assignments

        item["roleAssignments"] = optional_field(role_assignments(ctx, space)[:50], f"{base}/role-assignments")
    return ok(item)


def label_json(label: Label) -> dict[str, Any]:
    return {"id": str(label.id), "name": label.name, "prefix": label.prefix}


def space_properties_json(ctx: Ctx, props: Sequence[SpaceProperty]) -> list[dict[str, Any]]:
    users = space_property_users(ctx, props)
    out = []
    for prop in props:
        author = users.get(prop.author_id or -1)
        account_id = author.account_id if author else ""
        out.append(
            {
                "id": str(prop.id),
                "key": prop.key,
                "value": decode_value(prop.value),
                "createdAt": iso(prop.updated_at),
                "createdBy": account_id,
                "version": {
                    "createdAt": iso(prop.updated_at),
                    "createdBy": account_id,
                    "message": prop.message,
                    "number": prop.version,
                },
            }
        )
    return out
