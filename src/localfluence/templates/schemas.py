"""Request bodies of the template and blueprint-draft operations."""

from __future__ import annotations

from pydantic import Field

from localfluence.content.schemas import IdStr
from localfluence.kit.requestbody import RequestBody as Body


class SpaceKey(Body):
    key: str = Field(max_length=255)


class LabelIn(Body):
    prefix: str = "global"
    name: str = Field(min_length=1, max_length=255)


class BodyValue(Body):
    value: str
    representation: str


class TemplateCreate(Body):
    # name may be null here so that "null or empty" answers with Confluence's own message.
    name: str | None = Field(max_length=255)
    templateType: str
    body: dict[str, BodyValue]
    description: str = Field(default="", max_length=255)
    labels: list[LabelIn] | None = None
    space: SpaceKey | None = None


class TemplateUpdate(TemplateCreate):
    templateId: IdStr = Field(min_length=1, max_length=64)


class DraftVersion(Body):
    number: int = Field(ge=-(2**31), le=2**31 - 1)


class AncestorRef(Body):
    id: IdStr = Field(max_length=64)


class BlueprintDraft(Body):
    version: DraftVersion
    title: str | None = Field(max_length=255)
    type: str
    status: str | None = None
    space: SpaceKey | None = None
    ancestors: list[AncestorRef] | None = None
