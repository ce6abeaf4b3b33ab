"""Search routes: /search and /search/user (tag "Search"), /content/search (tag "Content")."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from localfluence.api import Context, ExpandParam, ok
from localfluence.content.serialize import serialize_contents
from localfluence.errors import BadRequest
from localfluence.search import index as _index  # noqa: F401  (registers the index listener)
from localfluence.search import relations as _relations  # noqa: F401  (registers the CQL relation providers)
from localfluence.search import service
from localfluence.search.excerpt import MODES
from localfluence.search.serialize import content_results, links, space_results, user_results

router = APIRouter(tags=["Search"])

# Result-page caps (Confluence caps silently; body expansions cost more, so fewer) *(verify)*.
SEARCH_MAX = 100
CONTENT_SEARCH_MAX = 200
WITH_BODY_MAX = 50


def _dialect(ctx: Context) -> str:  # type: ignore[valid-type]
    return ctx.session.get_bind().dialect.name  # type: ignore[attr-defined,no-any-return]


@router.get("/search", operation_id="searchByCQL")
async def search_by_cql(
    ctx: Context,
    expand: ExpandParam,
    cql: Annotated[str | None, Query()] = None,
    cqlcontext: Annotated[str | None, Query()] = None,
    cursor: Annotated[str | None, Query()] = None,
    next: Annotated[bool, Query()] = False,
    prev: Annotated[bool, Query()] = False,
    limit: Annotated[int | None, Query()] = None,
    start: Annotated[int | None, Query()] = None,
    includeArchivedSpaces: Annotated[bool, Query()] = False,
    excludeCurrentSpaces: Annotated[bool, Query()] = False,
    excerpt: Annotated[str, Query()] = "highlight",
    sitePermissionTypeFilter: Annotated[str, Query()] = "none",
) -> Response:
    began = time.perf_counter()
    if excerpt not in MODES:
        raise BadRequest(f"Invalid excerpt strategy: {excerpt}; use one of {', '.join(MODES)}")
    content_expand = expand.child("content")
    hits = service.search(
        ctx.session,
        ctx.principal,
        dialect=_dialect(ctx),
        cql=cql,
        cqlcontext=cqlcontext,
        cursor=cursor,
        start=start,
        limit=limit,
        maximum=WITH_BODY_MAX if "body" in content_expand else SEARCH_MAX,
        include_archived=includeArchivedSpaces or excludeCurrentSpaces,
        only_archived=excludeCurrentSpaces,
    )
    if hits.entity == "space":
        results = space_results(ctx, hits, expand.child("space"), excerpt)
    else:
        results = content_results(ctx, hits, content_expand, excerpt)
    query = {
        "cql": cql,
        "cqlcontext": cqlcontext,
        "expand": expand.render() or None,
        "excerpt": excerpt if excerpt != "highlight" else None,
        "includeArchivedSpaces": "true" if includeArchivedSpaces else None,
        "excludeCurrentSpaces": "true" if excludeCurrentSpaces else None,
    }
    return ok(
        {
            "results": results,
            "start": hits.paging.offset,
            "limit": hits.paging.limit,
            "size": len(results),
            "totalSize": hits.total or 0,
            "cqlQuery": cql,
            "searchDuration": int((time.perf_counter() - began) * 1000),
            "_links": links(ctx, hits, "/rest/api/search", query),
        }
    )


@router.get("/search/user", operation_id="searchUser")
async def search_user(
    ctx: Context,
    expand: ExpandParam,
    cql: Annotated[str | None, Query()] = None,
    start: Annotated[int | None, Query()] = None,
    limit: Annotated[int | None, Query()] = None,
    sitePermissionTypeFilter: Annotated[str, Query()] = "none",
) -> Response:
    began = time.perf_counter()
    hits = service.search_users(ctx.session, ctx.principal, dialect=_dialect(ctx), cql=cql, start=start, limit=limit)
    results = user_results(ctx, hits, expand)
    query = {"cql": cql, "expand": expand.render() or None}
    return ok(
        {
            "results": results,
            "start": hits.paging.offset,
            "limit": hits.paging.limit,
            "size": len(results),
            "totalSize": hits.total or 0,
            "cqlQuery": cql,
            "searchDuration": int((time.perf_counter() - began) * 1000),
            "_links": links(ctx, hits, "/rest/api/search/user", query, cursor_paging=False),
        }
    )


content_router = APIRouter(tags=["Content"])


@content_router.get("/content/search", operation_id="searchContentByCQL")
async def search_content_by_cql(
    ctx: Context,
    expand: ExpandParam,
    cql: Annotated[str | None, Query()] = None,
    cqlcontext: Annotated[str | None, Query()] = None,
    cursor: Annotated[str | None, Query()] = None,
    limit: Annotated[int | None, Query()] = None,
    start: Annotated[int | None, Query()] = None,
) -> Response:
    hits = service.search(
        ctx.session,
        ctx.principal,
        dialect=_dialect(ctx),
        cql=cql,
        cqlcontext=cqlcontext,
        cursor=cursor,
        start=start,
        limit=limit,
        maximum=WITH_BODY_MAX if "body" in expand else CONTENT_SEARCH_MAX,
        entities=("content",),
        count=False,
    )
    results = serialize_contents(ctx, hits.rows, expand)
    query = {"cql": cql, "cqlcontext": cqlcontext, "expand": expand.render() or None}
    return ok(
        {
            "results": results,
            "start": hits.paging.offset,
            "limit": hits.paging.limit,
            "size": len(results),
            "_links": links(ctx, hits, "/rest/api/content/search", query),
        }
    )
