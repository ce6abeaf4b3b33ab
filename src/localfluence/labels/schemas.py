"""Label request bodies: one LabelCreate or an array of them."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from localfluence.errors import BadRequest


class LabelCreate(BaseModel):
    model_config = ConfigDict(extra="ignore")

    prefix: str | None = "global"
    name: str = Field(min_length=1, max_length=10_000)


def parse_label_body(body: Any) -> list[tuple[str | None, str]]:
    """Confluence takes an array of labels, a single label object, or (older clients) plain names."""
    items = body if isinstance(body, list) else [body]
    out: list[tuple[str | None, str]] = []
    for item in items:
        if isinstance(item, str):
            out.append((None, item))
            continue
        if not isinstance(item, dict):
            raise BadRequest("A label must be an object with a prefix and a name")
        try:
            label = LabelCreate.model_validate(item)
        except ValueError:
            raise BadRequest("A label needs a name (and optionally a prefix)") from None
        out.append((label.prefix, label.name))
    return out
