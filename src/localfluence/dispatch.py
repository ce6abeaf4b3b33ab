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
    # Its effective (prefixed) route context inside the included routers; None for a plain route.
    context: Any
    # Served by the index: an APIRoute included directly from a top-level router.
    direct: bool
    literal: tuple[str, ...]
    # How many segments a path it matches has; None when a {name:path} parameter spans several.
    segments: int | None


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
        if leaf is None or not leaf.direct:
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
    context = leaf.context
    if context is None:
        return leaf.top.matches(scope)  # type: ignore[no-any-return]
    # As _IncludedRouter._match does: the route matches through its effective (prefixed) context.
    previous = fastapi_scope.get(_FASTAPI_EFFECTIVE_ROUTE_CONTEXT_KEY, _MISSING)
    fastapi_scope[_FASTAPI_EFFECTIVE_ROUTE_CONTEXT_KEY] = context
    try:
        if isinstance(context.original_route, APIRoute):
            return context.original_route.matches(scope)  # type: ignore[no-any-return]
        return context.matches(scope)  # type: ignore[no-any-return]
    finally:
        if previous is _MISSING:
            fastapi_scope.pop(_FASTAPI_EFFECTIVE_ROUTE_CONTEXT_KEY, None)
        else:
            fastapi_scope[_FASTAPI_EFFECTIVE_ROUTE_CONTEXT_KEY] = previous


_MISSING = object()


def build_index(router: Any) -> _Index:
    index = _Index(size=len(router.routes))
    leaves: list[_Leaf] = []
    for top in router.routes:
        if isinstance(top, _IncludedRouter):
            for depth, context in _leaves(top, 1):
                path = getattr(context.starlette_route, "path_format", None) or context.path_format
                direct = depth == 1 and isinstance(context.original_route, APIRoute) and context.starlette_route is None
                leaves.append(_Leaf(len(leaves), top, context, direct, _literal(path), _segments(context)))
        else:
            path = getattr(top, "path_format", None)
            leaves.append(_Leaf(len(leaves), top, None, False, _literal(path), _segments(top)))
    for leaf in leaves:
        index.by_prefix.setdefault(leaf.literal, []).append(leaf)
    index.longest = max((len(k) for k in index.by_prefix), default=0)
    return index


def _leaves(included: Any, depth: int) -> Any:
    for candidate in included.effective_candidates():
        if isinstance(candidate, _IncludedRouter):
            yield from _leaves(candidate, depth + 1)
        else:
            yield depth, candidate


# Starlette's convertors whose regex never matches a "/" ("path" does; custom ones may).
ONE_SEGMENT = (StringConvertor, IntegerConvertor, FloatConvertor, UUIDConvertor)


def _segments(route: Any) -> int | None:
    """How many segments the paths the route's regex matches have: every convertor but "path"
    matches within one segment."""
    holder = route.starlette_route if getattr(route, "starlette_route", None) is not None else route
    path = getattr(holder, "path_format", None)
    convertors = getattr(holder, "param_convertors", None)
    if not isinstance(path, str) or convertors is None:
        return None
    if not all(type(c) in ONE_SEGMENT for c in convertors.values()):
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
