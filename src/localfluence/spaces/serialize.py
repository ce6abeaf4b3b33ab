"""Space JSON: id, key, name, type, status, _expandable, _links; description, homepage and the
rest on request."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from localfluence.context import Ctx
from localfluence.kit.expand import Expand
from localfluence.models import Space

SpaceExpander = Callable[[Ctx, Sequence[Space], Expand], dict[int, Any]]
SPACE_EXPANDERS: dict[str, SpaceExpander] = {}
EXPANDABLE = (
    "settings",
    "metadata",
    "operations",
    "lookAndFeel",
    "identifiers",
    "permissions",
    "icon",
    "description",
    "theme",
    "history",
    "homepage",
)
DEFAULT_ICON = {"path": "/images/logo/default-space-logo-256.png", "width": 48, "height": 48, "isDefault": True}


def space_expander(name: str) -> Callable[[SpaceExpander], SpaceExpander]:
    def register(fn: SpaceExpander) -> SpaceExpander:
        SPACE_EXPANDERS[name] = fn
        return fn

    return register


def serialize_space(ctx: Ctx, space: Space, expand: Expand, *, top: bool = False) -> dict[str, Any]:
    return serialize_spaces(ctx, [space], expand, top=top)[0]


def serialize_spaces(ctx: Ctx, spaces: Sequence[Space], expand: Expand, *, top: bool = False) -> list[dict[str, Any]]:
    expanded = {
        name: SPACE_EXPANDERS[name](ctx, spaces, expand.child(name))
        for name in expand.names()
        if name in SPACE_EXPANDERS
    }
    out = []
    for space in spaces:
        item: dict[str, Any] = {
            "id": space.id,
            "key": space.key,
            "name": space.name,
            "type": space.type,
            "status": space.status,
        }
        for name, values in expanded.items():
            if space.id in values:
                item[name] = values[space.id]
        paths = _expandable_paths(space)
        item["_expandable"] = {name: paths.get(name, "") for name in EXPANDABLE if name not in item}
        item["_links"] = {"webui": f"/spaces/{space.key}", "self": ctx.links.api(f"/rest/api/space/{space.key}")}
        if top:
            item["_links"].update(ctx.links.top())
        out.append(item)
    return out


def _expandable_paths(space: Space) -> dict[str, str]:
    return {
        "settings": f"/rest/api/space/{space.key}/settings",
        "lookAndFeel": f"/rest/api/settings/lookandfeel?spaceKey={space.key}",
        "theme": f"/rest/api/space/{space.key}/theme",
        "homepage": f"/rest/api/content/{space.homepage_id}" if space.homepage_id else "",
    }


@space_expander("description")
def _description(ctx: Ctx, spaces: Sequence[Space], sub: Expand) -> dict[int, Any]:
    from html import escape

    out = {}
    for space in spaces:
        item: dict[str, Any] = {}
        if "plain" in sub or not sub:
            item["plain"] = {"value": space.description, "representation": "plain", "embeddedContent": []}
        if "view" in sub:
            item["view"] = {"value": escape(space.description), "representation": "view", "embeddedContent": []}
        item["_expandable"] = {k: "" for k in ("view", "plain") if k not in item}
        out[space.id] = item
    return out


@space_expander("icon")
def _icon(ctx: Ctx, spaces: Sequence[Space], sub: Expand) -> dict[int, Any]:
    return {s.id: DEFAULT_ICON for s in spaces}


@space_expander("homepage")
def _homepage(ctx: Ctx, spaces: Sequence[Space], sub: Expand) -> dict[int, Any]:
    from localfluence.content import repository as content_repo
    from localfluence.content.serialize import serialize_contents

    ids = [s.homepage_id for s in spaces if s.homepage_id]
    visible = (
        {
            c.id: c
            for c in ctx.session.scalars(content_repo.visible(ctx.principal).where(content_repo.Content.id.in_(ids)))
        }
        if ids
        else {}
    )
    ordered = list(visible.values())
    serialized = dict(zip((c.id for c in ordered), serialize_contents(ctx, ordered, sub), strict=True))
    return {s.id: serialized[s.homepage_id] for s in spaces if s.homepage_id in serialized}


@space_expander("operations")
def space_operations(ctx: Ctx, spaces: Sequence[Space], sub: Expand) -> dict[int, Any]:
    from localfluence.access.checks import has_space_permission

    pairs = [
        ("read", "space"),
        ("create", "page"),
        ("create", "blogpost"),
        ("create", "comment"),
        ("create", "attachment"),
        ("delete", "page"),
        ("administer", "space"),
        ("export", "space"),
    ]
    return {
        s.id: [
            {"operation": op, "targetType": target}
            for op, target in pairs
            if has_space_permission(ctx.session, ctx.principal, s.id, op, target)
        ]
        for s in spaces
    }


@space_expander("history")
def _history(ctx: Ctx, spaces: Sequence[Space], sub: Expand) -> dict[int, Any]:
    from localfluence.kit.clock import iso
    from localfluence.people.serialize import load_users, serialize_user

    users = load_users(ctx, (s.creator_id for s in spaces))
    return {
        s.id: {
            "createdDate": iso(s.created_at),
            "createdBy": serialize_user(ctx, users.get(s.creator_id) if s.creator_id else None),
        }
        for s in spaces
    }
