"""Refuse request bodies over the configured size with 413, before they are buffered whole."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from localfluence.errors import error_body
from localfluence.kit.jsonresponse import JSON


class BodySizeLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _is_multipart(scope):
            # Uploads stream to the blob store under their own limit.
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await _too_large(self.max_bytes)(scope, receive, send)
            return
        seen = 0
        exceeded = False
        response_started = False

        async def limited_receive() -> Message:
            nonlocal seen, exceeded
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    exceeded = True
                    raise _BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _BodyTooLarge:
            if not response_started:
                await _too_large(self.max_bytes)(scope, receive, send)
        except Exception:
            if exceeded and not response_started:
                await _too_large(self.max_bytes)(scope, receive, send)
            else:
                raise


class _BodyTooLarge(Exception):
    pass


def _too_large(limit: int) -> JSON:
    return JSON(error_body(413, f"Request body is larger than the limit of {limit} bytes"), status_code=413)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _is_multipart(scope: Scope) -> bool:
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            return value.lower().startswith(b"multipart/")
    return False
