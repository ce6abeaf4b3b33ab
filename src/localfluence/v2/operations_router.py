"""v2 permitted operations (tag "Operation"): what the caller may do with an object, answered by
the access.checks functions that enforce those operations, so the answer and the enforcement
cannot disagree. Invisible objects are 404, as everywhere."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from localfluence.access import checks
from localfluence.api import Context, ok
from localfluence.comments import service as comments
from localfluence.content import repository as repo
from localfluence.content import service
from localfluence.context import Ctx
from localfluence.kit.expand import Expand
from localfluence.models import Content
from localfluence.spaces.serialize import space_operations
from localfluence.v2.space_router import space_by_id

router = APIRouter(tags=["Operation"])


def content_operations(ctx: Ctx, content: Content, target_type: str) -> list[dict[str, str]]:
    ops = [{"operation": "read", "targetType": target_type}]
    if checks.can_edit_content(ctx.session, ctx.principal, content):
        ops.append({"operation": "update", "targetType": target_type})
    if checks.can_delete_content(ctx.session, ctx.principal, content):
        ops.append({"operation": "delete", "targetType": target_type})
    return ops


def _content(ctx: Ctx, raw_id: str, accepts: Callable[[Ctx, Content], bool]) -> Content:
    content = repo.get_content(
        ctx.session, ctx.principal, service.parse_content_id(raw_id), ("current", "archived", "draft")
    )
    if not accepts(ctx, content):
        raise repo.not_found(raw_id)
    return content


def _of_type(content_type: str) -> Callable[[Ctx, Content], bool]:
    return lambda ctx, content: content.type == content_type


def _comment_at(location: str) -> Callable[[Ctx, Content], bool]:
    def accepts(ctx: Ctx, content: Content) -> bool:
        if content.type != "comment":
            return False
        placement = comments.placements_of_many(ctx.session, [content.id]).get(content.id)
        return (placement.location if placement is not None else "footer") == location

    return accepts


def _custom(ctx: Ctx, content: Content) -> bool:
    return service.is_custom(content.type)


# (path collection, operationId, which rows qualify, the targetType the answer names)
CONTENT_KINDS: list[tuple[str, str, Callable[[Ctx, Content], bool], str]] = [
    ("attachments", "getAttachmentOperations", _of_type("attachment"), "attachment"),
    ("blogposts", "getBlogPostOperations", _of_type("blogpost"), "blogpost"),
    ("custom-content", "getCustomContentOperations", _custom, "custom-content"),
    ("pages", "getPageOperations", _of_type("page"), "page"),
    ("whiteboards", "getWhiteboardOperations", _of_type("whiteboard"), "whiteboard"),
    ("databases", "getDatabaseOperations", _of_type("database"), "database"),
    ("embeds", "getSmartLinkOperations", _of_type("embed"), "embed"),
    ("folders", "getFolderOperations", _of_type("folder"), "folder"),
    ("footer-comments", "getFooterCommentOperations", _comment_at("footer"), "comment"),
    ("inline-comments", "getInlineCommentOperations", _comment_at("inline"), "comment"),
]


def _register(collection: str, operation_id: str, accepts: Callable[[Ctx, Content], bool], target: str) -> None:
    async def get_operations(id: str, ctx: Context) -> Response:
        content = _content(ctx, id, accepts)
        return ok({"operations": content_operations(ctx, content, target)})

    router.add_api_route(f"/{collection}/{{id}}/operations", get_operations, methods=["GET"], operation_id=operation_id)


for _kind in CONTENT_KINDS:
    _register(*_kind)


@router.get("/spaces/{id}/operations", operation_id="getSpaceOperations")
async def get_space_operations(id: str, ctx: Context) -> Response:
    space = space_by_id(ctx, id)
    found: dict[int, Any] = space_operations(ctx, [space], Expand())
    return ok({"operations": found.get(space.id, [])})
