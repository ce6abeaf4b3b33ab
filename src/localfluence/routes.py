"""Which routers the app serves, and where."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from localfluence.api import ok

API_PREFIXES = ("/wiki/rest/api", "/rest/api")


def api_routers() -> list[APIRouter]:
    from localfluence.analytics.router import router as analytics
    from localfluence.attachments.router import multipart_router
    from localfluence.attachments.router import router as attachments
    from localfluence.audit.router import router as audit
    from localfluence.comments.router import router as comments
    from localfluence.content.router import children_router
    from localfluence.content.router import router as content
    from localfluence.contentbody.router import macro_router
    from localfluence.contentbody.router import router as contentbody
    from localfluence.groups.router import router as groups
    from localfluence.inlinetasks.router import router as inlinetasks
    from localfluence.labels.router import info_router as label_info
    from localfluence.labels.router import router as labels
    from localfluence.labels.router import space_router as space_labels
    from localfluence.people.router import router as people
    from localfluence.permissions.router import router as permissions
    from localfluence.properties.router import content_router as content_properties
    from localfluence.properties.router import space_router as space_properties
    from localfluence.properties.router import user_router as user_properties
    from localfluence.relations.router import router as relations
    from localfluence.restrictions.router import router as restrictions
    from localfluence.search.router import content_router as content_search
    from localfluence.search.router import router as search
    from localfluence.spaces.router import router as spaces
    from localfluence.states.router import router as states
    from localfluence.tasks.router import router as tasks
    from localfluence.watches.router import router as watches

    # Order matters where paths overlap: attachments before children_router (/child/attachment vs
    # /child/{type}) and their multipart-only PUT /content/{id} before the JSON one; content_search
    # before content (/content/search vs /content/{id}); comments before children_router.
    return [
        attachments,
        multipart_router,
        spaces,
        content_search,
        content,
        comments,
        children_router,
        people,
        groups,
        tasks,
        labels,
        label_info,
        space_labels,
        content_properties,
        space_properties,
        user_properties,
        watches,
        relations,
        analytics,
        states,
        search,
        restrictions,
        permissions,
        contentbody,
        macro_router,
        inlinetasks,
        audit,
    ]


site = APIRouter()


@site.get("/status", tags=["Site"])
async def status() -> Response:
    return ok({"state": "RUNNING"})


def site_routers() -> list[APIRouter]:
    from localfluence.admin.router import router as admin
    from localfluence.attachments.router import download_router
    from localfluence.content.router import form_router
    from localfluence.people.admin_router import router as people_admin
    from localfluence.permissions.settings_router import router as settings
    from localfluence.webhooks.router import router as webhooks

    form = APIRouter()
    form.include_router(form_router, prefix="/wiki")
    form.include_router(form_router)
    downloads = APIRouter()
    downloads.include_router(download_router, prefix="/wiki")
    downloads.include_router(download_router)
    return [site, form, downloads, people_admin, settings, admin, webhooks]
