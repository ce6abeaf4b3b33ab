"""create_app(settings): the ASGI application."""

from __future__ import annotations

import contextvars
import gc
import logging
import warnings
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DataError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from localfluence import __version__
from localfluence.admin.install import install_test_double
from localfluence.bodylimit import BodySizeLimit
from localfluence.bootstrap import bootstrap
from localfluence.config import Settings
from localfluence.db.head import is_at_head
from localfluence.db.session import transaction
from localfluence.dispatch import install_dispatch_index
from localfluence.errors import ConfluenceError, error_body
from localfluence.kit.jsonresponse import JSON
from localfluence.kit.layers import skip_idle_layers
from localfluence.kit.lazyroutes import lazy_route_definitions, mount
from localfluence.routes import API_PREFIXES, api_routers, site_routers, v2_routers
from localfluence.runtime import Runtime
from localfluence.v2 import PREFIX as V2_PREFIX
from localfluence.v2.errors import v2_error_body

log = logging.getLogger("localfluence")


def create_app(settings: Settings | None = None, *, prepare: bool = True) -> FastAPI:
    """Build the app; `prepare` migrates the database and creates the admin on first start
    (the CLI prepares once before starting several workers, which then skip it)."""
    settings = settings or Settings()
    runtime = Runtime.build(settings)
    if prepare:
        prepare_database(runtime)
    app = FastAPI(
        title="localfluence",
        version=__version__,
        description="A wiki server whose HTTP API is the Confluence Cloud REST API.",
        telemetry=None if settings.telemetry else {"tracing": False, "metrics": False, "logs": False},
    )
    app.state.runtime = runtime
    # Routes analyse their endpoints on first use (kit/lazyroutes.py): building the app analyses none.
    with lazy_route_definitions():
        api, v2, site = api_routers(), v2_routers(), site_routers()
    for i, prefix in enumerate(API_PREFIXES):
        for router in api:
            # Both prefixes serve the same handlers; the docs list the Cloud one.
            mount(app, router, prefix, include_in_schema=i == 0)
    for router in v2:
        mount(app, router, V2_PREFIX)
    for router in site:
        mount(app, router)
    _install_error_handlers(app)
    _allow_shared_operation_ids(app)
    install_dispatch_index(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    skip_idle_layers(app, telemetry=settings.telemetry)
    install_test_double(app, runtime)
    start_worker(runtime)
    return app


def _allow_shared_operation_ids(app: FastAPI) -> None:
    """The v1 and v2 specs give seven operations the same operationId (getSpaces, createSpace,
    getAttachments, getSpaceProperties, createSpaceProperty, getTasks, getTaskById); both keep
    Confluence's names, so FastAPI's duplicate-id warning is expected here and says nothing."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Duplicate Operation ID", category=UserWarning)
            return build()

    app.openapi = openapi  # type: ignore[method-assign]


def start_worker(runtime: Runtime, context: contextvars.Context | None = None) -> None:
    """The background worker (tasks, webhook deliveries) lives as long as the process; sessions
    carry it so that a commit that queued work wakes it at once. `context`: a site's (sites/)."""
    from localfluence.blobs.transaction import STORE
    from localfluence.tasks.worker import WORKER, Worker
    from localfluence.webhooks import delivery  # noqa: F401  (registers the delivery step)

    worker = Worker(runtime)
    runtime.worker = worker
    runtime.sessions.configure(info={STORE: runtime.blobs, WORKER: worker})
    if runtime.settings.worker:
        worker.start(context)


def create_app_from_env() -> FastAPI:
    """Factory for the serving process (`localfluence serve`, each of `--workers N`): the parent
    process already prepared."""
    app = create_app(Settings(), prepare=False)
    # What the process holds now (modules, routes, models, metadata) lives as long as it does: out
    # of the collector's sight, so that the collections requests' garbage sets off no longer walk it
    # (a GET of a page spent ~7 us in them, and every full collection walks the whole heap).
    gc.collect()
    gc.freeze()
    return app


def prepare_database(runtime: Runtime) -> str | None:
    """Migrate to head and bootstrap; returns a newly generated admin token, if any."""
    if not is_at_head(runtime.engine):
        # Imported here: Alembic is half a second of imports a start from a ready database skips.
        from localfluence.db.migrate import upgrade

        upgrade(runtime.settings.resolved_database_url())
    with transaction(runtime.sessions, write=True) as session:
        result = bootstrap(session, runtime.settings)
    return result.generated_token


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ConfluenceError)
    async def confluence_error(request: Request, exc: ConfluenceError) -> JSON:
        headers = {"WWW-Authenticate": 'Basic realm="localfluence"'} if exc.status == 401 else None
        if request.url.path.startswith(V2_PREFIX):
            return _error(request, exc.status, exc.message, headers=headers)
        # exc.body(): some errors answer in their own shape (a token scope mismatch, for one).
        return JSON(exc.body(), status_code=exc.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSON:
        content_type = request.headers.get("content-type", "")
        body_expected = any(e.get("loc", ("",))[0] == "body" for e in exc.errors())
        # A body sent without a JSON media type is not read as JSON: 415, as Confluence answers.
        has_body = request.headers.get("content-length", "0") != "0" or "transfer-encoding" in request.headers
        if body_expected and "json" not in content_type and (content_type or has_body):
            shown = content_type or "none"
            return _error(request, 415, f"Unsupported media type: {shown}")
        return _error(request, 400, _validation_message(exc.errors()))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSON:
        message = exc.detail if isinstance(exc.detail, str) else "Error"
        if exc.status_code == 404:
            message = "null for uri: the requested resource does not exist"
        return _error(request, exc.status_code, message, headers=exc.headers)

    @app.exception_handler(OverflowError)
    async def overflow_error(request: Request, exc: OverflowError) -> JSON:
        # SQLite's driver refuses integers beyond 64 bits before the query runs (PostgreSQL answers
        # with a DataError, below): an id or number from the request that cannot exist is a 400.
        log.info("number out of range: %s", exc)
        return _error(request, 400, "Invalid value in the request: number out of range")

    @app.exception_handler(DataError)
    async def data_error(request: Request, exc: DataError) -> JSON:
        # A value the database refuses (NUL in text on PostgreSQL, a number out of range) came from
        # the request; the transaction is already rolled back. Bad input is a 400, never a 500.
        log.info("database refused a value: %s", exc.orig)
        return _error(request, 400, "Invalid value in the request")

    @app.exception_handler(PoolTimeout)
    async def pool_exhausted(request: Request, exc: PoolTimeout) -> JSON:
        # No connection came free in time (db/loopguard.py): overload, not a fault in the request.
        log.warning("database pool exhausted: %s", exc)
        return _error(
            request, 503, "The server is busy: no database connection is free. Retry shortly.", {"Retry-After": "1"}
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSON:
        log.exception("unexpected error", exc_info=exc)
        return _error(request, 500, "Internal server error")


def _error(request: Request, status: int, message: str, headers: Mapping[str, str] | None = None) -> JSON:
    """Confluence's error envelope for v1 paths, the v2 one ({"errors": [...]}) for /wiki/api/v2."""
    if request.url.path.startswith(V2_PREFIX):
        return JSON(v2_error_body(status, message), status_code=status, headers=headers)
    return JSON(error_body(status, message), status_code=status, headers=headers)


def _validation_message(errors: Any) -> str:
    parts = []
    for error in list(errors)[:5]:
        loc = ".".join(str(p) for p in error.get("loc", ()) if p != "body")
        msg = error.get("msg", "invalid")
        if error.get("type") == "json_invalid":
            return "Could not parse the request body as JSON"
        parts.append(f"{loc}: {msg}" if loc else msg)
    return "Invalid request: " + "; ".join(parts)
