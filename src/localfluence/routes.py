"""Which routers the app serves, and where."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from localfluence.api import ok

API_PREFIXES = ("/wiki/rest/api", "/rest/api")


def api_routers() -> list[APIRouter]:
    from localfluence.content.router import children_router
    from localfluence.content.router import router as content
    from localfluence.people.router import router as people
    from localfluence.spaces.router import router as spaces
    from localfluence.tasks.router import router as tasks

    return [spaces, content, children_router, people, tasks]


site = APIRouter()


@site.get("/status", tags=["Site"])
async def status() -> Response:
    return ok({"state": "RUNNING"})


def site_routers() -> list[APIRouter]:
    from localfluence.admin.router import router as admin
    from localfluence.content.router import form_router

    form = APIRouter()
    form.include_router(form_router, prefix="/wiki")
    form.include_router(form_router)
    return [site, form, admin]
