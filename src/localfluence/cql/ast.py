"""The CQL syntax tree: frozen dataclasses, so queries compare by value in tests."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Literal:
    """A value as written: `quoted` tells "123" from 123 and "and" from a bare word."""

    text: str
    quoted: bool = False


@dataclass(frozen=True)
class Call:
    """A function used as a value: currentUser(), now("-4w"), recentlyViewedContent(10, 20)."""

    name: str  # lower-cased: function names are case-insensitive
    args: tuple[Literal | Call, ...] = ()


Value = Literal | Call


@dataclass(frozen=True)
class Field:
    """A field name, lower-cased, plus the key and path of content.property[key].path."""

    name: str
    property_key: str | None = None
    property_path: tuple[str, ...] = ()

    def __str__(self) -> str:
        if self.property_key is None:
            return self.name
        return f"{self.name}[{self.property_key}]" + "".join(f".{p}" for p in self.property_path)


@dataclass(frozen=True)
class Clause:
    """field op value; op is one of = != > >= < <= ~ !~ in "not in" (values is a tuple for the last two)."""

    field: Field
    op: str
    value: Value | tuple[Value, ...]

    @property
    def values(self) -> tuple[Value, ...]:
        return self.value if isinstance(self.value, tuple) else (self.value,)


@dataclass(frozen=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    item: Node


Node = Clause | And | Or | Not


@dataclass(frozen=True)
class Sort:
    field: Field
    descending: bool = False
    # Whether ASC/DESC was written (each field has its own default direction otherwise).
    explicit: bool = False


@dataclass(frozen=True)
class Query:
    where: Node | None
    order_by: tuple[Sort, ...] = ()


def clauses(node: Node | None) -> list[Clause]:
    """Every clause of a tree, left to right."""
    if node is None:
        return []
    if isinstance(node, Clause):
        return [node]
    if isinstance(node, Not):
        return clauses(node.item)
    return [c for item in node.items for c in clauses(item)]
