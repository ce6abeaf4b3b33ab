"""Watch, SpaceWatch and WatchUser JSON."""

from __future__ import annotations

from typing import Any

from localfluence.context import Ctx
from localfluence.models import User
from localfluence.people.serialize import serialize_user


def watch_user(ctx: Ctx, user: User) -> dict[str, Any]:
    """A User without _links and _expandable, with operations and personalSpace (spec: WatchUser)."""
    item = serialize_user(ctx, user)
    item.pop("_links", None)
    item.pop("_expandable", None)
    item.update({"operations": None, "personalSpace": None, "externalCollaborator": False})
    return item


def content_watch(ctx: Ctx, user: User, content_id: int) -> dict[str, Any]:
    return {"type": "watch", "watcher": watch_user(ctx, user), "contentId": content_id}


def space_watch(ctx: Ctx, user: User, space_key: str) -> dict[str, Any]:
    return {"type": "watch", "watcher": watch_user(ctx, user), "spaceKey": space_key}
