"""Lazy routes (kit/lazyroutes.py): an app is built without analysing its endpoints; a request
analyses only the route that serves it; the OpenAPI document still lists every operation."""

from __future__ import annotations

import warnings
from pathlib import Path

from fastapi import APIRouter, FastAPI

from localfluence.app import create_app
from localfluence.config import Settings
from localfluence.kit.lazyroutes import _PENDING, LazyAPIRoute, lazy_route_definitions, mount
from localfluence.testing.server import copy_schema_template

with warnings.catch_warnings():
    # Starlette would rather have httpx2; httpx is what this project has.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def pending(routes: list) -> list[LazyAPIRoute]:
    return [r for r in routes if isinstance(r, LazyAPIRoute) and _PENDING in r.__dict__]


def test_a_router_defined_lazily_serves_under_several_prefixes() -> None:
    with lazy_route_definitions():
        router = APIRouter(prefix="/things")
        nested = APIRouter()
    assert APIRouter().route_class is not LazyAPIRoute  # only inside the block

    @router.get("/{id}", operation_id="getThing")
    async def get_thing(id: int, q: str | None = None) -> dict:
        return {"id": id, "q": q}

    @nested.get("/ping")
    async def ping() -> dict:
        return {"pong": True}

    outer = APIRouter()
    outer.include_router(nested, prefix="/wiki")
    app = FastAPI()
    mount(app, router, "/a")
    mount(app, router, "/b", include_in_schema=False)
    mount(app, outer)
    assert len(pending(app.router.routes)) == 3
    with TestClient(app) as client:
        assert client.get("/a/things/7", params={"q": "x"}).json() == {"id": 7, "q": "x"}
        assert client.get("/a/things/nope").status_code == 422  # validation works: the route was analysed
        assert len(pending(app.router.routes)) == 2  # only the route that answered
        assert client.get("/b/things/8").json() == {"id": 8, "q": None}
        assert client.get("/wiki/ping").json() == {"pong": True}
        assert client.post("/a/things/7").status_code == 405
        paths = client.get("/openapi.json").json()["paths"]
    assert set(paths) == {"/a/things/{id}", "/wiki/ping"}
    assert paths["/a/things/{id}"]["get"]["operationId"] == "getThing"


def test_the_app_starts_with_no_route_analysed(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, worker=False, admin_token="lazy-token-1")
    copy_schema_template(settings)  # no Alembic run
    app = create_app(settings)
    try:
        lazy = [r for r in app.router.routes if isinstance(r, LazyAPIRoute)]
        assert len(lazy) > 500 and len(pending(lazy)) == len(lazy)
        with TestClient(app) as client:
            assert client.get("/status").json() == {"state": "RUNNING"}
            response = client.get("/wiki/rest/api/space", auth=("admin@example.com", "lazy-token-1"))
            assert response.status_code == 200
            assert len(pending(lazy)) == len(lazy) - 2
    finally:
        app.state.runtime.close()
