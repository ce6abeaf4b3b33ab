"""Lazy routes (kit/lazyroutes.py): an app is built without analysing its endpoints; a request
analyses only the route that serves it; the OpenAPI document still lists every operation."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute

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


def test_a_fastapi_without_the_route_class_default_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    defaults = {k: v for k, v in (APIRouter.__init__.__kwdefaults__ or {}).items() if k != "route_class"}
    monkeypatch.setattr(APIRouter.__init__, "__kwdefaults__", defaults)
    with pytest.raises(RuntimeError, match="no keyword default 'route_class'"), lazy_route_definitions():
        pytest.fail("the block must not run")


def test_a_fastapi_that_ignores_the_swapped_default_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    original = APIRouter.__init__

    def init(self: APIRouter, *args: Any, route_class: type[APIRoute] = APIRoute, **options: Any) -> None:
        original(self, *args, **options)  # a signature that keeps the name but not the meaning

    monkeypatch.setattr(APIRouter, "__init__", init)
    with pytest.raises(RuntimeError, match="ignores the swapped 'route_class' default"), lazy_route_definitions():
        pytest.fail("the block must not run")
    assert init.__kwdefaults__ == {"route_class": APIRoute}  # restored


def test_the_default_is_restored_when_the_block_fails() -> None:
    with pytest.raises(ZeroDivisionError), lazy_route_definitions():
        assert APIRouter().route_class is LazyAPIRoute
        _ = 1 / 0
    assert APIRouter().route_class is APIRoute


def route_to(path: str) -> APIRouter:
    with lazy_route_definitions():
        router = APIRouter()

    @router.get(path, operation_id=path.strip("/"))
    async def endpoint() -> dict:
        return {}

    return router


def test_a_route_mounted_after_the_openapi_document_was_built_is_in_it() -> None:
    app = FastAPI()
    mount(app, route_to("/first"))
    with TestClient(app) as client:
        assert set(client.get("/openapi.json").json()["paths"]) == {"/first"}
        mount(app, route_to("/second"))  # the document FastAPI cached is stale now
        assert set(client.get("/openapi.json").json()["paths"]) == {"/first", "/second"}


def test_mount_works_on_a_fastapi_without_the_private_change_marker(monkeypatch: pytest.MonkeyPatch) -> None:
    app, router = FastAPI(), route_to("/only")
    monkeypatch.delattr(APIRouter, "_mark_routes_changed")
    mount(app, router)
    with TestClient(app) as client:
        assert client.get("/only").json() == {}
