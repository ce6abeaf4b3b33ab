"""Request bodies of our admin user API (/_localfluence/users)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class UserCreate(Body):
    email: str = Field(min_length=3, max_length=255)
    displayName: str = Field(min_length=1, max_length=255)
    password: str | None = Field(default=None, min_length=1, max_length=1024)
    siteAdmin: bool = False


class TokenCreate(Body):
    label: str = Field(default="", max_length=255)
    # OAuth-style scopes (e.g. read:confluence-content.all); none means the user's full permissions.
    scopes: list[str] | None = Field(default=None, max_length=100)
