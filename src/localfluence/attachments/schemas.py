"""Request bodies of the attachment API."""

from __future__ import annotations

from typing import Any

from localfluence.kit.requestbody import RequestBody


class Body(RequestBody):
    pass


class VersionRef(Body):
    number: int


class ContainerRef(Body):
    id: str
    type: str | None = None


class AttachmentMetadata(Body):
    mediaType: str | None = None
    comment: str | None = None


class AttachmentPropertiesUpdate(Body):
    """AttachmentPropertiesUpdateBody: id, type and version are required."""

    id: str
    type: str
    version: VersionRef
    status: str | None = None
    title: str | None = None
    container: ContainerRef | None = None
    metadata: AttachmentMetadata | None = None
    extensions: dict[str, Any] | None = None
