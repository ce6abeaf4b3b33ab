"""/_localfluence/sites: list, create, inspect and delete the server's other sites. Only the default
site's administrators, and only through the default site: a site cannot see or touch the others."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from localfluence.admin.router import PREFIX, Admin, _runtime
from localfluence.api import ok
from localfluence.errors import NotFound
from localfluence.sites.names import RULE, check
from localfluence.sites.registry import SiteRegistry
from localfluence.sites.site import SITE

router = APIRouter(prefix=PREFIX)
TAG = "localfluence: sites"


class SiteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, Field(max_length=40, description=RULE)]
    adminEmail: str | None = Field(default=None, max_length=255, description="default: the server's admin email")
    adminToken: str | None = Field(
        default=None, min_length=8, max_length=255, description="the site admin's API token; default: a random one"
    )


def _registry(request: Request) -> SiteRegistry:
    _runtime(request)  # 404 when the admin API is off
    if request.scope.get(SITE) is not None and request.scope[SITE].name is not None:
        raise NotFound("Sites are managed through the default site")
    registry: SiteRegistry = request.app.state.sites
    return registry


def _describe(request: Request, registry: SiteRegistry, name: str) -> dict[str, Any]:
    record = registry.describe(name)
    if record is None:
        raise NotFound(f"No site named {name}")
    url = request.url
    origin = registry.settings.base_url.rstrip("/") or f"{url.scheme}://{url.netloc}"
    base = f"{origin}/site/{name}"
    out: dict[str, Any] = {**record, "url": base, "wikiUrl": base + "/wiki", "apiUrl": base + "/wiki/rest/api"}
    domain = registry.settings.site_domain.strip(".")
    if domain:
        port = f":{url.port}" if url.port else ""
        out["hostUrl"] = f"{url.scheme}://{name}.{domain}{port}"
    return out


@router.get("/sites", tags=[TAG], summary="The server's other sites (the default site is not listed)")
async def list_sites(request: Request, _admin: Admin) -> Response:
    registry = _registry(request)
    results = [_describe(request, registry, name) for name in registry.names()]
    return ok({"results": results, "size": len(results)})


@router.post(
    "/sites",
    tags=[TAG],
    summary="Create a site with an empty database and its own admin",
    description=(
        "The answer carries the site's URLs and its admin's email and API token (the token is also in "
        "DATA_DIR/sites/NAME/admin-token). 409 if the name is taken."
    ),
    status_code=201,
)
async def create_site(body: SiteIn, request: Request, _admin: Admin) -> Response:
    registry = _registry(request)
    check(body.name)
    _, token = await run_in_threadpool(registry.create, body.name, body.adminEmail, body.adminToken)
    return ok({**_describe(request, registry, body.name), "adminToken": token}, 201)


@router.get("/sites/{name}", tags=[TAG], summary="One site")
async def get_site(name: str, request: Request, _admin: Admin) -> Response:
    registry = _registry(request)
    check(name)
    return ok(_describe(request, registry, name))


@router.delete("/sites/{name}", tags=[TAG], summary="Delete a site and all its data", status_code=204)
async def delete_site(name: str, request: Request, _admin: Admin) -> Response:
    registry = _registry(request)
    check(name)
    if not await run_in_threadpool(registry.delete, name):
        raise NotFound(f"No site named {name}")
    return Response(status_code=204)
