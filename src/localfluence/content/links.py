"""_links of content: webui paths as Confluence Cloud writes them, and tiny links."""

from __future__ import annotations

import base64
from functools import lru_cache
from urllib.parse import quote_plus

from localfluence.context import Ctx
from localfluence.models import Content


# Cached: every content in every response has webui links, and quoting walks the title byte by byte.
@lru_cache(maxsize=8192)
def slug(title: str) -> str:
    return quote_plus(title, safe="")


@lru_cache(maxsize=8192)
def _preview_slug(title: str) -> str:
    return quote_plus(title)


@lru_cache(maxsize=8192)
def tiny(content_id: int) -> str:
    """Confluence's tiny link code: the id's little-endian bytes in URL-safe base64, trimmed."""
    raw = content_id.to_bytes(8, "little").rstrip(b"\0") or b"\0"
    code = base64.b64encode(raw).decode().rstrip("=")
    return code.replace("/", "-").replace("+", "_").rstrip("A") or "A"


def webui(content: Content, space_key: str) -> str:
    if content.type == "blogpost" and content.posting_day:
        y, m, d = content.posting_day.split("-")
        return f"/spaces/{space_key}/blog/{y}/{m}/{d}/{content.id}/{slug(content.title)}"
    if content.type == "comment":
        return f"/spaces/{space_key}/pages/{content.parent_id}?focusedCommentId={content.id}"
    if content.type == "attachment":
        preview = f"/{content.parent_id}/{content.id}/{_preview_slug(content.title)}"
        return f"/pages/viewpageattachments.action?pageId={content.parent_id}&preview={preview}"
    return f"/spaces/{space_key}/pages/{content.id}/{slug(content.title)}"


def content_links(ctx: Ctx, content: Content, space_key: str) -> dict[str, str]:
    content_id, content_type = content.id, content.type
    if content_type == "page":
        # The common case, without webui's branches: every content of every response has these.
        return {
            "self": f"{ctx.links.base}/rest/api/content/{content_id}",
            "tinyui": f"/x/{tiny(content_id)}",
            "webui": f"/spaces/{space_key}/pages/{content_id}/{slug(content.title)}",
            "collection": "/rest/api/content",
            "editui": f"/pages/resumedraft.action?draftId={content_id}",
            "edituiv2": f"/spaces/{space_key}/pages/edit-v2/{content_id}",
        }
    links = {
        "self": f"{ctx.links.base}/rest/api/content/{content_id}",
        "tinyui": f"/x/{tiny(content_id)}",
        "webui": webui(content, space_key),
        "collection": "/rest/api/content",
    }
    if content_type == "blogpost":
        links["editui"] = f"/pages/resumedraft.action?draftId={content_id}"
        links["edituiv2"] = f"/spaces/{space_key}/pages/edit-v2/{content_id}"
    return links
