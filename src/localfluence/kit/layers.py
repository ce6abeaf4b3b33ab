"""FastAPI's middleware stack without the layers of its own that have nothing to do in our app.

FastAPI puts two layers around every app: ExceptionTelemetryMiddleware, which reports an exception
to the request's OpenTelemetry data (there is none while FastAPI's telemetry is off), and
AppBodyLimitMiddleware, which enforces FastAPI's app-wide max_body_size (we set none: BodySizeLimit
refuses large bodies, with Confluence's envelope) or a parent app's limit (we are not mounted). Each
then only passes the request on: a call and a frame on every request. They are unlinked from the
stack FastAPI builds, and only those, identified by class; if an upgrade renames them, they stay.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.types import ASGIApp

try:  # FastAPI internals (0.165)
    from fastapi._body_limit import AppBodyLimitMiddleware
    from fastapi.telemetry._asgi import ExceptionTelemetryMiddleware
except ImportError:  # pragma: no cover - depends on the installed FastAPI
    AppBodyLimitMiddleware = ExceptionTelemetryMiddleware = None  # type: ignore[assignment,misc]


def skip_idle_layers(app: FastAPI, *, telemetry: bool) -> None:
    """`telemetry`: whether FastAPI's telemetry is on (the app was built with it)."""
    build = app.build_middleware_stack

    def build_middleware_stack() -> ASGIApp:
        idle: set[Any] = set()
        if not telemetry and ExceptionTelemetryMiddleware is not None:
            idle.add(ExceptionTelemetryMiddleware)
        if getattr(app, "max_body_size", None) is None and AppBodyLimitMiddleware is not None:
            idle.add(AppBodyLimitMiddleware)
        return unlink(build(), idle)

    app.build_middleware_stack = build_middleware_stack  # type: ignore[method-assign]


def unlink(stack: ASGIApp, idle: set[Any]) -> ASGIApp:
    """The stack with the layers of the `idle` classes taken out, down to ExceptionMiddleware (the
    layers below it are FastAPI's per-request machinery, not middleware)."""
    while type(stack) in idle:
        stack = stack.app  # type: ignore[attr-defined]
    layer: Any = stack
    while not isinstance(layer, ExceptionMiddleware) and hasattr(layer, "app"):
        inner = layer.app
        while type(inner) in idle:
            inner = inner.app
        layer.app = inner
        layer = inner
    return stack
