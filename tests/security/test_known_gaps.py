"""Leaks found in review, fixed where they arose, pinned here so they stay fixed."""

from __future__ import annotations

from tests.conftest import Person, create_page


def test_a_draft_title_does_not_leak_through_its_children(alice: Person, bob: Person, space: dict) -> None:
    title = "Alice's unpublished draft"
    draft = create_page(alice, space["key"], title, status="draft")
    child = alice.api.post(
        "/content",
        json={
            "type": "page",
            "title": "Published below a draft",
            "space": {"key": space["key"]},
            "ancestors": [{"id": draft["id"]}],
        },
    )
    comment = alice.api.post(
        "/content",
        json={
            "type": "comment",
            "container": {"id": draft["id"], "type": "page"},
            "body": {"storage": {"value": "<p>note</p>", "representation": "storage"}},
        },
    )
    seen = []
    if child.status_code == 200:
        seen.append(bob.api.get(f"/content/{child.json()['id']}", params={"expand": "ancestors"}).text)
    if comment.status_code == 200:
        seen.append(bob.api.get(f"/content/{comment.json()['id']}", params={"expand": "container"}).text)
    assert not any(title in text for text in seen)
    # Published content cannot hang below a draft at all: the draft is "not found" to it.
    assert child.status_code == 404 and comment.status_code == 404
