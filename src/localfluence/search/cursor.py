"""Opaque search cursors: an offset bound to the query it came from. A cursor that does not
decode, or belongs to another query, is a 400 -- never a 500, never another query's page."""

from __future__ import annotations

import base64
import hashlib
import json

from localfluence.errors import BadRequest

MAX_OFFSET = 2**31 - 1


def fingerprint(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]


def encode(offset: int, query_fingerprint: str) -> str:
    raw = json.dumps([offset, query_fingerprint], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str, query_fingerprint: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        offset, owner = json.loads(raw)
    except (ValueError, TypeError, UnicodeDecodeError):
        raise BadRequest(f"Invalid cursor: {cursor[:100]}") from None
    if not isinstance(offset, int) or isinstance(offset, bool) or not 0 <= offset <= MAX_OFFSET:
        raise BadRequest(f"Invalid cursor: {cursor[:100]}")
    if owner != query_fingerprint:
        raise BadRequest("The cursor belongs to a different search; start again without a cursor")
    return offset
