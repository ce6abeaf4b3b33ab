"""Hostile input bodies: nesting deep enough to exhaust a converter's recursion is a 400 naming
storage's depth limit, never an unhandled RecursionError (a 500)."""

from __future__ import annotations

import pytest

from localfluence.xhtml.inputs import storage_for_save, to_storage
from localfluence.xhtml.storage import XhtmlError


@pytest.mark.parametrize(
    ("representation", "value"),
    [
        ("wiki", "h1. " + "*" * 5000),
        ("atlas_doc_format", "[" * 5000 + "]" * 5000),
        (
            "atlas_doc_format",
            '{"type":"doc","content":[' + '{"type":"blockquote","content":[' * 2000 + "]}" * 2000 + "]}",
        ),
        (
            "atlas_doc_format",
            '{"type":"doc","content":[' + '{"type":"blockquote","content":[' * 200 + "]}" * 200 + "]}",
        ),
    ],
)
def test_nesting_too_deep_is_a_bad_request(representation: str, value: str) -> None:
    with pytest.raises(XhtmlError, match="Maximum element depth exceeded"):
        to_storage(value, representation)


def test_storage_for_save_validates_and_gives_macro_ids() -> None:
    with pytest.raises(XhtmlError):
        storage_for_save("<p>open", "storage")
    saved = storage_for_save('<ac:structured-macro ac:name="toc" />', "storage")
    assert 'ac:macro-id="' in saved
    assert storage_for_save("<p>kept</p>", "storage") == "<p>kept</p>"
