"""atlassian-python-api against the server: wiki conversion and wiki page creation, as its users
call them (convert_wiki_to_storage, convert_storage_to_view, create_page(representation="wiki"))."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from atlassian import Confluence

from tests.conftest import Person
from tests.server import RunningServer


@pytest.fixture
def confluence(server: RunningServer, admin: Person) -> Iterator[Confluence]:
    client = Confluence(url=server.url, username=admin.email, password=admin.token, cloud=False)
    yield client
    client.close()


def test_convert_wiki_to_storage(confluence: Confluence) -> None:
    converted = confluence.convert_wiki_to_storage("h1. Title\n||a||b||\n|1|2|\n{code:python}\nx = 1\n{code}")
    assert converted["representation"] == "storage"
    value = converted["value"]
    assert value.startswith("<h1>Title</h1><table><tbody><tr><th>a</th><th>b</th></tr>")
    assert '<ac:structured-macro ac:name="code"' in value
    assert "<![CDATA[x = 1]]>" in value


def test_convert_storage_to_view(confluence: Confluence) -> None:
    converted = confluence.convert_storage_to_view("<p><strong>x</strong><script>bad()</script></p>")
    assert converted["value"] == "<p><strong>x</strong></p>"


def test_create_page_from_wiki_markup(confluence: Confluence, space: dict) -> None:
    title = f"Wiki page {uuid.uuid4().hex[:6]}"
    created = confluence.create_page(space["key"], title, "h2. Hello\n* one\n* two\n\n(/) done", representation="wiki")
    page = confluence.get_page_by_id(created["id"], expand="body.storage,body.view")
    storage = page["body"]["storage"]["value"]
    assert storage.startswith("<h2>Hello</h2><ul><li>one</li><li>two</li></ul>")
    assert '<ac:emoticon ac:name="tick" />' in storage
    assert "\u2705" in page["body"]["view"]["value"]
