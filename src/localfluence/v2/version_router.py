"""v2 versions (tag "Version") of pages, blog posts, attachments, comments and custom content:
the same ContentVersion rows v1's /content/{id}/version reads."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from sqlalchemy import select
from starlette.responses import Response

from localfluence.api import Context, ok
from localfluence.attachments import repository as attachment_repo
from localfluence.content.serialize import BODY_CONVERTERS
from localfluence.context import Ctx
from localfluence.errors import BadRequest, NotFound
from localfluence.kit.clock import iso
from localfluence.models import AttachmentVersion, Content, ContentVersion
from localfluence.people.serialize import load_users
from localfluence.v2.lookup import get_kind
from localfluence.v2.paging import cursor_page, decode_cursor, parse_limit
from localfluence.v2.serialize import check_body_format

router = APIRouter(tags=["Version"])

# The key each kind's versions name their entity by (PageVersion.page, CommentVersion.comment, ...).
ENTITY_KEY = {
    "page": "page",
    "blogpost": "blogpost",
    "attachment": "attachment",
    "footer-comment": "comment",
    "inline-comment": "comment",
    "custom-content": "custom",
}
PRIMARY_FORMATS = ("storage", "atlas_doc_format")


def _entity(
    ctx: Ctx,
    kind: str,
    content: Content,
    version: ContentVersion,
    body_format: str | None,
    files: dict[tuple[int, int], tuple[AttachmentVersion, datetime]],
) -> dict[str, Any]:
    entity: dict[str, Any] = {"id": str(content.id), "title": version.title}
    if kind == "attachment":
        found = files.get((content.id, version.number), (None, None))[0]
        entity.update(
            {
                "mediaType": found.media_type if found else None,
                "mediaTypeDescription": None,
                "comment": found.comment if found else version.message,
                "fileId": found.file_id if found else None,
                "fileSize": found.size if found else None,
            }
        )
    elif body_format is not None:
        convert = BODY_CONVERTERS[body_format]
        entity["body"] = {body_format: {"representation": body_format, "value": convert(ctx, content, version.body)}}
    return entity


def _list_versions(
    request: Request,
    ctx: Ctx,
    kind: str,
    raw_id: str,
    *,
    body_format: str | None,
    sort: str | None,
    limit: int | None,
) -> Response:
    check_body_format(body_format, PRIMARY_FORMATS)
    if sort not in (None, "modified-date", "-modified-date"):
        raise BadRequest(f"Invalid sort: {sort}; use modified-date or -modified-date")
    content = get_kind(ctx, kind, raw_id)
    size = parse_limit(limit)
    offset = decode_cursor(request)
    # Newest first unless asked otherwise, as v1 lists versions.
    order = ContentVersion.number.asc() if sort == "modified-date" else ContentVersion.number.desc()
    rows = list(
        ctx.session.scalars(
            select(ContentVersion)
            .where(ContentVersion.content_id == content.id)
            .order_by(order)
            .offset(offset)
            .limit(size + 1)
        )
    )
    users = load_users(ctx, (v.author_id for v in rows))
    # One query for the page's attachment file rows, not one per version.
    files = (
        attachment_repo.versions_of_many(ctx.session, [(content.id, v.number) for v in rows[:size]])
        if kind == "attachment"
        else {}
    )
    results = [
        {
            **_version_fields(v, users),
            ENTITY_KEY[kind]: _entity(ctx, kind, content, v, body_format, files),
        }
        for v in rows[:size]
    ]
    return cursor_page(request, results, offset=offset, limit=size, has_more=len(rows) > size, base=ctx.links.base)


def _version_fields(version: ContentVersion, users: dict[int, Any]) -> dict[str, Any]:
    author = users.get(version.author_id or -1)
    return {
        "createdAt": iso(version.created_at),
        "message": version.message,
        "number": version.number,
        "minorEdit": version.minor_edit,
        "authorId": author.account_id if author else "",
    }


def _version_details(ctx: Ctx, kind: str, raw_id: str, number: int) -> Response:
    content = get_kind(ctx, kind, raw_id)
    numbers = list(ctx.session.scalars(select(ContentVersion.number).where(ContentVersion.content_id == content.id)))
    if number not in numbers:
        raise NotFound(f"No version {number} of content {raw_id}")
    version = ctx.session.scalar(
        select(ContentVersion).where(ContentVersion.content_id == content.id, ContentVersion.number == number)
    )
    assert version is not None
    users = load_users(ctx, [version.author_id])
    fields = _version_fields(version, users)
    earlier = [n for n in numbers if n < number]
    later = [n for n in numbers if n > number]
    return ok(
        {
            "number": version.number,
            "authorId": fields["authorId"],
            "message": version.message,
            "createdAt": fields["createdAt"],
            "minorEdit": version.minor_edit,
            "contentTypeModified": False,
            "collaborators": [fields["authorId"]] if fields["authorId"] else [],
            "prevVersion": max(earlier) if earlier else None,
            "nextVersion": min(later) if later else None,
        }
    )


BodyFormat = Annotated[str | None, Query(alias="body-format")]


@router.get("/attachments/{id}/versions", operation_id="getAttachmentVersions")
async def get_attachment_versions(
    id: str,
    request: Request,
    ctx: Context,
    cursor: str | None = None,
    limit: int | None = None,
    sort: str | None = None,
) -> Response:
    return _list_versions(request, ctx, "attachment", id, body_format=None, sort=sort, limit=limit)


@router.get("/attachments/{attachment_id}/versions/{version_number}", operation_id="getAttachmentVersionDetails")
async def get_attachment_version_details(attachment_id: str, version_number: int, ctx: Context) -> Response:
    return _version_details(ctx, "attachment", attachment_id, version_number)


@router.get("/blogposts/{id}/versions", operation_id="getBlogPostVersions")
async def get_blog_post_versions(
    id: str,
    request: Request,
    ctx: Context,
    body_format: BodyFormat = None,
    cursor: str | None = None,
    limit: int | None = None,
    sort: str | None = None,
) -> Response:
    return _list_versions(request, ctx, "blogpost", id, body_format=body_format, sort=sort, limit=limit)


@router.get("/blogposts/{blogpost_id}/versions/{version_number}", operation_id="getBlogPostVersionDetails")
async def get_blog_post_version_details(blogpost_id: str, version_number: int, ctx: Context) -> Response:
    return _version_details(ctx, "blogpost", blogpost_id, version_number)


@router.get("/pages/{id}/versions", operation_id="getPageVersions")
async def get_page_versions(
    id: str,
    request: Request,
    ctx: Context,
    body_format: BodyFormat = None,
    cursor: str | None = None,
    limit: int | None = None,
    sort: str | None = None,
) -> Response:
    return _list_versions(request, ctx, "page", id, body_format=body_format, sort=sort, limit=limit)


@router.get("/pages/{page_id}/versions/{version_number}", operation_id="getPageVersionDetails")
async def get_page_version_details(page_id: str, version_number: int, ctx: Context) -> Response:
    return _version_details(ctx, "page", page_id, version_number)


@router.get("/custom-content/{custom_content_id}/versions", operation_id="getCustomContentVersions")
async def get_custom_content_versions(
    custom_content_id: str,
    request: Request,
    ctx: Context,
    body_format: BodyFormat = None,
    cursor: str | None = None,
    limit: int | None = None,
    sort: str | None = None,
) -> Response:
    return _list_versions(
        request, ctx, "custom-content", custom_content_id, body_format=body_format, sort=sort, limit=limit
    )


@router.get(
    "/custom-content/{custom_content_id}/versions/{version_number}", operation_id="getCustomContentVersionDetails"
)
async def get_custom_content_version_details(custom_content_id: str, version_number: int, ctx: Context) -> Response:
    return _version_details(ctx, "custom-content", custom_content_id, version_number)


@router.get("/footer-comments/{id}/versions", operation_id="getFooterCommentVersions")
async def get_footer_comment_versions(
    id: str,
    request: Request,
    ctx: Context,
    body_format: BodyFormat = None,
    cursor: str | None = None,
    limit: int | None = None,
    sort: str | None = None,
) -> Response:
    return _list_versions(request, ctx, "footer-comment", id, body_format=body_format, sort=sort, limit=limit)


@router.get("/footer-comments/{id}/versions/{version_number}", operation_id="getFooterCommentVersionDetails")
async def get_footer_comment_version_details(id: str, version_number: int, ctx: Context) -> Response:
    return _version_details(ctx, "footer-comment", id, version_number)


@router.get("/inline-comments/{id}/versions", operation_id="getInlineCommentVersions")
async def get_inline_comment_versions(
    id: str,
    request: Request,
    ctx: Context,
    body_format: BodyFormat = None,
    cursor: str | None = None,
    limit: int | None = None,
    sort: str | None = None,
) -> Response:
    return _list_versions(request, ctx, "inline-comment", id, body_format=body_format, sort=sort, limit=limit)


@router.get("/inline-comments/{id}/versions/{version_number}", operation_id="getInlineCommentVersionDetails")
async def get_inline_comment_version_details(id: str, version_number: int, ctx: Context) -> Response:
    return _version_details(ctx, "inline-comment", id, version_number)
