"""What a create or an edit leaves behind besides the content row: closure rows, outbox events,
extraction rows. The write path stores these with plain statements; these tests pin what it stores."""

from __future__ import annotations

import json

from sqlalchemy import select

from localfluence.db.session import transaction
from localfluence.models import ContentDigest, ContentLink, ContentMacro, ContentMention, Event, InlineTask
from tests.api.bodies import user_id
from tests.api.metadata_helpers import grant
from tests.conftest import Person, create_page
from tests.server import RunningServer


def edit(person: Person, page: dict, version: int, *, title: str | None = None, body: str | None = None) -> dict:
    payload: dict = {"type": "page", "title": title or page["title"], "version": {"number": version}}
    if body is not None:
        payload["body"] = {"storage": {"value": body, "representation": "storage"}}
    response = person.api.put(f"/content/{page['id']}", json=payload)
    assert response.status_code == 200, response.text
    return response.json()


def events_of(server: RunningServer, page_id: str) -> list[tuple[str, str | None, dict]]:
    with transaction(server.runtime.sessions) as session:
        rows = session.execute(select(Event.type, Event.actor_account_id, Event.payload).order_by(Event.id)).all()
    found = [(kind, actor, json.loads(payload)["content"]) for kind, actor, payload in rows if '"content"' in payload]
    return [item for item in found if item[2] and str(item[2]["id"]) == page_id]


def test_events_name_the_creator_and_the_space_whoever_writes(
    server: RunningServer, admin: Person, alice: Person, space: dict
) -> None:
    grant(server, space["key"], alice, "create", "page")
    page = create_page(admin, space["key"], "Evented")
    edit(alice, page, 2, title="Evented again")
    edit(admin, page, 3, title="Evented again", body="<p>three</p>")
    recorded = events_of(server, page["id"])
    assert [(kind, actor) for kind, actor, _ in recorded] == [
        ("page_created", admin.account_id),
        ("page_updated", alice.account_id),
        ("page_updated", admin.account_id),
    ]
    for _, _, content in recorded:
        assert content["creatorAccountId"] == admin.account_id
        assert content["spaceKey"] == space["key"]
    assert [(c["title"], c["version"]) for _, _, c in recorded] == [
        ("Evented", 1),
        ("Evented again", 2),
        ("Evented again", 3),
    ]


def test_a_page_created_below_a_deep_parent_has_every_ancestor(admin: Person, space: dict) -> None:
    root = create_page(admin, space["key"], "Root")
    middle = create_page(admin, space["key"], "Middle", parent=root["id"])
    low = create_page(admin, space["key"], "Low", parent=middle["id"])
    leaf = create_page(admin, space["key"], "Leaf", parent=low["id"])
    assert [a["title"] for a in leaf["ancestors"]] == ["Root", "Middle", "Low"]
    descendants = admin.api.get(f"/content/{root['id']}/descendant/page", params={"limit": 10}).json()
    assert sorted(r["title"] for r in descendants["results"]) == ["Leaf", "Low", "Middle"]
    top = create_page(admin, space["key"], "Top")
    assert top["ancestors"] == []


def test_an_edit_is_stored_and_returned_as_written(admin: Person, space: dict) -> None:
    page = create_page(admin, space["key"], "Before", body="<p>one</p>")
    returned = edit(admin, page, 2, title="After", body="<p>two</p>")
    assert (returned["title"], returned["version"]["number"]) == ("After", 2)
    stored = admin.api.get(f"/content/{page['id']}", params={"expand": "body.storage,version"}).json()
    assert (stored["title"], stored["version"]["number"]) == ("After", 2)
    assert stored["body"]["storage"]["value"] == "<p>two</p>"
    # The old title is free again, the new one taken.
    create_page(admin, space["key"], "Before")
    taken = admin.api.post("/content", json={"type": "page", "title": "after", "space": {"key": space["key"]}})
    assert taken.status_code == 400 and "already exists" in taken.json()["message"]


def _derived(server: RunningServer, page_id: int) -> tuple[set, set, set, int, str | None]:
    with transaction(server.runtime.sessions) as session:
        links = {
            (link.kind, link.title)
            for link in session.scalars(select(ContentLink).where(ContentLink.content_id == page_id))
        }
        mentions = set(session.scalars(select(ContentMention.user_id).where(ContentMention.content_id == page_id)))
        macros = set(session.scalars(select(ContentMacro.name).where(ContentMacro.content_id == page_id)))
        tasks = len(session.scalars(select(InlineTask.id).where(InlineTask.content_id == page_id)).all())
        digest = session.get(ContentDigest, page_id)
        return links, mentions, macros, tasks, digest.excerpt if digest else None


def test_extraction_follows_every_edit(server: RunningServer, admin: Person, alice: Person, space: dict) -> None:
    rich = (
        f'<p>See <ac:link><ri:page ri:content-title="First"/></ac:link> with '
        f'<ac:link><ri:user ri:account-id="{alice.account_id}"/></ac:link></p><ac:structured-macro ac:name="toc"/>'
        "<ac:task-list><ac:task><ac:task-status>incomplete</ac:task-status>"
        "<ac:task-body>do it</ac:task-body></ac:task></ac:task-list>"
    )
    page = create_page(admin, space["key"], "Derived", body=rich)
    page_id = int(page["id"])
    alice_id = user_id(server, alice.account_id)
    first = ({("page", "First")}, {alice_id}, {"toc"}, 1)
    assert _derived(server, page_id)[:4] == first
    # A title-only edit keeps the same body: nothing derived changes.
    edit(admin, page, 2, title="Derived 2")
    assert _derived(server, page_id)[:4] == first
    # Another body replaces what the earlier one left.
    edit(admin, page, 3, body='<p>Now <ac:link><ri:page ri:content-title="Second"/></ac:link></p>')
    assert _derived(server, page_id) == ({("page", "Second")}, set(), set(), 0, "Now Second")
    # A plain body leaves nothing behind.
    edit(admin, page, 4, body="<p>plain</p>")
    assert _derived(server, page_id) == (set(), set(), set(), 0, "plain")


def test_moving_a_tree_keeps_what_its_bodies_refer_to(server: RunningServer, admin: Person, space: dict) -> None:
    linked = '<p><ac:link><ri:page ri:content-title="Target"/></ac:link></p>'
    parent = create_page(admin, space["key"], "Moving parent", body=linked)
    child = create_page(admin, space["key"], "Moving child", parent=parent["id"], body=linked)
    other = create_page(admin, space["key"], "New home")
    moved = admin.api.put(f"/content/{parent['id']}/move/append/{other['id']}")
    assert moved.status_code == 200, moved.text
    for page in (parent, child):
        assert _derived(server, int(page["id"]))[0] == {("page", "Target")}


def test_new_content_goes_after_its_siblings_and_drafts_take_no_title(admin: Person, space: dict) -> None:
    parent = create_page(admin, space["key"], "Placed parent")
    children = [create_page(admin, space["key"], f"Placed child {i}", parent=parent["id"]) for i in range(3)]
    assert [c["extensions"]["position"] for c in children] == [0, 1, 2]
    roots = [create_page(admin, space["key"], f"Placed root {i}") for i in range(2)]
    assert roots[1]["extensions"]["position"] == roots[0]["extensions"]["position"] + 1
    draft = admin.api.post(
        "/content",
        json={"type": "page", "status": "draft", "title": "Placed parent", "space": {"key": space["key"]}},
    )
    assert draft.status_code == 200, draft.text
    again = admin.api.post("/content", json={"type": "page", "title": "placed PARENT", "space": {"key": space["key"]}})
    assert again.status_code == 400
    assert again.json()["message"] == (
        "A page with this title already exists: A page already exists with the same TITLE in this space"
    )


WRITE_EXPAND = "space,history,version,ancestors,container,body.storage"


def test_an_update_answers_what_a_read_of_it_answers(admin: Person, space: dict) -> None:
    # The update reads and writes the content as rows: what it answers is what is stored.
    parent = create_page(admin, space["key"], "Parent")
    for _ in range(3):
        create_page(admin, space["key"], parent=parent["id"])
    page = create_page(admin, space["key"], "Moved", body="<p>kept</p>")
    steps = [
        {"title": "Renamed", "version": {"number": 2}},  # no body: the stored one stays
        {"title": "Renamed", "version": {"number": 3}, "ancestors": [{"id": parent["id"]}]},
        {"title": "Renamed again", "version": {"number": 4}, "body": {"storage": {"value": "<p>new</p>"}}},
    ]
    for step in steps:
        response = admin.api.put(f"/content/{page['id']}", json={"type": "page", **step})
        assert response.status_code == 200, response.text
        stored = admin.api.get(f"/content/{page['id']}", params={"expand": WRITE_EXPAND})
        assert response.json() == stored.json()
    moved = stored.json()
    assert moved["ancestors"][-1]["id"] == parent["id"]
    # Below its new parent the moved page comes after the three children already there.
    assert moved["extensions"]["position"] > 2
    assert moved["body"]["storage"]["value"] == "<p>new</p>"
