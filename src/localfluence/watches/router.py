"""Watch routes (tag "Content watches")."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query
from starlette.responses import Response

from localfluence.access import checks
from localfluence.api import Context, ok
from localfluence.content import queries
from localfluence.content import repository as content_repo
from localfluence.content.service import parse_content_id
from localfluence.kit.paging import Paging, page_envelope
from localfluence.models import User
from localfluence.spaces import repository as space_repo
from localfluence.watches import service
from localfluence.watches.serialize import content_watch, space_watch

router = APIRouter(tags=["Content watches"])

AccountId = Annotated[str | None, Query()]
Key = Annotated[str | None, Query()]
Username = Annotated[str | None, Query()]
Xsrf = Annotated[str | None, Header(alias="X-Atlassian-Token")]
Start = Annotated[int | None, Query()]
Limit = Annotated[int | None, Query()]


def _watching(value: bool) -> Response:
    return ok({"watching": value})


async def _watcher(ctx: Context, accountId: AccountId = None, key: Key = None, username: Username = None) -> User:
    """Whose watch: the caller, or (site admins only) the user the query names."""
    return service.watcher(ctx.session, ctx.principal, accountId, key, username)


async def _xsrf(xsrf: Xsrf = None) -> None:
    service.require_xsrf_token(xsrf)


Watcher = Annotated[User, Depends(_watcher)]
# Changes need Confluence's XSRF header; checked before anything else is looked up.
XSRF_CHECKED = [Depends(_xsrf)]


@router.get("/user/watch/content/{contentId}", operation_id="getContentWatchStatus")
async def get_content_watch_status(contentId: str, ctx: Context, user: Watcher) -> Response:
    content = service.watched_content(ctx.session, ctx.principal, parse_content_id(contentId))
    return _watching(service.is_watching_content(ctx.session, user, content))


@router.post(
    "/user/watch/content/{contentId}", operation_id="addContentWatcher", status_code=204, dependencies=XSRF_CHECKED
)
async def add_content_watcher(
    contentId: str,
    ctx: Context,
    user: Watcher,
) -> Response:
    content = service.watched_content(ctx.session, ctx.principal, parse_content_id(contentId))
    service.watch_content(ctx.session, user, content)
    return Response(status_code=204)


@router.delete(
    "/user/watch/content/{contentId}", operation_id="removeContentWatcher", status_code=204, dependencies=XSRF_CHECKED
)
async def remove_content_watcher(
    contentId: str,
    ctx: Context,
    user: Watcher,
) -> Response:
    content = service.watched_content(ctx.session, ctx.principal, parse_content_id(contentId))
    service.unwatch_content(ctx.session, user, content)
    return Response(status_code=204)


@router.get("/user/watch/label/{labelName}", operation_id="isWatchingLabel")
async def is_watching_label(labelName: str, ctx: Context, user: Watcher) -> Response:
    label = service.watched_label(ctx.session, labelName)
    return _watching(service.is_watching_label(ctx.session, user, label))


@router.post(
    "/user/watch/label/{labelName}", operation_id="addLabelWatcher", status_code=204, dependencies=XSRF_CHECKED
)
async def add_label_watcher(
    labelName: str,
    ctx: Context,
    user: Watcher,
) -> Response:
    service.watch_label(ctx.session, user, service.watched_label(ctx.session, labelName))
    return Response(status_code=204)


@router.delete(
    "/user/watch/label/{labelName}", operation_id="removeLabelWatcher", status_code=204, dependencies=XSRF_CHECKED
)
async def remove_label_watcher(
    labelName: str,
    ctx: Context,
    user: Watcher,
) -> Response:
    service.unwatch_label(ctx.session, user, service.watched_label(ctx.session, labelName))
    return Response(status_code=204)


@router.get("/user/watch/space/{spaceKey}", operation_id="isWatchingSpace")
async def is_watching_space(spaceKey: str, ctx: Context, user: Watcher) -> Response:
    space = service.watched_space(ctx.session, ctx.principal, spaceKey)
    return _watching(service.is_watching_space(ctx.session, user, space))


@router.post("/user/watch/space/{spaceKey}", operation_id="addSpaceWatcher", status_code=204, dependencies=XSRF_CHECKED)
async def add_space_watcher(
    spaceKey: str,
    ctx: Context,
    user: Watcher,
) -> Response:
    service.watch_space(ctx.session, user, service.watched_space(ctx.session, ctx.principal, spaceKey))
    return Response(status_code=204)


@router.delete(
    "/user/watch/space/{spaceKey}", operation_id="removeSpaceWatch", status_code=204, dependencies=XSRF_CHECKED
)
async def remove_space_watch(
    spaceKey: str,
    ctx: Context,
    user: Watcher,
) -> Response:
    service.unwatch_space(ctx.session, user, service.watched_space(ctx.session, ctx.principal, spaceKey))
    return Response(status_code=204)


@router.get("/content/{id}/notification/child-created", operation_id="getWatchesForPage")
async def get_watches_for_page(id: str, ctx: Context, start: Start = None, limit: Limit = None) -> Response:
    if ctx.principal.is_anonymous:
        checks.refuse(ctx.principal, "You must be logged in to see watches")
    content = content_repo.get_content(ctx.session, ctx.principal, parse_content_id(id), queries.ANY_STATUS)
    paging = Paging.of(start, limit, default=200, maximum=200)
    users = service.content_watchers(ctx.session, content.id, start=paging.start, limit=paging.limit)
    results = [content_watch(ctx, u, content.id) for u in users[: paging.limit]]
    return ok(
        page_envelope(
            results,
            paging,
            has_more=len(users) > paging.limit,
            path=f"/rest/api/content/{content.id}/notification/child-created",
            query={},
            links=ctx.links.top(),
        )
    )


@router.get("/content/{id}/notification/created", operation_id="getWatchesForSpace")
async def get_watches_for_space(id: str, ctx: Context, start: Start = None, limit: Limit = None) -> Response:
    if ctx.principal.is_anonymous:
        checks.refuse(ctx.principal, "You must be logged in to see watches")
    content = content_repo.get_content(ctx.session, ctx.principal, parse_content_id(id), queries.ANY_STATUS)
    space = content_repo.space_of(ctx.session, content)
    paging = Paging.of(start, limit, default=200, maximum=200)
    users = service.space_watchers(ctx.session, space.id, start=paging.start, limit=paging.limit)
    results = [space_watch(ctx, u, space.key) for u in users[: paging.limit]]
    return ok(
        page_envelope(
            results,
            paging,
            has_more=len(users) > paging.limit,
            path=f"/rest/api/content/{content.id}/notification/created",
            query={},
            links=ctx.links.top(),
        )
    )


@router.get("/space/{spaceKey}/watch", operation_id="getWatchersForSpace")
async def get_watchers_for_space(
    spaceKey: str,
    ctx: Context,
    start: Annotated[str | None, Query()] = None,
    limit: Annotated[str | None, Query()] = None,
) -> Response:
    space = space_repo.get_space(ctx.session, ctx.principal, spaceKey)
    paging = Paging.of(
        service.parse_paging_value(start, "start"), service.parse_paging_value(limit, "limit"), default=200
    )
    users = service.space_watchers(ctx.session, space.id, start=paging.start, limit=paging.limit)
    results = [space_watch(ctx, u, space.key) for u in users[: paging.limit]]
    return ok(
        page_envelope(
            results,
            paging,
            has_more=len(users) > paging.limit,
            path=f"/rest/api/space/{space.key}/watch",
            query={},
            links=ctx.links.top(),
        )
    )
