"""Routes of tags "Settings", "Themes" and "Space settings"."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query
from pydantic import StrictBool
from starlette.responses import Response

import localfluence
from localfluence.api import Context, ok
from localfluence.appearance import service
from localfluence.appearance.lookandfeel import LookAndFeelIn
from localfluence.appearance.themes import THEMES, Theme
from localfluence.context import Ctx
from localfluence.errors import BadRequest, NotFound
from localfluence.kit.paging import Paging, page_envelope
from localfluence.kit.requestbody import RequestBody

router = APIRouter(tags=["Settings"])
theme_router = APIRouter(tags=["Themes"])
space_settings_router = APIRouter(tags=["Space settings"])

SpaceKey = Annotated[str | None, Query()]
# Every page and blog post is written in the current (fabric) editor.
EDITOR = {"page": "v2", "blogpost": "v2", "default": "v2"}


class LookAndFeelSelection(RequestBody):
    spaceKey: str
    lookAndFeelType: Literal["global", "custom", "theme"]


class ThemeUpdate(RequestBody):
    themeKey: str


class SpaceSettingsUpdate(RequestBody):
    routeOverrideEnabled: StrictBool | None = None


def _theme(ctx: Ctx, theme: Theme) -> dict[str, Any]:
    return {
        **theme.json(),
        "_links": {**ctx.links.top(), "self": ctx.links.api(f"/rest/api/settings/theme/{theme.key}")},
    }


@router.get("/settings/lookandfeel", operation_id="getLookAndFeelSettings")
async def get_look_and_feel_settings(ctx: Context, spaceKey: SpaceKey = None) -> Response:
    space = service.space_for(ctx.session, ctx.principal, spaceKey)
    return ok(service.settings(ctx.session, space))


@router.put("/settings/lookandfeel", operation_id="updateLookAndFeel")
async def update_look_and_feel(ctx: Context, body: LookAndFeelSelection) -> Response:
    space = service.space_for(ctx.session, ctx.principal, body.spaceKey, write=True)
    service.select(ctx.session, ctx.principal, space, body.lookAndFeelType, strict=True)
    return ok({"spaceKey": body.spaceKey, "lookAndFeelType": body.lookAndFeelType})


@router.post("/settings/lookandfeel/custom", operation_id="updateLookAndFeelSettings")
async def update_look_and_feel_settings(ctx: Context, body: LookAndFeelIn, spaceKey: SpaceKey = None) -> Response:
    space = service.space_for(ctx.session, ctx.principal, spaceKey, write=True)
    value = body.stored()
    service.save_custom(ctx.session, ctx.principal, space, value)
    query = f"?spaceKey={space.key}" if space else ""
    return ok({**value, "_links": {**ctx.links.top(), "self": ctx.links.api(f"/rest/api/settings/lookandfeel{query}")}})


@router.delete("/settings/lookandfeel/custom", operation_id="resetLookAndFeelSettings", status_code=204)
async def reset_look_and_feel_settings(ctx: Context, spaceKey: SpaceKey = None) -> Response:
    space = service.space_for(ctx.session, ctx.principal, spaceKey, write=True)
    service.reset_custom(ctx.session, ctx.principal, space)
    return Response(status_code=204)


@router.put("/settings/lookandfeel/selected", operation_id="setLookAndFeelSettings")
async def set_look_and_feel_settings(ctx: Context, body: Annotated[Any, Body()], spaceKey: SpaceKey = None) -> Response:
    # The body is a bare JSON string: "global", "custom" or "theme".
    if not isinstance(body, str):
        raise BadRequest("The look and feel type must be a JSON string: global, custom or theme")
    space = service.space_for(ctx.session, ctx.principal, spaceKey, write=True)
    service.select(ctx.session, ctx.principal, space, body, strict=False)
    return ok(body)


@router.get("/settings/systemInfo", operation_id="getSystemInfo")
async def get_system_info(ctx: Context) -> Response:
    service.require_system_info_reader(ctx.principal)
    return ok(
        {
            # Stable for a site: derived from its base URL.
            "cloudId": str(uuid.uuid5(uuid.NAMESPACE_URL, ctx.links.base)),
            "commitHash": f"localfluence-{localfluence.__version__}",
            "baseUrl": ctx.links.base,
            "edition": "localfluence",
            "siteTitle": "localfluence",
            "defaultLocale": "en_US",
            "defaultTimeZone": "UTC",
            "microsImpactLevel": "default",
            "version": localfluence.__version__,
        }
    )


@theme_router.get("/settings/theme", operation_id="getThemes")
async def get_themes(
    ctx: Context, start: Annotated[int | None, Query()] = None, limit: Annotated[int | None, Query()] = None
) -> Response:
    paging = Paging.of(start, limit, default=100)
    rows = THEMES[paging.start : paging.start + paging.limit + 1]
    return ok(
        page_envelope(
            [t.json() for t in rows[: paging.limit]],
            paging,
            has_more=len(rows) > paging.limit,
            path="/rest/api/settings/theme",
            query={},
            links=ctx.links.top(),
        )
    )


@theme_router.get("/settings/theme/selected", operation_id="getGlobalTheme")
async def get_global_theme(ctx: Context) -> Response:
    theme = service.theme_of(ctx.session, None)
    if theme is None:
        raise NotFound("No global theme is assigned")
    return ok(_theme(ctx, theme))


@theme_router.get("/settings/theme/{themeKey}", operation_id="getTheme")
async def get_theme(themeKey: str, ctx: Context) -> Response:
    return ok(_theme(ctx, service.get_theme(themeKey)))


@theme_router.get("/space/{spaceKey}/theme", operation_id="getSpaceTheme")
async def get_space_theme(spaceKey: str, ctx: Context) -> Response:
    space = service.space_for(ctx.session, ctx.principal, spaceKey)
    theme = service.theme_of(ctx.session, space)
    if theme is None:
        raise NotFound(f"Space {spaceKey} has no theme; it inherits the global look and feel")
    return ok(_theme(ctx, theme))


@theme_router.put("/space/{spaceKey}/theme", operation_id="setSpaceTheme")
async def set_space_theme(spaceKey: str, ctx: Context, body: ThemeUpdate) -> Response:
    space = service.space_for(ctx.session, ctx.principal, spaceKey, write=True)
    assert space is not None
    return ok(_theme(ctx, service.set_space_theme(ctx.session, ctx.principal, space, body.themeKey)))


@theme_router.delete("/space/{spaceKey}/theme", operation_id="resetSpaceTheme", status_code=204)
async def reset_space_theme(spaceKey: str, ctx: Context) -> Response:
    space = service.space_for(ctx.session, ctx.principal, spaceKey, write=True)
    assert space is not None
    service.reset_space_theme(ctx.session, ctx.principal, space)
    return Response(status_code=204)


def _space_settings(ctx: Ctx, space_key: str, route_override: bool) -> dict[str, Any]:
    return {
        "routeOverrideEnabled": route_override,
        "editor": dict(EDITOR),
        "spaceKey": space_key,
        "_links": {**ctx.links.top(), "self": ctx.links.api(f"/rest/api/space/{space_key}/settings")},
    }


@space_settings_router.get("/space/{spaceKey}/settings", operation_id="getSpaceSettings")
async def get_space_settings(spaceKey: str, ctx: Context) -> Response:
    space = service.space_for(ctx.session, ctx.principal, spaceKey)
    assert space is not None
    row = service.find(ctx.session, space)
    return ok(_space_settings(ctx, space.key, bool(row and row.route_override_enabled)))


@space_settings_router.put("/space/{spaceKey}/settings", operation_id="updateSpaceSettings")
async def update_space_settings(spaceKey: str, ctx: Context, body: SpaceSettingsUpdate) -> Response:
    space = service.space_for(ctx.session, ctx.principal, spaceKey, write=True)
    assert space is not None
    row = service.set_route_override(ctx.session, ctx.principal, space, body.routeOverrideEnabled)
    return ok(_space_settings(ctx, space.key, row.route_override_enabled))
