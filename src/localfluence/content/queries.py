"""Read-side rules of the content API: status filters, ordering, historical versions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from localfluence.access.principal import Principal
from localfluence.content import repository as repo
from localfluence.content.types import is_custom
from localfluence.errors import BadRequest, NotFound
from localfluence.models import Content, ContentVersion
from localfluence.spaces import repository as space_repo

LISTABLE_TYPES = ("page", "blogpost")
KNOWN_STATUSES = ("current", "trashed", "deleted", "historical", "draft", "archived", "any")
ANY_STATUS = ("current", "trashed", "draft", "archived")
ORDER_FIELDS = {
    "title": Content.title,
    "created": Content.created_at,
    "history.createddate": Content.created_at,
    "id": Content.id,
    "position": Content.position,
}


def parse_statuses(statuses: Sequence[str] | None, default: Sequence[str] = ("current",)) -> tuple[str, ...]:
    flat = [s.strip() for chunk in statuses or [] for s in chunk.split(",") if s.strip()]
    if not flat:
        return tuple(default)
    for status in flat:
        if status not in KNOWN_STATUSES:
            raise BadRequest(f"Invalid status: {status}")
    if "any" in flat:
        return ANY_STATUS
    return tuple(flat)


def parse_orderby(orderby: str | None) -> list[object]:
    if not orderby:
        return []
    out: list[object] = []
    for part in orderby.split(","):
        words = part.strip().split()
        if not words:
            continue
        column = ORDER_FIELDS.get(words[0].lower())
        direction = words[1].lower() if len(words) > 1 else "asc"
        if column is None or direction not in ("asc", "desc") or len(words) > 2:
            raise BadRequest(f"Invalid orderby: {part.strip()}")
        out.append(column.desc() if direction == "desc" else column.asc())
    return out


def list_content(
    session: Session,
    principal: Principal,
    *,
    type: str,
    space_key: str | None,
    title: str | None,
    statuses: Sequence[str] | None,
    posting_day: str | None,
    orderby: str | None,
    start: int,
    limit: int,
    labels: Sequence[str] | None = None,
    current: bool = False,
) -> list[Any]:
    if type not in LISTABLE_TYPES and not is_custom(type):
        raise BadRequest(f"Invalid content type: {type}; use page or blogpost")
    if posting_day is not None:
        try:
            posting_day = _posting_day(posting_day)
        except BadRequest:
            # A space nobody can read lists nothing, whatever else the query asks.
            if space_key and space_repo.find_space(session, principal, space_key) is None:
                return []
            raise
    return repo.list_content(
        session,
        principal,
        types=(type,),
        statuses=parse_statuses(statuses),
        space_key=space_key or None,
        title=title,
        posting_day=posting_day,
        order_by=parse_orderby(orderby),
        # Server-style clients (atlassian-python-api's get_all_pages_by_label) filter by label here.
        labels=[n.strip().lower() for chunk in labels or [] for n in chunk.split(",") if n.strip()],
        start=start,
        limit=limit,
        current=current,
    )


def get_content(
    session: Session, principal: Principal, content_id: int, *, statuses: Sequence[str] | None, version: int | None
) -> Content:
    """A content as GET /content/{id} reads it: a read-only row (repo.read_content), not an entity."""
    wanted = parse_statuses(statuses)
    if version is not None:
        content = repo.get_content_row(session, principal, content_id, ANY_STATUS)
        if version == content.version:
            return content
        found = repo.get_version(session, content.id, version)
        if found is None:
            raise repo.not_found(content_id)
        return content_at_version(content, found)
    if "historical" in wanted:
        wanted = tuple(s for s in wanted if s != "historical") or ("current",)
    return repo.get_content_row(session, principal, content_id, wanted)


def content_at_version(content: Content, version: ContentVersion) -> Content:
    """A detached view of content as it was at an older version (status "historical")."""
    if version.number == content.version:
        return content
    return Content(
        id=content.id,
        type=content.type,
        status="historical",
        title=version.title,
        space_id=content.space_id,
        parent_id=content.parent_id,
        position=content.position,
        version=version.number,
        creator_id=content.creator_id,
        created_at=content.created_at,
        posting_day=content.posting_day,
    )


def _posting_day(value: str) -> str:
    from datetime import date

    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise BadRequest(f"Invalid postingDay: {value}; use yyyy-mm-dd") from None


def find_page_id_by_title(session: Session, principal: Principal, space_key: str | None, title: str) -> int:
    """The page titled `title` in the space (titles are unique per space), for forms that name pages by title."""
    if not space_key:
        raise BadRequest("A spaceKey is needed to find a page by its title")
    space = space_repo.get_space(session, principal, space_key)
    rows = repo.list_content(
        session, principal, types=("page",), statuses=("current",), space_id=space.id, title=title, start=0, limit=1
    )
    if not rows:
        raise NotFound(f"No page titled '{title}' in space {space_key}")
    return rows[0].id
