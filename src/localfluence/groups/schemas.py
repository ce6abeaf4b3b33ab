"""Request bodies of the group API (spec schemas GroupName and AccountId)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class GroupName(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str = Field(max_length=10_000)


class AccountIdBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    accountId: str = Field(min_length=1, max_length=128)
