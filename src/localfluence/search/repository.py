"""Search SQL. Content statements start from the visibility rule and only AND the compiled
conditions onto it; counts run the same conditions, so totalSize never counts what is hidden."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, func, literal, select
from sqlalchemy.orm import Session

from localfluence.access.principal import Principal
from localfluence.access.visibility import content_is_visible_in_bulk, space_is_readable
from localfluence.cql.compiler import Compiled
from localfluence.models import Content, SearchDocument, Space, User


def resolve_space_ids(session: Session, keys: Sequence[str]) -> dict[str, int]:
    """Key -> id for the keys a query names (unchecked: an id alone reveals nothing, and every
    result still passes the visibility rule)."""
    if not keys:
        return {}
    return {k: i for k, i in session.execute(select(Space.key, Space.id).where(Space.key.in_(set(keys))))}


def content_filters(
    principal: Principal, statuses: Sequence[str], include_archived: bool, only_archived: bool
) -> list[ColumnElement[bool]]:
    filters: list[ColumnElement[bool]] = [content_is_visible_in_bulk(principal), Content.status.in_(statuses)]
    archived = select(Space.id).where(Space.status == "archived")
    if only_archived:
        filters.append(Content.space_id.in_(archived))
    elif not include_archived:
        filters.append(Content.space_id.not_in(archived))
    return filters


def search_content(
    session: Session,
    principal: Principal,
    compiled: Compiled,
    *,
    statuses: Sequence[str],
    include_archived: bool = False,
    only_archived: bool = False,
    offset: int,
    limit: int,
    count: bool = True,
) -> tuple[list[tuple[Content, float]], int | None]:
    """A page of (content, score), limit + 1 rows to tell whether more follow, and the total.

    A ranked query must score every match before it can return the best, so its page carries the
    total as a window count over the same rows (one pass instead of two). Other queries can often
    stop after a page (an index in the requested order), so they count separately."""
    filters = content_filters(principal, statuses, include_archived, only_archived)
    windowed = count and compiled.ranked is not None
    if compiled.ranked is not None:
        ranked = compiled.ranked.subquery("ranked")
        rest = [c for i, c in enumerate(compiled.conditions) if i != compiled.ranked_condition]
        total_column = func.count().over() if windowed else literal(None)
        page: Select[Any] = (
            select(Content, ranked.c.score, total_column)
            .join(ranked, ranked.c.content_id == Content.id)
            .where(*filters, *rest)
            .order_by(ranked.c.score.desc(), Content.id.desc())
        )
    else:
        page = (
            select(Content, literal(0.0), literal(None))
            .where(*filters, *compiled.conditions)
            .order_by(*compiled.order_by)
        )
    rows: list[tuple[Content, float]] = []
    total = None
    for content, score, window_total in session.execute(page.offset(offset).limit(limit + 1)):
        rows.append((content, float(score or 0.0)))
        total = window_total
    if count and (total is None or not windowed):
        # Past the last match a windowed page has no row to carry the total.
        total = session.scalar(select(func.count()).select_from(Content).where(*filters, *compiled.conditions))
    return rows, total


def search_spaces(
    session: Session, principal: Principal, compiled: Compiled, *, include_archived: bool, offset: int, limit: int
) -> tuple[list[Space], int]:
    filters = [space_is_readable(principal, Space.id), *compiled.conditions]
    if not include_archived:
        filters.append(Space.status != "archived")
    rows = list(
        session.scalars(select(Space).where(*filters).order_by(*compiled.order_by).offset(offset).limit(limit + 1))
    )
    total = session.scalar(select(func.count()).select_from(Space).where(*filters)) or 0
    return rows, total


def search_users(session: Session, compiled: Compiled, *, offset: int, limit: int) -> tuple[list[User], int]:
    filters = [User.active.is_(True), *compiled.conditions]
    rows = list(
        session.scalars(select(User).where(*filters).order_by(*compiled.order_by).offset(offset).limit(limit + 1))
    )
    total = session.scalar(select(func.count()).select_from(User).where(*filters)) or 0
    return rows, total


def documents_unchecked(session: Session, ids: Sequence[int]) -> dict[int, SearchDocument]:
    """Index documents of content already proven visible (for excerpts)."""
    if not ids:
        return {}
    return {d.content_id: d for d in session.scalars(select(SearchDocument).where(SearchDocument.content_id.in_(ids)))}


def user_time_zone(session: Session, principal: Principal) -> str:
    if principal.user_id is None:
        return "UTC"
    return session.scalar(select(User.time_zone).where(User.id == principal.user_id)) or "UTC"
