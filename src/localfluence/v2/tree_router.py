"""v2 folders, whiteboards, databases and smart links (tags "Folder", "Whiteboard", "Database",
"Smart Link"): content rows of types folder/whiteboard/database/embed created and deleted through
the v1 content service, so the one visibility rule and the space's page permissions govern them.

They sit at a space's root or below a page or folder (content.service.may_hang_below). Whiteboard
and database contents are not modelled: their body is empty. A smart link keeps its URL as its
storage body, a link, so v1 readers see it as one."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from localfluence.api import Context, ok
from localfluence.content import repository as repo
from localfluence.content import service
from localfluence.content.schemas import BodyValue, ContentCreate, ContentRef, SpaceRef
from localfluence.context import Ctx
from localfluence.errors import BadRequest
from localfluence.kit.clock import iso
from localfluence.kit.requestbody import RequestBody as Body
from localfluence.models import Content, Space
from localfluence.people.serialize import load_users
from localfluence.v2.space_router import space_by_id

router = APIRouter()

DEFAULT_TITLES = {
    "folder": "Untitled folder",
    "whiteboard": "Untitled whiteboard",
    "database": "Untitled database",
    "embed": "Untitled Smart Link",
}
LINK = re.compile(r'<a href="([^"]*)"')


class TreeCreate(Body):
    spaceId: str
    title: str | None = None
    parentId: str | None = None
    embedUrl: str | None = None
    templateKey: str | None = None


def serialize_tree_item(ctx: Ctx, content: Content) -> dict[str, Any]:
    """FolderSingle / WhiteboardSingle / DatabaseSingle / SmartLinkSingle."""
    version = repo.get_version(ctx.session, content.id, content.version)
    users = load_users(ctx, [content.creator_id, version.author_id if version else None])
    author = users.get(content.creator_id) if content.creator_id is not None else None
    editor = users.get(version.author_id) if version is not None and version.author_id is not None else None
    parent = ctx.session.get(Content, content.parent_id) if content.parent_id else None
    author_id = author.account_id if author is not None else ""
    item: dict[str, Any] = {
        "id": str(content.id),
        "type": content.type,
        "status": content.status,
        "title": content.title,
        "parentId": str(parent.id) if parent is not None else None,
        "parentType": parent.type if parent is not None else None,
        "position": content.position,
        "authorId": author_id,
        "ownerId": author_id,
        "createdAt": iso(content.created_at),
        "version": {
            "createdAt": iso(version.created_at) if version else None,
            "message": version.message if version else "",
            "number": content.version,
            "minorEdit": version.minor_edit if version else False,
            "authorId": editor.account_id if editor is not None else "",
        },
    }
    if content.type == "embed":
        found = LINK.search(version.body if version else "")
        item["embedUrl"] = html.unescape(found.group(1)) if found else None
    space = ctx.session.get_one(Space, content.space_id)
    item["_links"] = {"webui": f"/spaces/{space.key}/{content.type}s/{content.id}", "base": ctx.links.base}
    return item


def _create(ctx: Ctx, content_type: str, data: TreeCreate) -> Response:
    space = space_by_id(ctx, data.spaceId)
    body = None
    if content_type == "embed":
        if not data.embedUrl or not data.embedUrl.startswith(("http://", "https://")):
            raise BadRequest("A Smart Link needs an embedUrl (http or https)")
        url = html.escape(data.embedUrl, quote=True)
        body = {"storage": BodyValue(value=f'<p><a href="{url}">{url}</a></p>', representation="storage")}
    title = data.title if data.title and data.title.strip() else DEFAULT_TITLES[content_type]
    create = ContentCreate(
        type=content_type,
        title=title,
        space=SpaceRef(key=space.key),
        ancestors=[ContentRef(id=data.parentId)] if data.parentId else None,
        body=body,
    )
    content = service.create_content(ctx.session, ctx.principal, create, "current")
    return ok(serialize_tree_item(ctx, content))


def _get(ctx: Ctx, content_type: str, raw_id: str) -> Content:
    content = repo.get_content(
        ctx.session, ctx.principal, service.parse_content_id(raw_id), ("current", "archived", "draft")
    )
    if content.type != content_type:
        raise repo.not_found(raw_id)
    return content


def _routes(content_type: str, collection: str, name: str, tag: str) -> None:
    async def create(ctx: Context, body: TreeCreate) -> Response:
        return _create(ctx, content_type, body)

    async def get_by_id(id: str, ctx: Context) -> Response:
        return ok(serialize_tree_item(ctx, _get(ctx, content_type, id)))

    async def delete(id: str, ctx: Context) -> Response:
        content = _get(ctx, content_type, id)
        service.delete_content(ctx.session, ctx.principal, content.id, None)
        return Response(status_code=204)

    handlers: list[tuple[str, str, Callable[..., Any], str, int]] = [
        ("POST", f"/{collection}", create, f"create{name}", 200),
        ("GET", f"/{collection}/{{id}}", get_by_id, f"get{name}ById", 200),
        ("DELETE", f"/{collection}/{{id}}", delete, f"delete{name}", 204),
    ]
    for method, path, handler, operation_id, status in handlers:
        router.add_api_route(path, handler, methods=[method], operation_id=operation_id, status_code=status, tags=[tag])


_routes("folder", "folders", "Folder", "Folder")
_routes("whiteboard", "whiteboards", "Whiteboard", "Whiteboard")
_routes("database", "databases", "Database", "Database")
_routes("embed", "embeds", "SmartLink", "Smart Link")
