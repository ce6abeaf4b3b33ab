"""CQL AST -> SQLAlchemy conditions and ordering. Pure: no database access.

The repository ANDs `conditions` onto a statement that starts from the visibility rule, so a
query can only narrow what the caller may see (zulip's NarrowBuilder invariant; property-tested
in tests/api/test_search_visibility.py). Predicates are IN/EXISTS subqueries, never joins; the
one join is the relevance ranking's, one row per matching content id."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, not_, or_, true

from localfluence.cql import ast
from localfluence.cql.fields import (
    CONTENT_FIELDS,
    CONTENT_SORTS,
    NEGATIVE,
    CompileContext,
    CqlError,
    FieldSpec,
    last_modified,
    text_query,
)
from localfluence.cql.textquery import TextQuery
from localfluence.db.dialect import text_search
from localfluence.models import Content

SPACE_FIELDS_FOR_FOLDING = ("space", "space.key")
TEXT_FIELDS = ("text", "sitesearch", "title")


@dataclass
class Compiled:
    conditions: list[ColumnElement[bool]] = field(default_factory=list)
    # (content_id, score) of the clause the results are ranked by, and which condition it replaces.
    ranked: Select[Any] | None = None
    ranked_condition: int | None = None
    order_by: list[Any] = field(default_factory=list)
    # The text queries of positive ~ clauses, for highlighting excerpts.
    texts: list[TextQuery] = field(default_factory=list)


def entity_of(query: ast.Query) -> str:
    """content, space or user: what a /search query asks for, from a top-level `type` clause."""
    for clause in _top_level(query.where):
        if isinstance(clause, ast.Clause) and clause.field.name == "type" and clause.op in ("=", "in"):
            kinds = {v.text.lower() for v in clause.values if isinstance(v, ast.Literal)}
            if kinds and kinds <= {"space"}:
                return "space"
            if kinds and kinds <= {"user"}:
                return "user"
    return "content"


def _top_level(node: ast.Node | None) -> tuple[ast.Node, ...]:
    if node is None:
        return ()
    return node.items if isinstance(node, ast.And) else (node,)


def space_keys(query: ast.Query) -> list[str]:
    """Literal space keys of top-level positive space clauses (resolved to ids before compiling)."""
    keys: list[str] = []
    for node in _top_level(query.where):
        if isinstance(node, ast.Clause) and node.field.name in SPACE_FIELDS_FOR_FOLDING and node.op in ("=", "in"):
            keys.extend(v.text for v in node.values if isinstance(v, ast.Literal))
    return keys


def _spec(fields: Mapping[str, FieldSpec], clause: ast.Clause) -> FieldSpec:
    spec = fields.get(clause.field.name)
    if spec is None or (clause.field.property_key is not None) != (clause.field.name == "content.property"):
        raise CqlError(f"No field exists with the name: '{clause.field}'")
    if clause.op not in spec.ops:
        raise CqlError(f"The operator '{clause.op.upper()}' is not supported for the field '{clause.field}'")
    if clause.op in ("=", "!=", ">", ">=", "<", "<=", "~", "!~") and len(clause.values) != 1:
        raise CqlError(f"The operator '{clause.op}' takes one value")
    return spec


class _ContentCompiler:
    def __init__(self, ctx: CompileContext) -> None:
        self.ctx = ctx
        self.search = text_search(ctx.dialect)
        self.texts: list[TextQuery] = []

    def node(self, node: ast.Node, space_ids: list[int] | None = None) -> ColumnElement[bool]:
        if isinstance(node, ast.And):
            return and_(*(self.node(item) for item in node.items))
        if isinstance(node, ast.Or):
            return or_(*(self.node(item) for item in node.items))
        if isinstance(node, ast.Not):
            return not_(self.node(node.item))
        return self.clause(node, space_ids)

    def clause(self, clause: ast.Clause, space_ids: list[int] | None = None) -> ColumnElement[bool]:
        spec = _spec(CONTENT_FIELDS, clause)
        positive = NEGATIVE.get(clause.op, clause.op)
        if positive == "~" and spec.text_columns:
            predicate = self.text(clause, spec, space_ids)
        else:
            predicate = spec.build(self.ctx, clause.field, positive, clause.values)
        return not_(predicate) if positive != clause.op else predicate

    def text(self, clause: ast.Clause, spec: FieldSpec, space_ids: list[int] | None) -> ColumnElement[bool]:
        query = text_query(clause.field, clause.values)
        if clause.op == "~":
            self.texts.append(query)
        if query.groups:
            return Content.id.in_(self.search.matching_ids(query, spec.text_columns, space_ids))
        if query.excluded:
            return Content.id.not_in(self.search.excluding_ids(query.excluded, spec.text_columns))
        return false()

    def folded_space_ids(self, items: tuple[ast.Node, ...]) -> list[int] | None:
        """Ids of a top-level positive space clause of literal keys, to narrow text search inside the index."""
        for node in items:
            if isinstance(node, ast.Clause) and node.field.name in SPACE_FIELDS_FOR_FOLDING and node.op in ("=", "in"):
                if all(isinstance(v, ast.Literal) for v in node.values):
                    return [self.ctx.space_ids[v.text] for v in node.values if v.text in self.ctx.space_ids]  # type: ignore[union-attr]
        return None


def compile_content(query: ast.Query, ctx: CompileContext) -> Compiled:
    compiler = _ContentCompiler(ctx)
    out = Compiled()
    items = _top_level(query.where)
    folded = compiler.folded_space_ids(items)
    for node in items:
        is_text = isinstance(node, ast.Clause) and node.field.name in TEXT_FIELDS and node.op == "~"
        out.conditions.append(compiler.node(node, folded if is_text else None))
        if is_text and out.ranked is None and not query.order_by:
            assert isinstance(node, ast.Clause)
            spec = CONTENT_FIELDS[node.field.name]
            tq = text_query(node.field, node.values)
            if spec.text_columns and tq.groups:
                out.ranked = compiler.search.ranked(tq, spec.text_columns, folded)
                out.ranked_condition = len(out.conditions) - 1
    out.texts = compiler.texts
    out.order_by = order_by(query.order_by, CONTENT_SORTS, tie_break=Content.id)
    if not query.order_by and out.ranked is None:
        out.order_by = [last_modified().desc(), Content.id.desc()]
    return out


def order_by(
    sorts: tuple[ast.Sort, ...], table: Mapping[str, tuple[Callable[[], Any], bool]], *, tie_break: Any
) -> list[Any]:
    out: list[Any] = []
    for sort in sorts:
        entry = table.get(sort.field.name)
        if entry is None or sort.field.property_key is not None:
            raise CqlError(f"The field '{sort.field}' cannot be used in ORDER BY")
        column, newest_first = entry
        descending = sort.descending if sort.explicit else newest_first
        out.append(column().desc() if descending else column().asc())
    if out:
        out.append(tie_break.asc())
    return out


def compile_entity(
    query: ast.Query,
    ctx: CompileContext,
    fields: Mapping[str, FieldSpec],
    sorts: Mapping[str, tuple[Callable[[], Any], bool]],
    tie_break: Any,
) -> Compiled:
    """Spaces and users: few rows, plain predicates, no full-text index."""

    def node(n: ast.Node) -> ColumnElement[bool]:
        if isinstance(n, ast.And):
            return and_(*(node(i) for i in n.items))
        if isinstance(n, ast.Or):
            return or_(*(node(i) for i in n.items))
        if isinstance(n, ast.Not):
            return not_(node(n.item))
        spec = _spec(fields, n)
        positive = NEGATIVE.get(n.op, n.op)
        predicate = spec.build(ctx, n.field, positive, n.values)
        return not_(predicate) if positive != n.op else predicate

    out = Compiled(conditions=[node(n) for n in _top_level(query.where)] or [true()])
    for n in ast.clauses(query.where):
        if n.op == "~":
            out.texts.append(text_query(n.field, n.values))
    out.order_by = order_by(query.order_by, sorts, tie_break=tie_break) or [tie_break.asc()]
    return out
