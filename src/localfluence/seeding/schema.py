"""The seed format: users, groups, spaces with their permissions, page trees, blog posts, labels,
restrictions, content properties and attachments. Field names follow Confluence's JSON
(displayName, bodyFile, ...). Unknown fields are errors, so a typo is reported, not ignored."""

from __future__ import annotations

from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def storable(properties: dict[str, Any]) -> dict[str, Any]:
    """Property values are stored as JSON, whose integers this server keeps to 64 bits."""
    for key, value in properties.items():
        try:
            orjson.dumps(value)
        except TypeError as exc:
            raise ValueError(f"property {key} cannot be stored as JSON: {exc}") from None
    return properties


class UserSeed(Model):
    email: str = Field(min_length=3, max_length=255)
    displayName: str | None = Field(default=None, max_length=255)
    admin: bool = False
    password: str | None = None
    # An API token with a known value, so tests can log in as this user.
    token: str | None = Field(default=None, min_length=8, max_length=255)
    groups: list[str] = Field(default_factory=list)


class GroupSeed(Model):
    name: str = Field(min_length=1, max_length=255)
    members: list[str] = Field(default_factory=list)


class Subjects(Model):
    users: list[str] = Field(default_factory=list)
    groups: list[str] = Field(default_factory=list)


class RestrictionsSeed(Model):
    read: Subjects | None = None
    update: Subjects | None = None


class PermissionSeed(Model):
    """Space permissions for one subject, as operation/target pairs: read/space, create/page, ..."""

    user: str | None = None
    group: str | None = None
    anonymous: bool = False
    operations: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def one_subject(self) -> PermissionSeed:
        if sum((self.user is not None, self.group is not None, self.anonymous)) != 1:
            raise ValueError("give exactly one of user, group or anonymous: true")
        return self

    @field_validator("operations")
    @classmethod
    def pairs(cls, value: list[str]) -> list[str]:
        for item in value:
            operation, sep, target = item.partition("/")
            if not sep or not operation or not target:
                raise ValueError(f"'{item}' is not an operation/target pair such as read/space or create/page")
        return value


class AttachmentSeed(Model):
    """A file attached to the page, read relative to the seed file; matched by name on the page."""

    file: str = Field(min_length=1)
    name: str | None = Field(default=None, max_length=255)
    mediaType: str | None = Field(default=None, max_length=255)
    comment: str = ""


class ContentSeed(Model):
    title: str = Field(min_length=1, max_length=255)
    body: str | None = None
    bodyFile: str | None = None
    author: str | None = None
    labels: list[str] = Field(default_factory=list)
    restrictions: RestrictionsSeed | None = None
    # Content properties: key → any JSON value.
    properties: dict[str, Any] = Field(default_factory=dict)
    attachments: list[AttachmentSeed] = Field(default_factory=list)

    _storable = field_validator("properties")(storable)

    @model_validator(mode="after")
    def one_body(self) -> ContentSeed:
        if self.body is not None and self.bodyFile is not None:
            raise ValueError("give body or bodyFile, not both")
        return self


class PageSeed(ContentSeed):
    children: list[PageSeed] = Field(default_factory=list)


class BlogPostSeed(ContentSeed):
    pass


class HomepageSeed(Model):
    """The page created with the space; its title defaults to "<space name> Home"."""

    title: str | None = Field(default=None, max_length=255)
    body: str | None = None
    bodyFile: str | None = None
    labels: list[str] = Field(default_factory=list)
    restrictions: RestrictionsSeed | None = None
    properties: dict[str, Any] = Field(default_factory=dict)
    attachments: list[AttachmentSeed] = Field(default_factory=list)
    children: list[PageSeed] = Field(default_factory=list)

    _storable = field_validator("properties")(storable)


class SpaceSeed(Model):
    key: str = Field(min_length=1, max_length=255)
    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    private: bool = False
    creator: str | None = None
    permissions: list[PermissionSeed] = Field(default_factory=list)
    homepage: HomepageSeed | None = None
    # Pages at the top of the space, beside the homepage.
    pages: list[PageSeed] = Field(default_factory=list)
    blogposts: list[BlogPostSeed] = Field(default_factory=list)


class SeedDocument(Model):
    version: Literal[1] = 1
    users: list[UserSeed] = Field(default_factory=list)
    groups: list[GroupSeed] = Field(default_factory=list)
    spaces: list[SpaceSeed] = Field(default_factory=list)
