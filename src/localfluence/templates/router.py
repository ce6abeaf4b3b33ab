"""Template routes (tag "Template") and the blueprint draft operations of tag "Content"."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from localfluence.api import Context, ExpandParam, ok
from localfluence.content.serialize import serialize_content
from localfluence.kit.expand import Expand
from localfluence.kit.paging import Paging, page_envelope
from localfluence.templates import drafts, service
from localfluence.templates.blueprints import BLUEPRINTS, Blueprint
from localfluence.templates.schemas import BlueprintDraft, TemplateCreate, TemplateUpdate
from localfluence.templates.serialize import serialize_blueprint, serialize_templates

router = APIRouter(tags=["Template"])
draft_router = APIRouter(tags=["Content"])

SpaceKey = Annotated[str | None, Query()]
Start = Annotated[int | None, Query()]
Limit = Annotated[int | None, Query()]
# Spec (publishSharedDraft): "By default, the following objects are expanded".
DRAFT_DEFAULT = Expand.parse("body.storage,history,space,version,ancestors")


def _wants_body(expand: Expand) -> bool:
    # Templates expand only body; other names are ignored, as Confluence ignores unknown expansions.
    return "body" in expand


@router.post("/template", operation_id="createContentTemplate")
async def create_content_template(ctx: Context, body: TemplateCreate) -> Response:
    template = service.create_template(ctx.session, ctx.principal, body)
    return ok(serialize_templates(ctx, [template], with_body=True)[0])


@router.put("/template", operation_id="updateContentTemplate")
async def update_content_template(ctx: Context, body: TemplateUpdate) -> Response:
    template = service.update_template(ctx.session, ctx.principal, body)
    return ok(serialize_templates(ctx, [template], with_body=True)[0])


@router.get("/template/blueprint", operation_id="getBlueprintTemplates")
async def get_blueprint_templates(
    ctx: Context, expand: ExpandParam, spaceKey: SpaceKey = None, start: Start = None, limit: Limit = None
) -> Response:
    paging = Paging.of(start, limit)
    with_body = _wants_body(expand)
    # The built-in blueprints are enabled in every space; a space key only has to be readable.
    space = service.readable_space(ctx.session, ctx.principal, spaceKey) if spaceKey is not None else None
    rows = BLUEPRINTS[paging.start : paging.start + paging.limit + 1]
    results = [serialize_blueprint(ctx, b, with_body=with_body, space=space) for b in rows[: paging.limit]]
    return ok(
        page_envelope(
            results,
            paging,
            has_more=len(rows) > paging.limit,
            path="/rest/api/template/blueprint",
            query={"spaceKey": spaceKey, "expand": "body" if with_body else None},
            links=ctx.links.top(),
        )
    )


@router.get("/template/page", operation_id="getContentTemplates")
async def get_content_templates(
    ctx: Context, expand: ExpandParam, spaceKey: SpaceKey = None, start: Start = None, limit: Limit = None
) -> Response:
    paging = Paging.of(start, limit)
    with_body = _wants_body(expand)
    rows = service.list_templates(ctx.session, ctx.principal, spaceKey, paging.start, paging.limit)
    return ok(
        page_envelope(
            serialize_templates(ctx, rows[: paging.limit], with_body=with_body),
            paging,
            has_more=len(rows) > paging.limit,
            path="/rest/api/template/page",
            query={"spaceKey": spaceKey, "expand": "body" if with_body else None},
            links=ctx.links.top(),
        )
    )


@router.get("/template/{contentTemplateId}", operation_id="getContentTemplate")
async def get_content_template(contentTemplateId: str, ctx: Context) -> Response:
    # The body always comes with a single template: it is what "create from template" copies.
    template = service.get_template(ctx.session, ctx.principal, contentTemplateId)
    if isinstance(template, Blueprint):
        return ok(serialize_blueprint(ctx, template, with_body=True, space=None))
    return ok(serialize_templates(ctx, [template], with_body=True)[0])


@router.delete("/template/{contentTemplateId}", operation_id="removeTemplate", status_code=204)
async def remove_template(contentTemplateId: str, ctx: Context) -> Response:
    service.remove_template(ctx.session, ctx.principal, contentTemplateId)
    return Response(status_code=204)


@draft_router.put("/content/blueprint/instance/{draftId}", operation_id="publishSharedDraft")
async def publish_shared_draft(
    draftId: str, ctx: Context, body: BlueprintDraft, expand: ExpandParam, status: Annotated[str | None, Query()] = None
) -> Response:
    content = drafts.publish_draft(ctx.session, ctx.principal, draftId, body, status)
    return ok(serialize_content(ctx, content, expand or DRAFT_DEFAULT))


@draft_router.post("/content/blueprint/instance/{draftId}", operation_id="publishLegacyDraft")
async def publish_legacy_draft(
    draftId: str, ctx: Context, body: BlueprintDraft, expand: ExpandParam, status: Annotated[str | None, Query()] = None
) -> Response:
    content = drafts.publish_draft(ctx.session, ctx.principal, draftId, body, status)
    return ok(serialize_content(ctx, content, expand or DRAFT_DEFAULT))
