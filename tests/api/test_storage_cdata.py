"""A code block's CDATA body is stored as written when saving re-serializes the body (to give a
macro its id or a task its id): references in it are text, not entities."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from localfluence.db.session import transaction
from localfluence.models import SearchDocument
from tests.conftest import Person, create_page
from tests.server import RunningServer

CODE = "<p>a&nbsp;b &amp; &lt;c&gt; &#160; &unknown; &{word}; {word}</p>\n<!DOCTYPE html>"


def _storage(code: str) -> str:
    return (
        "<p>x&nbsp;y</p>"
        '<ac:structured-macro ac:name="code"><ac:plain-text-body><![CDATA['
        f"{code}]]></ac:plain-text-body></ac:structured-macro>"
        "<ac:task-list><ac:task><ac:task-status>incomplete</ac:task-status>"
        "<ac:task-body>do it</ac:task-body></ac:task></ac:task-list>"
    )


def _stored(person: Person, page_id: str) -> str:
    response = person.api.get(f"/content/{page_id}", params={"expand": "body.storage"})
    assert response.status_code == 200, response.text
    return response.json()["body"]["storage"]["value"]


def _found(person: Person, space_key: str, word: str) -> list[str]:
    response = person.api.get("/content/search", params={"cql": f'space = "{space_key}" and text ~ "{word}"'})
    assert response.status_code == 200, response.text
    return [r["id"] for r in response.json()["results"]]


def _indexed(server: RunningServer, page_id: str) -> str:
    with transaction(server.runtime.sessions) as session:
        return session.execute(
            select(SearchDocument.body).where(SearchDocument.content_id == int(page_id))
        ).scalar_one()


def test_cdata_is_stored_byte_for_byte_when_ids_are_added(server: RunningServer, admin: Person, space: dict) -> None:
    word = f"w{uuid.uuid4().hex[:10]}"
    code = CODE.format(word=word)
    page = create_page(admin, space["key"], body=_storage(code))
    stored = _stored(admin, page["id"])
    assert "ac:macro-id=" in stored and "<ac:task-id>" in stored  # re-serialized on save
    assert f"<![CDATA[{code}]]>" in stored
    assert page["body"]["storage"]["value"] == stored
    # The index reads the literal text, not characters or blanks for the references.
    assert f"a&nbsp;b &amp; &lt;c&gt; &#160; &unknown; &{word}; {word}" in _indexed(server, page["id"])
    assert _found(admin, space["key"], word) == [page["id"]]

    edited = code.replace("a&nbsp;b", "a&nbsp;&nbsp;b")
    response = admin.api.put(
        f"/content/{page['id']}",
        json={
            "type": "page",
            "title": page["title"],
            "version": {"number": 2},
            "body": {"storage": {"value": _storage(edited), "representation": "storage"}},
        },
    )
    assert response.status_code == 200, response.text
    assert f"<![CDATA[{edited}]]>" in _stored(admin, page["id"])


def test_references_outside_cdata_are_refused_as_before(admin: Person, space: dict) -> None:
    response = admin.api.post(
        "/content",
        json={
            "type": "page",
            "title": f"Page {uuid.uuid4().hex[:8]}",
            "space": {"key": space["key"]},
            "body": {"storage": {"value": _storage("&unknown;") + "<p>&unknown;</p>", "representation": "storage"}},
        },
    )
    assert response.status_code == 400
    assert 'Undeclared general entity \\"unknown\\"' in response.text
