"""The envelope's next/prev query strings equal urlencode's of the filters plus limit and start."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest

from localfluence.kit.paging import _query

CASES: list[dict[str, Any]] = [
    {},
    {"expand": "version"},
    {"type": "page", "spaceKey": "DOCS", "expand": "version,space"},
    {"label": ["a b", "ç&d"], "title": "Über / 100% = ?", "status": ["current", "draft"]},
    {"label": []},
    {"label": [], "type": "page"},
    {"labels": ("x", "y"), "n": 3, "flag": True},
    {"nested": [["unhashable"]]},
]


@pytest.mark.parametrize("clean", CASES)
def test_query_is_urlencode_of_filters_then_limit_and_start(clean: dict[str, Any]) -> None:
    for limit, start in ((25, 0), (1, 7), (200, 2**31 - 1)):
        expected = urlencode({**clean, "limit": limit, "start": start}, doseq=True)
        assert _query(clean, limit, start) == expected
        assert _query(clean, limit, start) == expected  # from the cache, the same
