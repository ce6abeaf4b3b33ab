"""Content's metadata.currentuser: the caller's favourite, last modification, last contribution
and last view of each content, batch-loaded. A bare `metadata.currentuser` gives all of them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select

from localfluence.analytics import service as views
from localfluence.content import repository as content_repo
from localfluence.content.serialize import METADATA_BATCH_EXPANDERS, serialize_version
from localfluence.context import Ctx
from localfluence.kit.clock import friendly, iso
from localfluence.kit.expand import Expand
from localfluence.models import Content, ContentVersion
from localfluence.people.serialize import load_users
from localfluence.relations import service as relations

PARTS = ("favourited", "lastmodified", "lastcontributed", "viewed", "scheduled")


def _currentuser(ctx: Ctx, rows: Sequence[Content], sub: Expand) -> dict[int, Any]:
    wanted = [p for p in PARTS if p in sub] or list(PARTS)
    ids = [r.id for r in rows]
    user_id = ctx.principal.user_id
    favourites = relations.favourites_of_many(ctx.session, user_id, ids) if user_id and "favourited" in wanted else {}
    seen = views.last_seen_of_many(ctx.session, user_id, ids) if user_id and "viewed" in wanted else {}
    mine: dict[int, ContentVersion] = {}
    if user_id and ("lastmodified" in wanted or "lastcontributed" in wanted):
        latest = ctx.session.execute(
            select(ContentVersion.content_id, func.max(ContentVersion.number))
            .where(ContentVersion.content_id.in_(ids), ContentVersion.author_id == user_id)
            .group_by(ContentVersion.content_id)
        ).all()
        found = content_repo.versions_of_many(ctx.session, [(c, n) for c, n in latest])
        mine = {key[0]: version for key, version in found.items()}
    users = load_users(ctx, [user_id]) if mine else {}
    out = {}
    for row in rows:
        item: dict[str, Any] = {}
        if "favourited" in wanted:
            favourite = favourites.get(row.id)
            item["favourited"] = {"isFavourite": favourite is not None}
            if favourite is not None:
                item["favourited"]["favouritedDate"] = iso(favourite.created_at)
        version = mine.get(row.id)
        if "lastmodified" in wanted and version is not None:
            item["lastmodified"] = {
                "version": serialize_version(ctx, version, users),
                "friendlyLastModified": friendly(version.created_at),
            }
        if "lastcontributed" in wanted and version is not None:
            status = row.status if row.status in ("current", "draft") else "current"
            item["lastcontributed"] = {"status": status, "when": iso(version.created_at)}
        if "viewed" in wanted and row.id in seen:
            item["viewed"] = {"lastSeen": iso(seen[row.id]), "friendlyLastSeen": friendly(seen[row.id])}
        if "scheduled" in wanted:
            item["scheduled"] = {}
        item["_expandable"] = {p: "" for p in PARTS if p not in item}
        out[row.id] = item
    return out


METADATA_BATCH_EXPANDERS["currentuser"] = _currentuser
