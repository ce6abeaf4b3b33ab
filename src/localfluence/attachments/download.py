"""Streaming attachment bytes over HTTP: Content-Type/Length/Disposition, a strong ETag (the
SHA-256), conditional GETs, and single byte ranges (206; 416 when unsatisfiable)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import quote

import anyio
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from localfluence.blobs.store import BlobStore, Reader

CHUNK = 1024 * 1024
# Served inline where a browser renders them safely; everything else downloads, so an uploaded
# HTML or SVG file never runs in the wiki's origin.
INLINE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp", "application/pdf")


class RangeNotSatisfiable(Exception):
    pass


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int  # inclusive

    @property
    def length(self) -> int:
        return self.end - self.start + 1


def _is_offset(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= 19


def parse_range(header: str | None, size: int) -> ByteRange | None:
    """One range of a Range header, or None to send the whole file. Forms we do not serve
    (several ranges, other units, garbage) are ignored, as RFC 9110 allows."""
    if not header:
        return None
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    first, dash, last = (part.strip() for part in spec.partition("-"))
    # ASCII digits only ("²" is a digit to str.isdigit(), not to int()), and no more than a long holds.
    if not dash or not (first or last) or not all(_is_offset(p) for p in (first, last) if p):
        return None
    if not first:
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise RangeNotSatisfiable
        return ByteRange(max(0, size - suffix), size - 1)
    start = int(first)
    if last and int(last) < start:
        return None
    if start >= size:
        raise RangeNotSatisfiable
    return ByteRange(start, min(int(last), size - 1) if last else size - 1)


def content_disposition(name: str, media_type: str) -> str:
    kind = "inline" if media_type in INLINE_TYPES else "attachment"
    fallback = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in name)
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


async def blob_response(
    request: Request, store: BlobStore, *, key: str, size: int, media_type: str, name: str, etag: str
) -> Response:
    headers = {
        "Accept-Ranges": "bytes",
        "ETag": f'"{etag}"',
        "Content-Disposition": content_disposition(name, media_type),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "sandbox",
        "Cache-Control": "private",
    }
    if _matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    wanted = request.headers.get("range")
    if_range = request.headers.get("if-range")
    if if_range is not None and if_range.strip() != f'"{etag}"':
        wanted = None
    try:
        byte_range = parse_range(wanted, size)
    except RangeNotSatisfiable:
        headers["Content-Range"] = f"bytes */{size}"
        return Response(status_code=416, headers=headers)
    status = 200
    start, length = 0, size
    if byte_range is not None:
        status = 206
        start, length = byte_range.start, byte_range.length
        headers["Content-Range"] = f"bytes {byte_range.start}-{byte_range.end}/{size}"
    headers["Content-Length"] = str(length)
    if request.method == "HEAD":
        return Response(status_code=status, headers=headers, media_type=media_type)
    # Opened before the status line goes out, so a missing blob is an error response, not a cut one.
    reader = await anyio.to_thread.run_sync(store.open, key, start, length)
    if length <= CHUNK:
        # Small files in one read: a streaming response's machinery costs more than the bytes.
        body = await anyio.to_thread.run_sync(_read_all_and_close, reader, length)
        return Response(body, status_code=status, headers=headers, media_type=media_type)
    return StreamingResponse(_chunks(reader, key, length), status_code=status, headers=headers, media_type=media_type)


async def _chunks(reader: Reader, key: str, length: int) -> AsyncIterator[bytes]:
    """Blocking reads (a file, an S3 body) happen in worker threads, a chunk at a time."""
    try:
        remaining = length
        while remaining > 0:
            data = await anyio.to_thread.run_sync(reader.read, min(CHUNK, remaining))
            if not data:
                # The store holds fewer bytes than the database says: end the response short, so
                # the client sees a broken transfer rather than a silently truncated file.
                raise RuntimeError(f"blob {key} ended {remaining} bytes early")
            remaining -= len(data)
            yield data
    finally:
        reader.close()


def _read_all_and_close(reader: Reader, length: int) -> bytes:
    try:
        parts = []
        remaining = length
        while remaining > 0:
            data = reader.read(remaining)
            if not data:
                raise RuntimeError(f"blob ended {remaining} bytes early")
            parts.append(data)
            remaining -= len(data)
        return b"".join(parts)
    finally:
        reader.close()


def _matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return "*" in tags or f'"{etag}"' in tags
