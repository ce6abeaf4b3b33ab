"""Request bodies for space writes."""

from __future__ import annotations

from pydantic import Field

from localfluence.kit.requestbody import RequestBody

Body = RequestBody


class PlainValue(Body):
    value: str = Field(default="", max_length=10_000)
    representation: str = "plain"


class SpaceDescriptionIn(Body):
    plain: PlainValue | None = None


class HomepageRef(Body):
    id: str | int


class SpaceCreate(Body):
    key: str | None = Field(default=None, max_length=255)
    alias: str | None = Field(default=None, max_length=255)
    name: str = Field(min_length=1, max_length=200)
    description: SpaceDescriptionIn | None = None


class SpaceUpdate(Body):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: SpaceDescriptionIn | None = None
    homepage: HomepageRef | None = None
    type: str | None = None
    status: str | None = None
