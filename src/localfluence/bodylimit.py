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
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared, framed, multipart = _framing(scope)
        if multipart:
            # Uploads stream to the blob store under their own limit.
            await self.app(scope, receive, send)
            return
        if declared is not None and declared > self.max_bytes:
            await _too_large(self.max_bytes)(scope, receive, send)
            return
        if not framed and scope.get("http_version") in ("1.1", "1.0"):
            # HTTP/1 without Content-Length or Transfer-Encoding, or with Content-Length: 0, has no
            # body (most reads): nothing to count, so no wrapped receive and send. (HTTP/2 may send
            # a body without either.)
            await self.app(scope, receive, send)
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


def _framing(scope: Scope) -> tuple[int | None, bool, bool]:
    """In one pass over the headers: the declared Content-Length (None when absent or unreadable),
    whether the headers announce a body (a Content-Length other than 0, or a Transfer-Encoding)
    and whether it is multipart. The first Content-Length and Content-Type count, as before."""
    declared: int | None = None
    seen_length = seen_type = chunked = multipart = False
    for name, value in scope.get("headers", []):
        if name == b"content-length" and not seen_length:
            seen_length = True
            try:
                declared = int(value)
            except ValueError:
                declared = None
        elif name == b"content-type" and not seen_type:
            seen_type = True
            multipart = value.lower().startswith(b"multipart/")
        elif name == b"transfer-encoding":
            chunked = True
    return declared, chunked or (seen_length and declared != 0), multipart
