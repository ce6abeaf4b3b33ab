"""v2 users (bulk lookup, access check), content id-to-type conversion, and the answers of a site
with no data policies and no classification levels (tags "User", "Content", "Data Policies",
"Classification Level")."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from sqlalchemy import select
from starlette.responses import Response

from localfluence.api import Context, ok
from localfluence.content import repository as repo
from localfluence.context import Ctx
from localfluence.errors import BadRequest, NotFound
from localfluence.kit.ids import parse_id, parse_id_list
from localfluence.models import CommentPlacement, Content, Space, User
from localfluence.people.serialize import personal_space_key, serialize_users
from localfluence.spaces import repository as space_repo
from localfluence.v2 import site_service
from localfluence.v2.lookup import get_kind
from localfluence.v2.paging import cursor_page, decode_cursor, parse_limit
from localfluence.v2.space_router import ICON, space_by_id, split_list
from localfluence.v2.space_router import SORTS as SPACE_SORTS

router = APIRouter(tags=["User", "Content", "Data Policies", "Classification Level"])

JsonBody = Annotated[Any, Body()]


def _strings(body: Any, field: str, maximum: int) -> list[str]:
    values = body.get(field) if isinstance(body, dict) else None
    if not isinstance(values, list) or not values:
        raise BadRequest(f"{field} must be a non-empty list")
    if len(values) > maximum:
        raise BadRequest(f"{field} takes at most {maximum} items")
    if not all(isinstance(v, str) for v in values):
        raise BadRequest(f"{field} must hold strings")
    return values


# --- User ---------------------------------------------------------------------------------------


@router.post("/users-bulk", operation_id="createBulkUserLookup")
async def create_bulk_user_lookup(ctx: Context, body: JsonBody) -> Response:
    account_ids = _strings(body, "accountIds", 250)
    users = list(ctx.session.scalars(select(User).where(User.account_id.in_(account_ids)).order_by(User.id)))
    by_account = {u.account_id: u for u in users}
    ordered = [by_account[a] for a in dict.fromkeys(account_ids) if a in by_account]
    personal = {
        s.key: s.id
        for s in ctx.session.scalars(
            space_repo.visible_spaces(ctx.principal).where(
                Space.type == "personal", Space.key.in_([personal_space_key(u.account_id) for u in ordered])
            )
        )
    }
    results = []
    for user, v1 in zip(ordered, serialize_users(ctx, ordered), strict=True):
        space_id = personal.get(personal_space_key(user.account_id))
        results.append(
            {
                "displayName": v1["displayName"],
                "timeZone": v1.get("timeZone"),
                "personalSpaceId": str(space_id) if space_id else None,
                "isExternalCollaborator": False,
                "accountStatus": "closed" if user.deleted_at is not None else ("active" if user.active else "inactive"),
                "accountId": user.account_id,
                "email": v1["email"],
                "accountType": v1["accountType"],
                "publicName": v1["publicName"],
                "profilePicture": v1["profilePicture"],
            }
        )
    return ok({"results": results, "_links": {"base": ctx.links.base}})


@router.post("/user/access/check-access-by-email", operation_id="checkAccessByEmail")
async def check_access_by_email(ctx: Context, body: JsonBody) -> Response:
    emails = _strings(body, "emails", 100)
    without, invalid = site_service.emails_without_access(ctx.session, ctx.principal, emails)
    return ok({"emailsWithoutAccess": without, "invalidEmails": invalid})


@router.post("/user/access/invite-by-email", operation_id="inviteByEmail")
async def invite_by_email(ctx: Context, body: JsonBody) -> Response:
    site_service.invite_by_email(ctx.principal, _strings(body, "emails", 100))
    return Response(status_code=200)


# --- Content ------------------------------------------------------------------------------------


@router.post("/content/convert-ids-to-types", operation_id="convertContentIdsToContentTypes")
async def convert_content_ids_to_content_types(ctx: Context, body: JsonBody) -> Response:
    raw = body.get("contentIds") if isinstance(body, dict) else None
    if not isinstance(raw, list) or len(raw) > 100:
        raise BadRequest("contentIds must be a list of at most 100 ids")
    ids: dict[str, int | None] = {}
    for value in raw:
        text = str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
        try:
            ids[text] = parse_id(text, "content id")
        except BadRequest:
            raise BadRequest(f"Invalid content id: {value}") from None
    wanted = [i for i in ids.values() if i is not None]
    rows = list(ctx.session.scalars(repo.visible(ctx.principal).where(Content.id.in_(wanted)))) if wanted else []
    inline = set(
        ctx.session.scalars(
            select(CommentPlacement.content_id).where(
                CommentPlacement.content_id.in_([r.id for r in rows if r.type == "comment"]),
                CommentPlacement.location == "inline",
            )
        )
    )
    types = {}
    for row in rows:
        if row.type == "comment":
            types[row.id] = "inline-comment" if row.id in inline else "footer-comment"
        else:
            types[row.id] = row.type
    # Ids the caller cannot see are left out, as missing ones are.
    return ok({"results": {text: types[number] for text, number in ids.items() if number in types}})


# --- Data Policies ------------------------------------------------------------------------------


@router.get("/data-policies/metadata", operation_id="getDataPolicyMetadata")
async def get_data_policy_metadata(ctx: Context) -> Response:
    return ok({"anyContentBlocked": False})


@router.get("/data-policies/spaces", operation_id="getDataPolicySpaces")
async def get_data_policy_spaces(
    request: Request,
    ctx: Context,
    ids: Annotated[list[str] | None, Query()] = None,
    keys: Annotated[list[str] | None, Query()] = None,
    sort: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Response:
    size = parse_limit(limit)
    offset = decode_cursor(request)
    query = space_repo.visible_spaces(ctx.principal)
    if (wanted := parse_id_list(ids, "ids")) is not None:
        query = query.where(Space.id.in_(wanted))
    if keys is not None:
        query = query.where(Space.key.in_(split_list(keys)))
    columns = SPACE_SORTS.get((sort or "id").lstrip("-"))
    if columns is None:
        raise BadRequest(f"Invalid sort: {sort}")
    descending = bool(sort and sort.startswith("-"))
    query = query.order_by(*(c.desc() if descending else c.asc() for c in columns))
    rows = list(ctx.session.scalars(query.offset(offset).limit(size + 1)))
    results = [
        {
            "id": str(s.id),
            "key": s.key,
            "name": s.name,
            "description": {"plain": {"representation": "plain", "value": s.description}},
            "dataPolicy": {"anyContentBlocked": False},
            "icon": ICON,
            "_links": {"webui": f"/spaces/{s.key}"},
        }
        for s in rows[:size]
    ]
    return cursor_page(request, results, offset=offset, limit=size, has_more=len(rows) > size, base=ctx.links.base)


# --- Classification Level -----------------------------------------------------------------------
# No classification levels exist: lists are empty, content and spaces have none, setting one names
# a level that does not exist (404), and resetting is a no-op.


def _content_of(ctx: Ctx, kind: str, raw_id: str) -> Content:
    return get_kind(ctx, kind, raw_id, ("current", "draft", "archived"))


@router.get("/classification-levels", operation_id="getClassificationLevels")
async def get_classification_levels(ctx: Context) -> Response:
    return ok([])


@router.get("/spaces/{id}/classification-level/default", operation_id="getSpaceDefaultClassificationLevel")
async def get_space_default_classification_level(id: str, ctx: Context) -> Response:
    space_by_id(ctx, id)
    raise NotFound(f"Space {id} has no default classification level")


@router.put(
    "/spaces/{id}/classification-level/default",
    operation_id="putSpaceDefaultClassificationLevel",
    status_code=204,
)
async def put_space_default_classification_level(id: str, ctx: Context, body: JsonBody) -> Response:
    site_service.set_space_default_level(ctx.session, ctx.principal, space_by_id(ctx, id), body)
    return Response(status_code=204)


@router.delete(
    "/spaces/{id}/classification-level/default",
    operation_id="deleteSpaceDefaultClassificationLevel",
    status_code=204,
)
async def delete_space_default_classification_level(id: str, ctx: Context) -> Response:
    site_service.reset_space_default_level(ctx.session, ctx.principal, space_by_id(ctx, id))
    return Response(status_code=204)


def _get_level(ctx: Ctx, kind: str, raw_id: str) -> Response:
    _content_of(ctx, kind, raw_id)
    raise NotFound(f"Content {raw_id} has no classification level")


def _put_level(ctx: Ctx, kind: str, raw_id: str, body: Any) -> Response:
    site_service.set_content_level(ctx.session, ctx.principal, _content_of(ctx, kind, raw_id), body)
    return Response(status_code=204)


def _reset_level(ctx: Ctx, kind: str, raw_id: str) -> Response:
    site_service.reset_content_level(ctx.session, ctx.principal, _content_of(ctx, kind, raw_id))
    return Response(status_code=204)


@router.get("/pages/{id}/classification-level", operation_id="getPageClassificationLevel")
async def get_page_classification_level(id: str, ctx: Context, status: str | None = None) -> Response:
    return _get_level(ctx, "page", id)


@router.put("/pages/{id}/classification-level", operation_id="putPageClassificationLevel", status_code=204)
async def put_page_classification_level(id: str, ctx: Context, body: JsonBody) -> Response:
    return _put_level(ctx, "page", id, body)


@router.post("/pages/{id}/classification-level/reset", operation_id="postPageClassificationLevel", status_code=204)
async def post_page_classification_level(id: str, ctx: Context, body: JsonBody = None) -> Response:
    return _reset_level(ctx, "page", id)


@router.get("/blogposts/{id}/classification-level", operation_id="getBlogPostClassificationLevel")
async def get_blog_post_classification_level(id: str, ctx: Context, status: str | None = None) -> Response:
    return _get_level(ctx, "blogpost", id)


@router.put("/blogposts/{id}/classification-level", operation_id="putBlogPostClassificationLevel", status_code=204)
async def put_blog_post_classification_level(id: str, ctx: Context, body: JsonBody) -> Response:
    return _put_level(ctx, "blogpost", id, body)


@router.post(
    "/blogposts/{id}/classification-level/reset", operation_id="postBlogPostClassificationLevel", status_code=204
)
async def post_blog_post_classification_level(id: str, ctx: Context, body: JsonBody = None) -> Response:
    return _reset_level(ctx, "blogpost", id)


@router.get("/whiteboards/{id}/classification-level", operation_id="getWhiteboardClassificationLevel")
async def get_whiteboard_classification_level(id: str, ctx: Context) -> Response:
    return _get_level(ctx, "whiteboard", id)


@router.put("/whiteboards/{id}/classification-level", operation_id="putWhiteboardClassificationLevel", status_code=204)
async def put_whiteboard_classification_level(id: str, ctx: Context, body: JsonBody) -> Response:
    return _put_level(ctx, "whiteboard", id, body)


@router.post(
    "/whiteboards/{id}/classification-level/reset", operation_id="postWhiteboardClassificationLevel", status_code=204
)
async def post_whiteboard_classification_level(id: str, ctx: Context, body: JsonBody = None) -> Response:
    return _reset_level(ctx, "whiteboard", id)


@router.get("/databases/{id}/classification-level", operation_id="getDatabaseClassificationLevel")
async def get_database_classification_level(id: str, ctx: Context) -> Response:
    return _get_level(ctx, "database", id)


@router.put("/databases/{id}/classification-level", operation_id="putDatabaseClassificationLevel", status_code=204)
async def put_database_classification_level(id: str, ctx: Context, body: JsonBody) -> Response:
    return _put_level(ctx, "database", id, body)


@router.post(
    "/databases/{id}/classification-level/reset", operation_id="postDatabaseClassificationLevel", status_code=204
)
async def post_database_classification_level(id: str, ctx: Context, body: JsonBody = None) -> Response:
    return _reset_level(ctx, "database", id)
