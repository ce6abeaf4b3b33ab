"""kit/jsonresponse.py: the short way builds the response Starlette's general one builds."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from starlette.responses import Response

from localfluence.kit.jsonresponse import JSON


class General(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


@pytest.mark.parametrize(
    "content, kwargs",
    [
        ({"state": "RUNNING"}, {}),
        ({"results": [], "size": 0}, {"status_code": 201}),
        (None, {"status_code": 204}),
        ({"message": "x"}, {"status_code": 401, "headers": {"WWW-Authenticate": 'Basic realm="x"'}}),
        ({"a": "é"}, {"status_code": 404}),
    ],
)
def test_same_response_as_the_general_way(content: Any, kwargs: dict[str, Any]) -> None:
    ours, theirs = JSON(content, **kwargs), General(content, **kwargs)
    assert (ours.status_code, ours.body, ours.raw_headers, ours.background) == (
        theirs.status_code,
        theirs.body,
        theirs.raw_headers,
        theirs.background,
    )
    assert dict(ours.headers) == dict(theirs.headers)
