"""The request context's transaction: committed before the response is sent, rolled back when the
endpoint or the commit fails, and closed either way (api.request_context)."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
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

    return router


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
    return int(client.runtime.engine.pool.checkedout())


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
