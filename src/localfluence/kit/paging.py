"""start/limit paging and the Confluence page envelope (results/start/limit/size/_links)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from localfluence.errors import BadRequest


@dataclass(frozen=True)
class Paging:
    start: int
    limit: int

    @classmethod
    def of(cls, start: int | None, limit: int | None, *, default: int = 25, maximum: int = 200) -> Paging:
        start = 0 if start is None else start
        limit = default if limit is None else limit
        if start < 0:
            raise BadRequest("start must be zero or a positive number")
        if limit < 0:
            raise BadRequest("limit must be zero or a positive number")
        # Confluence silently caps an over-large limit at the endpoint's maximum.
        return cls(start=min(start, 2**31 - 1), limit=min(limit, maximum))


def page_envelope(
    results: list[Any],
    paging: Paging,
    *,
    has_more: bool,
    path: str,
    query: dict[str, Any],
    links: dict[str, str],
) -> dict[str, Any]:
    """The ContentArray-style envelope; next/prev links only when such a page exists.

    `path` is relative to _links.base and without the context (/rest/api/...), as Confluence writes it.
    """
    clean = {k: v for k, v in query.items() if v is not None and k not in ("start", "limit")}
    out_links = dict(links)
    out_links["self"] = links["base"] + path
    # limit=0 asks for no items; a next link would point at the same empty page forever.
    if has_more and paging.limit > 0:
        out_links["next"] = f"{path}?{_query(clean, paging.limit, paging.start + paging.limit)}"
    if paging.start > 0:
        out_links["prev"] = f"{path}?{_query(clean, paging.limit, max(0, paging.start - paging.limit))}"
    return {
        "results": results,
        "start": paging.start,
        "limit": paging.limit,
        "size": len(results),
        "_links": out_links,
    }


def _query(clean: dict[str, Any], limit: int, start: int) -> str:
    """urlencode({**clean, "limit": limit, "start": start}, doseq=True), with the filters' part
    encoded once per set of filters: quoting them again for every page cost more than the rest of
    the envelope. (An int is encoded as its digits.)"""
    try:
        key = tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in clean.items())
        filters = _encoded(key)
    except TypeError:  # a value that cannot be a cache key: encode it as it is
        filters = urlencode(clean, doseq=True)
    paged = f"limit={limit}&start={start}"
    return f"{filters}&{paged}" if filters else paged


@lru_cache(maxsize=1024)
def _encoded(items: tuple[tuple[str, Any], ...]) -> str:
    return urlencode([(k, list(v) if isinstance(v, tuple) else v) for k, v in items], doseq=True)
