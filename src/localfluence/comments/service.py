"""Comment placement (footer or inline, with the inline marker) and comment listings. Comments
themselves are content rows of type "comment", created and edited through the content API."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from localfluence.access.principal import Principal
from localfluence.access.visibility import content_is_visible
from localfluence.content.schemas import ContentCreate, ContentUpdate
from localfluence.errors import BadRequest
from localfluence.kit.clock import clock
from localfluence.models import CommentPlacement, Content, ContentAncestor

LOCATIONS = ("inline", "footer", "resolved")
RESOLUTIONS = ("open", "reopened", "resolved", "dangling")
MAX_INLINE_PROPERTIES = 32 * 1024


def placement_on_create(session: Session, principal: Principal, content: Content, data: ContentCreate) -> None:
    """Create hook: record where a new comment sits. A reply takes its parent's location."""
    if content.type != "comment":
        return
    extensions = data.extensions or {}
    location = extensions.get("location")
    inline: Any = extensions.get("inlineProperties")
    if location is None and content.parent_id is not None:
        parent = session.get(CommentPlacement, content.parent_id)
        location = parent.location if parent is not None else None
    if location is None:
        location = "inline" if inline else "footer"
    if location not in ("inline", "footer"):
        raise BadRequest(f"Invalid comment location: {location}; use inline or footer")
    if inline is not None and not isinstance(inline, dict):
        raise BadRequest("extensions.inlineProperties must be an object")
    encoded = json.dumps(inline or {})
    if len(encoded.encode()) > MAX_INLINE_PROPERTIES:
        raise BadRequest("extensions.inlineProperties is too large")
    session.add(CommentPlacement(content_id=content.id, location=location, inline_properties=encoded))
    session.flush()


def placements_of_many(session: Session, ids: Sequence[int]) -> dict[int, CommentPlacement]:
    if not ids:
        return {}
    return {
        p.content_id: p for p in session.scalars(select(CommentPlacement).where(CommentPlacement.content_id.in_(ids)))
    }


def parse_locations(location: Sequence[str] | None) -> tuple[str, ...]:
    wanted = tuple(dict.fromkeys(x.strip() for chunk in location or [] for x in chunk.split(",") if x.strip()))
    for value in wanted:
        if value not in LOCATIONS:
            raise BadRequest(f"Invalid comment location: {value}; use one of {', '.join(LOCATIONS)}")
    return wanted


def parse_depth(depth: str | None) -> bool:
    """Whether replies at any depth are wanted: depth=all; "" or root means top-level only."""
    if depth in (None, "", "root"):
        return False
    if depth == "all":
        return True
    raise BadRequest(f"Invalid depth: {depth}; use root or all")


def list_comments(
    session: Session,
    principal: Principal,
    container_id: int,
    *,
    locations: Sequence[str],
    all_depths: bool,
    start: int,
    limit: int,
) -> list[Content]:
    query = select(Content).where(content_is_visible(principal), Content.type == "comment", Content.status == "current")
    if all_depths:
        below = select(ContentAncestor.descendant_id).where(
            ContentAncestor.ancestor_id == container_id, ContentAncestor.depth > 0
        )
        query = query.where(Content.id.in_(below))
    else:
        query = query.where(Content.parent_id == container_id)
    if locations:
        placement = select(CommentPlacement).subquery()
        query = query.outerjoin(placement, placement.c.content_id == Content.id)
        where = func.coalesce(placement.c.location, "footer")
        clauses = [where == loc for loc in locations if loc != "resolved"]
        if "resolved" in locations:
            clauses.append(placement.c.resolution == "resolved")
        query = query.where(or_(*clauses))
    query = query.order_by(Content.created_at, Content.id)
    return list(session.scalars(query.offset(start).limit(limit + 1)))


def resolution_on_update(session: Session, principal: Principal, content: Content, data: ContentUpdate) -> None:
    """Update hook: PUT /content/{commentId} with extensions.resolution resolves or reopens."""
    if content.type != "comment" or not data.extensions or "resolution" not in data.extensions:
        return
    raw = data.extensions["resolution"]
    status = raw.get("status") if isinstance(raw, dict) else raw
    if status not in RESOLUTIONS:
        raise BadRequest(f"Invalid comment resolution: {status}; use one of {', '.join(RESOLUTIONS)}")
    placement = session.get(CommentPlacement, content.id)
    if placement is None:
        placement = CommentPlacement(content_id=content.id, location="footer", inline_properties="{}")
        session.add(placement)
    placement.resolution = status
    placement.resolved_by_id = principal.user_id
    placement.resolved_at = clock.now()
    session.flush()
