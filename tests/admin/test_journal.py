"""The journal: what was asked and answered, filtered and counted, in bounded memory."""

from __future__ import annotations

import threading
import tracemalloc

import httpx
import pytest

from localfluence.admin.journal import Journal, JournalFilter
from localfluence.testing.server import LocalfluenceServer, start_server
from tests.admin.conftest import make_space, make_user


def test_entries_say_what_happened(lf: LocalfluenceServer, api: httpx.Client) -> None:
    account = api.get("/user/current").json()["accountId"]
    make_space(api, "JRN")
    api.get("/space/JRN", params={"expand": "homepage"})
    api.get("/space/NOPE")

    entries = lf.admin.journal.entries()

    assert [(e["method"], e["path"], e["status"]) for e in entries] == [
        ("GET", "/wiki/rest/api/user/current", 200),
        ("POST", "/wiki/rest/api/space", 200),
        ("GET", "/wiki/rest/api/space/JRN", 200),
        ("GET", "/wiki/rest/api/space/NOPE", 404),
    ]
    create = entries[1]
    assert create["operationId"] == "createSpace"
    assert create["accountId"] == account
    assert create["requestBytes"] > 0 and create["responseBytes"] > 0
    assert create["durationMs"] > 0 and create["time"].endswith("Z")
    assert entries[2]["query"] == "expand=homepage"
    assert [e["id"] for e in entries] == sorted(e["id"] for e in entries)


def test_filters_and_count(lf: LocalfluenceServer, api: httpx.Client) -> None:
    bob = make_user(lf, "bob-journal@example.com", "bob-journal-token")
    make_space(api, "FIL")
    api.get("/space/FIL")
    api.get("/space/MISSING")
    httpx.get(lf.api_url + "/space", auth=bob)
    bob_id = httpx.get(lf.api_url + "/user/current", auth=bob).json()["accountId"]
    journal = lf.admin.journal

    assert journal.count(method="POST") == 1
    assert journal.count(path="/wiki/rest/api/space/*") == 2
    assert journal.count(status="404") == 1 and journal.count(status="4xx") == 1
    assert journal.count(status="2xx") == 4
    assert journal.count(account_id=bob_id) == 2
    assert journal.count(operation_id="getSpace") == 2
    first = journal.entries()[0]["id"]
    assert journal.count(after=first) == 4
    newest = journal.entries(newest_first=True, limit=1)[0]
    assert newest["path"] == "/wiki/rest/api/user/current"
    journal.clear()
    assert journal.entries() == [] and journal.count() == 0


def test_admin_requests_are_not_journaled(lf: LocalfluenceServer) -> None:
    lf.admin.faults.list()
    lf.admin.clock.now()
    assert lf.admin.journal.entries() == []


@pytest.fixture(scope="module")
def small_ring(tmp_path_factory: pytest.TempPathFactory):
    server = start_server(data_dir=tmp_path_factory.mktemp("ring"), journal_size=50)
    yield server
    server.stop()


def test_the_journal_stays_within_its_bound_under_load(small_ring: LocalfluenceServer) -> None:
    def load(n: int) -> None:
        with httpx.Client(base_url=small_ring.url, timeout=30) as client:
            for i in range(100):
                client.get("/wiki/rest/api/space", params={"worker": n, "i": i})

    threads = [threading.Thread(target=load, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    body = small_ring.admin.call("GET", "/journal")
    assert body["capacity"] == 50
    assert body["held"] == 50 and body["size"] == 50
    assert body["recorded"] == 400
    ids = [e["id"] for e in body["results"]]
    assert ids == list(range(351, 401))  # the newest 50, oldest dropped first


def test_ring_memory_is_bounded_by_its_size() -> None:
    journal = Journal(100)
    fields = dict(
        time="2024-01-01T00:00:00.000Z",
        method="GET",
        query="",
        status=200,
        duration_ms=1.0,
        account_id="a",
        request_bytes=0,
        response_bytes=0,
        operation_id="getSpace",
        fault=None,
    )
    tracemalloc.start()
    for i in range(200):
        journal.record(path=f"/wiki/rest/api/content/{i}", **fields)
    after_fill, _ = tracemalloc.get_traced_memory()
    for i in range(20_000):
        journal.record(path=f"/wiki/rest/api/content/{i}", **fields)
    after_load, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(journal) == 100 and journal.recorded == 20_200
    assert after_load - after_fill < 50_000
    assert journal.count(JournalFilter(path="/wiki/rest/api/content/*")) == 100


def test_a_journal_of_size_zero_records_nothing() -> None:
    journal = Journal(0)
    journal.record(
        time=None,
        method="GET",
        path="/",
        query="",
        status=200,
        duration_ms=0.0,
        account_id=None,
        request_bytes=0,
        response_bytes=0,
        operation_id=None,
        fault=None,
    )
    assert len(journal) == 0
