"""parse(text) -> Query. Every failure is a CqlSyntaxError (400) naming the position and what was
expected; nothing a client types can make the parser raise anything else."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError

from localfluence.cql import ast
from localfluence.errors import BadRequest, field_error

MAX_LENGTH = 10_000
# What the expected-token names mean to a person reading the error.
FRIENDLY = {
    "_AND": "AND",
    "_OR": "OR",
    "_NOT": "NOT",
    "_IN": "IN",
    "_ORDER": "ORDER BY",
    "_BY": "BY",
    "OP": "an operator (= != > >= < <= ~ !~)",
    "NAME": "a field name",
    "BARE": "a value",
    "STRING": "a quoted value",
    "LPAR": "'('",
    "RPAR": "')'",
    "COMMA": "','",
    "DOT": "'.'",
    "LSQB": "'['",
    "RSQB": "']'",
    "DIRECTION": "ASC or DESC",
    "PROPERTY_KEY": "a property key",
    "$END": "the end of the query",
}


class CqlSyntaxError(BadRequest):
    """400 with Confluence's message; the reason (position, expectation) rides in data.errors."""

    def __init__(self, query: str, reason: str) -> None:
        super().__init__(f"Could not parse cql : {query}", errors=[field_error(reason)])
        self.reason = reason


@cache
def _parser() -> Lark:
    grammar = (Path(__file__).parent / "grammar.lark").read_text()
    return Lark(grammar, parser="lalr", maybe_placeholders=False, propagate_positions=False)


def unquote(raw: str) -> str:
    """Strip the quotes; \\" \\' and \\\\ stand for themselves, any other escape is kept as written
    (a text query gives it its own meaning: `\\*` is a literal star)."""
    body = raw[1:-1]
    out: list[str] = []
    i = 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            out.append(nxt if nxt in "\"'\\" else c + nxt)
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


@v_args(inline=True)
class _ToAst(Transformer):  # type: ignore[type-arg]
    def start(self, *parts: object) -> ast.Query:
        where = None
        order: tuple[ast.Sort, ...] = ()
        for part in parts:
            if isinstance(part, tuple):
                order = part
            else:
                where = part  # type: ignore[assignment]
        return ast.Query(where=where, order_by=order)

    def or_(self, *items: ast.Node) -> ast.Node:
        return items[0] if len(items) == 1 else ast.Or(_flatten(ast.Or, items))

    def and_(self, *items: ast.Node) -> ast.Node:
        return items[0] if len(items) == 1 else ast.And(_flatten(ast.And, items))

    def not_(self, item: ast.Node) -> ast.Node:
        return ast.Not(item)

    def compare(self, field: ast.Field, op: Token, value: ast.Value) -> ast.Clause:
        return ast.Clause(field, str(op), value)

    def in_(self, field: ast.Field, values: tuple[ast.Value, ...]) -> ast.Clause:
        return ast.Clause(field, "in", values)

    def not_in(self, field: ast.Field, values: tuple[ast.Value, ...]) -> ast.Clause:
        return ast.Clause(field, "not in", values)

    def in_call(self, field: ast.Field, call: ast.Call) -> ast.Clause:
        return ast.Clause(field, "in", (call,))

    def not_in_call(self, field: ast.Field, call: ast.Call) -> ast.Clause:
        return ast.Clause(field, "not in", (call,))

    def values(self, *items: ast.Value) -> tuple[ast.Value, ...]:
        return tuple(items)

    def string(self, token: Token) -> ast.Literal:
        return ast.Literal(unquote(str(token)), quoted=True)

    def bare(self, token: Token) -> ast.Literal:
        return ast.Literal(str(token))

    def call(self, name: Token, *args: ast.Value | None) -> ast.Call:
        return ast.Call(str(name).lower(), tuple(a for a in args if a is not None))

    def field(self, *parts: object) -> ast.Field:
        names = [str(p).lower() for p in parts if isinstance(p, Token)]
        prop = next((p for p in parts if isinstance(p, tuple)), None)
        if prop is None:
            return ast.Field(".".join(names))
        key, path = prop
        return ast.Field(".".join(names), property_key=key, property_path=path)

    def property(self, key: Token, *path: Token) -> tuple[str, tuple[str, ...]]:
        return str(key), tuple(str(p) for p in path)

    def order_by(self, *sorts: ast.Sort) -> tuple[ast.Sort, ...]:
        return tuple(sorts)

    def sort(self, field: ast.Field, direction: Token | None = None) -> ast.Sort:
        if direction is None:
            return ast.Sort(field)
        return ast.Sort(field, descending=str(direction).lower() == "desc", explicit=True)


def _flatten(kind: type, items: tuple[ast.Node, ...]) -> tuple[ast.Node, ...]:
    out: list[ast.Node] = []
    for item in items:
        out.extend(item.items if isinstance(item, kind) else (item,))  # type: ignore[attr-defined]
    return tuple(out)


def parse(text: str) -> ast.Query:
    if len(text) > MAX_LENGTH:
        raise CqlSyntaxError(text[:200] + "...", f"The query is longer than {MAX_LENGTH} characters")
    try:
        tree = _parser().parse(text)
        return _ToAst().transform(tree)  # type: ignore[no-any-return]
    except UnexpectedInput as exc:
        raise CqlSyntaxError(text, _describe(text, exc)) from None
    except (LarkError, VisitError, RecursionError):
        raise CqlSyntaxError(text, "The query is too deeply nested or malformed") from None


def _describe(text: str, exc: UnexpectedInput) -> str:
    column = getattr(exc, "column", None)
    expected: set[str] = set()
    if isinstance(exc, UnexpectedToken):
        expected = set(exc.expected or ())
        found = "Unexpected end of the query" if exc.token.type == "$END" else f"Unexpected '{exc.token}'"
    elif isinstance(exc, UnexpectedCharacters):
        expected = set(exc.allowed or ())
        pos = exc.pos_in_stream
        found = f"Unexpected character '{text[pos]}'" if pos < len(text) else "Unexpected input"
    elif isinstance(exc, UnexpectedEOF):
        expected = set(exc.expected or ())
        found = "Unexpected end of the query"
    else:
        found = "Unexpected input"
    position = f" at column {column}" if isinstance(column, int) and column > 0 else ""
    names = sorted({FRIENDLY.get(name, name.lower()) for name in expected})
    wanted = f"; expected {', '.join(names)}" if names else ""
    return f"{found}{position}{wanted}"
