"""A leaner request handler for the routes that need no more of FastAPI than parameter validation
and plain async dependencies: every GET and most deletes.

FastAPI's handler solves dependencies generically, per request: for each dependency it classifies
the callable (generator? coroutine? a thread?), works out its cache key and scopes, builds a
Response for headers it may set and looks at all four parameter sources, through one recursive
call per dependency: about a tenth of a short GET. For a route whose dependency tree holds only
async functions taking path, query, header and cookie parameters and the Request, all of that is
known when the route is analysed. This handler does the same steps in the same order (the
dependencies first, depth first, a dependency whose own parameters fail not called; then the
route's parameters by path, query, header, cookie; the endpoint only when nothing failed) with
FastAPI's own parameter validation (request_params_to_args), so values and errors are the ones
FastAPI's handler would produce, and the endpoint's response is returned as FastAPI would return it.

Everything else — bodies and forms, sync or generator dependencies, security scopes, Response or
BackgroundTasks parameters, streams, response models — keeps FastAPI's handler, and so does any
request while dependency overrides are set or OpenTelemetry is recording. If an upgrade moves the
FastAPI internals used here, every route keeps FastAPI's handler.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

log = logging.getLogger("localfluence")

try:  # FastAPI internals (0.165): what get_request_handler and solve_dependencies use.
    from fastapi.datastructures import DefaultPlaceholder
    from fastapi.dependencies.models import (
        Dependant,
        _get_cache_key,
        _get_oauth_scopes,
        _is_async_gen_callable,
        _is_coroutine_callable,
        _is_gen_callable,
    )
    from fastapi.dependencies.utils import (
        Headers,
        ImmutableMultiDict,
        Undefined,
        _get_param_aliases,
        _get_param_model,
        _is_json_field,
        _validate_value_with_model_field,
        field_annotation_is_sequence,
        request_params_to_args,
    )
    from fastapi.exceptions import RequestValidationError
    from fastapi.routing import _effective_route_context_var, _extract_endpoint_context, serialize_response
    from fastapi.telemetry._api import _validation_failed, get_telemetry_data
    from fastapi.utils import is_body_allowed_for_status_code

    AVAILABLE = True
except ImportError:  # pragma: no cover - depends on the installed FastAPI
    AVAILABLE = False

Handler = Callable[[Request], Coroutine[Any, Any, Response]]
# Read when a route is analysed (tests compare both handlers).
ENABLED = True


@dataclass(frozen=True, slots=True)
class _Param:
    """A path, query, header or cookie parameter, with what request_params_to_args works out
    about it on every request (its request keys, whether it takes repeated values) worked out once."""

    field: Any
    name: str
    keys: tuple[str, ...]  # request keys in preference order (from FastAPI's alias pairs)
    repeated: bool  # read with getlist() from a multi-dict
    sequence: bool  # an empty list counts as missing
    location: str  # "path", "query", "header", "cookie" (the error's loc)


# A parameter list: the compiled parameters, or FastAPI's fields when one is a model of parameters.
Params = tuple[_Param, ...] | list[Any]


@dataclass(frozen=True, slots=True)
class _Node:
    """One dependant (the endpoint or a dependency), reduced to what solving it needs."""

    call: Any
    name: str | None
    use_cache: bool
    cache_key: Any
    subs: tuple[_Node, ...]
    request_names: tuple[str, ...]
    # The non-empty parameter lists with the Request attribute each is read from, in FastAPI's
    # order: path, query, header, cookie.
    sources: tuple[tuple[Params, str], ...]


def lean_handler(route: APIRoute, general: Handler) -> Handler:
    """The lean handler for `route` when it qualifies, else `general` (FastAPI's own)."""
    if not (AVAILABLE and ENABLED):
        return general
    try:
        if _effective_route_context_var.get() is not None or not _route_qualifies(route):
            return general
        root = _node(route.dependant)
    except _Unsupported:
        return general
    return _build(route, root, general)


class _Unsupported(Exception):
    pass


def qualifies(route: APIRoute) -> bool:
    """Whether `route` gets the lean handler: lean_handler's own decision."""

    async def general(request: Request) -> Response:  # a stand-in, never called
        raise AssertionError

    return lean_handler(route, general) is not general


def _route_qualifies(route: APIRoute) -> bool:
    return (
        route.body_field is None
        and route.response_field is None
        and route.stream_item_field is None
        and not route.is_sse_stream
        and not route.is_json_stream
    )


def _node(dependant: Dependant) -> _Node:
    call = dependant.call
    if (
        call is None
        or not _is_coroutine_callable(call)
        or _is_gen_callable(call)
        or _is_async_gen_callable(call)
        or dependant.concurrency is not None
        or dependant.body_params
        or dependant.websocket_param_name
        or dependant.response_param_name
        or dependant.background_tasks_param_name
        or dependant.security_scopes_param_name
        or _get_oauth_scopes(dependant=dependant)
    ):
        raise _Unsupported
    names = tuple(n for n in (dependant.http_connection_param_name, dependant.request_param_name) if n)
    path_params = _compiled(dependant.path_params)
    query_params = _compiled(dependant.query_params)
    header_params = _compiled(dependant.header_params)
    cookie_params = _compiled(dependant.cookie_params)
    sources = (
        (path_params, "path_params"),
        (query_params, "query_params"),
        (header_params, "headers"),
        (cookie_params, "cookies"),
    )
    return _Node(
        call=call,
        name=dependant.name,
        use_cache=dependant.use_cache,
        cache_key=_get_cache_key(dependant=dependant, uses_scopes_cache={}),
        subs=tuple(_node(sub) for sub in dependant.dependencies),
        request_names=names,
        sources=tuple((params, source) for params, source in sources if params),
    )


def _compiled(fields: list[Any]) -> Params:
    if any(_get_param_model(field) is not None for field in fields):
        return fields  # a model of parameters: FastAPI's request_params_to_args reads it
    compiled = []
    for field in fields:
        annotation = field.field_info.annotation
        sequence = bool(field_annotation_is_sequence(annotation))
        compiled.append(
            _Param(
                field=field,
                name=field.name,
                keys=tuple(key for _, key in _get_param_aliases(field)),
                repeated=not _is_json_field(field) and sequence,
                sequence=sequence,
                location=field.field_info.in_.value,
            )
        )
    return tuple(compiled)


def _read(params: Params, received: Any) -> tuple[dict[str, Any], list[Any]]:
    """request_params_to_args(fields, received) for the compiled parameters: the same lookups,
    the same missing values and FastAPI's own validation."""
    if isinstance(params, list):
        return request_params_to_args(params, received)
    values: dict[str, Any] = {}
    errors: list[Any] = []
    for param in params:
        keys = param.keys
        key = keys[0]
        for candidate in keys:
            if candidate in received:
                key = candidate
                break
        if param.repeated and isinstance(received, ImmutableMultiDict | Headers):
            value = received.getlist(key)
        else:
            value = received.get(key, None)
        if value is None or (param.sequence and len(value) == 0):
            value = Undefined
        found, failed = _validate_value_with_model_field(
            field=param.field, value=value, values=values, loc=(param.location, key)
        )
        if failed:
            errors.extend(failed)
        else:
            values[param.name] = found
    return values, errors


async def _solve(node: _Node, request: Request, cache: dict[Any, Any]) -> tuple[dict[str, Any], list[Any]]:
    """solve_dependencies for a supported tree: the same values and errors, in the same order."""
    values: dict[str, Any] = {}
    errors: list[Any] = []
    for sub in node.subs:
        sub_values, sub_errors = await _solve(sub, request, cache)
        if sub_errors:
            errors.extend(sub_errors)
            continue
        key = sub.cache_key
        if sub.use_cache and key in cache:
            solved = cache[key]
        else:
            solved = await sub.call(**sub_values)
        if sub.name is not None:
            values[sub.name] = solved
        if key not in cache:
            cache[key] = solved
    # FastAPI's order: path, query, header, cookie. A source is read (and built) only when needed.
    for params, source in node.sources:
        found, failed = _read(params, getattr(request, source))
        values.update(found)
        errors += failed
    for name in node.request_names:
        values[name] = request
    return values, errors


def _build(route: APIRoute, root: _Node, general: Handler) -> Handler:
    endpoint = root.call
    overrides = route.dependency_overrides_provider
    status_code = route.status_code
    response_class = route.response_class
    actual_response_class = response_class.value if isinstance(response_class, DefaultPlaceholder) else response_class

    async def handle(request: Request) -> Response:
        if (overrides is not None and overrides.dependency_overrides) or get_telemetry_data() is not None:
            return await general(request)
        values, errors = await _solve(root, request, {})
        if errors:
            endpoint_ctx = _extract_endpoint_context(endpoint)
            if route.dependant.path:
                mount_path = request.scope.get("root_path", "").rstrip("/")
                endpoint_ctx["path"] = f"{request.method} {mount_path}{route.dependant.path}"
            validation_error = RequestValidationError(errors, body=None, endpoint_ctx=endpoint_ctx)
            _validation_failed(validation_error)
            raise validation_error
        raw = await endpoint(**values)
        if isinstance(raw, Response):
            return raw
        # What FastAPI's handler does with anything else (no response model here).
        content = await serialize_response(
            field=None,
            response_content=raw,
            include=route.response_model_include,
            exclude=route.response_model_exclude,
            by_alias=route.response_model_by_alias,
            exclude_unset=route.response_model_exclude_unset,
            exclude_defaults=route.response_model_exclude_defaults,
            exclude_none=route.response_model_exclude_none,
            is_coroutine=True,
            endpoint_ctx=_extract_endpoint_context(endpoint),
        )
        arguments: dict[str, Any] = {"background": None}
        if status_code:
            arguments["status_code"] = status_code
        response = actual_response_class(content, **arguments)
        if not is_body_allowed_for_status_code(response.status_code):
            response.body = b""
        return response

    return handle
