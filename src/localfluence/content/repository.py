"""Content queries. Every read starts from the visibility rule (access.visibility); reads that
skip it end in _unchecked and are for code that already proved visibility."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from operator import attrgetter
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Row, Select, and_, bindparam, func, literal, select
from sqlalchemy.orm import Session

from localfluence.access.principal import Principal
from localfluence.access.visibility import content_is_visible, restriction_admits, subject_matches
from localfluence.db.engine import UNPREPARED
from localfluence.db.literals import page_size, written_in
from localfluence.db.pairs import pair_params, pairs
from localfluence.errors import NotFound
from localfluence.models import (
    Content,
    ContentAncestor,
    ContentLabel,
    ContentRestriction,
    ContentVersion,
    Label,
    Space,
    SpacePermission,
    User,
)


def visible(principal: Principal) -> Select[tuple[Content]]:
    return select(Content).where(content_is_visible(principal))


def one_of(column: Any, values: Sequence[str]) -> ColumnElement[bool]:
    """column IN (values) for a statement built once per set of values: one bound parameter per
    value, where in_() would expand a list parameter again on every execution."""
    return column.in_([literal(v) for v in values])


def find_content(
    session: Session, principal: Principal, content_id: int, statuses: Sequence[str] | None = None
) -> Content | None:
    return session.scalar(_find_content(principal, tuple(statuses or ())), {"content_id": content_id})


@lru_cache(maxsize=1024)
def _find_content(principal: Principal, statuses: tuple[str, ...]) -> Select[tuple[Content]]:
    # The point read behind every GET of a content: built once per principal and status filter
    # (statements are immutable), so a request pays for running it, not for building it.
    query = visible(principal).where(Content.id == bindparam("content_id"))
    if statuses:
        query = query.where(one_of(Content.status, statuses))
    return query


# --- read-only rows for the read routes ----------------------------------------------------------
# GET routes only serialize what they read, so they take plain rows (same attribute names as
# Content) instead of ORM objects: no identity map, no instance state, no attribute events. Rows of
# a point read carry what its serializers ask for next (the space, the current version and the
# people behind it), read by the same statement.

_content = Content.__table__
_space = Space.__table__
_version = ContentVersion.__table__
_author = User.__table__.alias("current_author")
_creator = User.__table__.alias("creator")
_parent = Content.__table__.alias("parent")

SpaceRow = namedtuple("SpaceRow", [c.name for c in _space.c])  # type: ignore[misc]
VersionRow = namedtuple("VersionRow", [c.name for c in _version.c])  # type: ignore[misc]
UserRow = namedtuple("UserRow", [c.name for c in User.__table__.c])  # type: ignore[misc]
# `joined`: a Joined for rows read with their companions, else None.
ContentRow = namedtuple("ContentRow", [*(c.name for c in _content.c), "joined"])  # type: ignore[misc]


class Joined(NamedTuple):
    """What a read brings along with a content (a point read always, listings when asked): its
    space, its current version (None when it has none), that version's author and the content's
    creator (None for no one), its parent's type."""

    space: Any
    version: Any
    author: Any
    creator: Any
    parent_type: str | None


_N_CONTENT = len(_content.c)
_SLICES = []
_at = _N_CONTENT
for _n in (len(_space.c), len(_version.c), len(_author.c), len(_creator.c)):
    _SLICES.append((_at, _at + _n))
    _at += _n


def _read_rows(session: Session, statement: Select[Any], params: dict[str, Any] | None = None) -> Sequence[Any]:
    """Rows of a read statement, on the session's connection: the visibility rule names ORM
    attributes, which would send the statement through the ORM's loading machinery, for rows that
    need none of it. Pending changes are flushed first, as the ORM would (on a read route there
    are none, and checking costs next to nothing)."""
    if session.autoflush:
        session.flush()
    return session.connection().execute(statement, params).fetchall()


def _content_rows(rows: Sequence[Any]) -> list[Any]:
    return [ContentRow._make((*row, None)) for row in rows]


def _joined_rows(rows: Sequence[Any]) -> list[Any]:
    """ContentRows with their Joined; a space or person named by several rows is made once."""
    (s0, s1), (v0, v1), (a0, a1), (c0, c1) = _SLICES
    n = _N_CONTENT
    # tuple.__new__ is what namedtuple's _make calls, without its Python frame: this runs per row.
    new = tuple.__new__
    spaces: dict[Any, Any] = {}
    users: dict[Any, Any] = {None: None}
    out = []
    for row in rows:
        space_id, author_id, creator_id = row[s0], row[a0], row[c0]
        space = spaces.get(space_id)
        if space is None:
            space = spaces[space_id] = new(SpaceRow, row[s0:s1])
        if author_id in users:
            author = users[author_id]
        else:
            author = users[author_id] = new(UserRow, row[a0:a1])
        if creator_id in users:
            creator = users[creator_id]
        else:
            creator = users[creator_id] = new(UserRow, row[c0:c1])
        version = new(VersionRow, row[v0:v1]) if row[v0] is not None else None
        out.append(new(ContentRow, (*row[:n], Joined(space, version, author, creator, row[c1]))))
    return out


def read_content(
    session: Session, principal: Principal, content_id: int, statuses: Sequence[str] | None = None
) -> Any | None:
    """find_content for routes that only read: a ContentRow with its companions (Joined), in one
    statement under the same visibility rule."""
    rows = _read_rows(session, _read_content(principal, tuple(statuses or ())), {"content_id": content_id})
    return _joined_rows(rows)[0] if rows else None


def get_content_row(
    session: Session, principal: Principal, content_id: int, statuses: Sequence[str] | None = None
) -> Any:
    content = read_content(session, principal, content_id, statuses)
    if content is None:
        raise not_found(content_id)
    return content


def get_content_for_write(
    session: Session, principal: Principal, content_id: int, statuses: Sequence[str]
) -> tuple[Any, str]:
    """For writers that write by statements: the ContentRow (without companions: what a write
    changes, they would no longer tell) and its space's key, in one statement under the same
    visibility rule as find_content; not_found when missing or invisible."""
    rows = _read_rows(session, _content_for_write(principal, tuple(statuses)), {"content_id": content_id})
    if not rows:
        raise not_found(content_id)
    *columns, space_key = rows[0]
    return ContentRow._make((*columns, None)), space_key


@lru_cache(maxsize=1024)
def _content_for_write(principal: Principal, statuses: tuple[str, ...]) -> Select[Any]:
    return (
        _rows_of(_find_content(principal, statuses))
        .add_columns(_space.c.key)
        .join(_space, _space.c.id == _content.c.space_id)
    )


@lru_cache(maxsize=1024)
def _read_content(principal: Principal, statuses: tuple[str, ...]) -> Select[Any]:
    query = _companions(_content).where(content_is_visible(principal), _content.c.id == bindparam("content_id"))
    if statuses:
        query = query.where(one_of(_content.c.status, statuses))
    return query


def _companions(content: Any, rows: Any = None) -> Select[Any]:
    """The columns of `content` followed by what Joined holds, from `rows` (default: `content`
    itself; a page of ids joined to the content table)."""
    c = content.c
    return select(*c, *_space.c, *_version.c, *_author.c, *_creator.c, _parent.c.type).select_from(
        (content if rows is None else rows)
        .join(_space, _space.c.id == c.space_id)
        .outerjoin(_version, and_(_version.c.content_id == c.id, _version.c.number == c.version))
        .outerjoin(_author, _author.c.id == _version.c.author_id)
        .outerjoin(_creator, _creator.c.id == c.creator_id)
        .outerjoin(_parent, _parent.c.id == c.parent_id)
    )


def _rows_of_page(ids: Select[Any], current: bool) -> Select[Any]:
    """The rows of a page of ids (`ids` selects content.id, ordered, offset and limited), with
    their companions when `current`, in no particular order: the caller puts the page's few rows
    back in its order (_BY_ID, _BY_POSITION), which costs less than the database sorting rows as
    wide as these.

    The page is chosen from ids alone, so that a covering index (0012_listindex) answers it
    without reading a row: the rows skipped by the offset and, on PostgreSQL, the rows of other
    spaces it would otherwise filter out of the primary key in id order cost an index entry each.
    Only the page's rows are read, and only they join their companions."""
    page = ids.subquery("page")
    rows = page.join(_content, _content.c.id == page.c.id)
    return _companions(_content, rows) if current else select(*_content.c).select_from(rows)


_BY_ID = attrgetter("id")
_BY_POSITION = attrgetter("position", "id")


def _rows_of(query: Select[Any]) -> Select[Any]:
    """The same statement selecting the content's columns instead of the entity."""
    return query.with_only_columns(*_content.c)


def find_contents(
    session: Session, principal: Principal, ids: Sequence[int], statuses: Sequence[str]
) -> dict[int, Content]:
    """find_content for several ids in one statement: those the principal may see, by id."""
    if not ids:
        return {}
    query = visible(principal).where(Content.id.in_(ids), one_of(Content.status, statuses))
    return {c.id: c for c in session.scalars(query)}


def get_content(
    session: Session, principal: Principal, content_id: int, statuses: Sequence[str] | None = None
) -> Content:
    content = find_content(session, principal, content_id, statuses)
    if content is None:
        raise not_found(content_id)
    return content


def not_found(content_id: int | str) -> NotFound:
    # One message for "no such content" and "not allowed to see it" (spec: getContentById).
    return NotFound(f"No content found with id: ContentId{{id={content_id}}}")


def list_content(
    session: Session,
    principal: Principal,
    *,
    types: Sequence[str],
    statuses: Sequence[str],
    space_id: int | None = None,
    space_key: str | None = None,
    title: str | None = None,
    posting_day: str | None = None,
    order_by: Sequence[object] = (),
    labels: Sequence[str] = (),
    start: int,
    limit: int,
    current: bool = False,
) -> list[Any]:
    """Read-only rows (ContentRow). `space_key` names the space in the same statement: the space
    of visible content is readable, so an unreadable or missing space lists nothing, as it should.
    `current`: the common listings bring each row's companions (Joined) along."""
    in_space = "id" if space_id is not None else "key" if space_key is not None else None
    if not labels and title is None and posting_day is None and not order_by:
        # The common listings (a space's pages, all pages) run a statement built once per shape.
        params = {"start": start, "limit": limit + 1, "space_id": space_id, "space_key": space_key}
        statement = _listing(principal, tuple(types), tuple(statuses), in_space, current)
        make = _joined_rows if current else _content_rows
        return sorted(make(_read_rows(session, statement, params)), key=_BY_ID)
    query = _rows_of(visible(principal)).where(Content.type.in_(types))
    if labels:
        labelled = select(ContentLabel.content_id).join(Label, Label.id == ContentLabel.label_id)
        query = query.where(Content.id.in_(labelled.where(Label.name.in_(labels))))
    if statuses:
        query = query.where(Content.status.in_(statuses))
    if space_id is not None:
        query = query.where(Content.space_id == space_id)
    if space_key is not None:
        query = query.where(Content.space_id == select(Space.id).where(Space.key == space_key).scalar_subquery())
    if title is not None:
        query = query.where(Content.title == title)
    if posting_day is not None:
        query = query.where(Content.posting_day == posting_day)
    query = query.order_by(*order_by, Content.id)
    return _content_rows(_read_rows(session, query.offset(start).limit(limit + 1)))


def list_children(
    session: Session,
    principal: Principal,
    parent_id: int,
    *,
    types: Sequence[str],
    statuses: Sequence[str] = ("current",),
    start: int,
    limit: int,
    current: bool = False,
) -> list[Any]:
    """Read-only rows (ContentRow); `current` as in list_content."""
    query = _children(principal, tuple(types), tuple(statuses), current)
    params = {"parent_id": parent_id, "start": start, "limit": limit + 1}
    make = _joined_rows if current else _content_rows
    return sorted(make(_read_rows(session, query, params)), key=_BY_POSITION)


# Statements built once per principal and shape (they are immutable): building and hashing a
# listing statement cost more Python than running it.
# The page size, types and statuses are written into the statement (db/literals.py), the offset
# and ids stay parameters. PostgreSQL's generic plan guessed a parameter LIMIT at a tenth of the
# rows: a hundred, for which it read all of content into a hash join (10 ms) instead of looking up
# the page's 26 rows by id; and a parameter type at the average type's share, for which it walked
# all of content by id for the few blog posts (1 ms instead of 0.05).
_PAGE_SIZE = page_size()
_SPACE_BY_KEY = select(Space.id).where(Space.key == bindparam("space_key")).scalar_subquery()


@lru_cache(maxsize=1024)
def _listing(
    principal: Principal, types: tuple[str, ...], statuses: tuple[str, ...], in_space: str | None, current: bool
) -> Select[Any]:
    ids = select(Content.id).where(content_is_visible(principal), written_in(Content.type, types))
    if statuses:
        ids = ids.where(written_in(Content.status, statuses))
    if in_space == "id":
        ids = ids.where(Content.space_id == bindparam("space_id"))
    elif in_space == "key":
        ids = ids.where(Content.space_id == _SPACE_BY_KEY)
    page = ids.order_by(Content.id).offset(bindparam("start")).limit(_PAGE_SIZE)
    return _rows_of_page(page, current)


@lru_cache(maxsize=1024)
def _children(principal: Principal, types: tuple[str, ...], statuses: tuple[str, ...], current: bool) -> Select[Any]:
    page = (
        select(Content.id)
        .where(
            content_is_visible(principal),
            Content.parent_id == bindparam("parent_id"),
            written_in(Content.type, types),
            written_in(Content.status, statuses),
        )
        .order_by(Content.position, Content.id)
        .offset(bindparam("start"))
        .limit(_PAGE_SIZE)
    )
    return _rows_of_page(page, current)


def children_of_many(
    session: Session,
    principal: Principal,
    parent_ids: Sequence[int],
    *,
    type: str,
    limit: int,
) -> dict[int, list[Content]]:
    """The first `limit + 1` visible children of each parent, in one query (a window per parent)."""
    if not parent_ids:
        return {}
    rank = func.row_number().over(partition_by=Content.parent_id, order_by=(Content.position, Content.id)).label("rank")
    inner = (
        select(Content.id, rank)
        .where(
            content_is_visible(principal),
            Content.parent_id.in_(parent_ids),
            Content.type == type,
            Content.status == "current",
        )
        .subquery()
    )
    rows = session.scalars(
        select(Content)
        .join(inner, inner.c.id == Content.id)
        .where(inner.c.rank <= limit + 1)
        .order_by(Content.parent_id, Content.position, Content.id)
    )
    out: dict[int, list[Content]] = {pid: [] for pid in parent_ids}
    for row in rows:
        assert row.parent_id is not None
        out[row.parent_id].append(row)
    return out


def list_descendants(
    session: Session,
    principal: Principal,
    ancestor_id: int,
    *,
    types: Sequence[str],
    depth: int | None = None,
    start: int,
    limit: int,
) -> list[Content]:
    query = (
        visible(principal)
        .join(ContentAncestor, ContentAncestor.descendant_id == Content.id)
        .where(
            ContentAncestor.ancestor_id == ancestor_id,
            ContentAncestor.depth > 0,
            Content.type.in_(types),
            Content.status == "current",
        )
        .order_by(ContentAncestor.depth, Content.position, Content.id)
    )
    if depth is not None:
        query = query.where(ContentAncestor.depth <= depth)
    # Unprepared: the generic plan guesses a few descendants per ancestor and, for a page with
    # thousands, checked visibility row by row in nested loops (10 ms instead of 5).
    query = query.offset(start).limit(limit + 1)
    return list(session.scalars(query, execution_options={UNPREPARED: True}))


def descendants_of_many(
    session: Session,
    principal: Principal,
    ancestor_ids: Sequence[int],
    *,
    type: str,
    limit: int,
) -> dict[int, list[Content]]:
    """The first `limit + 1` visible current descendants of each content, nearest levels first, in one query."""
    if not ancestor_ids:
        return {}
    order = (ContentAncestor.depth, Content.position, Content.id)
    rank = func.row_number().over(partition_by=ContentAncestor.ancestor_id, order_by=order).label("rank")
    inner = (
        select(ContentAncestor.ancestor_id, Content.id.label("content_id"), ContentAncestor.depth, rank)
        .join(Content, Content.id == ContentAncestor.descendant_id)
        .where(
            ContentAncestor.ancestor_id.in_(ancestor_ids),
            ContentAncestor.depth > 0,
            content_is_visible(principal),
            Content.type == type,
            Content.status == "current",
        )
        .subquery()
    )
    rows = session.execute(
        select(inner.c.ancestor_id, Content)
        .join(inner, inner.c.content_id == Content.id)
        .where(inner.c.rank <= limit + 1)
        .order_by(inner.c.ancestor_id, inner.c.rank)
    ).all()
    out: dict[int, list[Content]] = {i: [] for i in ancestor_ids}
    for ancestor_id, content in rows:
        out[ancestor_id].append(content)
    return out


@dataclass(frozen=True)
class Grants:
    """Space permissions of one principal over several spaces, loaded at once (for expansions of lists)."""

    everything: bool
    pairs: frozenset[tuple[int, str, str]]

    def __contains__(self, grant: object) -> bool:
        return self.everything or grant in self.pairs


def space_grants_of_many(session: Session, principal: Principal, space_ids: set[int]) -> Grants:
    """The batch form of access.checks.has_space_permission: the same rule (site admins hold every
    permission; otherwise a grant to the user, a group of theirs, or anonymous), one query."""
    if principal.is_admin:
        return Grants(everything=True, pairs=frozenset())
    if not space_ids:
        return Grants(everything=False, pairs=frozenset())
    rows = session.execute(
        select(SpacePermission.space_id, SpacePermission.operation, SpacePermission.target_type)
        .where(
            SpacePermission.space_id.in_(space_ids),
            subject_matches(principal, SpacePermission.user_id, SpacePermission.group_id, SpacePermission.subject_type),
        )
        .distinct()
    ).all()
    return Grants(everything=False, pairs=frozenset((r[0], r[1], r[2]) for r in rows))


def update_blocked_of_many(session: Session, principal: Principal, ids: Sequence[int]) -> set[int]:
    """Ids whose update restrictions leave the principal out: the batch form of
    access.checks.can_update_content (update restrictions apply to the content itself only)."""
    if principal.is_admin or not ids:
        return set()
    restricted = set(
        session.scalars(
            select(ContentRestriction.content_id)
            .where(ContentRestriction.content_id.in_(ids), ContentRestriction.operation == "update")
            .distinct()
        )
    )
    if not restricted:
        return set()
    admitted = set(
        session.scalars(
            select(Content.id).where(Content.id.in_(restricted), restriction_admits(principal, Content.id, "update"))
        )
    )
    return restricted - admitted


# Built once: every write response and every ancestors expansion runs it.
_ANCESTORS = (
    select(ContentAncestor.descendant_id, *_content.c)
    .join(_content, _content.c.id == ContentAncestor.ancestor_id)
    .where(ContentAncestor.descendant_id.in_(bindparam("ids", expanding=True)), ContentAncestor.depth > 0)
    .order_by(ContentAncestor.descendant_id, ContentAncestor.depth.desc())
)


def ancestors_of_many(session: Session, ids: Sequence[int]) -> dict[int, list[Any]]:
    """Ancestors root first, as read-only rows (ContentRow): serializers are all that read them.
    Unchecked on purpose: read restrictions inherit, so whoever sees a content sees every ancestor
    of it."""
    if not ids:
        return {}
    out: dict[int, list[Any]] = {i: [] for i in ids}
    for descendant_id, *ancestor in _read_rows(session, _ANCESTORS, {"ids": list(ids)}):
        out[descendant_id].append(ContentRow._make((*ancestor, None)))
    return out


def versions_of_many(session: Session, keys: Sequence[tuple[int, int]]) -> dict[tuple[int, int], ContentVersion]:
    """Versions by (content id, number), in one query that reads exactly those."""
    wanted = list(dict.fromkeys(keys))
    if not wanted:
        return {}
    keyed = pairs(len(wanted))
    rows = session.scalars(
        select(ContentVersion).join(
            keyed, and_(ContentVersion.content_id == keyed.c.column1, ContentVersion.number == keyed.c.column2)
        ),
        pair_params(wanted),
    )
    return {(v.content_id, v.number): v for v in rows}


@lru_cache(maxsize=256)
def _current_versions(count: int) -> Select[Any]:
    # One statement per count of ids, bound value by value: an expanding IN would be rewritten for
    # its values on every execution, which costs more than the query. (Ids of one result page, far
    # below the databases' limits on bound parameters.)
    c = _content.c
    return (
        select(c.id, c.version, *_version.c, *_author.c, *_space.c)
        .select_from(
            _content.join(_space, _space.c.id == c.space_id)
            .outerjoin(_version, and_(_version.c.content_id == c.id, _version.c.number == c.version))
            .outerjoin(_author, _author.c.id == _version.c.author_id)
        )
        .where(c.id.in_([bindparam(f"i{i}") for i in range(count)]))
    )


_CURRENT_SPLIT = (2, 2 + len(_version.c), 2 + len(_version.c) + len(_author.c))


def current_versions_of_many(session: Session, ids: Iterable[int]) -> list[tuple[int, int, Any, Any, Any]]:
    """(content id, its version number, the current version, its author, the content's space) for
    each content that exists, in one statement: exactly one version per content, the one its row
    names (version and author None when there is none)."""
    ids = list(ids)
    if not ids:
        return []
    v0, a0, s0 = _CURRENT_SPLIT
    out = []
    for row in session.execute(_current_versions(len(ids)), {f"i{i}": v for i, v in enumerate(ids)}):
        version = VersionRow._make(row[v0:a0]) if row[v0] is not None else None
        author = UserRow._make(row[a0:s0]) if row[a0] is not None else None
        out.append((row[0], row[1], version, author, SpaceRow._make(row[s0:])))
    return out


@lru_cache(maxsize=256)
def _version_rows(count: int) -> Select[Any]:
    keyed = pairs(count)
    return select(*_version.c).join(
        keyed, and_(_version.c.content_id == keyed.c.column1, _version.c.number == keyed.c.column2)
    )


def version_rows_of_many(session: Session, keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], Row[Any]]:
    """Read-only version rows (same attribute names as ContentVersion) for serializers, in one
    statement built once per count of keys: the body and version expansions of every content
    response read these."""
    wanted = list(dict.fromkeys(keys))
    if not wanted:
        return {}
    rows = session.execute(_version_rows(len(wanted)), pair_params(wanted))
    return {(v.content_id, v.number): v for v in rows}


# The write path's statements are built once (statements are immutable): building one costs more
# than running it on SQLite, and every create or update runs several of these.
_VERSION = select(ContentVersion).where(
    ContentVersion.content_id == bindparam("content_id"), ContentVersion.number == bindparam("number")
)


def get_version(session: Session, content_id: int, number: int) -> ContentVersion | None:
    return session.scalar(_VERSION, {"content_id": content_id, "number": number})


def list_versions(session: Session, content_id: int, *, start: int, limit: int) -> list[ContentVersion]:
    return list(
        session.scalars(
            select(ContentVersion)
            .where(ContentVersion.content_id == content_id)
            .order_by(ContentVersion.number.desc())
            .offset(start)
            .limit(limit + 1)
        )
    )


def contributors_of_many(session: Session, ids: Sequence[int]) -> dict[int, list[int]]:
    rows = session.execute(
        select(ContentVersion.content_id, ContentVersion.author_id)
        .where(ContentVersion.content_id.in_(ids), ContentVersion.author_id.is_not(None))
        .group_by(ContentVersion.content_id, ContentVersion.author_id)
        .order_by(ContentVersion.content_id, func.min(ContentVersion.number))
    ).all()
    out: dict[int, list[int]] = {i: [] for i in ids}
    for content_id, author_id in rows:
        out[content_id].append(author_id)
    return out


def child_type_presence(session: Session, principal: Principal, ids: Sequence[int]) -> set[tuple[int, str]]:
    if not ids:
        return set()
    rows = session.execute(
        select(Content.parent_id, Content.type)
        .where(content_is_visible(principal), Content.parent_id.in_(ids), Content.status == "current")
        .distinct()
    ).all()
    return {(r[0], r[1]) for r in rows}


# The writers' questions on the table, not the entity: a plain statement skips the ORM's
# per-execution setup (half its cost); the session autoflushes before it all the same.
_TITLE_TAKEN = (
    select(_content.c.id)
    .where(_content.c.space_id == bindparam("space_id"), _content.c.title_key == bindparam("title_key"))
    .limit(1)
)
_TITLE_TAKEN_BY_OTHER = _TITLE_TAKEN.where(_content.c.id != bindparam("exclude_id"))


def title_taken(session: Session, space_id: int, title_key: str, exclude_id: int | None = None) -> bool:
    params: dict[str, object] = {"space_id": space_id, "title_key": title_key}
    if exclude_id is None:
        return session.scalar(_TITLE_TAKEN, params) is not None
    return session.scalar(_TITLE_TAKEN_BY_OTHER, {**params, "exclude_id": exclude_id}) is not None


_LAST_POSITION = select(func.max(_content.c.position)).where(_content.c.space_id == bindparam("space_id"))
_LAST_CHILD_POSITION = _LAST_POSITION.where(_content.c.parent_id == bindparam("parent_id"))
_LAST_ROOT_POSITION = _LAST_POSITION.where(_content.c.parent_id.is_(None))


def next_position(session: Session, parent_id: int | None, space_id: int) -> int:
    if parent_id is None:
        current = session.scalar(_LAST_ROOT_POSITION, {"space_id": space_id})
    else:
        current = session.scalar(_LAST_CHILD_POSITION, {"space_id": space_id, "parent_id": parent_id})
    return 0 if current is None else current + 1


# A new content's two questions in one statement: is its title taken (a NULL key never is), and
# where does it go among its siblings.
_PLACEMENT_BELOW = select(_TITLE_TAKEN.scalar_subquery(), _LAST_CHILD_POSITION.scalar_subquery())
_PLACEMENT_AT_ROOT = select(_TITLE_TAKEN.scalar_subquery(), _LAST_ROOT_POSITION.scalar_subquery())


def placement(session: Session, space_id: int, parent_id: int | None, title_key: str | None) -> tuple[bool, int]:
    """For a new content: whether title_key is taken in the space (as title_taken), and its
    position (as next_position)."""
    params = {"space_id": space_id, "title_key": title_key}
    if parent_id is None:
        taken, current = session.execute(_PLACEMENT_AT_ROOT, params).one()
    else:
        taken, current = session.execute(_PLACEMENT_BELOW, {**params, "parent_id": parent_id}).one()
    return taken is not None, 0 if current is None else current + 1


_SUBTREE = (
    select(ContentAncestor.descendant_id)
    .where(ContentAncestor.ancestor_id == bindparam("root_id"))
    .order_by(ContentAncestor.depth)
)


def subtree_ids(session: Session, root_id: int) -> list[int]:
    return list(session.scalars(_SUBTREE, {"root_id": root_id}))


_ANCESTRY = select(ContentAncestor.depth).where(
    ContentAncestor.ancestor_id == bindparam("ancestor_id"), ContentAncestor.descendant_id == bindparam("descendant_id")
)


def is_ancestor_or_self(session: Session, ancestor_id: int, descendant_id: int) -> bool:
    found = session.scalar(_ANCESTRY, {"ancestor_id": ancestor_id, "descendant_id": descendant_id})
    return found is not None


def contents_by_id_unchecked(session: Session, ids: set[int]) -> dict[int, Content]:
    if not ids:
        return {}
    return {c.id: c for c in session.scalars(select(Content).where(Content.id.in_(ids)))}


_CONTENT_TYPES = select(Content.id, Content.type).where(Content.id.in_(bindparam("ids", expanding=True)))


def content_types_unchecked(session: Session, ids: set[int]) -> dict[int, str]:
    """The types of content already proven visible (a v2 page's parentType), without loading entities."""
    if not ids:
        return {}
    return {row.id: row.type for row in session.execute(_CONTENT_TYPES, {"ids": list(ids)})}


def space_of(session: Session, content: Content) -> Space:
    space = session.get(Space, content.space_id)
    assert space is not None
    return space


def list_space_content(
    session: Session, principal: Principal, space_id: int, content_type: str, *, root_only: bool, start: int, limit: int
) -> list[Content]:
    query = visible(principal).where(
        Content.space_id == space_id, Content.type == content_type, Content.status == "current"
    )
    if root_only:
        query = query.where(Content.parent_id.is_(None))
    return list(session.scalars(query.order_by(Content.position, Content.id).offset(start).limit(limit + 1)))
