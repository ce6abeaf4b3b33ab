"""/atlassian-connect/1/app/module/dynamic (tag "Dynamic modules"); errors use the spec's
DynamicModulesErrorMessage, {"message": ...}, not Confluence's error envelope."""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, Query
from starlette.responses import Response

from localfluence.api import Context, ok
from localfluence.connect import service
from localfluence.connect.service import ModuleError
from localfluence.kit.bodyfirst import RawBody

router = APIRouter(tags=["Dynamic modules"])
PATH = "/atlassian-connect/1/app/module/dynamic"


def _error(error: ModuleError) -> Response:
    return ok({"message": error.message}, status=error.status)


@router.get(PATH, operation_id="getModules")
async def get_modules(ctx: Context) -> Response:
    try:
        app = service.app_key(ctx.session, ctx.principal)
    except ModuleError as error:
        return _error(error)
    return ok({"modules": service.list_modules(ctx.session, app)})


@router.post(PATH, operation_id="registerModules")
async def register_modules(raw: RawBody, ctx: Context) -> Response:
    # The spec accepts */*: the body is read as JSON whatever its declared type. RawBody comes
    # first: it is read before the write transaction begins.
    try:
        app = service.app_key(ctx.session, ctx.principal)
        try:
            body = orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise ModuleError(400, f"Installation failed. The app {app} sent a body that is not JSON.") from None
        # Validation happens before any write, so a refused request leaves nothing behind.
        service.register(ctx.session, app, body)
    except ModuleError as error:
        return _error(error)
    return Response(status_code=200)


@router.delete(PATH, operation_id="removeModules", status_code=204)
async def remove_modules(ctx: Context, moduleKey: Annotated[list[str] | None, Query()] = None) -> Response:
    try:
        app = service.app_key(ctx.session, ctx.principal)
    except ModuleError as error:
        return _error(error)
    # explode=false: keys may come comma-separated as well as repeated.
    keys = [k for value in moduleKey or [] for k in value.split(",") if k]
    service.remove(ctx.session, app, keys or None)
    return Response(status_code=204)
