"""v2 attachments (tag "Attachment"): v1's attachments package underneath (no uploads in v2), in
v2's AttachmentBulk/AttachmentSingle shape."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from sqlalchemy import Select, select
from starlette.responses import Response

from localfluence.api import Context, ok
from localfluence.attachments import repository as attachment_repo
from localfluence.attachments.files import media_type_description
from localfluence.attachments.serialize import download_path
from localfluence.content import queries, service
from localfluence.content import repository as repo
from localfluence.context import Ctx
from localfluence.errors import BadRequest
from localfluence.kit.clock import iso
from localfluence.kit.ids import MAX_STORED_ID
from localfluence.models import AttachmentVersion, Content, ContentLabel, ContentVersion, Label
from localfluence.people.serialize import load_users
from localfluence.v2.content_router import order_by_sort as content_order
from localfluence.v2.label_router import visible_label
from localfluence.v2.lookup import get_kind, kind_of
from localfluence.v2.paging import cursor_page, decode_cursor, parse_limit
from localfluence.v2.serialize import version_json
from localfluence.v2.space_router import label_json, optional_field

router = APIRouter(tags=["Attachment"])

STATUSES = ("current", "archived", "trashed")
SORTS = ("created-date", "-created-date", "modified-date", "-modified-date")
CONTAINER_KEYS = {"page": "pageId", "blogpost": "blogPostId", "custom-content": "customContentId"}


def serialize_attachments_v2(ctx: Ctx, rows: Sequence[Content], *, single: bool = False) -> list[dict[str, Any]]:
    if not rows:
        return []
    files = attachment_repo.versions_of_many(ctx.session, [(r.id, r.version) for r in rows])
    versions = repo.versions_of_many(ctx.session, [(r.id, r.version) for r in rows])
    users = load_users(ctx, [v.author_id for v in versions.values()])
    account_ids = {u.id: u.account_id for u in users.values()}
    containers = {
        c.id: c
        for c in ctx.session.scalars(select(Content).where(Content.id.in_({r.parent_id for r in rows if r.parent_id})))
    }
    out = []
    for row in rows:
        found = files.get((row.id, row.version))
        file, when = found if found else (None, None)
        item: dict[str, Any] = {
            "id": str(row.id),
            "status": row.status,
            "title": row.title,
            "createdAt": iso(row.created_at),
        }
        container = containers.get(row.parent_id or -1)
        if container is not None:
            item[CONTAINER_KEYS.get(kind_of(ctx, container), "pageId")] = str(container.id)
        media_type = file.media_type if file else "application/octet-stream"
        download = download_path(row.parent_id, row.title, row.version, when, kind="attachments")
        item.update(
            {
                "mediaType": media_type,
                "mediaTypeDescription": media_type_description(media_type),
                "comment": file.comment if file else "",
                "fileId": file.file_id if file else "",
                "fileSize": file.size if file else 0,
                "webuiLink": f"/pages/viewpageattachments.action?pageId={row.parent_id}&preview={row.id}",
                "downloadLink": download,
                "version": version_json(versions.get((row.id, row.version)), account_ids),
                "_links": {"webui": f"/pages/viewpageattachments.action?pageId={row.parent_id}", "download": download},
            }
        )
        if single:
            item["_links"]["base"] = ctx.links.base
        out.append(item)
    return out


def _filtered(
    query: Select[tuple[Content]], status: list[str] | None, media_type: str | None, filename: str | None
) -> Select[tuple[Content]]:
    statuses = [s for value in status or [] for s in value.split(",") if s] or ["current", "archived"]
    for s in statuses:
        if s not in STATUSES:
            raise BadRequest(f"Invalid status: {s}")
    query = query.where(Content.type == "attachment", Content.status.in_(statuses))
    if filename is not None:
        query = query.where(Content.title == filename)
    if media_type is not None:
        current = select(AttachmentVersion.content_id).where(
            AttachmentVersion.content_id == Content.id,
            AttachmentVersion.number == Content.version,
            AttachmentVersion.media_type == media_type.strip().lower(),
        )
        query = query.where(current.exists())
    return query


def _page_of(
    request: Request, ctx: Ctx, query: Select[tuple[Content]], sort: str | None, limit: int | None
) -> Response:
    if sort is not None and sort not in SORTS:
        raise BadRequest(f"Invalid sort: {sort}")
    size = parse_limit(limit, default=50)
    offset = decode_cursor(request)
    rows = list(ctx.session.scalars(query.order_by(*content_order(sort)).offset(offset).limit(size + 1)))
    results = serialize_attachments_v2(ctx, rows[:size])
    return cursor_page(request, results, offset=offset, limit=size, has_more=len(rows) > size, base=ctx.links.base)


Statuses = Annotated[list[str] | None, Query()]


@router.get("/attachments", operation_id="getAttachments")
async def get_attachments(
    request: Request,
    ctx: Context,
    sort: str | None = None,
    cursor: str | None = None,
    status: Statuses = None,
    mediaType: str | None = None,
    filename: str | None = None,
    limit: int | None = None,
) -> Response:
    query = _filtered(repo.visible(ctx.principal), status, mediaType, filename)
    return _page_of(request, ctx, query, sort, limit)


def _container_attachments(
    request: Request,
    ctx: Ctx,
    kind: str,
    raw_id: str,
    *,
    sort: str | None,
    status: list[str] | None,
    media_type: str | None,
    filename: str | None,
    limit: int | None,
) -> Response:
    container = get_kind(ctx, kind, raw_id)
    query = _filtered(
        repo.visible(ctx.principal).where(Content.parent_id == container.id), status, media_type, filename
    )
    return _page_of(request, ctx, query, sort, limit)


@router.get("/pages/{id}/attachments", operation_id="getPageAttachments")
async def get_page_attachments(
    id: str,
    request: Request,
    ctx: Context,
    sort: str | None = None,
    cursor: str | None = None,
    status: Statuses = None,
    mediaType: str | None = None,
    filename: str | None = None,
    limit: int | None = None,
) -> Response:
    return _container_attachments(
        request, ctx, "page", id, sort=sort, status=status, media_type=mediaType, filename=filename, limit=limit
    )


@router.get("/blogposts/{id}/attachments", operation_id="getBlogpostAttachments")
async def get_blogpost_attachments(
    id: str,
    request: Request,
    ctx: Context,
    sort: str | None = None,
    cursor: str | None = None,
    status: Statuses = None,
    mediaType: str | None = None,
    filename: str | None = None,
    limit: int | None = None,
) -> Response:
    return _container_attachments(
        request, ctx, "blogpost", id, sort=sort, status=status, media_type=mediaType, filename=filename, limit=limit
    )


@router.get("/custom-content/{id}/attachments", operation_id="getCustomContentAttachments")
async def get_custom_content_attachments(
    id: str,
    request: Request,
    ctx: Context,
    sort: str | None = None,
    cursor: str | None = None,
    status: Statuses = None,
    mediaType: str | None = None,
    filename: str | None = None,
    limit: int | None = None,
) -> Response:
    return _container_attachments(
        request,
        ctx,
        "custom-content",
        id,
        sort=sort,
        status=status,
        media_type=mediaType,
        filename=filename,
        limit=limit,
    )


@router.get("/labels/{id}/attachments", operation_id="getLabelAttachments")
async def get_label_attachments(
    id: str,
    request: Request,
    ctx: Context,
    sort: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Response:
    label = visible_label(ctx, id)
    query = repo.visible(ctx.principal).where(
        Content.type == "attachment",
        Content.status == "current",
        Content.id.in_(select(ContentLabel.content_id).where(ContentLabel.label_id == label.id)),
    )
    return _page_of(request, ctx, query, sort, limit)


@router.get("/attachments/{id}", operation_id="getAttachmentById")
async def get_attachment_by_id(
    id: str,
    ctx: Context,
    version: int | None = None,
    include_labels: Annotated[bool, Query(alias="include-labels")] = False,
    include_properties: Annotated[bool, Query(alias="include-properties")] = False,
    include_operations: Annotated[bool, Query(alias="include-operations")] = False,
    include_versions: Annotated[bool, Query(alias="include-versions")] = False,
    include_version: Annotated[bool, Query(alias="include-version")] = True,
) -> Response:
    content = get_kind(ctx, "attachment", id, ("current", "archived", "trashed"))
    if version is not None and version != content.version:
        found = repo.get_version(ctx.session, content.id, version) if 0 < version <= MAX_STORED_ID else None
        if found is None:
            raise repo.not_found(id)
        content = queries.content_at_version(content, found)
    item = serialize_attachments_v2(ctx, [content], single=True)[0]
    path = f"/api/v2/attachments/{item['id']}"
    if not include_version:
        item.pop("version", None)
    if include_labels:
        labels = ctx.session.scalars(
            select(Label)
            .join(ContentLabel, ContentLabel.label_id == Label.id)
            .where(ContentLabel.content_id == content.id)
            .order_by(Label.name)
            .limit(50)
        )
        item["labels"] = optional_field([label_json(label) for label in labels], f"{path}/labels")
    if include_versions:
        rows = list(
            ctx.session.scalars(
                select(ContentVersion)
                .where(ContentVersion.content_id == content.id)
                .order_by(ContentVersion.number.desc())
                .limit(50)
            )
        )
        users = load_users(ctx, (v.author_id for v in rows))
        account_ids = {u.id: u.account_id for u in users.values()}
        item["versions"] = optional_field([version_json(v, account_ids) for v in rows], f"{path}/versions")
    return ok(item)


@router.delete("/attachments/{id}", operation_id="deleteAttachment", status_code=204)
async def delete_attachment(id: str, ctx: Context, purge: bool = False) -> Response:
    content = get_kind(ctx, "attachment", id, ("trashed",) if purge else ("current", "archived"))
    service.delete_content(ctx.session, ctx.principal, content.id, "trashed" if purge else None)
    return Response(status_code=204)
