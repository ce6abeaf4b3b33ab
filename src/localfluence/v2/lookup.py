"""One visible object of a v2 kind by its path id: the content repository's visibility rule, then
the kind check, so a page id under /blogposts or a footer comment under /inline-comments is a 404."""

from __future__ import annotations

from sqlalchemy import ColumnElement, select

from localfluence.content import repository as repo
from localfluence.content.queries import ANY_STATUS
from localfluence.content.types import is_custom
from localfluence.context import Ctx
from localfluence.errors import BadRequest
from localfluence.kit.ids import parse_id
from localfluence.models import CommentPlacement, Content

# Content types with a v2 kind of their own; custom content keeps its app's type (content/types.py).
BUILT_IN_TYPES = ("page", "blogpost", "comment", "attachment", "folder", "whiteboard", "database", "embed")


def custom_type_clause() -> ColumnElement[bool]:
    """Custom content in SQL: the type has a colon, as content/types.is_custom says."""
    return Content.type.contains(":", autoescape=True)


def content_id(raw: str, *, prefix: str = "") -> int | None:
    """A content id from a path; attachment ids may carry Cloud's "att" prefix."""
    try:
        return parse_id(raw[len(prefix) :] if prefix and raw.startswith(prefix) else raw)
    except BadRequest:
        raise BadRequest(f"Invalid id: {raw}") from None


def kind_of(ctx: Ctx, content: Content) -> str:
    if content.type == "comment":
        location = ctx.session.scalar(
            select(CommentPlacement.location).where(CommentPlacement.content_id == content.id)
        )
        return "inline-comment" if location == "inline" else "footer-comment"
    if is_custom(content.type):
        return "custom-content"
    return content.type


def get_kind(ctx: Ctx, kind: str, raw_id: str, statuses: tuple[str, ...] = ANY_STATUS) -> Content:
    number = content_id(raw_id, prefix="att" if kind == "attachment" else "")
    content = repo.find_content(ctx.session, ctx.principal, number, statuses) if number is not None else None
    if content is None or kind_of(ctx, content) != kind:
        raise repo.not_found(raw_id)
    return content
