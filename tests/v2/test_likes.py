"""v2 likes: the "like" relation from users to content, counted and listed."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import Person, create_page, make_person
from tests.server import RunningServer
from tests.v2.support import comment, v2_client, walk


@pytest.fixture
def v2(server: RunningServer, admin: Person):  # type: ignore[no-untyped-def]
    with v2_client(server, admin) as client:
        yield client


def _like(person: Person, content_id: str) -> None:
    response = person.api.put(f"/relation/like/from/user/{person.account_id}/to/content/{content_id}")
    assert response.status_code == 200, response.text


def test_likes_counted_and_listed(v2: httpx.Client, server: RunningServer, admin: Person, space: dict) -> None:
    page = create_page(admin, space["key"], "Liked")
    fans = [make_person(server, f"Fan {i}") for i in range(3)]
    try:
        for fan in fans:
            _like(fan, page["id"])
        assert v2.get(f"/pages/{page['id']}/likes/count").json() == {"count": 3}
        users = walk(v2, f"/pages/{page['id']}/likes/users", {"limit": 2})
        assert [u["accountId"] for u in users] == [f.account_id for f in fans]
    finally:
        for fan in fans:
            fan.close()
    post = create_page(admin, space["key"], "Post", type="blogpost")
    assert v2.get(f"/blogposts/{post['id']}/likes/count").json() == {"count": 0}
    assert walk(v2, f"/blogposts/{post['id']}/likes/users") == []
    footer = comment(admin, page["id"], "f")
    inline = comment(admin, page["id"], "i", inline=True)
    _like(admin, footer["id"])
    assert v2.get(f"/footer-comments/{footer['id']}/likes/count").json() == {"count": 1}
    assert walk(v2, f"/footer-comments/{footer['id']}/likes/users") == [{"accountId": admin.account_id}]
    assert v2.get(f"/inline-comments/{inline['id']}/likes/count").json() == {"count": 0}
    assert walk(v2, f"/inline-comments/{inline['id']}/likes/users") == []
    assert v2.get(f"/inline-comments/{footer['id']}/likes/count").status_code == 404
    assert v2.get(f"/pages/{post['id']}/likes/count").status_code == 404
    assert v2.get(f"/pages/{page['id']}/likes/users", params={"cursor": "bad"}).status_code == 400


def test_likes_of_invisible_content(server: RunningServer, admin: Person, alice: Person) -> None:
    import uuid

    key = "LK" + uuid.uuid4().hex[:6].upper()
    admin.api.post("/space/_private", json={"key": key, "name": "Private"})
    page = create_page(admin, key, "Secret")
    with v2_client(server, alice) as as_alice:
        assert as_alice.get(f"/pages/{page['id']}/likes/count").status_code == 404
        assert as_alice.get(f"/pages/{page['id']}/likes/users").status_code == 404
