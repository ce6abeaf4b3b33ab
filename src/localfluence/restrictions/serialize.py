"""ContentRestriction JSON (operation, restrictions.user / .group, content), the arrays and the
`restrictions` expansion on content. A result page of content costs three queries (entries, users,
groups) whatever its size."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from localfluence.access import subjects
from localfluence.content.serialize import CONTENT_EXPANDERS, serialize_contents
from localfluence.context import Ctx
from localfluence.kit.expand import Expand
from localfluence.models import Content, ContentRestriction, Group, User
from localfluence.people.serialize import serialize_user
from localfluence.restrictions import repository as repo
from localfluence.restrictions.schemas import OPERATIONS

# Spec (getRestrictionsByOperation): restrictions.user and restrictions.group are expanded by default.
DEFAULT_EXPAND = Expand.parse("restrictions.user,restrictions.group")
DEFAULT_LIMIT = 100


@dataclass
class Loaded:
    """Restriction entries of some content with their users and groups."""

    entries: dict[int, list[ContentRestriction]]
    users: dict[int, User]
    groups: dict[str, Group]

    @classmethod
    def of(cls, ctx: Ctx, content_ids: Sequence[int]) -> Loaded:
        rows = repo.entries_of_many(ctx.session, content_ids)
        by_content: dict[int, list[ContentRestriction]] = {i: [] for i in content_ids}
        for row in rows:
            by_content[row.content_id].append(row)
        users = subjects.users_by_id(ctx.session, {r.user_id for r in rows if r.user_id is not None})
        groups = subjects.groups_by_id(ctx.session, {r.group_id for r in rows if r.group_id is not None})
        return cls(by_content, users, groups)


def serialize_group(ctx: Ctx, group: Group) -> dict[str, Any]:
    return {
        "type": "group",
        "name": group.name,
        "id": group.id,
        "_links": {"self": ctx.links.api(f"/rest/api/group/by-id?id={quote(group.id)}")},
    }


def _array(items: list[Any], start: int, limit: int) -> dict[str, Any]:
    page = items[start : start + limit]
    return {"results": page, "start": start, "limit": limit, "size": len(page)}


def serialize_restriction(
    ctx: Ctx,
    content: Content,
    operation: str,
    loaded: Loaded,
    expand: Expand,
    *,
    start: int = 0,
    limit: int = DEFAULT_LIMIT,
    content_json: dict[str, Any] | None = None,
) -> dict[str, Any]:
    entries = [e for e in loaded.entries.get(content.id, []) if e.operation == operation]
    item: dict[str, Any] = {"operation": operation}
    if "restrictions" in expand:
        sub = expand.child("restrictions")
        restrictions: dict[str, Any] = {}
        if "user" in sub:
            users = [loaded.users[e.user_id] for e in entries if e.user_id is not None and e.user_id in loaded.users]
            restrictions["user"] = _array([serialize_user(ctx, u) for u in users], start, limit)
        if "group" in sub:
            groups = [
                loaded.groups[e.group_id] for e in entries if e.group_id is not None and e.group_id in loaded.groups
            ]
            restrictions["group"] = _array([serialize_group(ctx, g) for g in groups], start, limit)
        restrictions["_expandable"] = {k: "" for k in ("user", "group") if k not in restrictions}
        item["restrictions"] = restrictions
    if "content" in expand:
        item["content"] = (
            content_json if content_json is not None else serialize_contents(ctx, [content], expand.child("content"))[0]
        )
    item["_expandable"] = {
        k: ("" if k == "restrictions" else f"/rest/api/content/{content.id}")
        for k in ("restrictions", "content")
        if k not in item
    }
    item["_links"] = {"self": ctx.links.api(f"/rest/api/content/{content.id}/restriction/byOperation/{operation}")}
    return item


def for_operation(expand: Expand, operation: str) -> Expand:
    """?expand for one operation: unprefixed paths apply to both, `read.`/`update.` ones to theirs."""
    if not expand:
        return DEFAULT_EXPAND
    own = Expand({k: expand.child(k) for k in expand.names() if k not in OPERATIONS})
    return own.merged(expand.child(operation))


def restrictions_hash(loaded: Loaded, content_id: int) -> str:
    # The UI compares it to see whether restrictions changed; any stable digest of the set serves.
    keys = sorted(f"{e.operation}:{e.user_id or ''}:{e.group_id or ''}" for e in loaded.entries.get(content_id, []))
    return hashlib.sha256("|".join(keys).encode()).hexdigest()[:32]


def restriction_array(
    ctx: Ctx, content: Content, expand: Expand, *, start: int = 0, limit: int = DEFAULT_LIMIT
) -> dict[str, Any]:
    loaded = Loaded.of(ctx, [content.id])
    results = [
        serialize_restriction(ctx, content, op, loaded, for_operation(expand, op), start=start, limit=limit)
        for op in OPERATIONS
    ]
    return {
        "results": results,
        "start": start,
        "limit": limit,
        "size": len(results),
        "restrictionsHash": restrictions_hash(loaded, content.id),
        "_links": {**ctx.links.top(), "self": ctx.links.api(f"/rest/api/content/{content.id}/restriction")},
    }


def by_operation(ctx: Ctx, content: Content, expand: Expand) -> dict[str, Any]:
    loaded = Loaded.of(ctx, [content.id])
    out: dict[str, Any] = {
        op: serialize_restriction(ctx, content, op, loaded, expand or DEFAULT_EXPAND) for op in OPERATIONS
    }
    out["_links"] = {
        **ctx.links.top(),
        "self": ctx.links.api(f"/rest/api/content/{content.id}/restriction/byOperation"),
    }
    return out


def one_operation(
    ctx: Ctx, content: Content, operation: str, expand: Expand, *, start: int, limit: int
) -> dict[str, Any]:
    loaded = Loaded.of(ctx, [content.id])
    item = serialize_restriction(ctx, content, operation, loaded, expand or DEFAULT_EXPAND, start=start, limit=limit)
    item["_links"].update(ctx.links.top())
    return item


def _restrictions_expander(ctx: Ctx, rows: Sequence[Content], sub: Expand) -> dict[int, Any]:
    """content?expand=restrictions.read.restrictions.user (and .group, update.*), batch-loaded."""
    loaded = Loaded.of(ctx, [r.id for r in rows])
    out: dict[int, Any] = {}
    for row in rows:
        item: dict[str, Any] = {}
        for op in OPERATIONS:
            item[op] = serialize_restriction(ctx, row, op, loaded, sub.child(op))
        item["_expandable"] = {}
        item["_links"] = {"self": ctx.links.api(f"/rest/api/content/{row.id}/restriction/byOperation")}
        out[row.id] = item
    return out


CONTENT_EXPANDERS["restrictions"] = _restrictions_expander
