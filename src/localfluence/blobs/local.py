"""Blobs as files under one directory, named by their SHA-256 (ab/abcdef…)."""

from __future__ import annotations

import os
from pathlib import Path

from localfluence.blobs.store import BlobMissing, BlobStore, BlobWriter, Reader


class LocalBlobStore(BlobStore):
    def __init__(self, root: Path) -> None:
        # Temporary files live under the same root so that linking is a rename on one filesystem.
        super().__init__(root / "tmp")
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def key_for(self, sha256: str) -> str:
        return f"{sha256[:2]}/{sha256}"

    def path_of(self, key: str) -> Path:
        if not key or key.startswith(("/", ".")) or ".." in key.split("/"):
            raise BlobMissing(key)
        return self.root / key

    def link(self, writer: BlobWriter) -> None:
        target = self.path_of(writer.key)
        target.parent.mkdir(parents=True, exist_ok=True)
        # Atomic; replacing an existing file with the same bytes is harmless and repairs a lost one.
        os.replace(writer.path, target)
        writer.closed = True

    def open(self, key: str, start: int = 0, length: int | None = None) -> Reader:
        try:
            handle = open(self.path_of(key), "rb")  # noqa: SIM115 (closed by the caller)
        except FileNotFoundError:
            raise BlobMissing(key) from None
        if start:
            handle.seek(start)
        return handle if length is None else _Limited(handle, length)

    def exists(self, key: str) -> bool:
        try:
            return self.path_of(key).is_file()
        except BlobMissing:
            return False

    def delete(self, key: str) -> None:
        try:
            self.path_of(key).unlink(missing_ok=True)
        except BlobMissing:
            return


class _Limited:
    """At most `remaining` bytes of an open file."""

    def __init__(self, handle: Reader, remaining: int) -> None:
        self._handle = handle
        self._remaining = remaining

    def read(self, size: int = -1, /) -> bytes:
        if self._remaining <= 0:
            return b""
        wanted = self._remaining if size < 0 else min(size, self._remaining)
        data = self._handle.read(wanted)
        self._remaining -= len(data)
        return data

    def close(self) -> None:
        self._handle.close()
