"""CQL relation providers over the tables the metadata packages own: watchers, favourites, page
views, space categories and content properties (contracts in cql/fields.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Float, Select, String, cast, func, literal, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from localfluence.cql.fields import RELATIONS
from localfluence.models import Content, ContentProperty, ContentView, ContentWatch, Label, Relation, SpaceLabel

FAVOURITE = "favourite"
# Confluence's defaults for recentlyViewedContent(limit, offset) and recentlyViewedSpaces(limit).
RECENT_CONTENT_LIMIT = 10
RECENT_SPACES_LIMIT = 10


def watched_content(users: Select[Any]) -> Select[Any]:
    return select(ContentWatch.content_id).where(ContentWatch.user_id.in_(users))


def favourite_content(users: Select[Any]) -> Select[Any]:
    return select(Relation.target_id).where(
        Relation.name == FAVOURITE,
        Relation.source_type == "user",
        Relation.source_id.in_(users),
        Relation.target_type == "content",
    )


def favourite_spaces(user_id: int) -> Select[Any]:
    return select(Relation.target_id).where(
        Relation.name == FAVOURITE,
        Relation.source_type == "user",
        Relation.source_id == user_id,
        Relation.target_type == "space",
    )


def recently_viewed_content(user_id: int, limit: int = RECENT_CONTENT_LIMIT, offset: int = 0) -> Select[Any]:
    # A derived table: PostgreSQL and SQLite both take LIMIT there, and the IN sees plain ids.
    recent = (
        select(ContentView.content_id)
        .where(ContentView.user_id == user_id)
        .group_by(ContentView.content_id)
        .order_by(func.max(ContentView.viewed_at).desc(), ContentView.content_id)
        .limit(max(0, min(limit, 200)))
        .offset(max(0, offset))
        .subquery()
    )
    return select(recent.c.content_id)


def recently_viewed_spaces(user_id: int, limit: int = RECENT_SPACES_LIMIT) -> Select[Any]:
    recent = (
        select(Content.space_id)
        .join(ContentView, ContentView.content_id == Content.id)
        .where(ContentView.user_id == user_id)
        .group_by(Content.space_id)
        .order_by(func.max(ContentView.viewed_at).desc(), Content.space_id)
        .limit(max(0, min(limit, 200)))
        .subquery()
    )
    return select(recent.c.space_id)


def spaces_in_categories(names: Sequence[str]) -> Select[Any]:
    # Space categories are the space's labels with the "team" prefix, as Confluence keeps them.
    return (
        select(SpaceLabel.space_id)
        .join(Label, Label.id == SpaceLabel.label_id)
        .where(Label.prefix == "team", Label.name.in_(list(names)))
    )


def content_with_property(key: str, path: Sequence[str], op: str, values: Sequence[str]) -> Select[Any]:
    """content.property[key].a.b <op> value over the JSON stored in content_property.value."""
    element = json_text(ContentProperty.value, literal(_json_path(path)), literal("{" + ",".join(path) + "}"))
    numeric = op in (">", ">=", "<", "<=") and all(_is_number(v) for v in values)
    column: ColumnElement[Any] = cast(element, Float) if numeric else element
    wanted: list[Any] = [float(v) for v in values] if numeric else list(values)
    predicate: ColumnElement[bool]
    if op in ("=", "in"):
        predicate = column.in_(wanted)
    elif op == "~":
        predicate = or_(*(column.contains(v, autoescape=True) for v in wanted))
    elif op in (">", ">=", "<", "<="):
        predicate = or_(*(column.op(op)(v) for v in wanted))
    else:
        predicate = column.in_(wanted)
    return select(ContentProperty.content_id).where(ContentProperty.key == key, predicate)


class json_text(FunctionElement[str]):  # noqa: N801 (a SQL function name)
    """The text at a path of a JSON document stored as text: (document, sqlite path, postgres path)."""

    type = String()
    inherit_cache = True
    name = "json_text"


@compiles(json_text, "sqlite")
def _json_text_sqlite(element: json_text, compiler: Any, **kw: Any) -> str:
    document, sqlite_path, _pg_path = list(element.clauses)
    return f"json_extract({compiler.process(document, **kw)}, {compiler.process(sqlite_path, **kw)})"


@compiles(json_text, "postgresql")
def _json_text_postgresql(element: json_text, compiler: Any, **kw: Any) -> str:
    document, _sqlite_path, pg_path = list(element.clauses)
    return f"(CAST({compiler.process(document, **kw)} AS JSONB) #>> CAST({compiler.process(pg_path, **kw)} AS TEXT[]))"


def _json_path(path: Sequence[str]) -> str:
    return "$" + "".join(f'."{p}"' for p in path)


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


RELATIONS.update(
    {
        "watcher": watched_content,
        "favourite": favourite_content,
        "favorite": favourite_content,
        "favouriteSpaces": favourite_spaces,
        "recentlyViewedContent": recently_viewed_content,
        "recentlyViewedSpaces": recently_viewed_spaces,
        "space.category": spaces_in_categories,
        "content.property": content_with_property,
    }
)
