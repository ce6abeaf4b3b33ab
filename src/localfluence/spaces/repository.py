"""Space queries; every read starts from the principal's readable spaces."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Row, Select, bindparam, func, select
from sqlalchemy.orm import Session

from localfluence.access.principal import Principal
from localfluence.access.visibility import space_is_readable
from localfluence.errors import NotFound
from localfluence.kit.ids import MAX_STORED_ID
from localfluence.models import Space


def visible_spaces(principal: Principal) -> Select[tuple[Space]]:
    return select(Space).where(space_is_readable(principal, Space.id))


def find_space(session: Session, principal: Principal, key: str) -> Space | None:
    return session.scalar(_find_space(principal), {"space_key": key})


@lru_cache(maxsize=1024)
def _find_space(principal: Principal) -> Select[tuple[Space]]:
    # Built once per principal (statements are immutable): creates and listings by spaceKey start here.
    return visible_spaces(principal).where(Space.key == bindparam("space_key"))


def get_space(session: Session, principal: Principal, key: str) -> Space:
    space = find_space(session, principal, key)
    if space is None:
        # The same answer for a missing and an unreadable space.
        raise NotFound(f"No space with key : {key}")
    return space


def find_space_unchecked(session: Session, key: str) -> Space | None:
    return session.scalar(select(Space).where(func.lower(Space.key) == key.lower()))


def list_spaces(
    session: Session,
    principal: Principal,
    *,
    keys: Sequence[str] = (),
    ids: Sequence[int] = (),
    type: str | None = None,
    status: str | None = None,
    start: int,
    limit: int,
) -> list[Space]:
    query = visible_spaces(principal)
    if keys:
        query = query.where(Space.key.in_(keys))
    if ids:
        # Ids beyond the 32-bit column name no space; leaving them out keeps PostgreSQL from refusing the query.
        query = query.where(Space.id.in_([i for i in ids if i <= MAX_STORED_ID]))
    if type:
        query = query.where(Space.type == type)
    if status:
        query = query.where(Space.status == status)
    # One extra row tells whether a next page exists, without a count.
    return list(session.scalars(query.order_by(Space.key).offset(start).limit(limit + 1)))


# Built once: serializers of every content response ask for spaces, and read-only rows (no ORM
# identity map) cost a fraction of ORM objects to load.
_SPACE_ROWS = select(*Space.__table__.c).where(Space.__table__.c.id.in_(bindparam("ids", expanding=True)))


def spaces_by_id_unchecked(session: Session, ids: set[int]) -> dict[int, Row[Any]]:
    """Read-only space rows (same attribute names as Space) for serializers of content already
    proven visible (so its space is readable)."""
    if not ids:
        return {}
    return {s.id: s for s in session.execute(_SPACE_ROWS, {"ids": list(ids)})}
