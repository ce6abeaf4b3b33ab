"""ContentProperty, SpaceProperty and UserProperty JSON, and content's metadata.properties."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from localfluence.content.serialize import METADATA_BATCH_EXPANDERS, serialize_content
from localfluence.context import Ctx
from localfluence.kit.clock import friendly, iso
from localfluence.kit.expand import Expand
from localfluence.models import Content, ContentProperty, Space, SpaceProperty, UserProperty
from localfluence.people.serialize import load_users, serialize_user
from localfluence.properties import service
from localfluence.properties.values import decode_value


def _path_key(key: str) -> str:
    return quote(key, safe="")


def serialize_content_property(
    ctx: Ctx, prop: ContentProperty, expand: Expand, content: Content | None = None, *, top: bool = False
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": str(prop.id),
        "key": prop.key,
        "value": decode_value(prop.value),
        # Spec: "By default, the version object is expanded."
        "version": {
            "when": iso(prop.updated_at),
            "message": prop.message,
            "number": prop.version,
            "minorEdit": prop.minor_edit,
            "contentTypeModified": False,
        },
    }
    if "content" in expand and content is not None:
        item["content"] = serialize_content(ctx, content, expand.child("content"), top=False)
    item["_links"] = {"self": ctx.links.api(f"/rest/api/content/{prop.content_id}/property/{_path_key(prop.key)}")}
    if top:
        item["_links"].update(ctx.links.top())
    item["_expandable"] = {
        k: v
        for k, v in (("content", f"/rest/api/content/{prop.content_id}"), ("additionalProperties", ""))
        if k not in item
    }
    return item


def serialize_space_property(
    ctx: Ctx, prop: SpaceProperty, space: Space, expand: Expand, users: dict[int, Any], *, top: bool = False
) -> dict[str, Any]:
    from localfluence.spaces.serialize import serialize_space

    author = users.get(prop.author_id) if prop.author_id is not None else None
    item: dict[str, Any] = {
        "id": str(prop.id),
        "key": prop.key,
        "value": decode_value(prop.value),
        "version": {
            "by": serialize_user(ctx, author),
            "when": iso(prop.updated_at),
            "friendlyWhen": friendly(prop.updated_at),
            "message": prop.message,
            "number": prop.version,
            "minorEdit": prop.minor_edit,
            "contentTypeModified": False,
            "_expandable": {"collaborators": "", "content": ""},
            "_links": {},
        },
    }
    if "space" in expand:
        item["space"] = serialize_space(ctx, space, expand.child("space"))
    item["_links"] = {"self": ctx.links.api(f"/rest/api/space/{space.key}/property/{_path_key(prop.key)}")}
    if top:
        item["_links"].update(ctx.links.top())
    item["_expandable"] = {k: v for k, v in (("space", f"/rest/api/space/{space.key}"),) if k not in item}
    return item


def space_property_users(ctx: Ctx, props: Sequence[SpaceProperty]) -> dict[int, Any]:
    return load_users(ctx, (p.author_id for p in props))


def serialize_user_property(ctx: Ctx, prop: UserProperty, account_id: str) -> dict[str, Any]:
    return {
        "key": prop.key,
        "value": decode_value(prop.value),
        "id": str(prop.id),
        "lastModifiedDate": iso(prop.updated_at),
        "createdDate": iso(prop.created_at),
        "_links": {"self": ctx.links.api(f"/rest/api/user/{quote(account_id, safe='')}/property/{prop.key}")},
    }


def _metadata_properties(ctx: Ctx, rows: Sequence[Content], sub: Expand) -> dict[int, Any]:
    """metadata.properties: every property of each content; metadata.properties.<key>: those keys."""
    keys = sub.names()
    found = service.properties_of_many(ctx.session, [r.id for r in rows], keys)
    return {r.id: {p.key: serialize_content_property(ctx, p, Expand()) for p in found.get(r.id, [])} for r in rows}


METADATA_BATCH_EXPANDERS["properties"] = _metadata_properties
