"""User routes (tag "Users")."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select
from starlette.responses import Response

from localfluence.api import Context, ExpandParam, ok
from localfluence.errors import BadRequest, NotFound
from localfluence.models import User
from localfluence.people.serialize import anonymous_user, serialize_user

router = APIRouter(tags=["Users"])


@router.get("/user/current", operation_id="getCurrentUser")
async def get_current_user(ctx: Context, expand: ExpandParam) -> Response:
    if ctx.principal.is_anonymous:
        return ok(anonymous_user(ctx))
    user = ctx.session.get(User, ctx.principal.user_id)
    return ok(serialize_user(ctx, user, expand))


@router.get("/user/anonymous", operation_id="getAnonymousUser")
async def get_anonymous_user(ctx: Context, expand: ExpandParam) -> Response:
    return ok(anonymous_user(ctx))


@router.get("/user", operation_id="getUser")
async def get_user(
    ctx: Context,
    expand: ExpandParam,
    accountId: Annotated[str | None, Query()] = None,
    username: Annotated[str | None, Query()] = None,
    key: Annotated[str | None, Query()] = None,
) -> Response:
    if ctx.principal.is_anonymous:
        # Anonymous users may not browse people (Cloud answers 401 here).
        from localfluence.errors import NotAuthenticated

        raise NotAuthenticated("Authentication is required to look up users")
    if accountId:
        query = select(User).where(User.account_id == accountId)
    elif username:
        query = select(User).where(User.username == username)
    elif key:
        query = select(User).where(User.account_id == key)
    else:
        raise BadRequest("One of accountId, username or key is required")
    user = ctx.session.scalar(query)
    if user is None:
        raise NotFound(f"No user found with accountId: {accountId or username or key}")
    return ok(serialize_user(ctx, user, expand))
