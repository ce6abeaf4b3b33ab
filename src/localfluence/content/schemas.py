"""Request bodies for content writes, in Confluence's own field names."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from localfluence.kit.requestbody import RequestBody


def _id_as_str(value: Any) -> Any:
    # Clients send ids as strings (Confluence's form) or as numbers; both mean the same.
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


IdStr = Annotated[str, BeforeValidator(_id_as_str)]


Body = RequestBody


class SpaceRef(Body):
    key: str = Field(min_length=1, max_length=255)


class ContentRef(Body):
    id: IdStr
    type: str | None = None


class BodyValue(Body):
    value: str
    representation: str | None = None


class VersionIn(Body):
    number: int
    message: str | None = Field(default=None, max_length=10_000)
    minorEdit: bool = False


class LabelIn(Body):
    prefix: str = "global"
    name: str = Field(min_length=1, max_length=255)


class MetadataIn(Body):
    labels: list[LabelIn] | None = None
    # {"<key>": {"key": "<key>", "value": ...}}: content properties created with the content.
    properties: dict[str, Any] | None = None


class VersionCreateIn(Body):
    message: str | None = Field(default=None, max_length=10_000)


class ContentCreate(Body):
    id: IdStr | None = None
    # Custom content types run long (Forge's hold two UUIDs); content/types.py says which fit.
    type: str = Field(min_length=1, max_length=1000)
    title: str | None = Field(default=None, max_length=1000)
    space: SpaceRef | None = None
    status: str | None = None
    container: ContentRef | None = None
    ancestors: list[ContentRef] | None = None
    body: dict[str, BodyValue] | None = None
    metadata: MetadataIn | None = None
    # Comments: {"location": "inline", "inlineProperties": {...}}.
    extensions: dict[str, Any] | None = None
    # The first version's message (atlassian-python-api sends it as version_comment).
    version: VersionCreateIn | None = None


class ContentUpdate(Body):
    version: VersionIn
    title: str = Field(max_length=1000)
    type: str = Field(min_length=1, max_length=1000)
    status: str | None = None
    ancestors: list[ContentRef] | None = None
    body: dict[str, BodyValue] | None = None
    metadata: MetadataIn | None = None
    # Comments: {"resolution": {"status": "resolved"}}.
    extensions: dict[str, Any] | None = None


class VersionRestoreParams(Body):
    versionNumber: int = Field(ge=1, le=2**31 - 1)
    message: str = ""
    restoreTitle: bool = False


class VersionRestore(Body):
    operationKey: str
    params: VersionRestoreParams


class CopyDestination(Body):
    type: str
    value: str


class CopyPage(Body):
    copyAttachments: bool = False
    copyPermissions: bool = False
    copyProperties: bool = False
    copyLabels: bool = False
    copyCustomContents: bool = False
    destination: CopyDestination
    pageTitle: str | None = Field(default=None, max_length=1000)
    body: dict[str, BodyValue] | None = None


class CopyTitleOptions(Body):
    prefix: str = ""
    replace: str = ""
    search: str = ""


class CopyPageHierarchy(Body):
    copyAttachments: bool = False
    copyPermissions: bool = False
    copyProperties: bool = False
    copyLabels: bool = False
    copyCustomContents: bool = False
    copyDescendants: bool = True
    originalPageId: IdStr | None = None
    destinationPageId: IdStr
    titleOptions: CopyTitleOptions | None = None


class ArchivePages(Body):
    pages: list[ContentRef] = Field(min_length=1, max_length=300)
