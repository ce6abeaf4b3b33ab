"""The attachment API on the S3 blob store (LOCALFLUENCE_BLOB_STORE=s3), against moto's S3 server."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from localfluence.blobs.s3 import S3BlobStore
from tests.api.attachments_support import (
    blob_count,
    blob_key,
    drop_mid_upload,
    temp_files,
    upload,
    uploaded,
    wait_until,
)
from tests.conftest import Person, create_page, unique_key
from tests.moto_s3 import S3Endpoint, moto_s3
from tests.server import ADMIN_EMAIL, ADMIN_TOKEN, RunningServer, database_for_worker, start_server


@pytest.fixture(scope="module")
def s3() -> Iterator[S3Endpoint]:
    with moto_s3() as endpoint:
        yield endpoint


@pytest.fixture(scope="module")
def s3_server(s3: S3Endpoint, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    data_dir: Path = tmp_path_factory.mktemp("localfluence-s3")
    running = start_server(data_dir, database_for_worker(data_dir), **s3.settings())
    assert isinstance(running.runtime.blobs, S3BlobStore)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def boss(s3_server: RunningServer) -> Iterator[Person]:
    auth = (ADMIN_EMAIL, ADMIN_TOKEN)
    api = httpx.Client(base_url=s3_server.url + "/wiki/rest/api", auth=auth, timeout=30)
    server_api = httpx.Client(base_url=s3_server.url + "/rest/api", auth=auth, timeout=30)
    yield Person(account_id="", email=ADMIN_EMAIL, token=ADMIN_TOKEN, api=api, server_api=server_api)
    api.close()
    server_api.close()


@pytest.fixture
def page(boss: Person) -> dict:
    key = unique_key("S")
    assert boss.api.post("/space", json={"key": key, "name": key}).status_code == 200
    return create_page(boss, key)


def _get(server: RunningServer, attachment: dict, **headers: str) -> httpx.Response:
    return httpx.get(
        server.url + "/wiki" + attachment["_links"]["download"], auth=(ADMIN_EMAIL, ADMIN_TOKEN), headers=headers
    )


def test_upload_lands_in_the_bucket_and_downloads_with_ranges(
    s3: S3Endpoint, s3_server: RunningServer, boss: Person, page: dict
) -> None:
    data = bytes(range(256)) * 100 + page["id"].encode()
    attachment = uploaded(boss.api, page["id"], "in-s3.bin", data, media_type="application/octet-stream")
    key = blob_key(s3_server, data)
    assert key is not None and key in s3.keys()
    assert hashlib.sha256(data).hexdigest() in key
    assert _get(s3_server, attachment).content == data
    part = _get(s3_server, attachment, Range="bytes=100-199")
    assert part.status_code == 206
    assert part.content == data[100:200]
    assert _get(s3_server, attachment, Range="bytes=-7").content == data[-7:]
    assert _get(s3_server, attachment, Range=f"bytes={len(data)}-").status_code == 416
    assert temp_files(s3_server) == []


def test_versions_and_deduplication(s3: S3Endpoint, s3_server: RunningServer, boss: Person, page: dict) -> None:
    one = b"one " + page["id"].encode()
    first = uploaded(boss.api, page["id"], "v.txt", one)
    before = len(s3.keys())
    uploaded(boss.api, page["id"], "copy.txt", one)
    assert len(s3.keys()) == before  # same bytes, no second object
    second = uploaded(boss.api, page["id"], "v.txt", b"two " + page["id"].encode(), method="PUT")
    assert second["version"]["number"] == 2
    assert _get(s3_server, first).content == one
    assert _get(s3_server, second).content == b"two " + page["id"].encode()


def test_failed_uploads_leave_no_object(s3: S3Endpoint, s3_server: RunningServer, boss: Person, page: dict) -> None:
    uploaded(boss.api, page["id"], "taken.txt", b"first")
    before = s3.keys()
    assert upload(boss.api, page["id"], "taken.txt", b"duplicate name " + page["id"].encode()).status_code == 400
    assert upload(boss.api, page["id"], "x.txt", headers={}).status_code == 403
    assert s3.keys() == before
    assert temp_files(s3_server) == []


def test_a_failure_after_staging_rolls_everything_back(
    s3: S3Endpoint, s3_server: RunningServer, boss: Person, page: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = s3_server.runtime.blobs
    real_stage = store.stage

    def stage_then_fail(writer: object) -> None:
        real_stage(writer)  # type: ignore[arg-type]
        raise OSError("the network went away")

    monkeypatch.setattr(store, "stage", stage_then_fail)
    before_keys, before_blobs = s3.keys(), blob_count(s3_server)
    data = b"never committed " + page["id"].encode()
    assert upload(boss.api, page["id"], "lost.txt", data).status_code == 500
    assert s3.keys() == before_keys
    assert blob_count(s3_server) == before_blobs
    assert boss.api.get(f"/content/{page['id']}/child/attachment").json()["size"] == 0


def test_dropped_connection_leaves_nothing(s3: S3Endpoint, s3_server: RunningServer, boss: Person, page: dict) -> None:
    before_keys, before_blobs = s3.keys(), blob_count(s3_server)
    drop_mid_upload(s3_server, ADMIN_EMAIL, ADMIN_TOKEN, page["id"], sent=2 * 1024 * 1024)
    wait_until(lambda: temp_files(s3_server) == [])
    assert s3.keys() == before_keys
    assert blob_count(s3_server) == before_blobs


def test_purge_deletes_the_object(s3: S3Endpoint, s3_server: RunningServer, boss: Person, page: dict) -> None:
    data = b"purged from s3 " + page["id"].encode()
    attachment = uploaded(boss.api, page["id"], "purge.txt", data)
    key = blob_key(s3_server, data)
    assert key in s3.keys()
    assert boss.api.delete(f"/content/{attachment['id']}").status_code == 204
    assert key not in s3.keys()
    assert blob_key(s3_server, data) is None


def test_a_slow_stage_holds_up_nobody_and_concurrent_same_bytes_end_in_one_object(
    s3: S3Endpoint, s3_server: RunningServer, boss: Person, page: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = s3_server.runtime.blobs
    real_stage = store.stage
    gate = threading.Event()
    staging = threading.Semaphore(0)

    def slow_stage(writer: object) -> None:
        staging.release()
        assert gate.wait(30)
        real_stage(writer)  # type: ignore[arg-type]

    monkeypatch.setattr(store, "stage", slow_stage)
    space_key = boss.api.get(f"/content/{page['id']}").json()["space"]["key"]
    other = create_page(boss, space_key)
    data = b"raced " + page["id"].encode()
    before = set(s3.keys())
    results: list[httpx.Response] = []

    def send(container: str) -> None:
        with httpx.Client(base_url=s3_server.url + "/wiki/rest/api", auth=(ADMIN_EMAIL, ADMIN_TOKEN)) as api:
            results.append(upload(api, container, "raced.bin", data))

    threads = [threading.Thread(target=send, args=(c,)) for c in (page["id"], other["id"])]
    for thread in threads:
        thread.start()
    assert staging.acquire(timeout=30) and staging.acquire(timeout=30)  # both requests are staging
    started = time.monotonic()
    unrelated = create_page(boss, space_key)
    assert unrelated["id"]
    assert time.monotonic() - started < 5
    gate.set()
    for thread in threads:
        thread.join(timeout=60)
    assert [r.status_code for r in results] == [200, 200]
    new_objects = set(s3.keys()) - before
    assert len(new_objects) == 1
    assert blob_key(s3_server, data) in new_objects
