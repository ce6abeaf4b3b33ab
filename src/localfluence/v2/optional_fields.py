"""v2's include-* fields on single objects (include-properties, -operations, -versions): each an
{results, meta: {hasMore, cursor}, _links: {self}} holding the first page of what the object's own
list endpoint serves."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from localfluence.context import Ctx
from localfluence.models import Content, ContentProperty, ContentVersion
from localfluence.people.serialize import load_users
from localfluence.v2.serialize import version_json

FIRST_PAGE = 50


def optional_field(results: list[Any], has_more: bool, self_link: str) -> dict[str, Any]:
    return {"results": results, "meta": {"hasMore": has_more, "cursor": None}, "_links": {"self": self_link}}


def properties_field(ctx: Ctx, content: Content, self_link: str) -> dict[str, Any]:
    from localfluence.v2.properties_router import serialize_property_v2

    query = select(ContentProperty).where(ContentProperty.content_id == content.id).order_by(ContentProperty.key)
    rows = list(ctx.session.scalars(query.limit(FIRST_PAGE + 1)))
    return optional_field(serialize_property_v2(ctx, rows[:FIRST_PAGE]), len(rows) > FIRST_PAGE, self_link)


def versions_field(ctx: Ctx, content: Content, self_link: str) -> dict[str, Any]:
    query = select(ContentVersion).where(ContentVersion.content_id == content.id).order_by(ContentVersion.number.desc())
    rows = list(ctx.session.scalars(query.limit(FIRST_PAGE + 1)))
    users = load_users(ctx, [v.author_id for v in rows])
    account_ids = {u.id: u.account_id for u in users.values()}
    results = [version_json(v, account_ids) for v in rows[:FIRST_PAGE]]
    return optional_field(results, len(rows) > FIRST_PAGE, self_link)


def operations_field(ctx: Ctx, content: Content, target_type: str, self_link: str) -> dict[str, Any]:
    from localfluence.v2.operations_router import content_operations

    return optional_field(content_operations(ctx, content, target_type), False, self_link)
