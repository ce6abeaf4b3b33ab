"""The one visibility rule, as SQL the repositories start from.

Content is visible to a principal when
  1. the principal may read its space (a site admin may read every space; anonymous users only
     where the site allows anonymous access and the space grants it to anonymous), and
  2. no ancestor-or-self carries a read restriction that leaves the principal out (read
     restrictions inherit down the page tree; comments and attachments hang below their
     container in the same tree), and
  3. it is not somebody else's draft.
Site admins pass 1 and 2 (docs/permissions.md says why). Invisible means not found.
Guarded by tests/security/test_visibility_matrix.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, false, literal, or_, select, true, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import GenericFunction

from localfluence.access.principal import Principal
from localfluence.models import Content, ContentAncestor, ContentRestriction, GroupMember, SpacePermission

# Core aliases built once: the rule is part of nearly every query, and building ORM aliases per
# query cost more (about 5 ms of Python per statement) than running the SQL it produced.
_closure = ContentAncestor.__table__.alias("vis_closure")
_restriction = ContentRestriction.__table__.alias("vis_restriction")
_admitting = ContentRestriction.__table__.alias("vis_admitting")
_space_permission = SpacePermission.__table__.alias("vis_space_permission")


class _NotAnIndexKey(GenericFunction[Any]):
    """The column, marked so that SQLite does not pick an index from the term it appears in.

    SQLite's planner takes `space_id IN (readable spaces)` as a way into the content indexes and
    then scans and sorts a whole space where (space_id, type, status, ...) would have served the
    listing in order: 50 ms instead of 0.2 ms on 10,000 pages. SQLite's own idiom for "not an index
    key" is a unary plus; other databases get the bare column."""

    name = "not_an_index_key"
    inherit_cache = True


@compiles(_NotAnIndexKey)
def _bare(element: _NotAnIndexKey, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)  # type: ignore[no-any-return]


@compiles(_NotAnIndexKey, "sqlite")
def _unary_plus(element: _NotAnIndexKey, compiler: Any, **kw: Any) -> str:
    return "+" + compiler.process(element.clauses, **kw)  # type: ignore[no-any-return]


# Lists read from the database are bound value by value only up to these lengths: a statement may
# bind at most 32,766 values on SQLite and 65,535 on PostgreSQL, and one statement of the rule can
# hold the group list three times besides the spaces and the blocking roots. Past them the
# statement asks the table the list came from instead.
MAX_BOUND_GROUPS = 2_000
MAX_LISTED_SPACES = 10_000


def _each_bound(values: frozenset[str]) -> list[Any]:
    """One bound parameter per value: the rule is built once per principal, and in_() of a plain
    list would expand its list parameter again on every execution."""
    return [literal(v) for v in sorted(values)]


def in_principal_groups(principal: Principal, group_col) -> ColumnElement[bool]:  # type: ignore[no-untyped-def]
    """group_col is one of the principal's groups: the groups it was signed in with, as values, or,
    for a member of more groups than a statement can bind, their memberships."""
    if len(principal.group_ids) <= MAX_BOUND_GROUPS:
        return group_col.in_(_each_bound(principal.group_ids))  # type: ignore[no-any-return]
    member = GroupMember.__table__.c
    return group_col.in_(select(member.group_id).where(member.user_id == principal.user_id))  # type: ignore[no-any-return]


def subject_matches(principal: Principal, user_col, group_col, type_col) -> ColumnElement[bool]:  # type: ignore[no-untyped-def]
    """Whether a permission row's subject (user, group or anonymous) is this principal."""
    if principal.is_anonymous:
        return type_col == "anonymous" if principal.anonymous_access else false()
    clauses = [user_col == principal.user_id]
    if principal.group_ids:
        clauses.append(in_principal_groups(principal, group_col))
    return or_(*clauses)


def readable_space_ids(principal: Principal) -> Select[tuple[int]]:
    p = _space_permission.c
    return select(p.space_id).where(
        p.operation == "read",
        p.target_type == "space",
        subject_matches(principal, p.user_id, p.group_id, p.subject_type),
    )


@lru_cache(maxsize=1024)
def space_is_readable(principal: Principal, space_id_col) -> ColumnElement[bool]:  # type: ignore[no-untyped-def]
    if principal.is_admin:
        return true()
    return space_id_col.in_(readable_space_ids(principal))


def restriction_admits(principal: Principal, content_id_col, operation: str) -> ColumnElement[bool]:  # type: ignore[no-untyped-def]
    """EXISTS an entry of `operation` on that content naming the principal (user or group)."""
    entry = _admitting.c
    if principal.is_anonymous:
        return false()
    who = [entry.user_id == principal.user_id]
    if principal.group_ids:
        who.append(in_principal_groups(principal, entry.group_id))
    return exists().where(entry.content_id == content_id_col, entry.operation == operation, or_(*who))


def not_blocked_by_read_restrictions(principal: Principal, content_id_col) -> ColumnElement[bool]:  # type: ignore[no-untyped-def]
    """No ancestor-or-self has read restrictions that leave the principal out.

    Correlated on purpose: per candidate row it walks the row's ancestors (closure index) and probes
    their restrictions, so a point read or a page of children costs microseconds whatever the size
    of the site. A listing pays per row it has to look at (see bench/visibility.py)."""
    if principal.is_admin:
        return true()
    return ~exists().where(
        _closure.c.descendant_id == content_id_col,
        _restriction.c.content_id == _closure.c.ancestor_id,
        _restriction.c.operation == "read",
        ~restriction_admits(principal, _closure.c.ancestor_id, "read"),
    )


_blocked_closure = ContentAncestor.__table__.alias("vis_blocked_closure")
_blocking = ContentRestriction.__table__.alias("vis_blocking")


def blocked_by_read_restrictions(principal: Principal) -> Select[tuple[int]]:
    """Ids of content whose ancestor-or-self has read restrictions that leave the principal out:
    the subtrees below the restricted roots the principal is not named in.

    The same rule as not_blocked_by_read_restrictions, as one uncorrelated set that both engines
    compute once per statement (SQLite as a list subquery, PostgreSQL as a hashed subplan), for
    statements that test many rows (search: ranking and counting look at every match)."""
    root = _blocking.c
    roots = select(root.content_id).where(
        root.operation == "read", ~restriction_admits(principal, root.content_id, "read")
    )
    closure = _blocked_closure.c
    return select(closure.descendant_id).where(closure.ancestor_id.in_(roots))


@dataclass(frozen=True)
class BulkVisibility:
    """What the rule depends on for one principal, read up front for a statement that tests many
    rows (search), so that the statement carries plain values instead of subqueries.

    The planners estimate a literal list well and a subquery badly: PostgreSQL took the
    permission subquery for a fifth of the spaces and then probed the full-text index once per
    page of the site instead of reading it once. `space_ids` None means every space (a site
    admin, no `within`) or, with `spaces` set, more spaces than a statement can list (`spaces` is
    then the subquery they were read from); `blocking_roots` lists the restricted content that
    leaves the principal out, None when there are too many to list (the statement then computes
    them itself)."""

    space_ids: tuple[int, ...] | None
    blocking_roots: tuple[int, ...] | None
    spaces: Select[tuple[int]] | None = None


MAX_LISTED_ROOTS = 500


def bulk_visibility(session: Session, principal: Principal, within: Select[tuple[int]] | None = None) -> BulkVisibility:
    """The readable spaces among `within` (all spaces when None) and the blocking roots, in one
    statement. Pass `within` as a module-level constant: the statement is built once per
    (principal, within)."""
    if principal.is_admin and within is None:
        return BulkVisibility(space_ids=None, blocking_roots=())
    found: dict[str, set[int]] = {"s": set(), "r": set()}
    for kind, value in session.execute(_bulk_statement(principal, within)).all():
        found[kind].add(value)
    listed = tuple(sorted(found["r"])) if len(found["r"]) <= MAX_LISTED_ROOTS else None
    roots = listed if not principal.is_admin else ()
    if len(found["s"]) > MAX_LISTED_SPACES:
        return BulkVisibility(space_ids=None, blocking_roots=roots, spaces=_readable_within(principal, within))
    return BulkVisibility(space_ids=tuple(sorted(found["s"])), blocking_roots=roots)


@lru_cache(maxsize=1024)
def _readable_within(principal: Principal, within: Select[tuple[int]] | None) -> Select[tuple[int]]:
    if principal.is_admin:
        assert within is not None
        return within
    spaces = readable_space_ids(principal)
    if within is not None:
        spaces = spaces.where(_space_permission.c.space_id.in_(within))
    return spaces


@lru_cache(maxsize=1024)
def _bulk_statement(principal: Principal, within: Select[tuple[int]] | None) -> Any:
    # At most one space more than can be listed: past that the rule asks for them itself. Distinct
    # before the limit: a space granted to the user and to a group is one row per grant, and a
    # limit on grants could cut off spaces while looking like a complete list.
    spaces = _readable_within(principal, within).distinct().limit(MAX_LISTED_SPACES + 1)
    if principal.is_admin:
        return select(literal("s"), spaces.subquery().c[0])
    root = _blocking.c
    roots = (
        select(root.content_id)
        .where(root.operation == "read", ~restriction_admits(principal, root.content_id, "read"))
        .distinct()
        .limit(MAX_LISTED_ROOTS + 1)
    )
    return union_all(select(literal("s"), spaces.subquery().c[0]), select(literal("r"), roots.subquery().c[0]))


def content_is_visible_in_bulk(
    principal: Principal, known: BulkVisibility, content: type[Content] = Content
) -> ColumnElement[bool]:
    """content_is_visible, for statements that test every row of a large match (search), from
    the values `bulk_visibility` read in the same transaction. The same rule; a row that another
    transaction hides in between is caught by re-reading the page through content_is_visible."""
    own_drafts = or_(content.status != "draft", content.creator_id == principal.user_id)
    clauses = [own_drafts if not (principal.is_admin and principal.is_anonymous) else true()]
    if known.space_ids is not None:
        clauses.append(_NotAnIndexKey(content.space_id).in_(known.space_ids) if known.space_ids else false())
    elif known.spaces is not None:
        clauses.append(_NotAnIndexKey(content.space_id).in_(known.spaces))
    if known.blocking_roots is None:
        clauses.append(content.id.not_in(blocked_by_read_restrictions(principal)))
    elif known.blocking_roots:
        closure = _blocked_closure.c
        blocked = select(closure.descendant_id).where(closure.ancestor_id.in_(known.blocking_roots))
        clauses.append(content.id.not_in(blocked))
    return and_(*clauses)


def content_is_visible(principal: Principal, content: type[Content] = Content) -> ColumnElement[bool]:
    """The WHERE clause that every content read starts from."""
    return _content_is_visible(principal, content)


# SQL expressions are immutable, so one built for a principal serves all its queries (several per
# request, and its next requests).
@lru_cache(maxsize=1024)
def _content_is_visible(principal: Principal, content: type[Content]) -> ColumnElement[bool]:
    own_drafts = or_(content.status != "draft", content.creator_id == principal.user_id)
    if principal.is_admin:
        return own_drafts if not principal.is_anonymous else true()
    return and_(
        space_is_readable(principal, _NotAnIndexKey(content.space_id)),
        not_blocked_by_read_restrictions(principal, content.id),
        own_drafts,
    )


def visible_content(principal: Principal) -> Select[tuple[Content]]:
    return select(Content).where(content_is_visible(principal))


def is_content_visible(session: Session, principal: Principal, content_id: int) -> bool:
    return session.scalar(select(Content.id).where(Content.id == content_id, content_is_visible(principal))) is not None


def can_read_space(session: Session, principal: Principal, space_id: int) -> bool:
    if principal.is_admin:
        return True
    found = session.scalar(readable_space_ids(principal).where(_space_permission.c.space_id == space_id).limit(1))
    return found is not None
