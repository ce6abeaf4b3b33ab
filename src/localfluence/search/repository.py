"""Search SQL. Content statements start from the visibility rule and only AND the compiled
conditions onto it; counts run the same conditions, so totalSize never counts what is hidden."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, exists, func, literal, select, text
from sqlalchemy.orm import Session
from sqlalchemy.sql import operators

from localfluence.access.principal import Principal
from localfluence.access.visibility import (
    bulk_visibility,
    content_is_visible,
    content_is_visible_in_bulk,
    space_is_readable,
)
from localfluence.cql.compiler import Compiled
from localfluence.models import Content, SearchDocument, Space, User


def resolve_space_ids(session: Session, keys: Sequence[str]) -> dict[str, int]:
    """Key -> id for the keys a query names (unchecked: an id alone reveals nothing, and every
    result still passes the visibility rule)."""
    if not keys:
        return {}
    return {k: i for k, i in session.execute(select(Space.key, Space.id).where(Space.key.in_(set(keys))))}


# Constants, so that the visibility statement built for them is built once per principal.
ARCHIVED_SPACES = select(Space.id).where(Space.status == "archived")
CURRENT_SPACES = select(Space.id).where(Space.status != "archived")


def content_filters(
    session: Session, principal: Principal, statuses: Sequence[str], include_archived: bool, only_archived: bool
) -> list[ColumnElement[bool]]:
    """The visibility rule, the statuses and the archived-space choice, as plain values (see
    BulkVisibility): what every search statement over many rows starts from."""
    within = ARCHIVED_SPACES if only_archived else None if include_archived else CURRENT_SPACES
    known = bulk_visibility(session, principal, within)
    return [content_is_visible_in_bulk(principal, known), Content.status.in_(statuses)]


def page_filters(
    principal: Principal, statuses: Sequence[str], include_archived: bool, only_archived: bool
) -> list[ColumnElement[bool]]:
    """The same conditions as subqueries, for re-reading one page of rows by id."""
    filters: list[ColumnElement[bool]] = [content_is_visible(principal), Content.status.in_(statuses)]
    archived = select(Space.id).where(Space.status == "archived")
    if only_archived:
        filters.append(Content.space_id.in_(archived))
    elif not include_archived:
        filters.append(Content.space_id.not_in(archived))
    return filters


# The prior value is read before the change: a materialized CTE is scanned before the outer
# select list (and set_config in it) is evaluated. If the search fails, the transaction is
# rolled back and takes the local setting with it.
_JIT_OFF = text(
    "WITH prior AS MATERIALIZED (SELECT current_setting('jit') AS value) "
    "SELECT value, set_config('jit', 'off', true) FROM prior"
)
_JIT_RESTORE = text("SELECT set_config('jit', :prior, true)")


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

    The matches are collected once, as ids with their sort keys (a CTE read twice, which both
    engines materialise), and the page and the total both come from them: one pass over the
    visibility rule and the conditions instead of two. The page's content rows are then read by id."""
    filters = content_filters(session, principal, statuses, include_archived, only_archived)
    postgresql = session.get_bind().dialect.name == "postgresql"
    if compiled.ranked is not None:
        rest = [c for i, c in enumerate(compiled.conditions) if i != compiled.ranked_condition]
        if postgresql:
            # The full-text index drives: its matches are scored once (MATERIALIZED keeps the
            # planner from folding the scoring into a join that drags every document along), then
            # each match's content row is checked by primary key. The OFFSET keeps that check a
            # per-row probe: as a join, PostgreSQL read and hashed the whole content table for it.
            ranked = compiled.ranked.cte("ranked").prefix_with("MATERIALIZED")
            admitted = select(literal(1)).where(Content.id == ranked.c.content_id, *filters, *rest).offset(0)
            matches = select(
                ranked.c.content_id.label("id"), ranked.c.score.label("k0"), ranked.c.content_id.label("k1")
            ).where(exists(admitted))
        else:
            # SQLite already scans the FTS5 matches and probes content by key for each.
            joined = compiled.ranked.subquery("ranked")
            matches = (
                select(Content.id.label("id"), joined.c.score.label("k0"), Content.id.label("k1"))
                .join(joined, joined.c.content_id == Content.id)
                .where(*filters, *rest)
            )
        descending = [True, True]
    else:
        keys = [(sort.element, sort.modifier is operators.desc_op) for sort in compiled.order_by]
        matches = select(Content.id.label("id"), *(key.label(f"k{i}") for i, (key, _) in enumerate(keys))).where(
            *filters, *compiled.conditions
        )
        descending = [d for _, d in keys]
    hits = matches.cte("hits")
    order = [hits.c[f"k{i}"].desc() if d else hits.c[f"k{i}"].asc() for i, d in enumerate(descending)]
    total_column = select(func.count()).select_from(hits).scalar_subquery() if count else literal(None)
    score = hits.c.k0 if compiled.ranked is not None else literal(0.0)
    statement = select(hits.c.id, score, total_column).order_by(*order).offset(offset).limit(limit + 1)
    if postgresql and compiled.ranked is not None:
        # The per-row probes inflate PostgreSQL's cost estimate past jit_above_cost for common
        # words, and compiling the plan then took longer (about 50 ms) than running it. Off for
        # this statement only: the rest of the request's transaction keeps the setting it had.
        prior = session.execute(_JIT_OFF).one()[0]
        found = session.execute(statement).all()
        session.execute(_JIT_RESTORE, {"prior": prior})
    else:
        found = session.execute(statement).all()
    # The page's rows start from the rule too, read afresh: under READ COMMITTED another
    # transaction may have hidden one since the values above were read.
    recheck = page_filters(principal, statuses, include_archived, only_archived)
    page = select(Content).where(Content.id.in_([r[0] for r in found]), *recheck)
    by_id = {c.id: c for c in session.scalars(page)} if found else {}
    rows = [(by_id[i], float(s or 0.0)) for i, s, _ in found if i in by_id]
    total = found[0][2] if found else None
    if count and total is None:
        # Past the last match no row carries the total.
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


def bodies_unchecked(session: Session, ids: Sequence[int]) -> dict[int, str]:
    """Indexed plain-text bodies of content already proven visible (for excerpts)."""
    if not ids:
        return {}
    body = SearchDocument.__table__.c
    return dict(session.execute(select(body.content_id, body.body).where(body.content_id.in_(ids))).all())  # type: ignore[arg-type]


def user_time_zone(session: Session, principal: Principal) -> str:
    if principal.user_id is None:
        return "UTC"
    return session.scalar(select(User.time_zone).where(User.id == principal.user_id)) or "UTC"
