"""The blob store interface and the writer every upload streams into.

An upload is written to a temporary file and hashed with SHA-256 as it goes. Once the request's
transaction knows what to do with it, the writer takes one of two ways out:

    writer ──finish()──► stage() (before any row is written: the store may copy the bytes where they will live)
                           ├─ commit   ──► link()     the bytes become readable under writer.key
                           └─ rollback ──► discard()  nothing remains: no temp file, no staged copy

localfluence.blobs.transaction ties these calls to a database session."""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Protocol

CHUNK = 1024 * 1024


class BlobTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"The upload is larger than the limit of {limit} bytes")
        self.limit = limit


class BlobMissing(Exception):
    """The store has no bytes under a key the database names."""


class Reader(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...

    def close(self) -> None: ...


class BlobWriter:
    """A temporary file being filled; size and digest are known once finish() returns.

    write() only buffers (it runs inside parser callbacks on the event loop); flush() hashes and
    writes the buffer and is meant for a worker thread, so a disk that stalls under writeback
    pressure never stalls the server."""

    FLUSH_AT = 1024 * 1024

    def __init__(self, tmp_dir: Path, max_bytes: int | None = None) -> None:
        tmp_dir.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=tmp_dir, prefix="upload-", suffix=".part")
        self.path = Path(name)
        self._file = os.fdopen(fd, "wb", buffering=0)
        self._hash = hashlib.sha256()
        self._pending = bytearray()
        self.max_bytes = max_bytes
        self.size = 0
        self.sha256 = ""
        # Assigned by the store when the writer is finished: where the bytes will live.
        self.key = ""
        self.staged = False
        self.closed = False

    def write(self, data: bytes | memoryview) -> None:
        if self.max_bytes is not None and self.size + len(data) > self.max_bytes:
            raise BlobTooLarge(self.max_bytes)
        self._pending += data
        self.size += len(data)

    @property
    def needs_flush(self) -> bool:
        return len(self._pending) >= self.FLUSH_AT

    def take(self) -> bytearray:
        """The buffered bytes, leaving an empty buffer for the next writes (event-loop side)."""
        pending, self._pending = self._pending, bytearray()
        return pending

    def absorb(self, data: bytearray) -> None:
        """Hash and write bytes taken earlier, in order (thread side)."""
        self._hash.update(data)
        view = memoryview(data)
        while view:
            written = self._file.write(view)
            view = view[written:]

    def flush(self) -> None:
        self.absorb(self.take())

    def finish(self) -> None:
        # No fsync: the database runs with synchronous=NORMAL too; a crash may lose the last
        # moments of work, but never leaves a committed row without its file on a clean stop.
        self.flush()
        self._file.close()
        self.sha256 = self._hash.hexdigest()

    def remove_file(self) -> None:
        self._pending = bytearray()
        if not self._file.closed:
            self._file.close()
        self.path.unlink(missing_ok=True)
        self.closed = True


class BlobStore(ABC):
    """Content-addressed bytes. Keys come from key_for(); the database keeps them (blob.key)."""

    # Whether stage() does real (slow) work; callers skip it, and a thread hop, when it does not.
    stages_remotely = False

    def __init__(self, tmp_dir: Path) -> None:
        self.tmp_dir = tmp_dir

    def writer(self, max_bytes: int | None = None) -> BlobWriter:
        return BlobWriter(self.tmp_dir, max_bytes)

    def finish(self, writer: BlobWriter) -> None:
        writer.finish()
        writer.key = self.key_for(writer.sha256)

    @abstractmethod
    def key_for(self, sha256: str) -> str:
        """Where new bytes with this digest go."""

    def stage(self, writer: BlobWriter) -> None:
        """Before the commit: slow work that may fail (an upload), so a failure rolls back."""
        writer.staged = True

    @abstractmethod
    def link(self, writer: BlobWriter) -> None:
        """After the commit: make the bytes readable under writer.key; drop the temporary file."""

    def discard(self, writer: BlobWriter) -> None:
        """After a rollback (or when the bytes were already stored): leave nothing behind."""
        writer.remove_file()

    @abstractmethod
    def open(self, key: str, start: int = 0, length: int | None = None) -> Reader:
        """A reader of `length` bytes (or to the end) from `start`; BlobMissing if absent."""

    @abstractmethod
    def exists(self, key: str) -> bool: ...

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove the bytes; a missing key is not an error."""

    def put(self, chunks: object, max_bytes: int | None = None) -> BlobWriter:
        """Stream an iterable of bytes into a finished writer (the caller stages/links or discards it)."""
        writer = self.writer(max_bytes)
        try:
            for chunk in chunks:  # type: ignore[attr-defined]
                writer.write(chunk)
                if writer.needs_flush:
                    writer.flush()
            self.finish(writer)
        except BaseException:
            writer.remove_file()
            raise
        return writer

    def read_all(self, key: str) -> bytes:
        reader = self.open(key)
        try:
            parts = []
            while data := reader.read(CHUNK):
                parts.append(data)
            return b"".join(parts)
        finally:
            reader.close()

    def sweep_temporary(self, older_than_seconds: float = 24 * 3600) -> int:
        """Remove temporary files a crashed process left behind. Age-based, because other worker
        processes may be writing theirs right now."""
        removed = 0
        cutoff = time.time() - older_than_seconds
        if not self.tmp_dir.is_dir():
            return 0
        for path in self.tmp_dir.glob("upload-*.part"):
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
            except FileNotFoundError:
                continue
        return removed
