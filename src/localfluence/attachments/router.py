"""Attachment routes (tag "Content - attachments"), the multipart form of PUT /content/{id} that
atlassian-python-api uses for new versions, and the download URLs clients fetch directly
(/wiki/download/attachments/{pageId}/{fileName})."""

from __future__ import annotations

from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Query, Request
from fastapi.routing import APIRoute
from starlette.responses import RedirectResponse, Response
from starlette.routing import Match
from starlette.types import Scope

from localfluence.api import Context, ExpandParam, ok
from localfluence.attachments import garbage as _garbage  # noqa: F401  (deletes bytes nothing refers to)
from localfluence.attachments import repository as repo
from localfluence.attachments import serialize as _serialize  # noqa: F401  (registers the attachment shape)
from localfluence.attachments import service
from localfluence.attachments.download import blob_response
from localfluence.attachments.schemas import AttachmentPropertiesUpdate
from localfluence.attachments.serialize import download_path
from localfluence.attachments.upload import Upload, read_upload, require_xsrf_token
from localfluence.blobs.store import BlobStore
from localfluence.blobs.transaction import discard_quietly
from localfluence.content.serialize import serialize_content, serialize_contents
from localfluence.context import Ctx
from localfluence.db.handoff import release, resume
from localfluence.errors import BadRequest, NotFound
from localfluence.kit.expand import Expand
from localfluence.kit.paging import Paging, page_envelope
from localfluence.models import Content
from localfluence.sites.site import runtime_of

router = APIRouter(tags=["Content - attachments"])

# Spec (getAttachments): "By default, the following objects are expanded: metadata".
LIST_DEFAULT = Expand.parse("metadata")
WRITE_DEFAULT = Expand.parse("version,container,metadata")


def _store(request: Request) -> BlobStore:
    return runtime_of(request).blobs


@router.get("/content/{id}/child/attachment", operation_id="getAttachments")
async def get_attachments(
    id: str,
    ctx: Context,
    expand: ExpandParam,
    start: Annotated[int | None, Query()] = None,
    limit: Annotated[int | None, Query()] = None,
    filename: Annotated[str | None, Query()] = None,
    mediaType: Annotated[str | None, Query()] = None,
) -> Response:
    container = service.get_container(ctx.session, ctx.principal, service.attachment_id(id))
    paging = Paging.of(start, limit, default=25, maximum=200)
    rows = repo.list_attachments(
        ctx.session,
        ctx.principal,
        container.id,
        filename=filename,
        media_type=mediaType,
        start=paging.start,
        limit=paging.limit,
    )
    wanted = expand or LIST_DEFAULT
    return ok(
        page_envelope(
            serialize_contents(ctx, rows[: paging.limit], wanted),
            paging,
            has_more=len(rows) > paging.limit,
            path=f"/rest/api/content/{container.id}/child/attachment",
            query={"filename": filename, "mediaType": mediaType, "expand": expand.render() or None},
            links=ctx.links.top(),
        )
    )


@router.post("/content/{id}/child/attachment", operation_id="createAttachment")
async def create_attachment(
    id: str, request: Request, ctx: Context, expand: ExpandParam, status: Annotated[str | None, Query()] = None
) -> Response:
    attachments = await _add(request, ctx, service.attachment_id(id), status, replace=False)
    return ok(_written(ctx, attachments, expand))


@router.put("/content/{id}/child/attachment", operation_id="createOrUpdateAttachments")
async def create_or_update_attachments(
    id: str, request: Request, ctx: Context, expand: ExpandParam, status: Annotated[str | None, Query()] = None
) -> Response:
    attachments = await _add(request, ctx, service.attachment_id(id), status, replace=True)
    return ok(_written(ctx, attachments, expand))


@router.put("/content/{id}/child/attachment/{attachmentId}", operation_id="updateAttachmentProperties")
async def update_attachment_properties(
    id: str, attachmentId: str, ctx: Context, body: AttachmentPropertiesUpdate, expand: ExpandParam
) -> Response:
    attachment = service.update_properties(
        ctx.session, ctx.principal, service.attachment_id(id), service.attachment_id(attachmentId), body
    )
    return ok(serialize_content(ctx, attachment, expand or WRITE_DEFAULT))


@router.post("/content/{id}/child/attachment/{attachmentId}/data", operation_id="updateAttachmentData")
async def update_attachment_data(
    id: str, attachmentId: str, request: Request, ctx: Context, expand: ExpandParam
) -> Response:
    attachment = await _replace_data(request, ctx, service.attachment_id(id), service.attachment_id(attachmentId))
    return ok(serialize_content(ctx, attachment, expand or WRITE_DEFAULT))


@router.get("/content/{id}/child/attachment/{attachmentId}/download", operation_id="downloadAttatchment")
async def download_attatchment(
    id: str, attachmentId: str, ctx: Context, version: Annotated[int | None, Query()] = None
) -> Response:
    """Spec: 302 to the URL that serves the bytes (clients follow it with the same credentials)."""
    attachment = service.get_attachment(
        ctx.session, ctx.principal, service.attachment_id(id), service.attachment_id(attachmentId)
    )
    found = service.resolve_version(ctx.session, attachment, version)
    path = download_path(attachment.parent_id, attachment.title, found.version.number, None, kind="attachments")
    return RedirectResponse(ctx.links.base + path, status_code=302)


# --- PUT /content/{id} with a multipart body --------------------------------------------------


class MultipartOnlyRoute(APIRoute):
    """Matches only multipart requests, so JSON updates of /content/{id} go on to the content router."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child = super().matches(scope)
        if match is not Match.NONE and not _is_multipart(scope):
            return Match.NONE, {}
        return match, child


multipart_router = APIRouter(tags=["Content - attachments"], route_class=MultipartOnlyRoute)


@multipart_router.put("/content/{id}", include_in_schema=False)
async def update_attachment_data_by_id(id: str, request: Request, ctx: Context, expand: ExpandParam) -> Response:
    """atlassian-python-api's attach_content sends a new version of an existing file here."""
    attachment = await _replace_data(request, ctx, None, service.attachment_id(id))
    return ok(serialize_content(ctx, attachment, expand or WRITE_DEFAULT))


def _is_multipart(scope: Scope) -> bool:
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            return bool(value.lower().startswith(b"multipart/"))
    return False


# --- downloads ---------------------------------------------------------------------------------

download_router = APIRouter(tags=["Content - attachments"])


@download_router.api_route(
    "/download/attachments/{pageId}/{fileName}", methods=["GET", "HEAD"], include_in_schema=False
)
async def download_attachment_file(
    pageId: str, fileName: str, request: Request, ctx: Context, version: Annotated[str | None, Query()] = None
) -> Response:
    return await _serve(request, ctx, pageId, fileName, version)


@download_router.api_route("/download/thumbnails/{pageId}/{fileName}", methods=["GET", "HEAD"], include_in_schema=False)
async def download_thumbnail_file(
    pageId: str, fileName: str, request: Request, ctx: Context, version: Annotated[str | None, Query()] = None
) -> Response:
    # No image scaling here: the thumbnail is the image itself, which every client can show.
    return await _serve(request, ctx, pageId, fileName, version)


async def _serve(request: Request, ctx: Ctx, page_id: str, name: str, version: str | None) -> Response:
    try:
        container_id = service.attachment_id(page_id)
        number = int(version) if version not in (None, "") else None
    except (BadRequest, ValueError):
        raise NotFound(f"No attachment named {name} on content {page_id}") from None
    found = service.resolve_download(ctx.session, ctx.principal, container_id, name, number)
    # Opening and reading the blob await worker threads: hand the connection back first (what
    # blob_response needs is loaded; a download queues no side writes).
    release(ctx.session)
    return await blob_response(
        request,
        _store(request),
        key=found.blob.key,
        size=found.version.size,
        media_type=found.version.media_type,
        name=found.attachment.title,
        etag=found.blob.sha256,
    )


# --- shared upload flow --------------------------------------------------------------------------


async def _add(request: Request, ctx: Ctx, container_id: int, status: str | None, *, replace: bool) -> list[Content]:
    require_xsrf_token(request)
    # Refuse before accepting a byte of the body (404 invisible, 403 not allowed).
    service.container_for_upload(ctx.session, ctx.principal, container_id, status)
    store = _store(request)
    upload = await _receive(request, ctx, store)
    try:
        await _stage(ctx, store, upload)
        resume(ctx.session)
        return service.add_attachments(ctx.session, ctx.principal, store, container_id, status, upload, replace=replace)
    except BaseException:
        # Writers already tied to the transaction are discarded again by its rollback; harmless.
        discard_quietly(store, upload.writers)
        raise


async def _replace_data(request: Request, ctx: Ctx, container_id: int | None, attachment_id: int) -> Content:
    require_xsrf_token(request)
    # Refuse before accepting a byte of the body.
    service.attachment_for_data_update(ctx.session, ctx.principal, container_id, attachment_id)
    store = _store(request)
    upload = await _receive(request, ctx, store)
    try:
        await _stage(ctx, store, upload)
        resume(ctx.session)
        return service.update_data(ctx.session, ctx.principal, store, container_id, attachment_id, upload)
    except BaseException:
        discard_quietly(store, upload.writers)
        raise


async def _stage(ctx: Ctx, store: BlobStore, upload: Upload) -> None:
    """Slow copies to remote storage happen before any row is written: the service then writes and
    the request commits without yielding to the event loop in between, so no other request ever
    waits on this one's write lock (SQLite) while it is suspended."""
    if not store.stages_remotely or not upload.writers:
        return
    fresh = service.unknown_blobs(ctx.session, upload.writers)
    release(ctx.session)
    for writer in fresh:
        await anyio.to_thread.run_sync(store.stage, writer)


async def _receive(request: Request, ctx: Ctx, store: BlobStore) -> Upload:
    # End the transaction first: a large upload can take minutes, and holding a pooled connection
    # (and, on SQLite, the write lock this write request began with) that long would starve
    # everybody else. The caller resumes it as a writer once the bytes are in.
    release(ctx.session)
    return await read_upload(request, store, ctx.settings.max_attachment_bytes)


def _written(ctx: Ctx, attachments: list[Content], expand: Expand) -> dict[str, Any]:
    """The ContentArray Confluence answers uploads with."""
    results = serialize_contents(ctx, attachments, expand or WRITE_DEFAULT)
    return {"results": results, "start": 0, "limit": len(results), "size": len(results), "_links": ctx.links.top()}
