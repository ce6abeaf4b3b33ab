"""v2 footer and inline comments over v1's comment storage: shapes, replies, versions, paging,
resolution and permissions."""

from __future__ import annotations

import httpx
import pytest

from tests.api.attachments_support import uploaded
from tests.api.metadata_helpers import reader_space
from tests.conftest import Person, create_page
from tests.server import RunningServer


def _client(server: RunningServer, person: Person) -> httpx.Client:
    return httpx.Client(base_url=server.url + "/wiki/api/v2", auth=(person.email, person.token), timeout=30)


@pytest.fixture
def v2(server: RunningServer, admin: Person):  # type: ignore[no-untyped-def]
    with _client(server, admin) as client:
        yield client


def _footer(v2: httpx.Client, value: str, **target: str) -> dict:
    made = v2.post("/footer-comments", json={**target, "body": {"representation": "storage", "value": value}})
    assert made.status_code == 201, made.text
    return made.json()


def _all(v2: httpx.Client, path: str, **params: object) -> list[dict]:
    seen: list[dict] = []
    response = v2.get(path, params=params)
    while True:
        assert response.status_code == 200, response.text
        seen += response.json()["results"]
        nxt = response.json()["_links"].get("next")
        if not nxt:
            assert "link" not in response.headers
            return seen
        assert response.headers["link"].startswith(f"<{nxt}>")
        response = v2.get(nxt.removeprefix("/wiki/api/v2"))


def test_footer_comments_and_replies_cross_v1(admin: Person, v2: httpx.Client, space: dict) -> None:
    page = create_page(admin, space["key"], "Commented")
    top = _footer(v2, "<p>first</p>", pageId=page["id"])
    assert top["pageId"] == page["id"] and top["parentCommentId"] is None
    assert top["version"]["number"] == 1 and top["body"]["storage"]["value"] == "<p>first</p>"
    v1 = admin.api.get(f"/content/{top['id']}", params={"expand": "container,extensions"}).json()
    assert v1["type"] == "comment" and v1["container"]["id"] == page["id"]
    assert v1["extensions"]["location"] == "footer"

    reply = _footer(v2, "<p>reply</p>", parentCommentId=top["id"])
    assert reply["pageId"] == page["id"] and reply["parentCommentId"] == top["id"]
    children = v2.get(f"/footer-comments/{top['id']}/children").json()["results"]
    assert [c["id"] for c in children] == [reply["id"]]
    listed = v2.get(f"/pages/{page['id']}/footer-comments", params={"body-format": "storage"}).json()["results"]
    assert [c["id"] for c in listed] == [top["id"]] and listed[0]["body"]["storage"]["value"] == "<p>first</p>"
    assert reply["id"] in {c["id"] for c in _all(v2, "/footer-comments", limit=250)}

    # A comment made in v1 reads in v2.
    v1_comment = admin.api.post(
        "/content",
        json={
            "type": "comment",
            "container": {"id": page["id"], "type": "page"},
            "body": {"storage": {"value": "<p>from v1</p>", "representation": "storage"}},
        },
    ).json()
    got = v2.get(f"/footer-comments/{v1_comment['id']}", params={"body-format": "storage"})
    assert got.status_code == 200 and got.json()["body"]["storage"]["value"] == "<p>from v1</p>"
    assert v2.get(f"/inline-comments/{v1_comment['id']}").status_code == 404


def test_update_versions_and_delete(admin: Person, v2: httpx.Client, space: dict) -> None:
    page = create_page(admin, space["key"], "Edited comments")
    comment = _footer(v2, "<p>one</p>", pageId=page["id"])
    updated = v2.put(
        f"/footer-comments/{comment['id']}",
        json={"version": {"number": 2, "message": "fix"}, "body": {"representation": "storage", "value": "<p>two</p>"}},
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["version"]["number"] == 2 and updated.json()["body"]["storage"]["value"] == "<p>two</p>"
    stale = v2.put(
        f"/footer-comments/{comment['id']}",
        json={"version": {"number": 2}, "body": {"representation": "storage", "value": "<p>late</p>"}},
    )
    assert stale.status_code == 409 and stale.json()["errors"][0]["code"] == "CONFLICT"
    old = v2.get(f"/footer-comments/{comment['id']}", params={"version": 1, "body-format": "storage"}).json()
    assert old["body"]["storage"]["value"] == "<p>one</p>"
    assert admin.api.get(f"/content/{comment['id']}").json()["version"]["number"] == 2
    assert v2.put(f"/footer-comments/{comment['id']}", json={"body": {"storage": {"value": "x"}}}).status_code == 400

    assert v2.delete(f"/footer-comments/{comment['id']}").status_code == 204
    assert v2.get(f"/footer-comments/{comment['id']}").status_code == 404


def test_inline_comments_resolve_and_filter(admin: Person, v2: httpx.Client, space: dict) -> None:
    post = create_page(admin, space["key"], "Inline post", type="blogpost", body="<p>a fine word</p>")
    made = v2.post(
        "/inline-comments",
        json={
            "blogPostId": post["id"],
            "body": {"storage": {"representation": "storage", "value": "<p>on word</p>"}},
            "inlineCommentProperties": {"textSelection": "word", "textSelectionMatchCount": 1},
        },
    )
    assert made.status_code == 201, made.text
    inline = made.json()
    assert inline["blogPostId"] == post["id"] and inline["resolutionStatus"] == "open"
    assert inline["properties"]["inlineOriginalSelection"] == "word" and inline["properties"]["inlineMarkerRef"]
    v1 = admin.api.get(f"/content/{inline['id']}", params={"expand": "extensions.inlineProperties"}).json()
    assert v1["extensions"]["location"] == "inline"
    assert v1["extensions"]["inlineProperties"]["originalSelection"] == "word"

    no_anchor = {"blogPostId": post["id"], "body": {"representation": "storage", "value": "<p>x</p>"}}
    assert v2.post("/inline-comments", json=no_anchor).status_code == 400
    reply = v2.post(
        "/inline-comments",
        json={"parentCommentId": inline["id"], "body": {"representation": "storage", "value": "<p>agreed</p>"}},
    )
    assert reply.status_code == 201 and reply.json()["parentCommentId"] == inline["id"]
    assert [c["id"] for c in v2.get(f"/inline-comments/{inline['id']}/children").json()["results"]] == [
        reply.json()["id"]
    ]
    footer_reply = {"parentCommentId": inline["id"], "body": {"representation": "storage", "value": "<p>x</p>"}}
    assert v2.post("/footer-comments", json=footer_reply).status_code == 404

    resolved = v2.put(f"/inline-comments/{inline['id']}", json={"version": {"number": 2}, "resolved": True})
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["resolutionStatus"] == "resolved"
    assert resolved.json()["resolutionLastModifierId"] == admin.account_id
    path = f"/blogposts/{post['id']}/inline-comments"
    assert [c["id"] for c in v2.get(path, params={"resolution-status": "resolved"}).json()["results"]] == [inline["id"]]
    assert v2.get(path, params={"resolution-status": "open"}).json()["results"] == []
    assert v2.get(path, params={"resolution-status": "maybe"}).status_code == 400
    reopened = v2.put(f"/inline-comments/{inline['id']}", json={"version": {"number": 3}, "resolved": False})
    assert reopened.json()["resolutionStatus"] == "reopened"
    assert v2.get(f"/blogposts/{post['id']}/footer-comments").json()["results"] == []
    assert inline["id"] in {c["id"] for c in _all(v2, "/inline-comments", limit=250)}


def test_paging_sorting_and_bad_input(admin: Person, v2: httpx.Client, space: dict) -> None:
    page = create_page(admin, space["key"], "Many comments")
    made = [_footer(v2, f"<p>{i}</p>", pageId=page["id"])["id"] for i in range(7)]
    path = f"/pages/{page['id']}/footer-comments"
    assert [c["id"] for c in _all(v2, path, limit=3)] == made
    assert [c["id"] for c in _all(v2, path, limit=2, sort="-created-date")] == made[::-1]
    for params in ({"cursor": "junk"}, {"sort": "sideways"}, {"limit": 0}, {"body-format": "wiki"}):
        response = v2.get(path, params=params)
        assert response.status_code == 400, (params, response.text)
        assert response.json()["errors"][0]["status"] == 400
    two_targets = {"pageId": page["id"], "blogPostId": page["id"], "body": {"representation": "storage", "value": "x"}}
    assert v2.post("/footer-comments", json=two_targets).status_code == 400
    wrong_type = {"blogPostId": page["id"], "body": {"representation": "storage", "value": "<p>x</p>"}}
    assert v2.post("/footer-comments", json=wrong_type).status_code == 404
    assert v2.get("/footer-comments/not-a-number").status_code in (400, 404)


def test_visibility_and_permissions(
    server: RunningServer, admin: Person, alice: Person, bob: Person, anonymous: httpx.Client
) -> None:
    readable = reader_space(server, admin, alice)
    page = create_page(admin, readable["key"], "Reader's page")
    with _client(server, admin) as v2:
        comment = _footer(v2, "<p>admin says</p>", pageId=page["id"])
    with _client(server, alice) as v2:
        assert v2.get(f"/footer-comments/{comment['id']}").status_code == 200
        refused = v2.post(
            "/footer-comments", json={"pageId": page["id"], "body": {"representation": "storage", "value": "<p>x</p>"}}
        )
        assert refused.status_code == 403 and refused.json()["errors"][0]["code"] == "PERMISSION_DENIED"
        edit = {"version": {"number": 2}, "body": {"representation": "storage", "value": "<p>mine</p>"}}
        assert v2.put(f"/footer-comments/{comment['id']}", json=edit).status_code == 403
        assert v2.delete(f"/footer-comments/{comment['id']}").status_code == 403
    with _client(server, bob) as v2:
        assert v2.get(f"/footer-comments/{comment['id']}").status_code == 404
        assert v2.get(f"/pages/{page['id']}/footer-comments").status_code == 404
        assert comment["id"] not in {c["id"] for c in _all(v2, "/footer-comments", limit=250)}


def test_comments_on_attachments_and_custom_content(admin: Person, v2: httpx.Client, space: dict) -> None:
    page = create_page(admin, space["key"], "Has a file")
    attachment = uploaded(admin.api, page["id"])
    on_file = _footer(v2, "<p>nice file</p>", attachmentId=attachment["id"])
    assert on_file["attachmentId"] == attachment["id"] and "pageId" not in on_file
    listed = v2.get(f"/attachments/{attachment['id']}/footer-comments").json()["results"]
    assert [c["id"] for c in listed] == [on_file["id"]]
    assert v2.get(f"/attachments/{page['id']}/footer-comments").status_code == 404

    custom = v2.post(
        "/custom-content",
        json={
            "type": "ac:app:note",
            "spaceId": str(space["id"]),
            "title": "N",
            "body": {"value": "x", "representation": "raw"},
        },
    ).json()
    on_custom = _footer(v2, "<p>on custom</p>", customContentId=custom["id"])
    assert on_custom["customContentId"] == custom["id"]
    listed = v2.get(f"/custom-content/{custom['id']}/footer-comments").json()["results"]
    assert [c["id"] for c in listed] == [on_custom["id"]]


def test_include_flags(admin: Person, v2: httpx.Client, space: dict) -> None:
    page = create_page(admin, space["key"], "Flags")
    comment = _footer(v2, "<p>one</p>", pageId=page["id"])
    v2.put(
        f"/footer-comments/{comment['id']}",
        json={"version": {"number": 2}, "body": {"representation": "storage", "value": "<p>two</p>"}},
    )
    assert v2.post(f"/comments/{comment['id']}/properties", json={"key": "k", "value": 1}).status_code == 200
    got = v2.get(
        f"/footer-comments/{comment['id']}",
        params={
            "include-properties": "true",
            "include-operations": "true",
            "include-versions": "true",
            "include-version": "false",
        },
    ).json()
    assert [p["key"] for p in got["properties"]["results"]] == ["k"]
    assert {"operation": "update", "targetType": "comment"} in got["operations"]["results"]
    assert [v["number"] for v in got["versions"]["results"]] == [2, 1]
    assert "version" not in got
