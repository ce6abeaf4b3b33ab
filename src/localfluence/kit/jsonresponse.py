"""Responses serialized with orjson: dynamic expansions make response models a poor fit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from starlette.background import BackgroundTask
from starlette.responses import Response


class JSON(Response):
    media_type = "application/json"

    def __init__(
        self,
        content: Any,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
        background: BackgroundTask | None = None,
    ) -> None:
        if (
            headers is not None
            or media_type is not None
            or background is not None
            or status_code < 200
            or status_code in (204, 304)
            or type(self) is not JSON
        ):
            super().__init__(content, status_code, headers, media_type, background)
            return
        # Nearly every response: the body and the two headers Response.init_headers would give it,
        # in its order, without its general case (a third of building a small response).
        self.status_code = status_code
        self.background = None
        self.body = body = orjson.dumps(content)
        self.raw_headers = [(b"content-length", b"%d" % len(body)), (b"content-type", b"application/json")]

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)
