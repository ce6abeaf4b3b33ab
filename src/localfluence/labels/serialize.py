"""Label JSON, the LabelArray envelope and LabelDetails (GET /label)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from localfluence.context import Ctx
from localfluence.kit.paging import Paging, page_envelope
from localfluence.models import Content, Label


def serialize_label(label: Label) -> dict[str, Any]:
    return {"prefix": label.prefix, "name": label.name, "id": str(label.id), "label": label.name}


def label_array(ctx: Ctx, labels: Sequence[Label], self_path: str, start: int = 0, limit: int = 200) -> dict[str, Any]:
    return {
        "results": [serialize_label(lb) for lb in labels],
        "start": start,
        "limit": limit,
        "size": len(labels),
        "_links": {"self": ctx.links.api(self_path)},
    }


def label_page(ctx: Ctx, rows: Sequence[Label], paging: Paging, path: str, query: dict[str, Any]) -> dict[str, Any]:
    """A top-level LabelArray; `rows` holds up to limit + 1 labels."""
    return page_envelope(
        [serialize_label(lb) for lb in rows[: paging.limit]],
        paging,
        has_more=len(rows) > paging.limit,
        path=path,
        query=query,
        links=ctx.links.top(),
    )


def label_details(label: Label, contents: Sequence[Content], paging: Paging) -> dict[str, Any]:
    page = contents[: paging.limit]
    return {
        "label": serialize_label(label),
        "associatedContents": {
            "results": [{"contentType": c.type, "contentId": c.id, "title": c.title} for c in page],
            "start": paging.start,
            "limit": paging.limit,
            "size": len(page),
        },
    }
