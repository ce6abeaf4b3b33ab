"""A dispatch index in front of FastAPI's router: the same route for every request, found without
trying ~600 path regexes one after another.

FastAPI's router tries its routes in registration order, each with its path regex: about 1.5 ms
per request for our ~600 routes before any of our code runs. The index keeps that semantics — the
first route in registration order whose path and method match wins — by trying, in the same
order, only the routes whose literal leading path segments (everything before the first
`{param}`) equal the request's and whose segment count fits. A route whose literal prefix differs
from the request path can never match it, so skipping it changes nothing.

The index serves full matches of the operations registered on the app itself (kit/lazyroutes.py
mounts every router's routes there). Everything else — a 405 (path matches, method does not), a
404, the trailing-slash redirect, the docs — goes to FastAPI's own router unchanged. It reuses
three private helpers of FastAPI's router (the calls APIRouter.app makes on a full match); if an
upgrade removes them, the index switches itself off and FastAPI's router serves every request.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.convertors import FloatConvertor, IntegerConvertor, StringConvertor, UUIDConvertor
from starlette.routing import Match
from starlette.types import Receive, Scope, Send

log = logging.getLogger("localfluence")

try:  # FastAPI internals (0.16x): what APIRouter.app calls on a full match.
    from fastapi.routing import _apply_router_form_limits, _route_selected, _update_scope
    from starlette._utils import get_route_path

    AVAILABLE = True
except ImportError:  # pragma: no cover - depends on the installed FastAPI
    AVAILABLE = False


@dataclass(slots=True)
class _Leaf:
    order: int
    route: Any
    # Served by the index: an APIRoute registered on the app. Anything else (the docs' routes) is
    # only matched to tell whether it would win, and then left to FastAPI's router.
    direct: bool
    literal: tuple[str, ...]
    # How many segments a path it matches has; None when a parameter may span several.
    segments: int | None
    path: str


@dataclass
class _Index:
    size: int
    by_prefix: dict[tuple[str, ...], list[_Leaf]] = field(default_factory=dict)
    longest: int = 0
    # The most segments a route with a fixed count has: longer paths all meet the same routes.
    deepest: int = 0
    # Candidate lists per combination of matching prefixes (a small, bounded set: the prefixes are
    # the routes', never request values).
    merged: dict[tuple[int, tuple[tuple[str, ...], ...]], list[_Leaf]] = field(default_factory=dict)


def install_dispatch_index(app: FastAPI) -> None:
    if not AVAILABLE:
        log.warning("FastAPI's routing internals changed: the dispatch index is off")
        return
    app.router.middleware_stack = DispatchIndex(app.router)


class DispatchIndex:
    def __init__(self, router: Any) -> None:
        self.router = router
        self.fallback = router.middleware_stack
        self.index: _Index | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.fallback(scope, receive, send)
            return
        leaf, child_scope = self._find(scope)
        if leaf is None or not leaf.direct:
            await self.fallback(scope, receive, send)
            return
        # What APIRouter.app does with a full match of one of its own routes, in the same order.
        router = self.router
        _apply_router_form_limits(scope, router.form_limits)
        if "router" not in scope:
            scope["router"] = router
        _update_scope(scope, child_scope)
        _route_selected(scope=scope, path=leaf.route.path_format, mount=False)
        await leaf.route.handle(scope, receive, send)

    def _find(self, scope: Scope) -> tuple[_Leaf | None, Scope]:
        """The first route in registration order that fully matches, None if none does (a 404,
        a 405 or a redirect, which FastAPI's router works out)."""
        index = self.index
        if index is None or index.size != len(self.router.routes):
            index = self.index = build_index(self.router)
        segments = tuple(get_route_path(scope).split("/")[1:])
        keys = tuple(
            prefix
            for prefix in (segments[:n] for n in range(min(len(segments), index.longest) + 1))
            if prefix in index.by_prefix
        )
        # Capped, so a client sending ever longer paths cannot grow the cache below.
        count = min(len(segments), index.deepest + 1)
        candidates = index.merged.get((count, keys))
        if candidates is None:
            candidates = sorted(
                (
                    leaf
                    for key in keys
                    for leaf in index.by_prefix[key]
                    if leaf.segments is None or leaf.segments == count
                ),
                key=lambda leaf: leaf.order,
            )
            index.merged[(count, keys)] = candidates
        method = scope["method"]
        for leaf in candidates:
            route = leaf.route
            methods = getattr(route, "methods", None)
            if methods and method not in methods:
                # What Route.matches checks after the path: at best a partial match, never served here.
                continue
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                return leaf, child_scope
        return None, {}


def build_index(router: Any) -> _Index:
    """From the routes as registered: cheap, and builds none of FastAPI's per-route handlers."""
    index = _Index(size=len(router.routes))
    for order, route in enumerate(router.routes):
        path = getattr(route, "path_format", None) or ""
        leaf = _Leaf(order, route, isinstance(route, APIRoute), _literal(path), _segments(route, path), path)
        index.by_prefix.setdefault(leaf.literal, []).append(leaf)
    index.longest = max((len(k) for k in index.by_prefix), default=0)
    index.deepest = max((leaf.segments or 0 for leaves in index.by_prefix.values() for leaf in leaves), default=0)
    return index


# Starlette's convertors whose regex never matches a "/" ("path" does; custom ones may).
ONE_SEGMENT = (StringConvertor, IntegerConvertor, FloatConvertor, UUIDConvertor)


def _segments(route: Any, path: str) -> int | None:
    """How many segments the paths the route's regex matches have: every convertor but "path"
    matches within one segment. None (no filter) for anything else."""
    convertors = getattr(route, "param_convertors", None)
    if not path.startswith("/") or convertors is None:
        return None
    if not all(type(c) in ONE_SEGMENT for c in convertors.values()) or path.count("{") != len(convertors):
        return None
    return len(path.split("/")) - 1


def _literal(path_format: str | None) -> tuple[str, ...]:
    """The path's segments before the first one holding a parameter."""
    out: list[str] = []
    for segment in (path_format or "").split("/")[1:]:
        if "{" in segment:
            break
        out.append(segment)
    return tuple(out)
