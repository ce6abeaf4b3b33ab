"""Which routers the app serves, and where."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from localfluence.api import ok
from localfluence.kit.lazyroutes import LazyAPIRoute

API_PREFIXES = ("/wiki/rest/api", "/rest/api")


def api_routers() -> list[APIRouter]:
    from localfluence.analytics.router import router as analytics
    from localfluence.appearance.router import router as look_and_feel
    from localfluence.appearance.router import space_settings_router, theme_router
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
    from localfluence.templates.router import draft_router as blueprint_drafts
    from localfluence.templates.router import router as templates
    from localfluence.watches.router import router as watches

    # Order matters where paths overlap: attachments before children_router (/child/attachment vs
    # /child/{type}) and their multipart-only PUT /content/{id} before the JSON one; content_search
    # before content (/content/search vs /content/{id}); comments before children_router.
    return [
        attachments,
        multipart_router,
        spaces,
        content_search,
        blueprint_drafts,
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
        templates,
        look_and_feel,
        theme_router,
        space_settings_router,
        audit,
    ]


def v2_routers() -> list[APIRouter]:
    """The Confluence Cloud REST API v2, mounted under /wiki/api/v2."""
    from localfluence.v2.attachment_router import router as v2_attachments
    from localfluence.v2.comments_router import router as v2_comments
    from localfluence.v2.content_router import router as v2_content
    from localfluence.v2.custom_content_router import router as v2_custom_content
    from localfluence.v2.hierarchy_router import router as v2_hierarchy
    from localfluence.v2.label_router import label_content_router as v2_labelled
    from localfluence.v2.label_router import router as v2_labels
    from localfluence.v2.like_router import router as v2_likes
    from localfluence.v2.operations_router import router as v2_operations
    from localfluence.v2.properties_router import router as v2_properties
    from localfluence.v2.site_router import router as v2_site
    from localfluence.v2.space_access_router import router as v2_space_access
    from localfluence.v2.space_property_router import router as v2_space_properties
    from localfluence.v2.space_router import router as v2_spaces
    from localfluence.v2.task_router import router as v2_tasks
    from localfluence.v2.tree_router import router as v2_tree
    from localfluence.v2.version_router import router as v2_versions

    return [
        v2_content,
        v2_spaces,
        v2_versions,
        v2_hierarchy,
        v2_labels,
        v2_labelled,
        v2_attachments,
        v2_space_properties,
        v2_space_access,
        v2_likes,
        v2_tasks,
        v2_site,
        v2_comments,
        v2_properties,
        v2_custom_content,
        v2_tree,
        v2_operations,
    ]


# Lazy like every other route (kit/lazyroutes.py): the first answer needs no endpoint analysis.
site = APIRouter(route_class=LazyAPIRoute)


@site.get("/status", tags=["Site"])
async def status() -> Response:
    return ok({"state": "RUNNING"})


def site_routers() -> list[APIRouter]:
    from localfluence.admin.router import router as admin
    from localfluence.attachments.router import download_router
    from localfluence.connect.router import router as dynamic_modules
    from localfluence.content.router import form_router
    from localfluence.people.admin_router import router as people_admin
    from localfluence.permissions.settings_router import router as settings
    from localfluence.sites.router import router as sites
    from localfluence.webhooks.router import router as webhooks

    form = APIRouter()
    form.include_router(form_router, prefix="/wiki")
    form.include_router(form_router)
    downloads = APIRouter()
    downloads.include_router(download_router, prefix="/wiki")
    downloads.include_router(download_router)
    # Connect's REST lives beside the REST API: /wiki/rest/atlassian-connect/... in Cloud.
    connect = APIRouter()
    for prefix in ("", "/wiki/rest", "/rest"):
        connect.include_router(dynamic_modules, prefix=prefix, include_in_schema=not prefix)
    return [site, form, downloads, people_admin, settings, admin, sites, connect, webhooks]
