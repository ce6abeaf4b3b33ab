"""The request context's transaction: committed before the response is sent, rolled back when the
endpoint or the commit fails, and closed either way (api.request_context)."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import APIRouter
from fastapi.routing import APIRoute
from sqlalchemy import event, select
from starlette.responses import Response

from localfluence.api import Context, ExpandParam, ok
from localfluence.app import create_app
from localfluence.config import Settings
from localfluence.errors import BadRequest
from localfluence.kit.lazyroutes import LazyAPIRoute, mount
from localfluence.models import Label
from tests.server import ADMIN_EMAIL, ADMIN_TOKEN, database_for_worker

ROUTE_CLASSES = {"lazy": LazyAPIRoute, "plain": APIRoute}


def _router(route_class: type[APIRoute]) -> APIRouter:
    router = APIRouter(route_class=route_class)

    @router.post("/write/{name}")
    async def write(ctx: Context, name: str) -> Response:
        ctx.session.add(Label(name=name))
        return ok({"name": name})

    @router.post("/write-then-fail/{name}")
    async def write_then_fail(ctx: Context, name: str) -> Response:
        ctx.session.add(Label(name=name))
        ctx.session.flush()
        raise BadRequest("no")

    @router.post("/commit-fails/{name}")
    async def commit_fails(ctx: Context, name: str) -> Response:
        ctx.session.add(Label(name=name))

        def refuse(_session: Any) -> None:
            raise RuntimeError("the commit fails")

        event.listen(ctx.session, "before_commit", refuse)
        return ok({"name": name})

    @router.get("/read/{number}")
    async def read(ctx: Context, expand: ExpandParam, number: int) -> Response:
        return ok({"number": number, "expand": ["a" in expand, "b" in expand, "c" in expand]})

    @router.get("/read-then-fail")
    async def read_then_fail(ctx: Context) -> Response:
        ctx.session.execute(select(Label.id).limit(1)).all()
        raise BadRequest("no")

    @router.get("/overlap/{key}")
    async def overlap(ctx: Context, key: str) -> Response:
        # Two requests with their transactions open at once: each waits here for the other.
        connection = ctx.session.connection()
        ctx.session.execute(select(Label.id).limit(1)).all()
        arrived = _OVERLAP.setdefault(key, [])
        arrived.append(connection)
        if len(arrived) == 2:
            _BOTH_IN[key].set()
        await asyncio.wait_for(_BOTH_IN[key].wait(), 10)
        return ok({"connection": id(connection.connection.dbapi_connection)})

    return router


_OVERLAP: dict[str, list[Any]] = {}
_BOTH_IN: dict[str, asyncio.Event] = {}


@pytest.fixture(scope="module", params=sorted(ROUTE_CLASSES))
def client(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    data = tmp_path_factory.mktemp("transaction")
    settings = Settings(
        data_dir=Path(data),
        database_url=database_for_worker(Path(data)),
        admin_email=ADMIN_EMAIL,
        admin_token=ADMIN_TOKEN,
        worker=False,
    )
    app = create_app(settings)
    mount(app, _router(ROUTE_CLASSES[request.param]), "/test")
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="critical", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="localfluence-test-transaction", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", auth=(ADMIN_EMAIL, ADMIN_TOKEN)) as http:
        http.runtime = app.state.runtime  # type: ignore[attr-defined]
        yield http
    server.should_exit = True
    thread.join(timeout=10)
    app.state.runtime.close()


def _stored(client: Any, name: str) -> bool:
    with client.runtime.sessions() as session:
        return session.scalar(select(Label.id).where(Label.name == name)) is not None


def _checked_out(client: Any) -> int:
    """Connections out of the pool that a request holds (not those kept for reads, idle)."""
    reads = client.runtime.reads
    return int(client.runtime.engine.pool.checkedout()) - (len(reads.idle) if reads else 0)


def _kept_idle(client: Any) -> list[Any]:
    reads = client.runtime.reads
    return list(reads.idle) if reads else []


def test_a_write_is_committed_before_the_response(client: Any) -> None:
    name = uuid.uuid4().hex
    response = client.post(f"/test/write/{name}")
    assert response.status_code == 200, response.text
    assert _stored(client, name)
    assert _checked_out(client) == 0


def test_an_error_in_the_endpoint_rolls_back(client: Any) -> None:
    name = uuid.uuid4().hex
    response = client.post(f"/test/write-then-fail/{name}")
    assert response.status_code == 400
    assert response.json()["message"] == "no"
    assert not _stored(client, name)
    assert _checked_out(client) == 0


def test_a_failed_commit_is_the_clients_error_not_a_200(client: Any) -> None:
    name = uuid.uuid4().hex
    response = client.post(f"/test/commit-fails/{name}")
    assert response.status_code == 500
    assert not _stored(client, name)
    assert _checked_out(client) == 0


def test_a_read_ends_its_transaction(client: Any) -> None:
    response = client.get("/test/read/7", params={"expand": "a,b"})
    assert response.status_code == 200, response.text
    assert response.json() == {"number": 7, "expand": [True, True, False]}
    assert _checked_out(client) == 0


def test_authentication_fails_before_the_endpoint_and_releases_the_session(client: Any) -> None:
    response = client.get("/test/read/7", auth=("nobody@example.com", "wrong"))
    assert response.status_code == 401
    assert _checked_out(client) == 0


def test_bad_parameters_are_a_400_and_release_the_session(client: Any) -> None:
    response = client.get("/test/read/seven")
    assert response.status_code == 400
    assert _checked_out(client) == 0


def test_a_read_that_fails_gives_back_a_connection_with_no_transaction(client: Any) -> None:
    response = client.get("/test/read-then-fail")
    assert response.status_code == 400
    assert _checked_out(client) == 0
    assert not any(connection.in_transaction() for connection in _kept_idle(client))


def test_reads_reuse_kept_connections_on_sqlite(client: Any) -> None:
    for number in range(5):
        assert client.get(f"/test/read/{number}").status_code == 200
    kept = _kept_idle(client)
    if client.runtime.engine.dialect.name == "sqlite":
        # A connection taken for each read and given back: one is enough for reads one at a time.
        assert len(kept) == 1 and not kept[0].in_transaction()
    else:
        # PostgreSQL: every read checks out of the pool, whose pre-ping finds a dead connection.
        assert kept == []
    assert _checked_out(client) == 0


def test_reads_in_flight_together_never_share_a_connection(client: Any) -> None:
    key = uuid.uuid4().hex
    _BOTH_IN[key] = asyncio.Event()
    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda _: client.get(f"/test/overlap/{key}"), range(2)))
    assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
    assert answers[0].json()["connection"] != answers[1].json()["connection"]
    assert _checked_out(client) == 0


def test_no_more_read_connections_are_out_than_kept(tmp_path: Path) -> None:
    """Reads in flight past `keep` (downloads waiting on blobs) use the pool per transaction: kept
    connections bound for a whole request never add up to exhausting it."""
    from localfluence.db.engine import make_engine
    from localfluence.db.session import ReadConnections

    engine = make_engine(f"sqlite:///{tmp_path / 'reads.db'}")
    reads = ReadConnections(engine, keep=2)
    first, second = reads.take(), reads.take()
    assert first is not None and second is not None and first is not second
    assert reads.take() is None
    reads.give_back(first)
    assert reads.take() is first
    reads.give_back(first)
    reads.give_back(second)
    assert engine.pool.checkedout() == 2 and len(reads.idle) == 2
    reads.close()
    assert engine.pool.checkedout() == 0
    engine.dispose()
