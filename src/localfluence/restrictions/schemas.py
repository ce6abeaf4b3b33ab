"""Request bodies of the restriction writes (ContentRestrictionAddOrUpdateArray), parsed by hand so
that either accepted form (a bare array, or an object with "results") gives a clear 400."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import Field, ValidationError, field_validator, model_validator

from localfluence.errors import BadRequest
from localfluence.kit.requestbody import RequestBody

OPERATIONS = ("read", "update")
# Operations the spec's enum lists but that Confluence has no restriction for.
_OTHER_SPEC_OPERATIONS = ("administer", "copy", "create", "delete", "export", "move", "purge", "purge_version")


class _In(RequestBody):
    pass


class UserIn(_In):
    type: str | None = None
    accountId: str | None = Field(default=None, max_length=128)
    username: str | None = Field(default=None, max_length=255)
    userKey: str | None = Field(default=None, max_length=255)

    @model_validator(mode="after")
    def _identified(self) -> UserIn:
        if not (self.accountId or self.username or self.userKey):
            raise ValueError("a user needs an accountId")
        return self


class GroupIn(_In):
    type: str | None = None
    id: str | None = Field(default=None, max_length=255)
    name: str | None = Field(default=None, max_length=255)

    @model_validator(mode="after")
    def _identified(self) -> GroupIn:
        if self.type not in (None, "group"):
            raise ValueError(f"a group's type must be 'group', not {self.type!r}")
        if not (self.id or self.name):
            raise ValueError("a group needs an id or a name")
        return self


class SubjectsIn(_In):
    user: list[UserIn] | None = None
    group: list[GroupIn] | None = None

    @field_validator("user", "group", mode="before")
    @classmethod
    def _unwrap_array(cls, value: Any) -> Any:
        # The spec allows a UserArray ({"results": [...]}) as well as a bare array.
        if isinstance(value, dict) and "results" in value:
            return value["results"]
        return value

    def users(self) -> list[UserIn]:
        return self.user or []


class RestrictionIn(_In):
    operation: str
    restrictions: SubjectsIn

    @field_validator("operation")
    @classmethod
    def _operation(cls, value: str) -> str:
        if value in OPERATIONS:
            return value
        if value in _OTHER_SPEC_OPERATIONS or value == "use" or value == "restore":
            raise ValueError(f"restrictions exist for read and update only, not {value!r}")
        raise ValueError(f"unknown restriction operation {value!r}; use read or update")


class RestrictionArrayIn(_In):
    results: list[RestrictionIn]


@dataclass
class RestrictionChange:
    """One operation's subjects, merged over the request (an operation may appear twice)."""

    operation: str
    users: list[UserIn] = field(default_factory=list)
    groups: list[GroupIn] = field(default_factory=list)


def parse_restrictions(body: Any) -> list[RestrictionChange]:
    if isinstance(body, list):
        items = body
    elif isinstance(body, dict) and "results" in body:
        items = body["results"]
    elif isinstance(body, dict):
        raise BadRequest("Restrictions must be an array of {operation, restrictions} or an object with 'results'")
    else:
        raise BadRequest("Restrictions must be an array of {operation, restrictions}")
    if not isinstance(items, list):
        raise BadRequest("'results' must be an array of {operation, restrictions}")
    changes: dict[str, RestrictionChange] = {}
    for index, raw in enumerate(items):
        try:
            item = RestrictionIn.model_validate(raw)
        except ValidationError as exc:
            raise BadRequest(f"Invalid restriction at index {index}: {_describe(exc)}") from None
        change = changes.setdefault(item.operation, RestrictionChange(item.operation))
        change.users.extend(item.restrictions.users())
        change.groups.extend(item.restrictions.group or [])
    return list(changes.values())


def _describe(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors()[:3]:
        loc = ".".join(str(p) for p in error.get("loc", ()))
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        parts.append(f"{loc}: {message}" if loc else message)
    return "; ".join(parts)
