"""Views: a view is a GET of a page or blog post by id with trigger=viewed or with body.view
expanded (what Confluence's UI and view-rendering clients do). Anonymous views count as views
but not as viewers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from localfluence.access.principal import Principal
from localfluence.changes import on_content_read
from localfluence.db.session import write_after_read
from localfluence.errors import BadRequest
from localfluence.kit.clock import clock
from localfluence.kit.expand import Expand
from localfluence.models import Content, ContentView

VIEWED_TYPES = ("page", "blogpost")


def record_view(session: Session, principal: Principal, content: Content) -> None:
    view = ContentView(content_id=content.id, user_id=principal.user_id, viewed_at=clock.now())
    write_after_read(session, lambda writer: writer.add(view))


@on_content_read
def _on_read(session: Session, principal: Principal, content: Content, expand: Expand, trigger: str | None) -> None:
    if content.type not in VIEWED_TYPES or content.status != "current":
        return
    if trigger == "viewed" or "view" in expand.child("body"):
        record_view(session, principal, content)


def parse_from_date(value: str | None) -> datetime | None:
    """fromDate as a date (2024-01-31) or an ISO-8601 instant; dates start at midnight UTC."""
    if value is None or value == "":
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime(day.year, day.month, day.day, tzinfo=UTC)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BadRequest(f"Invalid fromDate: {value}; use yyyy-mm-dd or an ISO-8601 date-time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def count_views(session: Session, content_id: int, since: datetime | None) -> int:
    query = select(func.count()).select_from(ContentView).where(ContentView.content_id == content_id)
    if since is not None:
        query = query.where(ContentView.viewed_at >= since)
    return int(session.scalar(query) or 0)


def count_viewers(session: Session, content_id: int, since: datetime | None) -> int:
    query = select(func.count(func.distinct(ContentView.user_id))).where(
        ContentView.content_id == content_id, ContentView.user_id.is_not(None)
    )
    if since is not None:
        query = query.where(ContentView.viewed_at >= since)
    return int(session.scalar(query) or 0)


def last_seen_of_many(session: Session, user_id: int, content_ids: Sequence[int]) -> dict[int, datetime]:
    if not content_ids:
        return {}
    rows = session.execute(
        select(ContentView.content_id, func.max(ContentView.viewed_at))
        .where(ContentView.user_id == user_id, ContentView.content_id.in_(content_ids))
        .group_by(ContentView.content_id)
    ).all()
    return {content_id: seen for content_id, seen in rows}
