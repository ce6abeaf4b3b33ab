"""v2 JSON for pages and blog posts (PageSingle/PageBulk, BlogPostSingle/BlogPostBulk, Version),
batch-loaded like the v1 serializers: one query per kind of data for a whole result page."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from localfluence.content import repository as repo
from localfluence.content.links import content_links
from localfluence.content.serialize import BODY_CONVERTERS, prefetch_current_versions, spaces_of, versions_of
from localfluence.context import Ctx
from localfluence.errors import BadRequest
from localfluence.kit.clock import iso
from localfluence.models import Content, ContentVersion
from localfluence.people.serialize import load_users

BODY_FORMATS = ("storage", "atlas_doc_format", "view", "export_view", "anonymous_export_view", "styled_view", "editor")


def check_body_format(body_format: str | None, allowed: Sequence[str] = BODY_FORMATS) -> str | None:
    """The representation to include, or None; "none" (which clients send) asks for no body."""
    if body_format == "none":
        return None
    if body_format is not None and body_format not in allowed:
        raise BadRequest(f"Invalid body-format: {body_format}; use one of {', '.join(allowed)}")
    return body_format


def version_json(version: ContentVersion | None, account_ids: dict[int, str]) -> dict[str, Any]:
    if version is None:
        return {}
    return {
        "createdAt": iso(version.created_at),
        "message": version.message,
        "number": version.number,
        "minorEdit": version.minor_edit,
        "authorId": account_ids.get(version.author_id or -1, ""),
    }


def serialize_content_v2(
    ctx: Ctx, rows: Sequence[Content], *, body_format: str | None = None, single: bool = False
) -> list[dict[str, Any]]:
    """Pages and blog posts in v2's shape; `body` holds the requested representation only."""
    if not rows:
        return []
    # Versions, their authors and spaces in one statement, as v1 responses load them.
    prefetch_current_versions(ctx, rows)
    versions = versions_of(ctx, [(r.id, r.version) for r in rows])
    users = load_users(ctx, [r.creator_id for r in rows] + [v.author_id for v in versions.values()])
    account_ids = {u.id: u.account_id for u in users.values()}
    spaces = spaces_of(ctx, {r.space_id for r in rows})
    joined = [getattr(r, "joined", None) for r in rows]
    if all(j is not None for j in joined):
        # Point reads bring their parent's type along.
        parent_types = {r.parent_id: j.parent_type for r, j in zip(rows, joined, strict=True) if r.parent_id}
    else:
        parent_types = repo.content_types_unchecked(ctx.session, {r.parent_id for r in rows if r.parent_id})
    out = []
    for row in rows:
        version = versions.get((row.id, row.version))
        item: dict[str, Any] = {
            "id": str(row.id),
            "status": row.status,
            "title": row.title,
            "spaceId": str(row.space_id),
        }
        if row.type == "page":
            item["parentId"] = str(row.parent_id) if row.parent_id else None
            item["parentType"] = parent_types.get(row.parent_id) if row.parent_id else None
            item["position"] = row.position
        item["authorId"] = account_ids.get(row.creator_id or -1, "")
        if row.type == "page":
            item["ownerId"] = item["authorId"]
            item["lastOwnerId"] = None
        item["createdAt"] = iso(row.created_at)
        item["version"] = version_json(version, account_ids)
        body: dict[str, Any] = {}
        if body_format is not None:
            convert = BODY_CONVERTERS.get(body_format)
            if convert is not None:
                body[body_format] = {
                    "representation": body_format,
                    "value": convert(ctx, row, version.body if version else ""),
                }
        item["body"] = body
        links = content_links(ctx, row, spaces[row.space_id].key)
        item["_links"] = {k: v for k, v in links.items() if k in ("webui", "editui", "tinyui")}
        if single:
            item["_links"]["base"] = ctx.links.base
        out.append(item)
    return out
