"""Comment `extensions`: location always; inlineProperties and resolution when expanded."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from localfluence.comments import service
from localfluence.content.serialize import EXTENSION_PROVIDERS
from localfluence.context import Ctx
from localfluence.kit.clock import iso
from localfluence.kit.expand import Expand
from localfluence.models import Content
from localfluence.people.serialize import load_users, serialize_user


def _comment_extensions(ctx: Ctx, rows: Sequence[Content], sub: Expand) -> dict[int, dict[str, Any]]:
    placements = service.placements_of_many(ctx.session, [r.id for r in rows])
    users = load_users(ctx, (p.resolved_by_id for p in placements.values())) if "resolution" in sub else {}
    out: dict[int, dict[str, Any]] = {}
    for row in rows:
        placement = placements.get(row.id)
        location = placement.location if placement else "footer"
        item: dict[str, Any] = {"location": location}
        if location == "inline" and "inlineProperties" in sub:
            item["inlineProperties"] = json.loads(placement.inline_properties) if placement else {}
        if "resolution" in sub:
            status = (placement.resolution if placement else None) or "open"
            resolver = users.get(placement.resolved_by_id) if placement and placement.resolved_by_id else None
            item["resolution"] = {
                "status": status,
                "lastModifier": serialize_user(ctx, resolver) if resolver else None,
                "lastModifiedDate": iso(placement.resolved_at) if placement else None,
            }
        expandable = ("inlineProperties", "resolution") if location == "inline" else ("resolution",)
        item["_expandable"] = {k: "" for k in expandable if k not in item}
        out[row.id] = item
    return out


EXTENSION_PROVIDERS["comment"] = _comment_extensions
