"""The dispatch index picks the route FastAPI's own router would pick, for every route we serve."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from starlette.routing import Match

from localfluence.app import create_app
from localfluence.config import Settings
from localfluence.dispatch import DispatchIndex

METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")
CONTENT_TYPES = (b"application/json", b"multipart/form-data; boundary=x")


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    data = tmp_path_factory.mktemp("dispatch")
    return create_app(Settings(data_dir=Path(data), worker=False), prepare=False)


def _scope(method: str, path: str, content_type: bytes) -> dict[str, Any]:
    return {
        "type": "http",
        "method": method,
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"content-type", content_type)],
    }


def _fastapi_choice(router: Any, scope: dict[str, Any]) -> Any:
    """What APIRouter.app would run: the first route that fully matches."""
    for route in router.routes:
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return route
    return None


def _paths(app: Any) -> list[str]:
    index: DispatchIndex = app.router.middleware_stack
    index._find(_scope("GET", "/", b""))
    assert index.index is not None
    formats = {leaf.path for listed in index.index.by_prefix.values() for leaf in listed}
    paths = set()
    for fmt in formats:
        paths.add(re.sub(r"\{[^}]+\}", "123", fmt))
        paths.add(re.sub(r"\{[^}]+\}", "search", fmt))
        paths.add(re.sub(r"\{[^}]+\}", "7", fmt) + "/extra")
    return sorted(paths) + ["/", "/nothing", "/wiki/rest/api/", "/wiki/rest/api/content/", "/wiki/api/v2/pages/1/"]


def test_every_route_is_dispatched_where_fastapi_would(app: Any) -> None:
    """Where the index serves a request itself, it runs FastAPI's choice; and it serves every
    request whose route FastAPI finds among the app's operations (the rest goes to FastAPI's router)."""
    index = app.router.middleware_stack
    assert isinstance(index, DispatchIndex)
    served = 0
    for path in _paths(app):
        for method in METHODS:
            # The content type decides only between the multipart and JSON PUT /content/{id}.
            for content_type in CONTENT_TYPES if method == "PUT" else CONTENT_TYPES[:1]:
                expected = _fastapi_choice(app.router, _scope(method, path, content_type))
                leaf, _ = index._find(_scope(method, path, content_type))
                if leaf is not None and leaf.direct:
                    assert leaf.route is expected, (method, path)
                    served += 1
                else:
                    assert not isinstance(expected, APIRoute), (method, path)
    assert served > 1000, served


def test_served_routes_are_most_of_them(app: Any) -> None:
    """The index itself serves the operations mounted on the app (v1 under both prefixes, v2)."""
    index = app.router.middleware_stack
    leaf, _ = index._find(_scope("GET", "/wiki/api/v2/pages/12", b""))
    assert leaf is not None and leaf.direct
    assert leaf.route.operation_id == "getPageById"
    leaf, _ = index._find(_scope("GET", "/rest/api/content/12", b""))
    assert leaf is not None and leaf.direct
    assert leaf.route.operation_id == "getContentById"


def test_ever_longer_paths_do_not_grow_the_candidate_cache(app: Any) -> None:
    index: DispatchIndex = app.router.middleware_stack
    for depth in range(1, 300):
        index._find(_scope("GET", "/wiki/rest/api/" + "a/" * depth, b""))
    assert index.index is not None
    size = len(index.index.merged)
    for depth in range(300, 600):
        index._find(_scope("GET", "/wiki/rest/api/" + "a/" * depth, b""))
    assert len(index.index.merged) == size
