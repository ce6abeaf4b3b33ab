"""Values written into a statement's text instead of bound as parameters, for PostgreSQL's generic plans.

psycopg prepares a statement run often (5 times) and PostgreSQL may then plan it once for any
parameters. That generic plan does not see a parameter's value and guesses: a LIMIT at a tenth of
the rows, a content type at the average type's share of content. Written in, the value is there to
plan with. Only for values from a small, fixed set (page sizes capped by the route, content types,
statuses): each distinct value is one more statement text, which the driver and the server prepare
and keep apart. Ids and user text stay parameters.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, Integer, bindparam, literal


def page_size(name: str = "limit") -> BindParameter[int]:
    """The LIMIT as a named parameter that is written into the statement at execution
    (statements built once take it from the parameters like any other)."""
    return bindparam(name, type_=Integer, literal_execute=True)


def written(value: Any) -> BindParameter[Any]:
    return literal(value, literal_execute=True)


def written_in(column: Any, values: Iterable[Any]) -> ColumnElement[bool]:
    """column IN (the values, written in). Order and repeats do not change the answer, so they are
    dropped: a client repeating a status does not make a new statement text."""
    return column.in_([written(v) for v in sorted(set(values))])
