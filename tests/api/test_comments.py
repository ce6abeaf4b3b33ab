"""Comments: footer, replies, inline comments, and the comment listing."""

from __future__ import annotations

import httpx

from tests.api.metadata_helpers import private_space
from tests.conftest import Person


def _page(person: Person, space_key: str) -> dict:
    response = person.api.post(
        "/content",
        json={"type": "page", "title": f"Commented {id(person)}-{space_key}", "space": {"key": space_key}},
    )
    assert response.status_code == 200, response.text
    return response.json()


def comment(person: Person, container_id: str, text: str, *, parent: str | None = None, **extra: object) -> dict:
    payload: dict = {
        "type": "comment",
        "container": {"id": container_id, "type": "page", "status": "current"},
        "body": {"storage": {"value": f"<p>{text}</p>", "representation": "storage"}},
        **extra,
    }
    if parent:
        payload["ancestors"] = [{"id": parent}]
    response = person.api.post("/content", json=payload)
    assert response.status_code == 200, response.text
    return response.json()


def test_footer_comments_and_replies(admin: Person, alice: Person, space: dict) -> None:
    page = _page(admin, space["key"])
    first = comment(alice, page["id"], "First")
    second = comment(admin, page["id"], "Second")
    reply = comment(admin, page["id"], "Reply", parent=first["id"])
    assert first["extensions"]["location"] == "footer"
    assert reply["extensions"]["location"] == "footer"
    assert reply["container"]["id"] == page["id"]

    top = admin.api.get(f"/content/{page['id']}/child/comment").json()
    assert [c["id"] for c in top["results"]] == [first["id"], second["id"]]
    every = admin.api.get(f"/content/{page['id']}/child/comment", params={"depth": "all"}).json()
    assert [c["id"] for c in every["results"]] == [first["id"], second["id"], reply["id"]]
    expanded = admin.api.get(
        f"/content/{page['id']}/child/comment",
        params={"expand": "body.storage,version,container,ancestors", "depth": "all"},
    ).json()
    by_id = {c["id"]: c for c in expanded["results"]}
    assert by_id[reply["id"]]["body"]["storage"]["value"] == "<p>Reply</p>"
    assert by_id[first["id"]]["version"]["by"]["accountId"] == alice.account_id
    assert [a["id"] for a in by_id[reply["id"]]["ancestors"]][-1] == first["id"]
    paged = admin.api.get(f"/content/{page['id']}/child/comment", params={"limit": 1, "depth": "all"}).json()
    assert paged["size"] == 1 and "next" in paged["_links"] and "depth=all" in paged["_links"]["next"]
    assert admin.api.get(f"/content/{page['id']}/child/comment", params={"parentVersion": 1}).json()["size"] == 2


def test_comments_are_editable_and_deletable(admin: Person, space: dict) -> None:
    page = _page(admin, space["key"])
    note = comment(admin, page["id"], "Draft wording")
    updated = admin.api.put(
        f"/content/{note['id']}",
        json={
            "version": {"number": 2},
            "type": "comment",
            "title": "",
            "body": {"storage": {"value": "<p>Better wording</p>", "representation": "storage"}},
        },
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["version"]["number"] == 2
    assert admin.api.get(f"/content/{note['id']}/version").json()["size"] == 2
    assert admin.api.delete(f"/content/{note['id']}").status_code == 204
    assert admin.api.get(f"/content/{page['id']}/child/comment").json()["size"] == 0


def test_inline_comments(admin: Person, space: dict) -> None:
    page = _page(admin, space["key"])
    inline = comment(
        admin,
        page["id"],
        "About this word",
        extensions={"location": "inline", "inlineProperties": {"markerRef": "abc-123", "originalSelection": "word"}},
    )
    footer = comment(admin, page["id"], "General remark")
    reply = comment(admin, page["id"], "Agreed", parent=inline["id"])
    assert inline["extensions"]["location"] == "inline"
    assert set(inline["extensions"]["_expandable"]) == {"inlineProperties", "resolution"}
    assert reply["extensions"]["location"] == "inline"

    inline_only = admin.api.get(
        f"/content/{page['id']}/child/comment",
        params={"location": "inline", "expand": "extensions.inlineProperties,extensions.resolution"},
    ).json()
    assert [c["id"] for c in inline_only["results"]] == [inline["id"]]
    extensions = inline_only["results"][0]["extensions"]
    assert extensions["inlineProperties"] == {"markerRef": "abc-123", "originalSelection": "word"}
    assert extensions["resolution"]["status"] == "open"
    footer_only = admin.api.get(f"/content/{page['id']}/child/comment", params={"location": "footer"}).json()
    assert [c["id"] for c in footer_only["results"]] == [footer["id"]]
    both = admin.api.get(
        f"/content/{page['id']}/child/comment", params=[("location", "inline"), ("location", "footer")]
    ).json()
    assert both["size"] == 2
    assert admin.api.get(f"/content/{page['id']}/child/comment", params={"location": "resolved"}).json()["size"] == 0
    single = admin.api.get(f"/content/{inline['id']}", params={"expand": "extensions.inlineProperties"}).json()
    assert single["extensions"]["inlineProperties"]["markerRef"] == "abc-123"


def test_children_comment_expansion(admin: Person, space: dict) -> None:
    page = _page(admin, space["key"])
    first = comment(admin, page["id"], "One")
    comment(admin, page["id"], "Nested", parent=first["id"])
    body = admin.api.get(f"/content/{page['id']}", params={"expand": "children.comment"}).json()
    assert [c["id"] for c in body["children"]["comment"]["results"]] == [first["id"]]


def test_bad_input_and_visibility(admin: Person, bob: Person, space: dict, anonymous: httpx.Client) -> None:
    page = _page(admin, space["key"])
    base = f"/content/{page['id']}/child/comment"
    assert admin.api.get(base, params={"location": "sidebar"}).status_code == 400
    assert admin.api.get(base, params={"depth": "7"}).status_code == 400
    assert admin.api.get(base, params={"parentVersion": -1}).status_code == 400
    bad = admin.api.post(
        "/content",
        json={
            "type": "comment",
            "container": {"id": page["id"], "type": "page"},
            "body": {"storage": {"value": "<p>x</p>", "representation": "storage"}},
            "extensions": {"location": "margin"},
        },
    )
    assert bad.status_code == 400
    assert admin.api.get(base).json()["size"] == 0
    assert admin.api.get("/content/999999999/child/comment").status_code == 404
    hidden = _page(admin, private_space(admin)["key"])
    comment(admin, hidden["id"], "Secret")
    assert bob.api.get(f"/content/{hidden['id']}/child/comment").status_code == 404
    assert anonymous.get(f"/content/{hidden['id']}/child/comment").status_code == 404


def test_resolving_an_inline_comment(admin: Person, space: dict) -> None:
    page = _page(admin, space["key"])
    inline = comment(
        admin, page["id"], "Typo here", extensions={"location": "inline", "inlineProperties": {"markerRef": "m1"}}
    )

    def update(number: int, resolution: object) -> httpx.Response:
        return admin.api.put(
            f"/content/{inline['id']}",
            json={
                "version": {"number": number},
                "type": "comment",
                "title": "",
                "extensions": {"resolution": resolution},
            },
        )

    assert update(2, {"status": "closed"}).status_code == 400
    assert admin.api.get(f"/content/{inline['id']}").json()["version"]["number"] == 1
    assert update(2, {"status": "resolved"}).status_code == 200
    resolved = admin.api.get(
        f"/content/{page['id']}/child/comment", params={"location": "resolved", "expand": "extensions.resolution"}
    ).json()
    assert [c["id"] for c in resolved["results"]] == [inline["id"]]
    resolution = resolved["results"][0]["extensions"]["resolution"]
    assert resolution["status"] == "resolved" and resolution["lastModifier"]["accountId"] == admin.account_id
    assert update(3, "reopened").status_code == 200
    assert admin.api.get(f"/content/{page['id']}/child/comment", params={"location": "resolved"}).json()["size"] == 0
