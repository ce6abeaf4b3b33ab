"""Content (tag "Content"): create, read, update, titles, drafts, trash, restore, purge, blog posts."""

from __future__ import annotations

import datetime

from localfluence.db.session import transaction
from localfluence.kit.clock import clock
from localfluence.models import ContentVersion
from tests.api.pages import assert_error, get, ids, titles, update, updated
from tests.api.shapes import assert_shape
from tests.conftest import Person, create_page, unique_key
from tests.server import RunningServer
from tests.tasks import wait_for_task

# --- create and read -------------------------------------------------------------------------


def test_create_page_answers_with_the_new_content(admin: Person, space: dict) -> None:
    page = create_page(admin, space["key"], "Release notes", body="<p>First</p>")
    assert_shape(page, "Content")
    assert page["id"].isdigit()
    assert (page["type"], page["status"], page["title"]) == ("page", "current", "Release notes")
    assert page["space"]["key"] == space["key"]
    assert page["version"]["number"] == 1
    assert page["version"]["by"]["accountId"] == admin.account_id
    assert page["history"]["latest"] is True
    assert page["history"]["createdBy"]["accountId"] == admin.account_id
    assert page["body"]["storage"] == {
        "value": "<p>First</p>",
        "representation": "storage",
        "embeddedContent": [],
        "_expandable": page["body"]["storage"]["_expandable"],
    }
    assert page["ancestors"] == []
    assert page["container"]["key"] == space["key"]
    links = page["_links"]
    assert links["base"].endswith("/wiki") and links["context"] == "/wiki"
    assert links["self"] == f"{links['base']}/rest/api/content/{page['id']}"
    assert links["webui"] == f"/spaces/{space['key']}/pages/{page['id']}/Release+notes"
    assert links["tinyui"].startswith("/x/")
    assert links["collection"] == "/rest/api/content"


def test_get_content_applies_default_expansions(admin: Person, space: dict) -> None:
    page = create_page(admin, space["key"])
    body = get(admin, page["id"])
    assert_shape(body, "Content")
    for name in ("space", "history", "version"):
        assert name in body and name not in body["_expandable"]
    for name in ("body", "ancestors", "children", "descendants", "container", "metadata", "operations"):
        assert name not in body and name in body["_expandable"]
    assert body["_expandable"]["children"] == f"/rest/api/content/{page['id']}/child"
    assert body["history"]["ownedBy"]["accountId"] == admin.account_id
    assert body["version"]["_links"]["self"].endswith(f"/rest/api/content/{page['id']}/version/1")


def test_an_explicit_expand_replaces_the_defaults(admin: Person, space: dict) -> None:
    page = create_page(admin, space["key"], body="<p>x</p>")
    body = get(admin, page["id"], expand="body.storage")
    assert body["body"]["storage"]["value"] == "<p>x</p>"
    assert "version" not in body and "version" in body["_expandable"]
    assert "space" not in body and body["_expandable"]["space"] == f"/rest/api/space/{space['key']}"


def test_page_with_parent_has_ancestors_root_first(admin: Person, space: dict) -> None:
    top = create_page(admin, space["key"], "Top")
    middle = create_page(admin, space["key"], "Middle", parent=top["id"])
    leaf = create_page(admin, space["key"], "Leaf", parent=middle["id"])
    assert [a["id"] for a in leaf["ancestors"]] == [top["id"], middle["id"]]
    body = get(admin, leaf["id"], expand="ancestors")
    assert [a["title"] for a in body["ancestors"]] == ["Top", "Middle"]
    assert all("_links" in a and "_expandable" in a for a in body["ancestors"])


def test_created_pages_take_the_next_position_among_their_siblings(admin: Person, space: dict) -> None:
    parent = create_page(admin, space["key"])
    first = create_page(admin, space["key"], parent=parent["id"])
    second = create_page(admin, space["key"], parent=parent["id"])
    assert first["extensions"]["position"] < second["extensions"]["position"]


def test_create_needs_a_known_space_and_parent(admin: Person, space: dict) -> None:
    payload = {"type": "page", "title": "x", "space": {"key": "NOSUCHSPACE"}}
    assert_error(admin.api.post("/content", json=payload), 403)
    payload = {"type": "page", "title": "x", "space": {"key": space["key"]}, "ancestors": [{"id": "999999999"}]}
    assert_error(admin.api.post("/content", json=payload), 404)


def test_parent_must_be_in_the_same_space(admin: Person, space: dict) -> None:
    other = admin.api.post("/space", json={"key": unique_key(), "name": "Other"}).json()
    parent = create_page(admin, other["key"])
    payload = {"type": "page", "title": "x", "space": {"key": space["key"]}, "ancestors": [{"id": parent["id"]}]}
    assert_error(admin.api.post("/content", json=payload), 400)


def test_create_accepts_numeric_ancestor_ids(admin: Person, space: dict) -> None:
    parent = create_page(admin, space["key"])
    payload = {
        "type": "page",
        "title": "Child",
        "space": {"key": space["key"]},
        "ancestors": [{"id": int(parent["id"])}],
    }
    response = admin.api.post("/content", json=payload)
    assert response.status_code == 200, response.text
    assert response.json()["ancestors"][-1]["id"] == parent["id"]


def test_create_without_body_stores_an_empty_body(admin: Person, space: dict) -> None:
    response = admin.api.post("/content", json={"type": "page", "title": "Empty", "space": {"key": space["key"]}})
    assert response.status_code == 200, response.text
    body = get(admin, response.json()["id"], expand="body.storage")
    assert body["body"]["storage"]["value"] == ""


def test_wiki_bodies_are_stored_as_storage_and_rendered_ones_refused(admin: Person, space: dict) -> None:
    payload = {
        "type": "page",
        "title": "Wiki",
        "space": {"key": space["key"]},
        "body": {"wiki": {"value": "h1. Hello", "representation": "wiki"}},
    }
    created = admin.api.post("/content", json=payload)
    assert created.status_code == 200, created.text
    assert "<h1>Hello</h1>" in get(admin, created.json()["id"], expand="body.storage")["body"]["storage"]["value"]
    payload["title"] = "View"
    payload["body"] = {"view": {"value": "<p>x</p>", "representation": "view"}}
    assert_error(admin.api.post("/content", json=payload), 400)


def test_labels_may_ride_along_on_create(admin: Person, space: dict) -> None:
    page = create_page(admin, space["key"], metadata={"labels": [{"prefix": "global", "name": "Alpha"}]})
    body = get(admin, page["id"], expand="metadata.labels")
    assert [label["name"] for label in body["metadata"]["labels"]["results"]] == ["alpha"]


# --- update ----------------------------------------------------------------------------------


def test_update_stores_a_new_version(admin: Person, space: dict) -> None:
    page = create_page(admin, space["key"], "Before", body="<p>one</p>")
    response = admin.api.put(
        f"/content/{page['id']}",
        json={
            "type": "page",
            "title": "After",
            "version": {"number": 2, "message": "why"},
            "body": {"storage": {"value": "<p>two</p>", "representation": "storage"}},
        },
    )
    assert response.status_code == 200, response.text
    after = response.json()
    assert_shape(after, "Content")
    assert (after["title"], after["version"]["number"], after["version"]["message"]) == ("After", 2, "why")
    assert after["body"]["storage"]["value"] == "<p>two</p>"
    again = get(admin, page["id"], expand="body.storage,version,history.previousVersion,history.lastUpdated")
    assert again["body"]["storage"]["value"] == "<p>two</p>"
    assert again["history"]["previousVersion"]["number"] == 1
    assert again["history"]["lastUpdated"]["number"] == 2


def test_minor_edit_is_recorded_on_the_version(admin: Person, space: dict) -> None:
    page = create_page(admin, space["key"])
    response = admin.api.put(
        f"/content/{page['id']}",
        json={"type": "page", "title": page["title"], "version": {"number": 2, "minorEdit": True}},
    )
    assert response.status_code == 200, response.text
    assert response.json()["version"]["minorEdit"] is True


def test_update_without_body_keeps_the_body(admin: Person, space: dict) -> None:
    page = create_page(admin, space["key"], body="<p>kept</p>")
    updated(admin, page, title="Renamed")
    assert get(admin, page["id"], expand="body.storage")["body"]["storage"]["value"] == "<p>kept</p>"


def test_stale_version_is_a_409_with_confluences_message(admin: Person, space: dict) -> None:
    page = create_page(admin, space["key"], body="<p>one</p>")
    page = updated(admin, page, body="<p>two</p>")
    for number in (1, 2, 5):
        body = assert_error(update(admin, page, version=number, body="<p>lost</p>"), 409)
        assert body["message"] == "Version must be incremented on update. Current version is: 2"
    after = get(admin, page["id"], expand="body.storage,version")
    assert (after["version"]["number"], after["body"]["storage"]["value"]) == (2, "<p>two</p>")


def test_update_needs_version_type_and_title(admin: Person, space: dict) -> None:
    page = create_page(admin, space["key"])
    path = f"/content/{page['id']}"
    assert_error(admin.api.put(path, json={"type": "page", "title": "x"}), 400)
    assert_error(admin.api.put(path, json={"version": {"number": 2}, "title": "x"}), 400)
    assert_error(admin.api.put(path, json={"type": "page", "version": {"number": 2}}), 400)
    assert_error(admin.api.put(path, json={"type": "blogpost", "title": "x", "version": {"number": 2}}), 400)


def test_update_without_ancestors_keeps_the_parent(admin: Person, space: dict) -> None:
    parent = create_page(admin, space["key"])
    child = create_page(admin, space["key"], parent=parent["id"])
    after = updated(admin, child, title="Renamed child")
    assert after["ancestors"][-1]["id"] == parent["id"]


def test_update_with_ancestors_moves_the_page_and_its_subtree(admin: Person, space: dict) -> None:
    a = create_page(admin, space["key"], "A")
    b = create_page(admin, space["key"], "B")
    child = create_page(admin, space["key"], "Child", parent=a["id"])
    grandchild = create_page(admin, space["key"], "Grandchild", parent=child["id"])
    updated(admin, child, ancestors=[{"id": b["id"]}])
    assert [x["title"] for x in get(admin, grandchild["id"], expand="ancestors")["ancestors"]] == ["B", "Child"]
    assert admin.api.get(f"/content/{a['id']}/child/page").json()["size"] == 0
    assert titles(admin.api.get(f"/content/{b['id']}/descendant/page").json()) == ["Child", "Grandchild"]


def test_a_page_cannot_become_its_own_descendant(admin: Person, space: dict) -> None:
    parent = create_page(admin, space["key"])
    child = create_page(admin, space["key"], parent=parent["id"])
    assert_error(update(admin, parent, ancestors=[{"id": child["id"]}]), 400)
    assert_error(update(admin, parent, ancestors=[{"id": parent["id"]}]), 400)


def test_conflict_policy_other_than_abort_is_refused(admin: Person, space: dict) -> None:
    page = create_page(admin, space["key"])
    payload = {"type": "page", "title": page["title"], "version": {"number": 2}}
    response = admin.api.put(f"/content/{page['id']}", params={"conflictPolicy": "overwrite"}, json=payload)
    assert_error(response, 400)


def test_labels_on_update_replace_the_set(admin: Person, space: dict) -> None:
    page = create_page(admin, space["key"], metadata={"labels": [{"name": "old"}]})
    updated(admin, page, metadata={"labels": [{"name": "new"}, {"name": "newer"}]})
    body = get(admin, page["id"], expand="metadata.labels")
    assert sorted(label["name"] for label in body["metadata"]["labels"]["results"]) == ["new", "newer"]


def test_a_failed_update_changes_nothing(admin: Person, space: dict) -> None:
    page = create_page(admin, space["key"], "Untouched", body="<p>one</p>")
    response = update(admin, page, title="Changed", body="<p>two</p>", metadata={"labels": [{"name": "bad:label"}]})
    assert_error(response, 400)
    after = get(admin, page["id"], expand="body.storage,version,metadata.labels")
    assert (after["title"], after["version"]["number"]) == ("Untouched", 1)
    assert after["body"]["storage"]["value"] == "<p>one</p>"
    assert after["metadata"]["labels"]["results"] == []
    assert admin.api.get(f"/content/{page['id']}/version").json()["size"] == 1


# --- titles ----------------------------------------------------------------------------------


def test_duplicate_titles_are_refused_case_insensitively(admin: Person, space: dict) -> None:
    create_page(admin, space["key"], "Team Handbook")
    for title in ("Team Handbook", "team handbook", "TEAM HANDBOOK", "  Team Handbook  "):
        payload = {"type": "page", "title": title, "space": {"key": space["key"]}}
        body = assert_error(admin.api.post("/content", json=payload), 400)
        assert body["message"].startswith("A page with this title already exists")


def test_the_same_title_is_fine_in_another_space(admin: Person, space: dict) -> None:
    other = admin.api.post("/space", json={"key": unique_key(), "name": "Other"}).json()
    create_page(admin, space["key"], "Shared title")
    create_page(admin, other["key"], "Shared title")


def test_renaming_onto_an_existing_title_is_refused(admin: Person, space: dict) -> None:
    create_page(admin, space["key"], "Taken")
    page = create_page(admin, space["key"], "Free")
    assert_error(update(admin, page, title="TAKEN"), 400, "already exists")
    # Changing only the case of its own title is fine.
    assert updated(admin, page, title="FREE")["title"] == "FREE"


def test_trashed_and_archived_pages_keep_their_titles(admin: Person, space: dict) -> None:
    trashed = create_page(admin, space["key"], "Trashed title")
    archived = create_page(admin, space["key"], "Archived title")
    assert admin.api.delete(f"/content/{trashed['id']}").status_code == 204
    response = admin.api.post("/content/archive", json={"pages": [{"id": int(archived["id"])}]})
    assert response.status_code == 202
    wait_for_task(admin.api, response.json()["id"])
    for title in ("Trashed title", "Archived title"):
        payload = {"type": "page", "title": title, "space": {"key": space["key"]}}
        assert_error(admin.api.post("/content", json=payload), 400, "already exists")


def test_empty_and_overlong_titles_are_refused(admin: Person, space: dict) -> None:
    for title in ("", "   ", "x" * 256):
        payload = {"type": "page", "title": title, "space": {"key": space["key"]}}
        assert_error(admin.api.post("/content", json=payload), 400)
    create_page(admin, space["key"], "y" * 255)


def test_a_failed_create_leaves_nothing_behind(admin: Person, space: dict) -> None:
    parent = create_page(admin, space["key"], "Parent")
    create_page(admin, space["key"], "Existing", parent=parent["id"])
    before = admin.api.get("/content", params={"spaceKey": space["key"], "limit": 200}).json()
    payload = {
        "type": "page",
        "title": "existing",
        "space": {"key": space["key"]},
        "ancestors": [{"id": parent["id"]}],
        "metadata": {"labels": [{"name": "leftover"}]},
        "body": {"storage": {"value": "<p>x</p>", "representation": "storage"}},
    }
    assert_error(admin.api.post("/content", json=payload), 400)
    after = admin.api.get("/content", params={"spaceKey": space["key"], "limit": 200}).json()
    assert ids(after) == ids(before)
    assert titles(admin.api.get(f"/content/{parent['id']}/descendant/page").json()) == ["Existing"]
    # The next create works and lands where it should.
    child = create_page(admin, space["key"], "Second", parent=parent["id"])
    assert [a["id"] for a in child["ancestors"]] == [parent["id"]]


# --- listing ---------------------------------------------------------------------------------


def test_list_content_by_space_title_and_type(admin: Person, space: dict) -> None:
    create_page(admin, space["key"], "Alpha")
    create_page(admin, space["key"], "Beta")
    create_page(admin, space["key"], "Gamma post", type="blogpost")
    listing = admin.api.get("/content", params={"spaceKey": space["key"]}).json()
    assert_shape(listing, "ContentArray")
    assert set(titles(listing)) == {"Alpha", "Beta", f"{space['name']} Home"}
    assert all("body" not in item and "version" not in item for item in listing["results"])
    assert titles(admin.api.get("/content", params={"spaceKey": space["key"], "title": "Beta"}).json()) == ["Beta"]
    # The title filter is exact, case included, although uniqueness ignores case (CONFSERVER-40303).
    assert admin.api.get("/content", params={"spaceKey": space["key"], "title": "beta"}).json()["results"] == []
    blogs = admin.api.get("/content", params={"spaceKey": space["key"], "type": "blogpost"}).json()
    assert titles(blogs) == ["Gamma post"]
    assert admin.api.get("/content", params={"spaceKey": "NOSUCHSPACE"}).json()["results"] == []


def test_list_content_orders_by_title(admin: Person, space: dict) -> None:
    for title in ("b", "c", "a"):
        create_page(admin, space["key"], title)
    params = {"spaceKey": space["key"], "orderby": "title desc"}
    listed = titles(admin.api.get("/content", params=params).json())
    assert listed == sorted(listed, reverse=True)
    assert_error(admin.api.get("/content", params={"orderby": "nonsense"}), 400)


def test_list_content_with_expansions(admin: Person, space: dict) -> None:
    create_page(admin, space["key"], "One", body="<p>1</p>")
    create_page(admin, space["key"], "Two", body="<p>2</p>")
    params = {"spaceKey": space["key"], "expand": "body.storage,version,space,history.lastUpdated,ancestors"}
    listing = admin.api.get("/content", params=params).json()
    assert_shape(listing, "ContentArray")
    by_title = {item["title"]: item for item in listing["results"]}
    assert by_title["One"]["body"]["storage"]["value"] == "<p>1</p>"
    assert by_title["Two"]["version"]["number"] == 1
    assert by_title["Two"]["space"]["key"] == space["key"]
    assert by_title["Two"]["history"]["lastUpdated"]["number"] == 1
    assert "expand=" in listing["_links"]["self"] or "next" not in listing["_links"]


def test_unknown_type_and_status_filters_are_refused(admin: Person) -> None:
    assert_error(admin.api.get("/content", params={"type": "whiteboardish"}), 400)
    assert_error(admin.api.get("/content", params={"status": "sleeping"}), 400)
    assert_error(admin.api.get("/content", params={"postingDay": "yesterday"}), 400)
    assert_error(admin.api.get("/content", params={"trigger": "clicked"}), 400)


# --- drafts ----------------------------------------------------------------------------------


def test_a_draft_is_visible_to_its_author_only_until_published(alice: Person, bob: Person, space: dict) -> None:
    payload = {
        "type": "page",
        "title": "Plans",
        "status": "draft",
        "space": {"key": space["key"]},
        "body": {"storage": {"value": "<p>draft</p>", "representation": "storage"}},
    }
    response = alice.api.post("/content", json=payload)
    assert response.status_code == 200, response.text
    draft = response.json()
    assert draft["status"] == "draft"
    assert_error(alice.api.get(f"/content/{draft['id']}"), 404)
    assert alice.api.get(f"/content/{draft['id']}", params={"status": "draft"}).json()["status"] == "draft"
    assert_error(bob.api.get(f"/content/{draft['id']}", params={"status": "draft"}), 404)
    listing = bob.api.get("/content", params={"spaceKey": space["key"], "status": "draft"}).json()
    assert draft["id"] not in ids(listing)
    assert draft["id"] in ids(alice.api.get("/content", params={"spaceKey": space["key"], "status": "draft"}).json())
    assert draft["id"] not in ids(alice.api.get("/content", params={"spaceKey": space["key"]}).json())

    response = alice.api.put(
        f"/content/{draft['id']}",
        json={"type": "page", "title": "Plans", "status": "current", "version": {"number": 1}},
    )
    assert response.status_code == 200, response.text
    published = response.json()
    assert (published["status"], published["version"]["number"]) == ("current", 1)
    seen = get(bob, draft["id"], expand="body.storage")
    assert seen["body"]["storage"]["value"] == "<p>draft</p>"


def test_drafts_do_not_claim_titles_but_publishing_checks_them(admin: Person, space: dict) -> None:
    create_page(admin, space["key"], "Claimed")
    payload = {"type": "page", "title": "Claimed", "status": "draft", "space": {"key": space["key"]}}
    response = admin.api.post("/content", json=payload)
    assert response.status_code == 200, response.text
    draft = response.json()
    publish = {"type": "page", "title": "Claimed", "status": "current", "version": {"number": 1}}
    assert_error(admin.api.put(f"/content/{draft['id']}", json=publish), 400, "already exists")


def test_drafts_are_published_not_updated(admin: Person, space: dict) -> None:
    payload = {"type": "page", "title": "Still a draft", "status": "draft", "space": {"key": space["key"]}}
    draft = admin.api.post("/content", json=payload).json()
    update = {"type": "page", "title": "Still a draft", "status": "draft", "version": {"number": 2}}
    assert_error(admin.api.put(f"/content/{draft['id']}", json=update), 409)
    page = create_page(admin, space["key"])
    update = {"type": "page", "title": page["title"], "version": {"number": 2}}
    assert_error(admin.api.put(f"/content/{page['id']}", params={"status": "draft"}, json=update), 404)
    after = get(admin, page["id"])
    assert (after["status"], after["version"]["number"]) == ("current", 1)


def test_create_as_draft_through_the_status_parameter(admin: Person, space: dict) -> None:
    payload = {"type": "page", "title": "Param draft", "space": {"key": space["key"]}}
    response = admin.api.post("/content", params={"status": "draft"}, json=payload)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "draft"


def test_content_cannot_be_created_trashed(admin: Person, space: dict) -> None:
    payload = {"type": "page", "title": "x", "status": "trashed", "space": {"key": space["key"]}}
    assert_error(admin.api.post("/content", json=payload), 400)


# --- trash, restore, purge -------------------------------------------------------------------


def test_trash_restore_trash_purge(admin: Person, space: dict) -> None:
    page = create_page(admin, space["key"], "Cycle", body="<p>keep me</p>")
    assert admin.api.delete(f"/content/{page['id']}").status_code == 204
    assert_error(admin.api.get(f"/content/{page['id']}"), 404)
    trashed = get(admin, page["id"], status="trashed")
    assert trashed["status"] == "trashed"
    assert page["id"] not in ids(admin.api.get("/content", params={"spaceKey": space["key"]}).json())
    in_trash = admin.api.get("/content", params={"spaceKey": space["key"], "status": "trashed"}).json()
    assert ids(in_trash) == [page["id"]]

    response = admin.api.put(
        f"/content/{page['id']}", json={"type": "page", "title": "Cycle", "status": "current", "version": {"number": 2}}
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "current"
    restored = get(admin, page["id"], expand="body.storage")
    assert restored["body"]["storage"]["value"] == "<p>keep me</p>"

    assert admin.api.delete(f"/content/{page['id']}").status_code == 204
    assert admin.api.delete(f"/content/{page['id']}", params={"status": "trashed"}).status_code == 204
    for status in ("trashed", "current", "any"):
        assert_error(admin.api.get(f"/content/{page['id']}", params={"status": status}), 404)
    # The purged page's title is free again.
    create_page(admin, space["key"], "Cycle")


def test_delete_of_trashed_content_needs_status_trashed(admin: Person, space: dict) -> None:
    page = create_page(admin, space["key"])
    assert admin.api.delete(f"/content/{page['id']}").status_code == 204
    assert_error(admin.api.delete(f"/content/{page['id']}"), 404)
    assert get(admin, page["id"], status="trashed")["status"] == "trashed"


def test_purging_current_content_is_refused(admin: Person, space: dict) -> None:
    page = create_page(admin, space["key"])
    assert_error(admin.api.delete(f"/content/{page['id']}", params={"status": "trashed"}), 400)
    assert get(admin, page["id"])["status"] == "current"


def test_trashing_a_page_hands_its_children_to_its_parent(admin: Person, space: dict) -> None:
    top = create_page(admin, space["key"], "Top")
    middle = create_page(admin, space["key"], "Middle", parent=top["id"])
    leaf = create_page(admin, space["key"], "Leaf", parent=middle["id"])
    assert admin.api.delete(f"/content/{middle['id']}").status_code == 204
    assert [a["id"] for a in get(admin, leaf["id"], expand="ancestors")["ancestors"]] == [top["id"]]
    assert titles(admin.api.get(f"/content/{top['id']}/child/page").json()) == ["Leaf"]


def test_trashed_content_cannot_be_edited_only_restored(admin: Person, space: dict) -> None:
    page = create_page(admin, space["key"])
    assert admin.api.delete(f"/content/{page['id']}").status_code == 204
    payload = {"type": "page", "title": "x", "status": "trashed", "version": {"number": 2}}
    assert admin.api.put(f"/content/{page['id']}", json=payload).status_code in (400, 404)


def test_delete_needs_delete_permission(alice: Person, admin: Person, space: dict) -> None:
    page = create_page(alice, space["key"])
    assert_error(alice.api.delete(f"/content/{page['id']}"), 403)
    assert get(admin, page["id"])["status"] == "current"


# --- historical versions through GET /content/{id}?version=N ----------------------------------


def test_get_an_older_version_of_content(admin: Person, space: dict) -> None:
    page = create_page(admin, space["key"], "Old title", body="<p>old</p>")
    updated(admin, page, title="New title", body="<p>new</p>")
    old = get(admin, page["id"], version=1, expand="body.storage,version,history")
    assert (old["status"], old["title"], old["version"]["number"]) == ("historical", "Old title", 1)
    assert old["body"]["storage"]["value"] == "<p>old</p>"
    assert old["history"]["latest"] is False
    current = get(admin, page["id"], version=2, expand="body.storage")
    assert (current["status"], current["body"]["storage"]["value"]) == ("current", "<p>new</p>")
    assert_error(admin.api.get(f"/content/{page['id']}", params={"version": 9}), 404)


# --- blog posts ------------------------------------------------------------------------------


def test_blog_posts_are_addressed_by_posting_day(admin: Person, space: dict) -> None:
    post = create_page(admin, space["key"], "Weekly news", type="blogpost")
    assert_shape(post, "Content")
    assert post["type"] == "blogpost"
    today = datetime.datetime.now(datetime.UTC).date()
    day = today.strftime("%Y/%m/%d")
    assert post["_links"]["webui"] == f"/spaces/{space['key']}/blog/{day}/{post['id']}/Weekly+news"
    params = {"spaceKey": space["key"], "type": "blogpost", "postingDay": today.isoformat()}
    assert ids(admin.api.get("/content", params=params).json()) == [post["id"]]
    params["postingDay"] = (today - datetime.timedelta(days=3)).isoformat()
    assert admin.api.get("/content", params=params).json()["results"] == []


def test_blog_titles_are_unique_per_day_and_blog_posts_have_no_parent(admin: Person, space: dict) -> None:
    create_page(admin, space["key"], "Daily", type="blogpost")
    create_page(admin, space["key"], "Daily")  # a page may share a blog post's title
    payload = {"type": "blogpost", "title": "daily", "space": {"key": space["key"]}}
    assert_error(admin.api.post("/content", json=payload), 400, "already exists")
    parent = create_page(admin, space["key"])
    payload = {"type": "blogpost", "title": "Child post", "space": {"key": space["key"]}, "ancestors": [parent]}
    assert_error(admin.api.post("/content", json=payload), 400)


def test_blog_post_lifecycle(admin: Person, space: dict) -> None:
    post = create_page(admin, space["key"], "Post", type="blogpost")
    post = updated(admin, post, body="<p>edited</p>")
    assert post["version"]["number"] == 2
    assert admin.api.delete(f"/content/{post['id']}").status_code == 204
    assert get(admin, post["id"], status="trashed")["type"] == "blogpost"
    assert admin.api.delete(f"/content/{post['id']}", params={"status": "trashed"}).status_code == 204


# --- both prefixes ---------------------------------------------------------------------------


def test_server_prefix_serves_the_same_content_with_its_own_links(admin: Person, space: dict) -> None:
    page = create_page(admin, space["key"], "Both ways")
    cloud = get(admin, page["id"])
    response = admin.server_api.get(f"/content/{page['id']}")
    assert response.status_code == 200, response.text
    server_style = response.json()
    assert server_style["id"] == cloud["id"] and server_style["title"] == cloud["title"]
    assert server_style["_links"]["context"] == ""
    assert not server_style["_links"]["base"].endswith("/wiki")
    assert server_style["_links"]["self"] == server_style["_links"]["base"] + f"/rest/api/content/{page['id']}"
    response = admin.server_api.post(
        "/content", json={"type": "page", "title": "Via server prefix", "space": {"key": space["key"]}}
    )
    assert response.status_code == 200, response.text
    assert get(admin, response.json()["id"])["title"] == "Via server prefix"
    listing = admin.server_api.get("/content", params={"spaceKey": space["key"], "limit": 1}).json()
    assert listing["_links"]["next"].startswith("/rest/api/content?")


def test_a_version_stored_by_a_concurrent_writer_makes_the_loser_a_409(
    server: RunningServer, admin: Person, space: dict
) -> None:
    page = create_page(admin, space["key"], "Raced", body="<p>one</p>")
    # Another writer's version 2 lands between this request's version check and its insert.
    with transaction(server.runtime.sessions, write=True) as session:
        session.add(
            ContentVersion(
                content_id=int(page["id"]), number=2, title="Raced", body="<p>theirs</p>", created_at=clock.now()
            )
        )
    assert_error(update(admin, page, body="<p>mine</p>"), 409, "Version must be incremented")
    assert get(admin, page["id"], expand="body.storage")["body"]["storage"]["value"] == "<p>one</p>"


def test_operations_expansion_follows_permissions(admin: Person, alice: Person, space: dict) -> None:
    page = create_page(admin, space["key"])
    mine = {(op["operation"], op["targetType"]) for op in get(admin, page["id"], expand="operations")["operations"]}
    assert mine == {("read", "page"), ("update", "page"), ("delete", "page")}
    theirs = get(alice, page["id"], expand="operations")["operations"]
    assert {(op["operation"], op["targetType"]) for op in theirs} == {("read", "page"), ("update", "page")}
    listing = alice.api.get("/content", params={"spaceKey": space["key"], "expand": "operations"}).json()
    assert all({"operation": "read", "targetType": "page"} in item["operations"] for item in listing["results"])
