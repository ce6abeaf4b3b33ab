"""v2 likes (tag "Like") on pages, blog posts and comments: the "like" relation from a user to the
content, as the relations package stores it (v1 writes it through /relation/like/from/user/...)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlalchemy import func, select
from starlette.responses import Response

from localfluence.api import Context, ok
from localfluence.context import Ctx
from localfluence.models import Relation, User
from localfluence.relations import service as relations
from localfluence.v2.lookup import get_kind
from localfluence.v2.paging import cursor_page, decode_cursor, parse_limit

router = APIRouter(tags=["Like"])

LIKE = "like"
READABLE = ("current", "archived", "draft")


def _count(ctx: Ctx, kind: str, raw_id: str) -> Response:
    content = get_kind(ctx, kind, raw_id, READABLE)
    count = ctx.session.scalar(
        select(func.count(Relation.id)).where(
            Relation.name == LIKE,
            Relation.target_type == "content",
            Relation.target_id == content.id,
            Relation.source_type == "user",
        )
    )
    return ok({"count": count or 0})


def _users(request: Request, ctx: Ctx, kind: str, raw_id: str, limit: int | None) -> Response:
    content = get_kind(ctx, kind, raw_id, READABLE)
    size = parse_limit(limit)
    offset = decode_cursor(request)
    target = relations.Entity("content", content.id, content)
    rows = relations.related(ctx.session, ctx.principal, LIKE, target, "user", outgoing=False, start=offset, limit=size)
    ids = [r.source_id for r in rows[:size]]
    accounts = {
        row.id: row.account_id for row in ctx.session.execute(select(User.id, User.account_id).where(User.id.in_(ids)))
    }
    results = [{"accountId": accounts[i]} for i in ids if i in accounts]
    return cursor_page(request, results, offset=offset, limit=size, has_more=len(rows) > size, base=ctx.links.base)


@router.get("/blogposts/{id}/likes/count", operation_id="getBlogPostLikeCount")
async def get_blog_post_like_count(id: str, ctx: Context) -> Response:
    return _count(ctx, "blogpost", id)


@router.get("/blogposts/{id}/likes/users", operation_id="getBlogPostLikeUsers")
async def get_blog_post_like_users(
    id: str, request: Request, ctx: Context, cursor: str | None = None, limit: int | None = None
) -> Response:
    return _users(request, ctx, "blogpost", id, limit)


@router.get("/pages/{id}/likes/count", operation_id="getPageLikeCount")
async def get_page_like_count(id: str, ctx: Context) -> Response:
    return _count(ctx, "page", id)


@router.get("/pages/{id}/likes/users", operation_id="getPageLikeUsers")
async def get_page_like_users(
    id: str, request: Request, ctx: Context, cursor: str | None = None, limit: int | None = None
) -> Response:
    return _users(request, ctx, "page", id, limit)


@router.get("/footer-comments/{id}/likes/count", operation_id="getFooterLikeCount")
async def get_footer_like_count(id: str, ctx: Context) -> Response:
    return _count(ctx, "footer-comment", id)


@router.get("/footer-comments/{id}/likes/users", operation_id="getFooterLikeUsers")
async def get_footer_like_users(
    id: str, request: Request, ctx: Context, cursor: str | None = None, limit: int | None = None
) -> Response:
    return _users(request, ctx, "footer-comment", id, limit)


@router.get("/inline-comments/{id}/likes/count", operation_id="getInlineLikeCount")
async def get_inline_like_count(id: str, ctx: Context) -> Response:
    return _count(ctx, "inline-comment", id)


@router.get("/inline-comments/{id}/likes/users", operation_id="getInlineLikeUsers")
async def get_inline_like_users(
    id: str, request: Request, ctx: Context, cursor: str | None = None, limit: int | None = None
) -> Response:
    return _users(request, ctx, "inline-comment", id, limit)
