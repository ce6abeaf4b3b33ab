"""Read a multipart/form-data upload as it arrives: file parts go straight into blob writers (temp
file + SHA-256, no copy in memory, none spooled twice), text parts are small and kept.

Starlette's own form parser would spool each file to a SpooledTemporaryFile first (memory up to
1 MB, then disk), so the bytes would be written twice and the size limit could only be checked
afterwards; this reader stops at the limit."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import anyio
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect, Request

from localfluence.attachments.files import file_name, media_type
from localfluence.blobs.store import BlobStore, BlobTooLarge, BlobWriter
from localfluence.blobs.transaction import discard_quietly
from localfluence.errors import BadRequest, Forbidden, PayloadTooLarge, UnsupportedMediaType

MAX_FILES = 100
MAX_FIELDS = 100
MAX_FIELD_BYTES = 64 * 1024
FILE_FIELD = "file"


@dataclass
class UploadedFile:
    name: str
    media_type: str
    writer: BlobWriter


@dataclass
class Upload:
    files: list[UploadedFile] = field(default_factory=list)
    fields: list[tuple[str, str]] = field(default_factory=list)

    def values(self, name: str) -> list[str]:
        return [value for key, value in self.fields if key == name]

    @property
    def comments(self) -> list[str]:
        return self.values("comment")

    @property
    def minor_edit(self) -> bool:
        values = self.values("minorEdit")
        return bool(values) and values[-1].strip().strip('"').lower() == "true"

    @property
    def writers(self) -> list[BlobWriter]:
        return [f.writer for f in self.files]


def require_xsrf_token(request: Request) -> None:
    """Multipart writes need X-Atlassian-Token: no-check (Cloud documents "nocheck"; both pass)."""
    token = request.headers.get("x-atlassian-token", "").strip().lower()
    if token not in ("no-check", "nocheck"):
        raise Forbidden("XSRF check failed")


async def read_upload(request: Request, store: BlobStore, max_bytes: int) -> Upload:
    """The parts of the request body. Every file is finished (digest known) on return; on any
    failure every temporary file is already gone."""
    content_type, options = parse_options_header(request.headers.get("content-type"))
    if content_type != b"multipart/form-data":
        raise UnsupportedMediaType(
            f"Unsupported media type: {content_type.decode('latin-1') or 'none'}; use multipart/form-data"
        )
    boundary = options.get(b"boundary")
    if not boundary:
        raise BadRequest("The multipart request has no boundary")
    reader = _PartReader(store, max_bytes)
    parser = MultipartParser(boundary, reader.callbacks())
    loop = asyncio.get_running_loop()
    # One buffer is hashed and written in a worker thread while the next is parsed on the loop
    # (hashlib and file writes release the GIL): the disk never stalls the event loop, and
    # parsing overlaps hashing. Buffers are absorbed strictly in order, one at a time.
    in_flight: asyncio.Future[None] | None = None
    try:
        async for chunk in request.stream():
            parser.write(chunk)
            for writer in reader.all_writers:
                if writer.needs_flush:
                    if in_flight is not None:
                        await in_flight
                    in_flight = loop.run_in_executor(None, writer.absorb, writer.take())
        parser.finalize()
        if not reader.ended:
            raise BadRequest("The multipart body ended before its closing boundary")
        if in_flight is not None:
            await in_flight
            in_flight = None
        for uploaded in reader.upload.files:
            await anyio.to_thread.run_sync(store.finish, uploaded.writer)
    except BaseException as error:
        if in_flight is not None:
            # Let the thread finish with the file before it is removed.
            await asyncio.wait([in_flight])
            if not in_flight.cancelled():
                in_flight.exception()
        discard_quietly(store, reader.all_writers)
        if isinstance(error, BlobTooLarge):
            raise PayloadTooLarge(
                f"The attachment is larger than the maximum attachment size of {error.limit} bytes"
            ) from None
        if isinstance(error, FormParserError):
            raise BadRequest(f"Malformed multipart body: {error}") from None
        if isinstance(error, ClientDisconnect):
            # Nobody is listening any more; a plain 400 avoids logging a dropped upload as a crash.
            raise BadRequest("The upload was interrupted") from None
        raise
    return reader.upload


class _PartReader:
    """python-multipart callbacks: one part at a time."""

    def __init__(self, store: BlobStore, max_bytes: int) -> None:
        self.store = store
        self.max_bytes = max_bytes
        self.upload = Upload()
        self.all_writers: list[BlobWriter] = []
        self.ended = False
        self._header_name = b""
        self._header_value = b""
        self._headers: dict[bytes, bytes] = {}
        self._writer: BlobWriter | None = None
        self._field: str | None = None
        self._text = bytearray()
        self._charset = "utf-8"

    def callbacks(self) -> dict[str, object]:
        return {
            "on_part_begin": self.on_part_begin,
            "on_part_data": self.on_part_data,
            "on_part_end": self.on_part_end,
            "on_header_field": self.on_header_field,
            "on_header_value": self.on_header_value,
            "on_header_end": self.on_header_end,
            "on_headers_finished": self.on_headers_finished,
            "on_end": self.on_end,
        }

    def on_part_begin(self) -> None:
        self._headers = {}
        self._writer = None
        self._field = None
        self._text = bytearray()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        self._headers[self._header_name.strip().lower()] = self._header_value.strip()
        self._header_name = b""
        self._header_value = b""

    def on_headers_finished(self) -> None:
        _, disposition = parse_options_header(self._headers.get(b"content-disposition"))
        if b"name" not in disposition:
            raise BadRequest('A multipart part has no Content-Disposition "name"')
        name = _text(disposition[b"name"])
        declared_type, type_options = parse_options_header(self._headers.get(b"content-type"))
        self._charset = _text(type_options.get(b"charset", b"utf-8"))
        if name == FILE_FIELD:
            if len(self.upload.files) >= MAX_FILES:
                raise BadRequest(f"Too many files in one request: at most {MAX_FILES}")
            raw_name = _text(disposition[b"filename"]) if b"filename" in disposition else None
            title = file_name(raw_name)
            writer = self.store.writer(self.max_bytes)
            self.all_writers.append(writer)
            self.upload.files.append(UploadedFile(title, media_type(_text(declared_type), title), writer))
            self._writer = writer
        else:
            if len(self.upload.fields) >= MAX_FIELDS:
                raise BadRequest(f"Too many form fields in one request: at most {MAX_FIELDS}")
            self._field = name

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._writer is not None:
            self._writer.write(memoryview(data)[start:end])
            return
        if len(self._text) + (end - start) > MAX_FIELD_BYTES:
            raise BadRequest(f"The form field '{self._field}' is longer than {MAX_FIELD_BYTES} bytes")
        self._text += data[start:end]

    def on_part_end(self) -> None:
        if self._field is not None:
            self.upload.fields.append((self._field, _decode(bytes(self._text), self._charset)))
        self._writer = None
        self._field = None

    def on_end(self) -> None:
        self.ended = True


def _text(raw: bytes) -> str:
    """Header parameters arrive as bytes; clients send UTF-8, old ones Latin-1."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _decode(raw: bytes, charset: str) -> str:
    try:
        return raw.decode(charset, errors="replace")
    except LookupError:
        return raw.decode("utf-8", errors="replace")
