"""The blob store contract, run against the local filesystem and against S3 (moto on 127.0.0.1)."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from localfluence.blobs.local import LocalBlobStore
from localfluence.blobs.s3 import S3BlobStore
from localfluence.blobs.store import BlobMissing, BlobStore, BlobTooLarge
from tests.moto_s3 import S3Endpoint, moto_s3


@pytest.fixture(scope="module")
def s3() -> Iterator[S3Endpoint]:
    with moto_s3() as endpoint:
        yield endpoint


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> BlobStore:
    if request.param == "local":
        return LocalBlobStore(tmp_path / "blobs")
    endpoint: S3Endpoint = request.getfixturevalue("s3")
    return S3BlobStore(endpoint.client, endpoint.bucket, f"t{tmp_path.name}/", tmp_path / "tmp")


def chunks(data: bytes, size: int = 7) -> Iterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i : i + size]


def temp_files(store: BlobStore) -> list[Path]:
    return list(store.tmp_dir.glob("*")) if store.tmp_dir.exists() else []


def test_put_hashes_as_it_streams_and_nothing_is_readable_before_link(store: BlobStore) -> None:
    data = os.urandom(10_000)
    writer = store.put(chunks(data))
    assert writer.sha256 == hashlib.sha256(data).hexdigest()
    assert writer.size == len(data)
    assert writer.sha256 in writer.key
    assert writer.path.read_bytes() == data
    assert not store.exists(writer.key)
    store.discard(writer)


def test_stage_then_link_makes_the_bytes_readable_and_removes_the_temp_file(store: BlobStore) -> None:
    data = b"0123456789" * 1000
    writer = store.put(chunks(data))
    store.stage(writer)
    store.link(writer)
    assert store.exists(writer.key)
    assert store.read_all(writer.key) == data
    assert temp_files(store) == []


@pytest.mark.parametrize(("start", "length"), [(0, 10), (5, 3), (9990, 10), (9999, 1), (0, None), (4000, None)])
def test_ranges(store: BlobStore, start: int, length: int | None) -> None:
    data = bytes(range(256)) * 40
    writer = store.put(chunks(data[:10_000]))
    store.stage(writer)
    store.link(writer)
    reader = store.open(writer.key, start, length)
    try:
        got = reader.read()
    finally:
        reader.close()
    end = None if length is None else start + length
    assert got == data[:10_000][start:end]


def test_discard_after_stage_leaves_nothing(store: BlobStore) -> None:
    writer = store.put(chunks(b"rolled back"))
    store.stage(writer)
    store.discard(writer)
    assert not store.exists(writer.key)
    assert temp_files(store) == []
    store.discard(writer)  # idempotent


def test_delete_and_missing(store: BlobStore) -> None:
    writer = store.put([b"short-lived"])
    store.stage(writer)
    store.link(writer)
    store.delete(writer.key)
    assert not store.exists(writer.key)
    with pytest.raises(BlobMissing):
        store.read_all(writer.key)
    store.delete(writer.key)  # a missing key is not an error


def test_empty_blob(store: BlobStore) -> None:
    writer = store.put([])
    store.stage(writer)
    store.link(writer)
    assert writer.size == 0
    assert writer.sha256 == hashlib.sha256(b"").hexdigest()
    reader = store.open(writer.key, 0, 0)
    assert reader.read() == b""
    reader.close()


def test_too_large_stops_writing_and_leaves_no_temp_file(store: BlobStore) -> None:
    with pytest.raises(BlobTooLarge):
        store.put(chunks(b"x" * 101, size=10), max_bytes=100)
    assert temp_files(store) == []


def test_exactly_the_limit_is_accepted(store: BlobStore) -> None:
    writer = store.put(chunks(b"x" * 100, size=10), max_bytes=100)
    assert writer.size == 100
    store.discard(writer)


def test_same_bytes_give_the_same_digest_but_s3_keys_are_unique(store: BlobStore) -> None:
    a = store.put([b"same"])
    b = store.put([b"same"])
    assert a.sha256 == b.sha256
    if isinstance(store, S3BlobStore):
        assert a.key != b.key
    else:
        assert a.key == b.key
    store.discard(a)
    store.discard(b)


def test_sweep_removes_only_old_temporary_files(store: BlobStore) -> None:
    old = store.writer()
    fresh = store.writer()
    past = time.time() - 2 * 24 * 3600
    os.utime(old.path, (past, past))
    assert store.sweep_temporary() == 1
    assert not old.path.exists()
    assert fresh.path.exists()
    old.remove_file()
    fresh.remove_file()


def test_local_keys_cannot_escape_the_blob_dir(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path / "blobs")
    (tmp_path / "secret").write_bytes(b"secret")
    for key in ("../secret", "/etc/passwd", "ab/../../secret", ""):
        with pytest.raises(BlobMissing):
            store.open(key)
        assert not store.exists(key)


def test_a_stream_larger_than_the_write_buffer(store: BlobStore) -> None:
    data = os.urandom(2 * 1024 * 1024 + 12345)
    writer = store.put(chunks(data, size=64 * 1024))
    assert writer.sha256 == hashlib.sha256(data).hexdigest()
    store.stage(writer)
    store.link(writer)
    assert store.read_all(writer.key) == data
    reader = store.open(writer.key, 1024 * 1024 - 10, 20)
    assert reader.read() == data[1024 * 1024 - 10 : 1024 * 1024 + 10]
    reader.close()
