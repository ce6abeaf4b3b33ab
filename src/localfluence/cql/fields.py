"""CQL fields: a strict allowlist per entity (content, space, user). Each field names the operators
Confluence allows for it and builds a positive predicate (=, IN, ~, >, ...); the compiler negates
it for !=, NOT IN and !~. Predicates are IN/EXISTS over indexed columns, never joins.

Relations owned by other packages (watches, favourites, mentions, macros, content properties,
recently viewed) come through RELATIONS. Until a provider is registered for one, its clauses
match nothing -- never invented results. Each provider's contract is in the comment above it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select, true

from localfluence.access.principal import Principal
from localfluence.cql import ast, functions
from localfluence.cql.textquery import TextQuery, parse_text
from localfluence.errors import BadRequest
from localfluence.models import Content, ContentAncestor, ContentLabel, ContentVersion, Label, Space, User

EQUALITY = frozenset({"=", "!=", "in", "not in"})
ORDERED = frozenset({"=", "!=", ">", ">=", "<", "<="})
TEXT = frozenset({"~", "!~"})
NEGATIVE = {"!=": "=", "not in": "in", "!~": "~"}

# --- providers other packages register (the lead wires them when merging) ---------------------
# "watcher", "favourite", "mention": (user ids Select) -> Select of content ids.
# "macro": (list of macro names, lower-case) -> Select of content ids.
# "content.property": (key, path tuple, op, list of str values) -> Select of content ids.
# "recentlyViewedContent": (user id, limit, offset) -> Select of content ids.
# "favouriteSpaces": (user id) -> Select of space ids.
# "recentlyViewedSpaces": (user id, limit) -> Select of space ids.
# "space.category": (list of category names, lower-case) -> Select of space ids.
RELATIONS: dict[str, Callable[..., Select[Any]]] = {}


def relation(name: str) -> Callable[..., Select[Any]] | None:
    return RELATIONS.get(name)


@dataclass(frozen=True)
class CompileContext:
    principal: Principal
    dialect: str = "sqlite"
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    # The caller's time zone; `zone` reads it when a date first needs it (most queries have none).
    tz: ZoneInfo | None = None
    zone: Callable[[], ZoneInfo] | None = None
    # Space keys already resolved to ids, so text search can narrow by space token.
    space_ids: Mapping[str, int] = field(default_factory=dict)
    # cqlcontext: what currentContent() and currentSpace() mean.
    content_id: int | None = None
    space_key: str | None = None

    def time_zone(self) -> ZoneInfo:
        if self.tz is None:
            object.__setattr__(self, "tz", self.zone() if self.zone is not None else ZoneInfo("UTC"))
        assert self.tz is not None
        return self.tz


class CqlError(BadRequest):
    """A query that parses but means nothing (unknown field, operator or function); the router
    turns it into Confluence's "Could not parse cql" 400 with this reason."""


Builder = Callable[[CompileContext, ast.Field, str, tuple[ast.Value, ...]], ColumnElement[bool]]


@dataclass(frozen=True)
class FieldSpec:
    ops: frozenset[str]
    build: Builder
    # The text query a ~ clause runs, for ranking and highlighting; text-type fields only.
    text_columns: tuple[str, ...] = ()


# --- values ---------------------------------------------------------------------------------


def _call_error(call: ast.Call, field: ast.Field) -> CqlError:
    return CqlError(f"The function {call.name}() cannot be used with the field '{field}'")


def literals(field: ast.Field, values: tuple[ast.Value, ...]) -> list[str]:
    out = []
    for value in values:
        if isinstance(value, ast.Call):
            raise _call_error(value, field)
        out.append(value.text)
    return out


def content_ids(
    ctx: CompileContext, field: ast.Field, values: tuple[ast.Value, ...]
) -> ColumnElement[bool] | list[Any]:
    """Literal ids plus the ids functions stand for (currentContent(), recentlyViewedContent())."""
    ids: list[Any] = []
    for value in values:
        if isinstance(value, ast.Call):
            if value.name == "currentcontent":
                if ctx.content_id is None:
                    raise CqlError("currentContent() needs a cqlcontext with a contentId")
                ids.append(ctx.content_id)
            elif value.name == "recentlyviewedcontent":
                args = [_int_arg(a, value) for a in value.args[:2]]
                provider = relation("recentlyViewedContent")
                if provider is not None and ctx.principal.user_id is not None:
                    ids.append(provider(ctx.principal.user_id, *args))
            else:
                raise _call_error(value, field)
            continue
        try:
            number = int(value.text)
        except ValueError:
            raise CqlError(f"'{value.text}' is not a valid content id for the field '{field}'") from None
        if 0 < number < 2**63:
            ids.append(number)
    return ids


def _int_arg(value: ast.Value, call: ast.Call) -> int:
    text = "" if isinstance(value, ast.Call) else value.text.strip()
    digits = text.removeprefix("-")
    # ASCII only: "²" is a digit to str.isdigit() but not to int().
    if not (digits.isascii() and digits.isdigit()):
        raise CqlError(f"{call.name}() takes whole numbers")
    if text.startswith("-"):
        return 0
    # Clamped: int() of thousands of digits would itself fail.
    return 10_000 if len(digits) > 5 else min(int(digits), 10_000)


def in_ids(column: Any, ids: list[Any]) -> ColumnElement[bool]:
    """column IN the literal ids, or IN any of the subqueries among them."""
    plain = [i for i in ids if not isinstance(i, Select)]
    parts: list[ColumnElement[bool]] = []
    if plain:
        parts.append(column.in_(plain))
    parts.extend(column.in_(sub) for sub in ids if isinstance(sub, Select))
    return or_(*parts) if parts else false()


def user_ids(ctx: CompileContext, field: ast.Field, values: tuple[ast.Value, ...]) -> Select[Any] | None:
    """Users by accountId (Cloud) or username (Server clients); currentUser() is the caller."""
    names: list[str] = []
    me = False
    for value in values:
        if isinstance(value, ast.Call):
            if value.name != "currentuser":
                raise _call_error(value, field)
            me = True
        else:
            names.append(value.text)
    clauses: list[ColumnElement[bool]] = []
    if names:
        clauses.append(or_(User.account_id.in_(names), User.username.in_(names)))
    if me and ctx.principal.user_id is not None:
        clauses.append(User.id == ctx.principal.user_id)
    if not clauses:
        return None
    return select(User.id).where(or_(*clauses))


def space_ids(ctx: CompileContext, field: ast.Field, values: tuple[ast.Value, ...]) -> list[Any]:
    keys: list[str] = []
    ids: list[Any] = []
    for value in values:
        if isinstance(value, ast.Call):
            if value.name == "currentspace":
                if ctx.space_key is None:
                    raise CqlError("currentSpace() needs a cqlcontext with a spaceKey")
                keys.append(ctx.space_key)
            elif value.name in ("favouritespaces", "favoritespaces"):
                provider = relation("favouriteSpaces")
                if provider is not None and ctx.principal.user_id is not None:
                    ids.append(provider(ctx.principal.user_id))
            elif value.name == "recentlyviewedspaces":
                limit = [_int_arg(a, value) for a in value.args[:1]]
                provider = relation("recentlyViewedSpaces")
                if provider is not None and ctx.principal.user_id is not None:
                    ids.append(provider(ctx.principal.user_id, *limit))
            else:
                raise _call_error(value, field)
        else:
            keys.append(value.text)
    # Keys resolved before compiling go in as ids, so that the planners see `space_id IN (7)` and
    # take a space's rows from the (space_id, type, status, ...) indexes in the order asked for.
    ids.extend(ctx.space_ids[k] for k in keys if k in ctx.space_ids)
    unresolved = [k for k in keys if k not in ctx.space_ids]
    if unresolved:
        ids.append(select(Space.id).where(Space.key.in_(unresolved)))
    return ids


def date_span(ctx: CompileContext, field: ast.Field, value: ast.Value) -> functions.Span:
    try:
        if isinstance(value, ast.Call):
            if value.name not in functions.DATE_FUNCTIONS:
                raise _call_error(value, field)
            args = literals(field, value.args)
            return functions.Span(functions.evaluate(value.name, args, ctx.now, ctx.time_zone()))
        return functions.parse_date(value.text, ctx.now, ctx.time_zone())
    except functions.DateError as exc:
        raise CqlError(str(exc)) from None


def compare_date(column: Any, op: str, span: functions.Span) -> ColumnElement[bool]:
    """A literal day (or minute) is a span: = is within it, > is after it, <= is up to its end."""
    # Stored times are UTC (naive on SQLite): compare in UTC whatever the caller's zone.
    start, end = span.start.astimezone(UTC), span.end.astimezone(UTC)
    if op == "=":
        return and_(column >= start, column < end) if span.length else column == start
    if op == ">":
        return column >= end if span.length else column > start
    if op == ">=":
        return column >= start
    if op == "<":
        return column < start
    if op == "<=":
        return column < end if span.length else column <= start
    raise CqlError(f"The operator '{op}' is not supported for dates")


def text_query(field: ast.Field, values: tuple[ast.Value, ...]) -> TextQuery:
    (text,) = literals(field, values)
    return parse_text(text)


# --- content fields -------------------------------------------------------------------------


def _ancestor(ctx: CompileContext, f: ast.Field, op: str, values: tuple[ast.Value, ...]) -> ColumnElement[bool]:
    ids = content_ids(ctx, f, values)
    below = select(ContentAncestor.descendant_id).where(
        in_ids(ContentAncestor.ancestor_id, ids), ContentAncestor.depth > 0
    )
    # The content tree (pages, folders, whiteboards, ...), not what pages contain: comments and
    # attachments are `container`'s. Clients that purge "ancestor = <root>" results not in their
    # page set (sphinxcontrib-confluencebuilder) would otherwise delete their own attachments.
    return and_(Content.id.in_(below), Content.type.not_in(("comment", "attachment")))


def _parent(ctx: CompileContext, f: ast.Field, op: str, values: tuple[ast.Value, ...]) -> ColumnElement[bool]:
    return and_(
        Content.type == "page", Content.parent_id.is_not(None), in_ids(Content.parent_id, content_ids(ctx, f, values))
    )


def _container(ctx: CompileContext, f: ast.Field, op: str, values: tuple[ast.Value, ...]) -> ColumnElement[bool]:
    ids = content_ids(ctx, f, values)
    contained = and_(
        Content.type.in_(("comment", "attachment")), Content.parent_id.is_not(None), in_ids(Content.parent_id, ids)
    )
    # Pages and blog posts are contained in their space, whose id may be asked for too.
    return contained


def _id(ctx: CompileContext, f: ast.Field, op: str, values: tuple[ast.Value, ...]) -> ColumnElement[bool]:
    return in_ids(Content.id, content_ids(ctx, f, values))


def last_modified() -> Any:
    # The current version's created_at, kept on the content row (models/content.py says how).
    return Content.last_modified_at


def _date(column: Callable[[], Any]) -> Builder:
    def build(ctx: CompileContext, f: ast.Field, op: str, values: tuple[ast.Value, ...]) -> ColumnElement[bool]:
        return compare_date(column(), op, date_span(ctx, f, values[0]))

    return build


def _creator(ctx: CompileContext, f: ast.Field, op: str, values: tuple[ast.Value, ...]) -> ColumnElement[bool]:
    users = user_ids(ctx, f, values)
    if users is None:
        return false()
    return and_(Content.creator_id.is_not(None), Content.creator_id.in_(users))


def _contributor(ctx: CompileContext, f: ast.Field, op: str, values: tuple[ast.Value, ...]) -> ColumnElement[bool]:
    users = user_ids(ctx, f, values)
    if users is None:
        return false()
    return Content.id.in_(select(ContentVersion.content_id).where(ContentVersion.author_id.in_(users)))


def _user_relation(name: str) -> Builder:
    def build(ctx: CompileContext, f: ast.Field, op: str, values: tuple[ast.Value, ...]) -> ColumnElement[bool]:
        users = user_ids(ctx, f, values)
        provider = relation(name)
        if users is None or provider is None:
            # UNWIRED until the package owning this relation registers a provider.
            return false()
        return Content.id.in_(provider(users))

    return build


def _label(ctx: CompileContext, f: ast.Field, op: str, values: tuple[ast.Value, ...]) -> ColumnElement[bool]:
    wanted = []
    for name in literals(f, values):
        prefix, _, bare = name.lower().rpartition(":")
        wanted.append(and_(Label.name == bare, Label.prefix == prefix) if prefix else Label.name == bare)
    labelled = select(ContentLabel.content_id).join(Label, Label.id == ContentLabel.label_id).where(or_(*wanted))
    return Content.id.in_(labelled)


def _macro(ctx: CompileContext, f: ast.Field, op: str, values: tuple[ast.Value, ...]) -> ColumnElement[bool]:
    names = [n.lower() for n in literals(f, values)]
    provider = relation("macro")
    if provider is None:
        return false()  # UNWIRED: macro usage is extracted by the storage-format package.
    return Content.id.in_(provider(names))


def _space(ctx: CompileContext, f: ast.Field, op: str, values: tuple[ast.Value, ...]) -> ColumnElement[bool]:
    return in_ids(Content.space_id, space_ids(ctx, f, values))


def space_title_match(f: ast.Field, op: str, values: tuple[ast.Value, ...]) -> ColumnElement[bool]:
    if op == "~":
        words = [w for term in text_query(f, values).words() for w in [term[0]]]
        if not words:
            return false()
        # Few spaces: a case-insensitive substring match per word is fast enough and the same on both engines.
        return and_(*(func.lower(Space.name).contains(w, autoescape=True) for w in words))
    return func.lower(Space.name).in_([v.lower() for v in literals(f, values)])


def _space_title(ctx: CompileContext, f: ast.Field, op: str, values: tuple[ast.Value, ...]) -> ColumnElement[bool]:
    return Content.space_id.in_(select(Space.id).where(space_title_match(f, op, values)))


def space_type_match(ctx: CompileContext, f: ast.Field, values: tuple[ast.Value, ...]) -> ColumnElement[bool]:
    kinds = [v.lower() for v in literals(f, values)]
    parts: list[ColumnElement[bool]] = [Space.type.in_([k for k in kinds if k != "favourite"])]
    if "favourite" in kinds:
        provider = relation("favouriteSpaces")
        if provider is not None and ctx.principal.user_id is not None:
            parts.append(Space.id.in_(provider(ctx.principal.user_id)))
    return or_(*parts)


def _space_type(ctx: CompileContext, f: ast.Field, op: str, values: tuple[ast.Value, ...]) -> ColumnElement[bool]:
    return Content.space_id.in_(select(Space.id).where(space_type_match(ctx, f, values)))


def _space_category(ctx: CompileContext, f: ast.Field, op: str, values: tuple[ast.Value, ...]) -> ColumnElement[bool]:
    names = [n.lower() for n in literals(f, values)]
    provider = relation("space.category")
    if provider is None:
        return false()  # UNWIRED: space categories (space labels) belong to the labels package.
    return Content.space_id.in_(provider(names))


def _title(ctx: CompileContext, f: ast.Field, op: str, values: tuple[ast.Value, ...]) -> ColumnElement[bool]:
    # `title = "\"Advanced Searching\""` is Confluence's documented exact match; plain quotes work too.
    wanted = [_strip_inner_quotes(v).lower() for v in literals(f, values)]
    return func.lower(Content.title).in_(wanted)


def _strip_inner_quotes(value: str) -> str:
    return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value


def _type(ctx: CompileContext, f: ast.Field, op: str, values: tuple[ast.Value, ...]) -> ColumnElement[bool]:
    return Content.type.in_([v.lower() for v in literals(f, values)])


def _property(ctx: CompileContext, f: ast.Field, op: str, values: tuple[ast.Value, ...]) -> ColumnElement[bool]:
    provider = relation("content.property")
    if provider is None or f.property_key is None:
        return false()  # UNWIRED: content properties (and their index schemas) belong to the properties package.
    return Content.id.in_(provider(f.property_key, f.property_path, op, literals(f, values)))


def _text_placeholder(ctx: CompileContext, f: ast.Field, op: str, values: tuple[ast.Value, ...]) -> ColumnElement[bool]:
    raise AssertionError("text fields are compiled by the compiler")  # pragma: no cover


CONTENT_FIELDS: dict[str, FieldSpec] = {
    "ancestor": FieldSpec(EQUALITY, _ancestor),
    "parent": FieldSpec(EQUALITY, _parent),
    "container": FieldSpec(EQUALITY, _container),
    "content": FieldSpec(EQUALITY, _id),
    "id": FieldSpec(EQUALITY, _id),
    "created": FieldSpec(ORDERED, _date(lambda: Content.created_at)),
    "lastmodified": FieldSpec(ORDERED, _date(last_modified)),
    "creator": FieldSpec(EQUALITY, _creator),
    "contributor": FieldSpec(EQUALITY, _contributor),
    "mention": FieldSpec(EQUALITY, _user_relation("mention")),
    "watcher": FieldSpec(EQUALITY, _user_relation("watcher")),
    "favourite": FieldSpec(EQUALITY, _user_relation("favourite")),
    "favorite": FieldSpec(EQUALITY, _user_relation("favourite")),
    "label": FieldSpec(EQUALITY, _label),
    "macro": FieldSpec(EQUALITY, _macro),
    "space": FieldSpec(EQUALITY, _space),
    "space.key": FieldSpec(EQUALITY, _space),
    "space.title": FieldSpec(EQUALITY | TEXT, _space_title),
    "space.type": FieldSpec(EQUALITY, _space_type),
    "space.category": FieldSpec(EQUALITY, _space_category),
    "title": FieldSpec(EQUALITY | TEXT, _title, text_columns=("title",)),
    "text": FieldSpec(TEXT, _text_placeholder, text_columns=("title", "body", "labels")),
    "sitesearch": FieldSpec(TEXT, _text_placeholder, text_columns=("title", "body", "labels")),
    "type": FieldSpec(EQUALITY, _type),
    "content.property": FieldSpec(ORDERED | EQUALITY | TEXT, _property),
}

# ORDER BY: field -> column expression factory, and whether it sorts newest first by default.
CONTENT_SORTS: dict[str, tuple[Callable[[], Any], bool]] = {
    "created": (lambda: Content.created_at, True),
    "lastmodified": (last_modified, True),
    "title": (lambda: func.lower(Content.title), False),
    "id": (lambda: Content.id, False),
    "content": (lambda: Content.id, False),
    "type": (lambda: Content.type, False),
    "space": (lambda: select(Space.key).where(Space.id == Content.space_id).scalar_subquery(), False),
    "space.key": (lambda: select(Space.key).where(Space.id == Content.space_id).scalar_subquery(), False),
    "space.title": (lambda: select(Space.name).where(Space.id == Content.space_id).scalar_subquery(), False),
}


# --- space fields (type = space) --------------------------------------------------------------


def _s_key(ctx: CompileContext, f: ast.Field, op: str, values: tuple[ast.Value, ...]) -> ColumnElement[bool]:
    return in_ids(Space.id, space_ids(ctx, f, values))


def _s_title(ctx: CompileContext, f: ast.Field, op: str, values: tuple[ast.Value, ...]) -> ColumnElement[bool]:
    return space_title_match(f, op, values)


def _s_text(ctx: CompileContext, f: ast.Field, op: str, values: tuple[ast.Value, ...]) -> ColumnElement[bool]:
    words = [w for w, _ in text_query(f, values).words()]
    if not words:
        return false()
    haystack = func.lower(Space.name + " " + Space.key + " " + Space.description)
    return and_(*(haystack.contains(w, autoescape=True) for w in words))


def _s_type(ctx: CompileContext, f: ast.Field, op: str, values: tuple[ast.Value, ...]) -> ColumnElement[bool]:
    return space_type_match(ctx, f, values)


def _s_entity(ctx: CompileContext, f: ast.Field, op: str, values: tuple[ast.Value, ...]) -> ColumnElement[bool]:
    return true() if "space" in [v.lower() for v in literals(f, values)] else false()


def _s_created(ctx: CompileContext, f: ast.Field, op: str, values: tuple[ast.Value, ...]) -> ColumnElement[bool]:
    return compare_date(Space.created_at, op, date_span(ctx, f, values[0]))


def _s_category(ctx: CompileContext, f: ast.Field, op: str, values: tuple[ast.Value, ...]) -> ColumnElement[bool]:
    provider = relation("space.category")
    if provider is None:
        return false()  # UNWIRED: see _space_category.
    return Space.id.in_(provider([n.lower() for n in literals(f, values)]))


SPACE_FIELDS: dict[str, FieldSpec] = {
    "type": FieldSpec(EQUALITY, _s_entity),
    "space": FieldSpec(EQUALITY, _s_key),
    "space.key": FieldSpec(EQUALITY, _s_key),
    "space.title": FieldSpec(EQUALITY | TEXT, _s_title),
    "title": FieldSpec(EQUALITY | TEXT, _s_title),
    "text": FieldSpec(TEXT, _s_text),
    "sitesearch": FieldSpec(TEXT, _s_text),
    "space.type": FieldSpec(EQUALITY, _s_type),
    "space.category": FieldSpec(EQUALITY, _s_category),
    "created": FieldSpec(ORDERED, _s_created),
}
SPACE_SORTS: dict[str, tuple[Callable[[], Any], bool]] = {
    "title": (lambda: func.lower(Space.name), False),
    "space.title": (lambda: func.lower(Space.name), False),
    "space": (lambda: Space.key, False),
    "space.key": (lambda: Space.key, False),
    "created": (lambda: Space.created_at, True),
    "id": (lambda: Space.id, False),
}


# --- user fields (/search/user) -------------------------------------------------------------


def _u_entity(ctx: CompileContext, f: ast.Field, op: str, values: tuple[ast.Value, ...]) -> ColumnElement[bool]:
    return true() if "user" in [v.lower() for v in literals(f, values)] else false()


def _u_account(ctx: CompileContext, f: ast.Field, op: str, values: tuple[ast.Value, ...]) -> ColumnElement[bool]:
    users = user_ids(ctx, f, values)
    return User.id.in_(users) if users is not None else false()


def _u_fullname(ctx: CompileContext, f: ast.Field, op: str, values: tuple[ast.Value, ...]) -> ColumnElement[bool]:
    if op == "~":
        # "user.fullname~jo will return users with nickname/full name starting with jo" (spec: searchUser).
        words = [w for w, _ in text_query(f, values).words()]
        if not words:
            return false()
        names = (func.lower(User.display_name), func.lower(User.public_name))
        return and_(
            *(
                or_(*(or_(n.startswith(w, autoescape=True), n.contains(" " + w, autoescape=True)) for n in names))
                for w in words
            )
        )
    return func.lower(User.display_name).in_([v.lower() for v in literals(f, values)])


USER_FIELDS: dict[str, FieldSpec] = {
    "type": FieldSpec(EQUALITY, _u_entity),
    "user": FieldSpec(EQUALITY, _u_account),
    "user.accountid": FieldSpec(EQUALITY, _u_account),
    "user.userkey": FieldSpec(EQUALITY, _u_account),
    "user.fullname": FieldSpec(EQUALITY | TEXT, _u_fullname),
}
USER_SORTS: dict[str, tuple[Callable[[], Any], bool]] = {
    "user.fullname": (lambda: func.lower(User.display_name), False),
    "user": (lambda: User.account_id, False),
}
