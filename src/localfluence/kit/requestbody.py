"""The base of request-body models: Confluence's field names, unknown fields ignored, no NUL characters."""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, ConfigDict, model_validator


class RequestBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    @model_validator(mode="after")
    def _no_nul_characters(self) -> Self:
        # PostgreSQL cannot store NUL in text and XML forbids it; refusing it here keeps the answer
        # the same 400 on every database instead of a database error.
        for name, value in self:
            if isinstance(value, str) and "\x00" in value:
                raise ValueError(f"{name} contains a NUL character")
        return self
