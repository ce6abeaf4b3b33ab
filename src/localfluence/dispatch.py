"""A dispatch index in front of FastAPI's router: the same route for every request, found without
trying ~600 path regexes one after another.

FastAPI matches a request by asking every included router, in order, to try each of its routes
(and asks the winning router a second time when it handles the request): about 1.5 ms per request
for our ~600 routes before any of our code runs. The index keeps FastAPI's semantics — the first
route in registration order whose path and method match wins — by trying, in that same order,
only the routes whose literal leading path segments (everything before the first `{param}`) equal
the request's. A route whose literal prefix differs from the request path can never match it, so
skipping it changes nothing.

The index handles what is unambiguous and common: a full match of a route included directly from
a top-level router. Everything else — a 405 (path matches, method does not), a 404, the trailing
slash redirect, routes nested two routers deep, the docs — goes to FastAPI's own router unchanged.
The index reuses FastAPI's private routing helpers (the same calls its router makes); if a FastAPI
upgrade removes them, the index switches itself off and FastAPI's router serves every request.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI
from starlette.convertors import FloatConvertor, IntegerConvertor, StringConvertor, UUIDConvertor
from starlette.routing import Match
from starlette.types import Receive, Scope, Send

log = logging.getLogger("localfluence")

try:  # FastAPI internals (0.16x): what APIRouter.app and _IncludedRouter._handle_selected call.
    from fastapi.routing import (
        _FASTAPI_EFFECTIVE_ROUTE_CONTEXT_KEY,
        _FASTAPI_INCLUDED_ROUTER_KEY,
        APIRoute,
        _apply_router_form_limits,
        _get_fastapi_scope,
        _IncludedRouter,
        _route_selected,
        _update_scope,
    )
    from starlette._utils import get_route_path

    AVAILABLE = True
except ImportError:  # pragma: no cover - depends on the installed FastAPI
    AVAILABLE = False


@dataclass(slots=True)
class _Leaf:
    order: int
    # The top-level route it belongs to: an included router, or a plain route such as /docs.
    top: Any
    # The route as registered, and its place among the top-level router's effective candidates.
    route: Any
    position: int | None
    # Served by the index: an APIRoute included directly from a top-level router. Anything else is
    # only matched to tell whether it would win, and then left to FastAPI's router.
    direct: bool
    literal: tuple[str, ...]
    # How many segments a path it matches has; None when a parameter may span several.
    segments: int | None
    path: str
    # The route's effective (prefixed) context, built by FastAPI when first needed.
    context: Any = None


@dataclass
class _Index:
    size: int
    by_prefix: dict[tuple[str, ...], list[_Leaf]] = field(default_factory=dict)
    longest: int = 0
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
        if leaf is None or not leaf.direct or leaf.context is None:
            await self.fallback(scope, receive, send)
            return
        router = self.router
        top = leaf.top
        context = leaf.context
        # What APIRouter.app, _IncludedRouter.handle and _IncludedRouter._handle_selected do with
        # a full match of a route in a top-level included router, in the same order.
        _apply_router_form_limits(scope, router.form_limits)
        if "router" not in scope:
            scope["router"] = router
        _apply_router_form_limits(scope, top.include_context.form_limits)
        fastapi_scope = _get_fastapi_scope(scope)
        fastapi_scope[_FASTAPI_INCLUDED_ROUTER_KEY] = top
        _update_scope(scope, child_scope)
        _route_selected(scope=scope, path=context.path_format, mount=False)
        fastapi_scope[_FASTAPI_EFFECTIVE_ROUTE_CONTEXT_KEY] = context
        route = context.original_route
        scope["route"] = route
        await route.handle(scope, receive, send)

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
        count = len(segments)
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
        fastapi_scope = _get_fastapi_scope(scope)
        for leaf in candidates:
            match, child_scope = _matches(leaf, scope, fastapi_scope)
            if match is Match.FULL:
                return leaf, child_scope
        return None, {}


def _matches(leaf: _Leaf, scope: Scope, fastapi_scope: dict[str, Any]) -> tuple[Match, Scope]:
    context = leaf.context if leaf.context is not None or not leaf.direct else _materialize(leaf)
    if not leaf.direct:
        # The top-level route decides, as FastAPI's router asks it.
        return leaf.top.matches(scope)  # type: ignore[no-any-return]
    # As _IncludedRouter._match does: the route matches through its effective (prefixed) context.
    previous = fastapi_scope.get(_FASTAPI_EFFECTIVE_ROUTE_CONTEXT_KEY, _MISSING)
    fastapi_scope[_FASTAPI_EFFECTIVE_ROUTE_CONTEXT_KEY] = context
    try:
        return context.original_route.matches(scope)  # type: ignore[no-any-return]
    finally:
        if previous is _MISSING:
            fastapi_scope.pop(_FASTAPI_EFFECTIVE_ROUTE_CONTEXT_KEY, None)
        else:
            fastapi_scope[_FASTAPI_EFFECTIVE_ROUTE_CONTEXT_KEY] = previous


def _materialize(leaf: _Leaf) -> Any:
    """The route's effective context, from the top-level router's candidates (FastAPI builds them
    per router on first use: a router no request reached costs nothing). Anything unexpected
    leaves the route to FastAPI's router."""
    candidates = leaf.top.effective_candidates()
    context = candidates[leaf.position] if leaf.position is not None and leaf.position < len(candidates) else None
    if (
        context is None
        or isinstance(context, _IncludedRouter)
        or context.original_route is not leaf.route
        or context.starlette_route is not None
        or context.path_format != leaf.path
    ):
        leaf.direct = False
        return None
    leaf.context = context
    return context


_MISSING = object()


def build_index(router: Any) -> _Index:
    """From the routes as registered: cheap, and builds none of FastAPI's per-route handlers."""
    index = _Index(size=len(router.routes))
    leaves: list[_Leaf] = []

    def add(top: Any, route: Any, position: int | None, direct: bool, path: str) -> None:
        leaf = _Leaf(len(leaves), top, route, position, direct, _literal(path), _segments(route, path), path)
        leaves.append(leaf)

    for top in router.routes:
        if not isinstance(top, _IncludedRouter):
            add(top, top, None, False, getattr(top, "path_format", None) or "")
            continue
        prefix = top.include_context.prefix
        for position, route in enumerate(top.original_router.routes):
            if isinstance(route, _IncludedRouter):
                for nested, path in _nested(route, prefix + route.include_context.prefix):
                    add(top, nested, None, False, path)
            else:
                path = prefix + (getattr(route, "path_format", None) or "")
                add(top, route, position, isinstance(route, APIRoute), path)
    for leaf in leaves:
        index.by_prefix.setdefault(leaf.literal, []).append(leaf)
    index.longest = max((len(k) for k in index.by_prefix), default=0)
    return index


def _nested(included: Any, prefix: str) -> Any:
    for route in included.original_router.routes:
        if isinstance(route, _IncludedRouter):
            yield from _nested(route, prefix + route.include_context.prefix)
        else:
            yield route, prefix + (getattr(route, "path_format", None) or "")


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
