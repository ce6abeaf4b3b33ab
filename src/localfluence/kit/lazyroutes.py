"""Routes that study their endpoint when first used, so that a new process answers in well under
a second.

FastAPI analyses every route when it is defined (signature, dependencies, one pydantic adapter
per parameter: ~2 ms a route), and again for every prefix a router is included under, on the
first request. With ~400 operations served under two prefixes that was about 1.5 s of CPU before
the first answer. A LazyAPIRoute knows its path, methods and operationId at once (all routing and
the scope check need) and does FastAPI's analysis the first time anything else is asked of it:
when it handles its first request, or when /docs builds the OpenAPI document.

`mount` puts a router's routes straight into the app under a prefix, as routes of their own,
instead of FastAPI's include_router (whose included routes are rebuilt, all of them, on the first
request)."""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute, compile_path, get_name

from localfluence.kit.handler import Handler, lean_handler

# Set by LazyAPIRoute.__init__; FastAPI's own construction runs when any other attribute is read.
_PENDING = "_lazy_pending"
_BUSY = "_lazy_busy"
_PATH_ATTRIBUTES = frozenset({"path_regex", "path_format", "param_convertors"})
_ANALYSIS = threading.RLock()


class LazyAPIRoute(APIRoute):
    def __init__(self, path: str, endpoint: Any, **options: Any) -> None:
        state = self.__dict__
        state[_PENDING] = (path, endpoint, options)
        state["path"] = path
        state["endpoint"] = endpoint
        state["name"] = options.get("name") or get_name(endpoint)
        state["operation_id"] = options.get("operation_id")
        state["include_in_schema"] = options.get("include_in_schema", True)
        state["methods"] = {m.upper() for m in options.get("methods") or ["GET"]}

    def __getattr__(self, name: str) -> Any:
        # Only called for attributes not set yet. The path's regex is compiled when the route is
        # first matched against (the routers' own copies of mounted routes never are); anything
        # else runs FastAPI's analysis, once, under a lock: several servers' threads, or the
        # OpenAPI document being built, may ask at the same time.
        state = self.__dict__
        if name in _PATH_ATTRIBUTES and _PENDING in state:
            state["path_regex"], state["path_format"], state["param_convertors"] = compile_path(state["path"])
            return state[name]
        with _ANALYSIS:
            if name in state:  # another thread finished the analysis meanwhile
                return state[name]
            pending = state.get(_PENDING)
            if pending is None or state.get(_BUSY):
                # Analysed and still missing, or read by FastAPI's own construction before set.
                raise AttributeError(name)
            state[_BUSY] = True
            try:
                path, endpoint, options = pending
                APIRoute.__init__(self, path, endpoint, **options)
                # Only once it is complete: a failed analysis is tried (and reported) again.
                del state[_PENDING]
            finally:
                del state[_BUSY]
        return getattr(self, name)

    def get_route_handler(self) -> Handler:
        # Called by FastAPI's analysis: the lean handler (kit/handler.py) where the route allows it.
        return lean_handler(self, super().get_route_handler())

    def moved(self, prefix: str, include_in_schema: bool) -> APIRoute:
        """The same operation under prefix + path (a route of its own: its analysis is its own too)."""
        pending = self.__dict__.get(_PENDING)
        if pending is None:
            return _moved_copy(self, prefix, include_in_schema)
        path, endpoint, options = pending
        options = {**options, "include_in_schema": options.get("include_in_schema", True) and include_in_schema}
        return type(self)(prefix + path, endpoint, **options)


_DEFINITIONS = threading.RLock()


@contextmanager
def lazy_route_definitions() -> Iterator[None]:
    """Routers created inside this block define LazyAPIRoutes (unless they name a route class).

    The router modules say `APIRouter()` like any FastAPI code, so the default of APIRouter's
    `route_class` argument is swapped while the app imports them. That default is process-wide:
    a router made by another thread meanwhile would be lazy too, so the block holds a lock (blocks
    never interleave) and should wrap only the imports. If FastAPI stops taking the default from
    there, this raises rather than silently building every route eagerly."""
    with _DEFINITIONS:
        defaults = APIRouter.__init__.__kwdefaults__ or {}
        if "route_class" not in defaults:
            raise RuntimeError(
                "lazy_route_definitions: fastapi.APIRouter.__init__ has no keyword default 'route_class' "
                "to swap; this FastAPI version needs kit/lazyroutes.py adapted"
            )
        before = defaults["route_class"]
        defaults["route_class"] = LazyAPIRoute
        try:
            if APIRouter().route_class is not LazyAPIRoute:
                raise RuntimeError(
                    "lazy_route_definitions: fastapi.APIRouter() ignores the swapped 'route_class' default; "
                    "this FastAPI version needs kit/lazyroutes.py adapted"
                )
            yield
        finally:
            defaults["route_class"] = before


def mount(app: FastAPI, router: APIRouter, prefix: str = "", *, include_in_schema: bool = True) -> None:
    """app.include_router(router, prefix=...) for routers of plain routes and prefix-only includes."""
    for route in _flattened(router.routes, prefix, include_in_schema):
        app.router.routes.append(route)
    # Appending to routes bypasses APIRouter.add_route, which tells FastAPI the routes changed: it
    # keeps the OpenAPI document (and included routers' route lists) until a version number moves.
    # The method is private; a FastAPI without it has no such cache we know of, so there is nothing
    # to refresh. tests/unit/test_lazy_routes.py checks a route mounted late reaches /openapi.json.
    mark_changed = getattr(app.router, "_mark_routes_changed", None)
    if mark_changed is not None:
        mark_changed()


def _flattened(routes: list[BaseRoute], prefix: str, include_in_schema: bool) -> Iterator[BaseRoute]:
    for route in routes:
        if isinstance(route, LazyAPIRoute):
            yield route.moved(prefix, include_in_schema)
        elif isinstance(route, APIRoute):
            yield _moved_copy(route, prefix, include_in_schema)
        elif hasattr(route, "original_router") and hasattr(route, "include_context"):
            context = route.include_context
            if context.tags or context.dependencies or context.responses or context.callbacks:
                raise TypeError("mount() supports includes with a prefix only; use include_router")
            yield from _flattened(
                route.original_router.routes, prefix + context.prefix, include_in_schema and context.include_in_schema
            )
        else:
            raise TypeError(f"mount() cannot move {type(route).__name__}; use include_router")


def _moved_copy(route: APIRoute, prefix: str, include_in_schema: bool) -> APIRoute:
    # A built route's handler does not depend on its path: a copy with another path serves it.
    moved = copy.copy(route)
    moved.path = prefix + route.path
    moved.path_regex, moved.path_format, moved.param_convertors = compile_path(moved.path)
    moved.include_in_schema = route.include_in_schema and include_in_schema
    return moved
