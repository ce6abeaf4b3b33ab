"""Lookups by two-column keys, exactly: the keys as a VALUES list to join on.

`a IN (firsts) AND b IN (seconds)` cross-pairs the keys and reads every row whose first and second
parts each appear in some key (content 1 with 500 versions beside others at versions 1..500 reads
all 500); a row-value IN list makes SQLite scan the table. A VALUES list joined on both columns
probes the key's index once per pair, on SQLite and PostgreSQL alike (both name its columns
column1 and column2)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from sqlalchemy import Integer, Subquery, column, text


@lru_cache(maxsize=256)
def pairs(count: int) -> Subquery:
    """A table of `count` (column1, column2) integer pairs, bound as p0a, p0b, p1a, ... (one
    statement per count: lists of one result page, far below the limits on bound values)."""
    rows = ", ".join(f"(:p{i}a, :p{i}b)" for i in range(count))
    return text(f"VALUES {rows}").columns(column("column1", Integer), column("column2", Integer)).subquery("pairs")


def pair_params(keys: Iterable[tuple[int, int]]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for i, (first, second) in enumerate(keys):
        params[f"p{i}a"] = first
        params[f"p{i}b"] = second
    return params
