"""Numeric ids from a request: one in a path (or a body field), or a list from a query parameter.

Confluence's ids are longs; ours are stored as 32-bit integers (INTEGER on PostgreSQL), so a
well-formed id beyond MAX_STORED_ID names nothing, and it is kept out of queries: handed to the
database it is an error there, not a missing row (SQLite overflows past 64 bits, PostgreSQL
refuses the cast).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from localfluence.errors import BadRequest

MAX_STORED_ID = 2**31 - 1
MAX_ID = 2**63 - 1
# The spec's maxItems for id lists: 250, but 100 for space-id beside content ids. Ids past them are ignored.
MAX_LIST_IDS = 250
MAX_LIST_SPACE_IDS = 100

# [0-9] and not \d or str.isdigit(): those take "٣" and "²", which are no id (and "²" is no int either).
_ID = re.compile(r"[0-9]{1,19}")
_INTEGER = re.compile(r"[+-]?[0-9]+")


def parse_id(raw: str, what: str = "id") -> int | None:
    """A positive long in ASCII digits, else 400 "Invalid <what>: <raw>". None when it is
    well-formed but beyond what is stored: the caller answers its own 404 without a query."""
    # The pattern bounds the length before int(), which is slow (and refuses) on thousands of digits.
    if not _ID.fullmatch(raw) or not 0 < (number := int(raw)) <= MAX_ID:
        raise BadRequest(f"Invalid {what}: {raw}")
    return number if number <= MAX_STORED_ID else None


def stored_id(text: str) -> int | None:
    """The stored id `text` names, or None (for callers where a malformed id is as missing as any)."""
    number = int(text) if _ID.fullmatch(text) else 0
    return number if 0 < number <= MAX_STORED_ID else None


def parse_id_list(values: Iterable[str] | None, name: str, *, limit: int = MAX_LIST_IDS) -> list[int] | None:
    """An id filter given repeated (?id=1&id=2), comma-separated (?id=1,2) or both. None when the
    parameter is absent; otherwise the first `limit` ids that can be stored, so present but
    naming nothing storable filters everything out. Items are integers as the spec types
    them (blank items are skipped, blanks around one are trimmed); anything else is a 400."""
    if values is None:
        return None
    items = [part.strip() for value in values for part in value.split(",")]
    items = [item for item in items if item]
    for item in items:
        if not _INTEGER.fullmatch(item):
            raise BadRequest(f"Invalid {name}: use numeric ids")
    # A long item is out of range whatever its digits; it is dropped without int() of it.
    numbers = (int(item) if len(item.lstrip("+-")) <= 19 else 0 for item in items[:limit])
    return [n for n in numbers if 0 < n <= MAX_STORED_ID]
