"""Request bodies: SpacePermissionRequest, SpacePermissionCustomContent, ContentPermissionRequest,
and our own global settings."""

from __future__ import annotations

from pydantic import Field

from localfluence.kit.requestbody import RequestBody


class _In(RequestBody):
    pass


class SubjectIn(_In):
    type: str = Field(max_length=32)
    identifier: str = Field(min_length=1, max_length=255)


class OperationIn(_In):
    key: str = Field(max_length=32)
    target: str = Field(max_length=32)


class SpacePermissionIn(_In):
    subject: SubjectIn
    operation: OperationIn


class CustomContentOperationIn(_In):
    key: str = Field(max_length=32)
    # Custom content types are app keys; the permission table keeps targets of up to 32 characters.
    target: str = Field(min_length=1, max_length=32)
    access: bool


class SpacePermissionCustomContentIn(_In):
    subject: SubjectIn
    operations: list[CustomContentOperationIn] = Field(min_length=1, max_length=100)


class ContentPermissionRequestIn(_In):
    subject: SubjectIn
    operation: str = Field(max_length=32)


class AnonymousAccessIn(_In):
    enabled: bool


class GlobalPermissionIn(_In):
    permission: str = Field(max_length=32)
    subject: SubjectIn
