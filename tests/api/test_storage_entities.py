"""A body saved with ids added (re-serialized) keeps the references the client wrote, as
Confluence keeps &nbsp;; readers of the body still see the characters."""

from __future__ import annotations

import re
import uuid

from tests.conftest import Person, create_page


def test_references_are_kept_when_a_macro_gets_its_id(admin: Person, space: dict) -> None:
    word = f"w{uuid.uuid4().hex[:10]}"
    body = (
        f"<p>a&nbsp;b&mdash;c {word}\u00a0d</p>"
        '<ac:structured-macro ac:name="info"><ac:rich-text-body><p>i</p></ac:rich-text-body></ac:structured-macro>'
    )
    page = create_page(admin, space["key"], body=body)

    response = admin.api.get(f"/content/{page['id']}", params={"expand": "body.storage,body.view"})
    assert response.status_code == 200, response.text
    stored = response.json()["body"]["storage"]["value"]
    assert stored.startswith(f"<p>a&nbsp;b&mdash;c {word}\u00a0d</p>")
    macro_id = re.search(r'ac:macro-id="([0-9a-f-]{36})"', stored)
    assert macro_id is not None
    assert stored == body.replace('ac:name="info"', f'ac:name="info" ac:macro-id="{macro_id.group(1)}"')
    assert page["body"]["storage"]["value"] == stored

    view = response.json()["body"]["view"]["value"]
    assert f"a&nbsp;b\u2014c {word}&nbsp;d" in view or f"a\u00a0b\u2014c {word}\u00a0d" in view

    found = admin.api.get("/content/search", params={"cql": f'space = "{space["key"]}" and text ~ "{word}"'})
    assert found.status_code == 200, found.text
    assert [r["id"] for r in found.json()["results"]] == [page["id"]]
