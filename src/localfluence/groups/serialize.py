"""Group JSON ({type: "group", name, id, _links}) and the group list envelope."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from localfluence.context import Ctx
from localfluence.kit.paging import Paging, page_envelope
from localfluence.models import Group


def serialize_group(ctx: Ctx, group: Group, *, top: bool = False) -> dict[str, Any]:
    # Groups have no expansions (BEHAVIOUR.md §3.3).
    links = {"self": ctx.links.api(f"/rest/api/group/{quote(group.name, safe='')}")}
    if top:
        links.update(ctx.links.top())
    return {"type": "group", "name": group.name, "id": group.id, "_links": links}


def group_page(
    ctx: Ctx,
    rows: Sequence[Group],
    paging: Paging,
    *,
    path: str,
    query: dict[str, Any],
    total_size: int | None = None,
) -> dict[str, Any]:
    """GroupArrayWithLinks from a page fetched with one extra row."""
    results = [serialize_group(ctx, g) for g in rows[: paging.limit]]
    body = page_envelope(
        results,
        paging,
        has_more=len(rows) > paging.limit,
        path=path,
        query=query,
        links=ctx.links.top(),
    )
    if total_size is not None:
        body["totalSize"] = total_size
    return body
