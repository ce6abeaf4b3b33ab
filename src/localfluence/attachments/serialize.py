"""Attachment JSON: the content shape plus extensions {mediaType, fileSize, comment, ...},
_links.download (and .thumbnail), and metadata.mediaType/comment when metadata is expanded.
Registered on the content serializer, so every rendering of an attachment carries them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from localfluence.attachments import repository as repo
from localfluence.attachments.files import has_thumbnail, media_type_description
from localfluence.content.serialize import TYPE_DECORATORS
from localfluence.context import Ctx
from localfluence.models import Content


def download_path(container_id: int | None, name: str, version: int, when: datetime | None, *, kind: str) -> str:
    """/download/attachments/{pageId}/{file}?version=N&modificationDate=…&api=v2, relative to _links.base."""
    query = f"version={version}"
    if when is not None:
        query += f"&modificationDate={_epoch_ms(when)}&cacheVersion=1"
    return f"/download/{kind}/{container_id}/{quote(name, safe='')}?{query}&api=v2"


def _epoch_ms(when: datetime) -> int:
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return int(when.timestamp() * 1000)


def decorate_attachments(ctx: Ctx, rows: Sequence[Content], items: list[dict[str, Any]]) -> None:
    versions = repo.versions_of_many(ctx.session, [(r.id, r.version) for r in rows])
    for row, item in zip(rows, items, strict=True):
        found = versions.get((row.id, row.version))
        if found is None:
            continue
        version, when = found
        item["extensions"] = {
            "mediaType": version.media_type,
            "fileSize": version.size,
            "comment": version.comment,
            "mediaTypeDescription": media_type_description(version.media_type),
            "fileId": version.file_id,
            "collectionName": f"contentId-{row.parent_id}",
        }
        links = item["_links"]
        links["download"] = download_path(row.parent_id, row.title, row.version, when, kind="attachments")
        if has_thumbnail(version.media_type):
            links["thumbnail"] = download_path(row.parent_id, row.title, row.version, when, kind="thumbnails")
        metadata = item.get("metadata")
        if isinstance(metadata, dict):
            metadata["mediaType"] = version.media_type
            metadata["comment"] = version.comment


TYPE_DECORATORS["attachment"] = decorate_attachments
