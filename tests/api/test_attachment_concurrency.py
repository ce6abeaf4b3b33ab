"""Many downloads at once: more in flight than the database pool has connections.

Request handlers do their database work on the event loop. A download that awaited a worker
thread (opening or reading the blob) while its transaction still held a pooled connection let the
next request's checkout block the event loop thread, so no thread result was ever delivered and
no connection ever returned: the server stopped answering. (With the pool's safety net,
db/loopguard.py, the same mistake shows as 503s instead of a hang.)"""

from __future__ import annotations

import asyncio
import hashlib
import time

import httpx
import pytest

from localfluence.attachments.download import CHUNK
from tests.api.attachments_support import download_url, uploaded
from tests.conftest import Person, create_page
from tests.server import RunningServer

# Clearly more than the pool holds (SQLite 8 + 16, PostgreSQL 10 + 20).
CONCURRENT = 64
# Generous for 64 MB over loopback on a busy machine; without the safety net the hang is forever.
DEADLINE_SECONDS = 10


def _pool_limit(server: RunningServer) -> int:
    pool = server.runtime.engine.pool
    return pool.size() + pool._max_overflow  # type: ignore[attr-defined]


async def _download_all(urls: list[str], auth: tuple[str, str]) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=len(urls), max_keepalive_connections=0)
    async with httpx.AsyncClient(auth=auth, limits=limits, timeout=DEADLINE_SECONDS) as client:
        return await asyncio.wait_for(asyncio.gather(*(client.get(url) for url in urls)), timeout=DEADLINE_SECONDS)


@pytest.mark.parametrize("size", [CHUNK + 1, 1000], ids=["streamed", "small"])
def test_more_concurrent_downloads_than_pooled_connections(
    server: RunningServer, admin: Person, space: dict, size: int
) -> None:
    assert CONCURRENT > _pool_limit(server) + 8
    page = create_page(admin, space["key"])
    data = hashlib.sha256(b"seed").digest() * (size // 32 + 1)
    data = data[:size]
    attachment = uploaded(admin.api, page["id"], "big.bin", data, media_type="application/octet-stream")
    urls = [download_url(server, attachment)] * CONCURRENT
    try:
        responses = asyncio.run(_download_all(urls, (admin.email, admin.token)))
    except TimeoutError:
        pytest.fail(f"{CONCURRENT} concurrent downloads did not finish within {DEADLINE_SECONDS} s")
    assert [r.status_code for r in responses] == [200] * CONCURRENT
    assert all(r.content == data for r in responses)
    # The server still answers afterwards.
    assert admin.api.get(f"/content/{page['id']}").status_code == 200


def test_an_exhausted_pool_answers_503_quickly_instead_of_blocking_the_server(
    server: RunningServer, admin: Person, space: dict
) -> None:
    """The safety net (db/loopguard.py): a checkout on the event loop thread gives up after about
    a second and the request answers 503 with Retry-After; the server keeps answering."""
    page = create_page(admin, space["key"])
    pool = server.runtime.engine.pool
    held = []
    try:
        # From this (test) thread: the pool's normal timeout, so connections the server's own
        # threads hold for a moment are waited for.
        while pool.checkedout() < _pool_limit(server):
            held.append(pool.connect())
        started = time.monotonic()
        # A write: reads may be served by a connection kept open beside the pool (db/session.py
        # ReadConnections), writes always check out of it.
        busy = admin.api.post(f"/content/{page['id']}/label", json=[{"prefix": "global", "name": "busy"}])
        waited = time.monotonic() - started
    finally:
        for connection in held:
            connection.close()
    assert busy.status_code == 503, busy.text
    assert busy.headers["retry-after"] == "1"
    body = busy.json()
    assert body["statusCode"] == 503
    assert body["reason"] == "Service Unavailable"
    assert body["data"]["successful"] is False
    assert waited < 10  # LOOP_CHECKOUT_SECONDS, not the pool's 30 s
    assert admin.api.get(f"/content/{page['id']}").status_code == 200
