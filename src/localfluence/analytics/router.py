"""Analytics routes (tag "Analytics")."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

import localfluence.analytics.currentuser  # noqa: F401  (registers metadata.currentuser)
from localfluence.analytics import service
from localfluence.api import Context, ok
from localfluence.content import queries
from localfluence.content import repository as content_repo
from localfluence.content.service import parse_content_id

router = APIRouter(tags=["Analytics"])

FromDate = Annotated[str | None, Query()]


@router.get("/analytics/content/{contentId}/views", operation_id="getViews")
async def get_views(contentId: str, ctx: Context, fromDate: FromDate = None) -> Response:
    since = service.parse_from_date(fromDate)
    content = content_repo.get_content(ctx.session, ctx.principal, parse_content_id(contentId), queries.ANY_STATUS)
    return ok({"id": content.id, "count": service.count_views(ctx.session, content.id, since)})


@router.get("/analytics/content/{contentId}/viewers", operation_id="getViewers")
async def get_viewers(contentId: str, ctx: Context, fromDate: FromDate = None) -> Response:
    since = service.parse_from_date(fromDate)
    content = content_repo.get_content(ctx.session, ctx.principal, parse_content_id(contentId), queries.ANY_STATUS)
    return ok({"id": content.id, "count": service.count_viewers(ctx.session, content.id, since)})
