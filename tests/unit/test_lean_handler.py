"""The lean request handler (kit/handler.py) answers exactly as FastAPI's handler does: the same
status, headers and bytes for every route it serves, with valid, invalid and missing parameters,
signed in, anonymous and with bad credentials."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute

from localfluence.app import create_app
from localfluence.config import Settings
from localfluence.kit import handler
from tests.server import ADMIN_EMAIL, ADMIN_TOKEN, database_for_worker

ADMIN = (ADMIN_EMAIL, ADMIN_TOKEN)
# Safe to repeat: these methods are only sent with ids that name nothing.
CHANGING = {"DELETE", "POST", "PUT", "PATCH"}


@pytest.fixture(scope="module")
def apps(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Any]]:
    data = Path(tmp_path_factory.mktemp("lean"))
    settings = Settings(
        data_dir=data, database_url=database_for_worker(data), admin_email=ADMIN_EMAIL, admin_token=ADMIN_TOKEN
    )
    settings = settings.model_copy(update={"worker": False})
    lean = create_app(settings)
    handler.ENABLED = False
    try:
        general = create_app(settings, prepare=False)
        # Analyse every route of the general app now, while the lean handler is off.
        for route in general.router.routes:
            if isinstance(route, APIRoute):
                route.app  # noqa: B018
    finally:
        handler.ENABLED = True
    yield lean, general
    for app in (lean, general):
        app.state.runtime.close()


def _requests(app: Any, page_id: str, space_key: str) -> list[tuple[str, str, dict[str, str], Any]]:
    out = []
    for route in app.router.routes:
        if not isinstance(route, APIRoute) or route.path.startswith("/rest/api/") or not handler.qualifies(route):
            continue
        queries = [field.alias for dep in _dependants(route.dependant) for field in dep.query_params]
        for method in sorted(route.methods):
            values = ["999999999", "abc"] if method in CHANGING else [page_id, space_key, "abc", "999999999"]
            for value in values:
                path = re.sub(r"\{[^}]+\}", value, route.path_format)
                out.append((method, path, {}, ADMIN))
                if queries:
                    out.append((method, path, dict.fromkeys(queries, "x"), ADMIN))
            path = re.sub(r"\{[^}]+\}", values[0], route.path_format)
            out.append((method, path, {}, None))
            out.append((method, path, {}, ("nobody@example.com", "wrong")))
    return out


def _dependants(dependant: Any) -> Iterator[Any]:
    yield dependant
    for sub in dependant.dependencies:
        yield from _dependants(sub)


async def _answer(client: httpx.AsyncClient, method: str, path: str, params: dict[str, str], auth: Any) -> Any:
    response = await client.request(method, path, params=params, auth=auth or httpx.USE_CLIENT_DEFAULT)
    return response.status_code, sorted(response.headers.multi_items()), response.content


def test_the_lean_handler_answers_as_fastapis_does(apps: tuple[Any, Any]) -> None:
    lean, general = apps

    async def run() -> int:
        lean_client = httpx.AsyncClient(transport=httpx.ASGITransport(app=lean), base_url="http://test")
        general_client = httpx.AsyncClient(transport=httpx.ASGITransport(app=general), base_url="http://test")
        async with lean_client, general_client:
            space = await lean_client.post("/wiki/rest/api/space", json={"key": "LEAN", "name": "Lean"}, auth=ADMIN)
            assert space.status_code == 200, space.text
            page = await lean_client.post(
                "/wiki/rest/api/content",
                json={
                    "type": "page",
                    "title": "Lean",
                    "space": {"key": "LEAN"},
                    "body": {"storage": {"value": "<p>x</p>", "representation": "storage"}},
                },
                auth=ADMIN,
            )
            assert page.status_code == 200, page.text
            requests = _requests(lean, page.json()["id"], "LEAN")
            assert len(requests) > 1000, len(requests)
            compared = 0
            for method, path, params, auth in requests:
                first = await _answer(lean_client, method, path, params, auth)
                expected = await _answer(general_client, method, path, params, auth)
                if first != expected:
                    # Some reads answer differently each time (a view count): compare like with like.
                    again = await _answer(lean_client, method, path, params, auth)
                    if again == first:
                        assert expected == first, (method, path, params, auth)
                        compared += 1
                else:
                    compared += 1
            return compared

    compared = asyncio.run(run())
    assert compared > 1000, compared


def test_most_routes_are_served_by_the_lean_handler(apps: tuple[Any, Any]) -> None:
    lean, _ = apps
    routes = [r for r in lean.router.routes if isinstance(r, APIRoute)]
    gets = [r for r in routes if "GET" in r.methods]
    assert sum(handler.qualifies(r) for r in gets) >= len(gets) - 5
    bodies = [r for r in routes if r.body_field is not None]
    assert bodies and not any(handler.qualifies(r) for r in bodies)
