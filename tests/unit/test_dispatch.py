"""The dispatch index picks the route FastAPI's own router would pick, for every route we serve."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import _IncludedRouter
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
    """What APIRouter.app would run: the first top-level route that fully matches, then down the
    included routers to the route (context) that handles it."""
    for top in router.routes:
        match, _ = top.matches(scope)
        if match is not Match.FULL:
            continue
        current = top
        while isinstance(current, _IncludedRouter):
            _, _, route, context = current._match(scope)
            if isinstance(route, _IncludedRouter):
                current = route
                continue
            return context or route
        return top
    return None


def _index_choice(index: DispatchIndex, scope: dict[str, Any]) -> Any:
    leaf, _ = index._find(scope)
    if leaf is None:
        return None
    return leaf.context or leaf.top


def _paths(app: Any) -> list[str]:
    index: DispatchIndex = app.router.middleware_stack
    index._find(_scope("GET", "/", b""))
    assert index.index is not None
    formats = {
        leaf.context.path_format if leaf.context else leaf.top.path
        for ls in index.index.by_prefix.values()
        for leaf in ls
    }
    paths = set()
    for fmt in formats:
        paths.add(re.sub(r"\{[^}:]+:path\}", "a/b", re.sub(r"\{[^}:]+(:(int|str))?\}", "123", fmt)))
        paths.add(re.sub(r"\{[^}]+\}", "search", fmt))
        paths.add(re.sub(r"\{[^}]+\}", "7", fmt) + "/extra")
    return sorted(paths) + ["/", "/nothing", "/wiki/rest/api/", "/wiki/rest/api/content/", "/wiki/api/v2/pages/1/"]


def test_every_route_is_dispatched_where_fastapi_would(app: Any) -> None:
    index = app.router.middleware_stack
    assert isinstance(index, DispatchIndex)
    checked = 0
    for path in _paths(app):
        for method in METHODS:
            # The content type decides only between the multipart and JSON PUT /content/{id}.
            for content_type in CONTENT_TYPES if method == "PUT" else CONTENT_TYPES[:1]:
                expected = _fastapi_choice(app.router, _scope(method, path, content_type))
                assert _index_choice(index, _scope(method, path, content_type)) is expected, (method, path)
                checked += 1
    assert checked > 5000, checked


def test_served_routes_are_most_of_them(app: Any) -> None:
    """The index itself serves the routes of top-level routers (v1 under both prefixes, v2)."""
    index = app.router.middleware_stack
    leaf, _ = index._find(_scope("GET", "/wiki/api/v2/pages/12", b""))
    assert leaf is not None and leaf.direct
    assert leaf.context.original_route.operation_id == "getPageById"
    leaf, _ = index._find(_scope("GET", "/rest/api/content/12", b""))
    assert leaf is not None and leaf.direct
    assert leaf.context.original_route.operation_id == "getContentById"
