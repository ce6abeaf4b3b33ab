"""kit/layers.py: FastAPI's pass-through layers are unlinked, and only while they have nothing to do."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi._body_limit import AppBodyLimitMiddleware
from fastapi.telemetry._asgi import ExceptionTelemetryMiddleware
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.middleware.exceptions import ExceptionMiddleware

from localfluence.kit.layers import skip_idle_layers


class Ours:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)


def layers(app: FastAPI) -> list[type]:
    found = []
    layer: Any = app.build_middleware_stack()
    while not isinstance(layer, ExceptionMiddleware):
        found.append(type(layer))
        layer = layer.app
    return found


def test_idle_layers_unlinked() -> None:
    app = FastAPI(telemetry={"tracing": False, "metrics": False, "logs": False})
    app.add_middleware(Ours)
    assert layers(app) == [ServerErrorMiddleware, ExceptionTelemetryMiddleware, AppBodyLimitMiddleware, Ours]
    skip_idle_layers(app, telemetry=False)
    assert layers(app) == [ServerErrorMiddleware, Ours]


def test_working_layers_kept() -> None:
    app = FastAPI(max_body_size=1024)
    app.add_middleware(Ours)
    skip_idle_layers(app, telemetry=True)
    # (AppBodyLimitMiddleware's own body limiter follows it.)
    assert layers(app)[:3] == [ServerErrorMiddleware, ExceptionTelemetryMiddleware, AppBodyLimitMiddleware]
    assert Ours in layers(app)
