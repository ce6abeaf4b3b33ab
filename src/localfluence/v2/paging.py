"""v2 cursor pagination: opaque cursors bound to their query, `_links.next` and a Link header."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request

from localfluence.errors import BadRequest
from localfluence.kit.jsonresponse import JSON

DEFAULT_LIMIT = 25
MAX_LIMIT = 250


def parse_limit(limit: int | None, *, default: int = DEFAULT_LIMIT, maximum: int = MAX_LIMIT) -> int:
    if limit is None:
        return default
    if limit < 1:
        raise BadRequest("limit must be at least 1")
    # Over-large limits are capped, as Cloud caps them.
    return min(limit, maximum)


def _scope(request: Request) -> str:
    """What a cursor is valid for: the path and every query parameter but cursor and limit."""
    params = sorted((k, v) for k, v in request.query_params.multi_items() if k not in ("cursor", "limit"))
    return hashlib.sha256(json.dumps([request.url.path.removeprefix("/wiki"), params]).encode()).hexdigest()[:16]


def decode_cursor(request: Request) -> int:
    """The offset a cursor stands for (0 without one); a forged or foreign cursor is a 400."""
    cursor = request.query_params.get("cursor")
    if not cursor:
        return 0
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        offset = int(data["o"])
        scope = str(data["s"])
    except (ValueError, KeyError, TypeError, json.JSONDecodeError, UnicodeDecodeError):
        raise BadRequest("Invalid cursor") from None
    if offset < 0 or offset > 2**31 or scope != _scope(request):
        raise BadRequest("Invalid cursor: it belongs to another query")
    return offset


def encode_cursor(request: Request, offset: int) -> str:
    raw = json.dumps({"o": offset, "s": _scope(request)}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def base_url(request: Request, configured: str = "") -> str:
    origin = configured or f"{request.url.scheme}://{request.url.netloc}"
    return origin.rstrip("/") + "/wiki"


def cursor_page(
    request: Request,
    results: list[Any],
    *,
    offset: int,
    limit: int,
    has_more: bool,
    base: str,
    extra: dict[str, Any] | None = None,
) -> JSON:
    """MultiEntityResult: {results, _links: {next?, base}} plus `Link: <next>; rel="next"`."""
    links: dict[str, str] = {}
    headers: dict[str, str] = {}
    if has_more:
        kept: Iterable[tuple[str, str]] = (
            (k, v) for k, v in request.query_params.multi_items() if k not in ("cursor", "limit")
        )
        query = urlencode([*kept, ("limit", str(limit)), ("cursor", encode_cursor(request, offset + limit))])
        links["next"] = f"{request.url.path}?{query}"
        headers["Link"] = f'<{links["next"]}>; rel="next", <{base}>; rel="base"'
    links["base"] = base
    return JSON({"results": results, **(extra or {}), "_links": links}, headers=headers)
