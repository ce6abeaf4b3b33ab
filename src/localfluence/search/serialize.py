"""SearchResult JSON (spec: SearchPageResponseSearchResult) for content, space and user hits."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from localfluence.content.links import webui
from localfluence.content.serialize import serialize_contents, spaces_of, versions_of
from localfluence.context import Ctx
from localfluence.kit.clock import friendly, iso
from localfluence.kit.expand import Expand
from localfluence.models import Content, Space, User
from localfluence.people.serialize import serialize_user
from localfluence.search import cursor as cursors
from localfluence.search import excerpt as excerpts
from localfluence.search import repository as repo
from localfluence.search.service import Hits
from localfluence.spaces.serialize import serialize_spaces

ICONS = {
    "page": "aui-icon content-type-page",
    "blogpost": "aui-icon content-type-blogpost",
    "comment": "aui-icon content-type-comment",
    "attachment": "aui-icon content-type-attachment-generic",
}


def content_results(ctx: Ctx, hits: Hits, expand: Expand, mode: str) -> list[dict[str, Any]]:
    rows: list[Content] = hits.rows
    if not rows:
        return []
    serialized = serialize_contents(ctx, rows, expand)
    spaces = spaces_of(ctx, {r.space_id for r in rows})
    # content.last_modified_at is the current version's created_at (kept by triggers); the
    # versions are read only for rows written before it existed.
    stale = [(r.id, r.version) for r in rows if r.last_modified_at is None]
    versions = versions_of(ctx, stale) if stale else {}
    bodies = repo.bodies_unchecked(ctx.session, [r.id for r in rows])
    highlighter = excerpts.Highlighter(hits.texts)
    out = []
    for row, item, score in zip(rows, serialized, hits.scores, strict=True):
        for key in ("childTypes", "restrictions"):
            item.setdefault(key, {})
        space = spaces[row.space_id]
        version = versions.get((row.id, row.version))
        modified = row.last_modified_at or (version.created_at if version else row.created_at)
        out.append(
            {
                "content": item,
                "title": excerpts.title(row.title, highlighter, mode),
                "excerpt": excerpts.excerpt(bodies.get(row.id, ""), highlighter, mode),
                "url": webui(row, space.key),
                "resultGlobalContainer": {"title": space.name, "displayUrl": f"/spaces/{space.key}"},
                "breadcrumbs": [],
                "entityType": "content",
                "iconCssClass": ICONS.get(row.type, "aui-icon content-type-page"),
                "lastModified": iso(modified),
                "friendlyLastModified": friendly(modified),
                "score": score,
            }
        )
    return out


def space_results(ctx: Ctx, hits: Hits, expand: Expand, mode: str) -> list[dict[str, Any]]:
    spaces: list[Space] = hits.rows
    highlighter = excerpts.Highlighter(hits.texts)
    out = []
    for space, item in zip(spaces, serialize_spaces(ctx, spaces, expand), strict=True):
        out.append(
            {
                "space": item,
                "title": excerpts.title(space.name, highlighter, mode),
                "excerpt": excerpts.excerpt(space.description, highlighter, mode),
                "url": f"/spaces/{space.key}",
                "breadcrumbs": [],
                "entityType": "space",
                "iconCssClass": "aui-icon space-avatar",
                "lastModified": iso(space.created_at),
                "friendlyLastModified": friendly(space.created_at),
                "score": 0.0,
            }
        )
    return out


def user_results(ctx: Ctx, hits: Hits, expand: Expand) -> list[dict[str, Any]]:
    users: list[User] = hits.rows
    return [
        {
            "user": serialize_user(ctx, user, expand),
            "title": user.display_name,
            "excerpt": "",
            "url": f"/people/{user.account_id}",
            "breadcrumbs": [],
            "entityType": "user",
            "iconCssClass": "aui-icon content-type-profile",
            "lastModified": iso(user.created_at),
            "friendlyLastModified": friendly(user.created_at),
            "score": 0.0,
        }
        for user in users
    ]


def links(ctx: Ctx, hits: Hits, path: str, query: dict[str, Any], *, cursor_paging: bool = True) -> dict[str, str]:
    """_links with next/prev relative to base (no /wiki), carrying the whole query along."""
    clean = {k: v for k, v in query.items() if v not in (None, "", False)}
    out = dict(ctx.links.top())
    out["self"] = ctx.links.base + path + ("?" + urlencode(clean) if clean else "")
    page = hits.paging

    def at(offset: int) -> str:
        where = {"cursor": cursors.encode(offset, hits.fingerprint)} if cursor_paging else {"start": offset}
        return f"{path}?{urlencode({**clean, 'limit': page.limit, **where})}"

    if hits.has_more and page.limit > 0:
        out["next"] = at(page.offset + page.limit)
    if page.offset > 0:
        out["prev"] = at(max(0, page.offset - max(page.limit, 1)))
    return out
