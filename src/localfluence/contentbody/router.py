"""Body conversion routes (tag "Content body") and macro body routes (tag "Content - macro body")."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict
from starlette.responses import Response

from localfluence.api import Context, ExpandParam, ok
from localfluence.contentbody import extraction as _extraction  # noqa: F401  (registers the save listener)
from localfluence.contentbody import service
from localfluence.contentbody.representations import space_key_of
from localfluence.context import Ctx
from localfluence.errors import BadRequest
from localfluence.kit.expand import Expand
from localfluence.models import AsyncConversion
from localfluence.xhtml.storage import string_parameters

router = APIRouter(tags=["Content body"])
macro_router = APIRouter(tags=["Content - macro body"])

Optional = Annotated[str | None, Query()]


class ContentBodyCreate(BaseModel):
    model_config = ConfigDict(extra="ignore")
    value: str
    representation: str


def content_body(ctx: Ctx, value: str, representation: str, expand: Expand) -> dict[str, Any]:
    out: dict[str, Any] = {"value": value, "representation": representation, "embeddedContent": []}
    if "webresource" in expand:
        out["webresource"] = {
            "keys": [],
            "contexts": [],
            "uris": {"all": [], "css": [], "js": []},
            "tags": {"all": "", "css": "", "data": "", "js": ""},
            "superbatch": {"uris": {"all": [], "css": [], "js": []}, "tags": {}, "metatags": ""},
        }
    if "mediaToken" in expand:
        out["mediaToken"] = {"collectionIds": [], "contentId": "", "expiryDateTime": "", "fileIds": [], "token": ""}
    out["_expandable"] = {
        k: "" for k in ("content", "embeddedContent", "webresource", "mediaToken") if k not in out and k not in expand
    }
    out["_links"] = ctx.links.top()
    return out


def async_body(ctx: Ctx, record: AsyncConversion) -> dict[str, Any]:
    status = service.async_status(ctx, record)
    out: dict[str, Any] = {"renderTaskId": record.id, "status": status}
    if status == "COMPLETED":
        out.update(
            {"value": record.value, "representation": record.representation, "embeddedContent": [], "_expandable": {}}
        )
        out["_expandable"] = {"webresource": "", "mediaToken": ""}
    elif status == "FAILED":
        out["error"] = record.error or "The conversion failed"
    out["_links"] = ctx.links.top()
    return out


@router.post("/contentbody/convert/{to}", operation_id="convertContentBody")
async def convert_content_body(
    to: str,
    body: ContentBodyCreate,
    ctx: Context,
    expand: ExpandParam,
    spaceKeyContext: Optional = None,
    contentIdContext: Optional = None,
    embeddedContentRender: Optional = None,
) -> Response:
    content, space_key = service.conversion_context(ctx, spaceKeyContext, contentIdContext)
    value = service.convert(ctx, body.value, body.representation, to, content=content, space_key=space_key)
    return ok(content_body(ctx, value, to, expand))


@router.post("/contentbody/convert/async/{to}", operation_id="asyncConvertContentBodyRequest")
async def async_convert_content_body_request(
    to: str,
    body: ContentBodyCreate,
    ctx: Context,
    expand: ExpandParam,
    spaceKeyContext: Optional = None,
    contentIdContext: Optional = None,
    allowCache: Annotated[bool | None, Query()] = None,
    embeddedContentRender: Optional = None,
) -> Response:
    if to not in service.ASYNC_TARGETS:
        raise BadRequest(f"Asynchronous conversion only produces {', '.join(service.ASYNC_TARGETS)}, not {to}")
    content, space_key = service.conversion_context(ctx, spaceKeyContext, contentIdContext)
    service.check_conversion(body.representation, to)
    record = service.start_async(ctx, to, body.value, body.representation, content=content, space_key=space_key)
    return ok({"asyncId": record.id})


@router.get("/contentbody/convert/async/{id}", operation_id="asyncConvertContentBodyResponse")
async def async_convert_content_body_response(id: str, ctx: Context) -> Response:
    return ok(async_body(ctx, service.async_result(ctx, id)))


@macro_router.get("/content/{id}/history/{version}/macro/id/{macroId}", operation_id="getMacroBodyByMacroId")
async def get_macro_body_by_macro_id(id: str, version: int, macroId: str, ctx: Context) -> Response:
    content, macro = service.macro_at_version(ctx, id, version, macroId)
    return ok(
        {
            "name": macro.name,
            "body": service.macro_body_text(macro),
            "parameters": string_parameters(macro),
            "_links": {
                **ctx.links.top(),
                "self": ctx.links.api(f"/rest/api/content/{content.id}/history/{version}/macro/id/{macroId}"),
            },
        }
    )


@macro_router.get(
    "/content/{id}/history/{version}/macro/id/{macroId}/convert/{to}", operation_id="getAndConvertMacroBodyByMacroId"
)
async def get_and_convert_macro_body_by_macro_id(
    id: str,
    version: int,
    macroId: str,
    to: str,
    ctx: Context,
    expand: ExpandParam,
    spaceKeyContext: Optional = None,
    embeddedContentRender: Optional = None,
) -> Response:
    content, macro = service.macro_at_version(ctx, id, version, macroId)
    storage = service.macro_body_storage(macro)
    space_key = spaceKeyContext or space_key_of(ctx, content.space_id)
    value = service.convert(ctx, storage, "storage", to, content=content, space_key=space_key)
    return ok(content_body(ctx, value, to, expand))


@macro_router.get(
    "/content/{id}/history/{version}/macro/id/{macroId}/convert/async/{to}",
    operation_id="getAndAsyncConvertMacroBodyByMacroId",
)
async def get_and_async_convert_macro_body_by_macro_id(
    id: str,
    version: int,
    macroId: str,
    to: str,
    ctx: Context,
    expand: ExpandParam,
    allowCache: Annotated[bool | None, Query()] = None,
    spaceKeyContext: Optional = None,
    embeddedContentRender: Optional = None,
) -> Response:
    if to not in service.MACRO_ASYNC_TARGETS:
        raise BadRequest(f"Asynchronous conversion only produces {', '.join(service.MACRO_ASYNC_TARGETS)}, not {to}")
    content, macro = service.macro_at_version(ctx, id, version, macroId)
    storage = service.macro_body_storage(macro)
    space_key = spaceKeyContext or space_key_of(ctx, content.space_id)
    record = service.start_async(ctx, to, storage, "storage", content=content, space_key=space_key)
    return ok({"asyncId": record.id})
