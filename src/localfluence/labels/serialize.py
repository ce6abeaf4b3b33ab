"""Label JSON and the LabelArray envelope."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from localfluence.context import Ctx
from localfluence.models import Label


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
