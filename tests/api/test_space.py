"""Spaces (tag "Space"): create, private spaces, read, update, delete as a long task, space content."""

from __future__ import annotations

from tests.api.pages import assert_error, get, ids, titles, walk
from tests.api.shapes import assert_shape
from tests.conftest import Person, create_page, unique_key
from tests.tasks import wait_for_task


def new_space(person: Person, **extra: object) -> dict:
    response = person.api.post("/space", json={"key": unique_key(), "name": f"Space {unique_key()}", **extra})
    assert response.status_code == 200, response.text
    return response.json()


def test_create_space_with_description(admin: Person) -> None:
    key = unique_key("DOC")
    response = admin.api.post(
        "/space",
        json={
            "key": key,
            "name": "Documentation",
            "description": {"plain": {"value": "All the docs", "representation": "plain"}},
        },
    )
    assert response.status_code == 200, response.text
    space = response.json()
    assert_shape(space, "Space")
    assert (space["key"], space["name"], space["type"], space["status"]) == (key, "Documentation", "global", "current")
    assert isinstance(space["id"], int)
    assert space["description"]["plain"] == {"value": "All the docs", "representation": "plain", "embeddedContent": []}
    assert space["homepage"]["title"] == "Documentation Home"
    assert space["homepage"]["type"] == "page"
    assert space["_links"]["webui"] == f"/spaces/{key}"
    assert space["_links"]["self"].endswith(f"/rest/api/space/{key}")
    assert space["_links"]["base"].endswith("/wiki")


def test_get_space_with_expansions(admin: Person) -> None:
    space = new_space(admin, description={"plain": {"value": "About this", "representation": "plain"}})
    plain = admin.api.get(f"/space/{space['key']}").json()
    assert_shape(plain, "Space")
    assert "description" not in plain and "homepage" not in plain
    assert {"description", "homepage", "icon", "metadata"} <= set(plain["_expandable"])
    assert plain["_expandable"]["homepage"] == f"/rest/api/content/{space['homepage']['id']}"
    full = admin.api.get(
        f"/space/{space['key']}", params={"expand": "description.plain,description.view,homepage,icon,history"}
    ).json()
    assert_shape(full, "Space")
    assert full["description"]["plain"]["value"] == "About this"
    assert full["description"]["view"]["value"] == "About this"
    assert full["homepage"]["id"] == space["homepage"]["id"]
    assert full["icon"]["path"]
    assert full["history"]["createdBy"]["accountId"] == admin.account_id
    nested = admin.api.get(f"/space/{space['key']}", params={"expand": "homepage.version,homepage.body.storage"}).json()
    assert nested["homepage"]["version"]["number"] == 1
    assert nested["homepage"]["body"]["storage"]["value"] == ""
    assert_error(admin.api.get("/space/NOSUCHSPACE"), 404)


def test_space_keys_and_names_are_validated(admin: Person) -> None:
    space = new_space(admin)
    assert_error(admin.api.post("/space", json={"key": space["key"], "name": "Again"}), 400)
    assert_error(admin.api.post("/space", json={"key": space["key"].lower(), "name": "Case"}), 400)
    for key in ("", "has space", "dash-key", "ünï"):
        assert_error(admin.api.post("/space", json={"key": key, "name": "Bad key"}), 400)
    assert_error(admin.api.post("/space", json={"key": unique_key()}), 400)
    assert_error(admin.api.post("/space", json={"key": unique_key(), "name": ""}), 400)
    assert_error(admin.api.post("/space", json={"name": "No key"}), 400)


def test_private_space_is_for_its_creator(alice: Person, bob: Person, admin: Person) -> None:
    key = unique_key("PRV")
    response = alice.api.post("/space/_private", json={"key": key, "name": "Diary"})
    assert response.status_code == 200, response.text
    assert_shape(response.json(), "Space")
    assert alice.api.get(f"/space/{key}").status_code == 200
    assert_error(bob.api.get(f"/space/{key}"), 404)
    assert key not in [s["key"] for s in bob.api.get("/space", params={"spaceKey": key}).json()["results"]]
    page = create_page(alice, key, "Secret")
    assert_error(bob.api.get(f"/content/{page['id']}"), 404)
    assert_error(bob.api.post("/content", json={"type": "page", "title": "x", "space": {"key": key}}), 403)
    # Site admins see every space.
    assert admin.api.get(f"/space/{key}").status_code == 200


def test_global_space_is_open_to_members(alice: Person, bob: Person) -> None:
    space = new_space(alice)
    assert bob.api.get(f"/space/{space['key']}").status_code == 200
    create_page(bob, space["key"], "Bob was here")


def test_list_spaces(admin: Person) -> None:
    first, second = new_space(admin), new_space(admin)
    listing = admin.api.get("/space", params={"spaceKey": [first["key"], second["key"]]}).json()
    assert_shape(listing, "SpaceArray")
    assert sorted(s["key"] for s in listing["results"]) == sorted([first["key"], second["key"]])
    comma = admin.api.get("/space", params={"spaceKey": f"{first['key']},{second['key']}"}).json()
    assert len(comma["results"]) == 2
    by_id = admin.api.get("/space", params={"spaceId": first["id"]}).json()
    assert [s["key"] for s in by_id["results"]] == [first["key"]]
    assert all(s["type"] == "global" for s in admin.api.get("/space", params={"type": "global"}).json()["results"])
    assert_error(admin.api.get("/space", params={"type": "galactic"}), 400)
    assert_error(admin.api.get("/space", params={"status": "sleeping"}), 400)
    described = admin.api.get("/space", params={"spaceKey": first["key"], "expand": "description.plain"}).json()
    assert described["results"][0]["description"]["plain"]["value"] == ""
    every = walk(admin.api, "/space", limit=2)
    keys = [s["key"] for s in every]
    assert len(keys) == len(set(keys)) and {first["key"], second["key"]} <= set(keys)


def test_update_space_name_description_and_homepage(admin: Person) -> None:
    space = new_space(admin)
    page = create_page(admin, space["key"], "New home")
    response = admin.api.put(
        f"/space/{space['key']}",
        json={
            "name": "Renamed",
            "description": {"plain": {"value": "Now described", "representation": "plain"}},
            "homepage": {"id": page["id"]},
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert_shape(body, "Space")
    assert body["name"] == "Renamed"
    assert body["description"]["plain"]["value"] == "Now described"
    assert body["homepage"]["id"] == page["id"]
    again = admin.api.get(f"/space/{space['key']}", params={"expand": "homepage,description.plain"}).json()
    assert (again["name"], again["homepage"]["title"]) == ("Renamed", "New home")
    # Only the fields sent change.
    assert admin.api.put(f"/space/{space['key']}", json={"name": "Renamed again"}).status_code == 200
    again = admin.api.get(f"/space/{space['key']}", params={"expand": "description.plain"}).json()
    assert again["description"]["plain"]["value"] == "Now described"


def test_update_space_refusals(admin: Person, bob: Person) -> None:
    space = new_space(admin)
    other = new_space(admin)
    foreign = create_page(admin, other["key"])
    assert_error(admin.api.put(f"/space/{space['key']}", json={"homepage": {"id": foreign["id"]}}), 400)
    assert_error(admin.api.put(f"/space/{space['key']}", json={"homepage": {"id": "abc"}}), 400)
    assert_error(admin.api.put(f"/space/{space['key']}", json={"name": ""}), 400)
    assert_error(admin.api.put(f"/space/{space['key']}", json={"type": "personal"}), 400)
    assert_error(admin.api.put("/space/NOSUCHSPACE", json={"name": "x"}), 404)
    assert_error(bob.api.put(f"/space/{space['key']}", json={"name": "Taken over"}), 403)
    assert admin.api.get(f"/space/{space['key']}").json()["name"] == space["name"]


def test_delete_space_is_a_long_task(admin: Person) -> None:
    space = new_space(admin)
    page = create_page(admin, space["key"])
    response = admin.api.delete(f"/space/{space['key']}")
    assert response.status_code == 202, response.text
    reference = response.json()
    assert_shape(reference, "LongTask")
    status = wait_for_task(admin.api, reference["id"])
    assert_shape(status, "LongTaskStatusWithLinks")
    assert (status["finished"], status["successful"], status["percentageComplete"]) == (True, True, 100)
    assert_error(admin.api.get(f"/space/{space['key']}"), 404)
    assert_error(admin.api.get(f"/content/{page['id']}", params={"status": "any"}), 404)
    assert_error(admin.api.get(f"/space/{space['key']}/content"), 404)
    # The key is free again.
    assert admin.api.post("/space", json={"key": space["key"], "name": "Reborn"}).status_code == 200


def test_delete_space_refusals(admin: Person, bob: Person) -> None:
    space = new_space(admin)
    assert_error(bob.api.delete(f"/space/{space['key']}"), 403)
    assert_error(admin.api.delete("/space/NOSUCHSPACE"), 404)
    assert admin.api.get(f"/space/{space['key']}").status_code == 200


def test_space_content_listings(admin: Person) -> None:
    space = new_space(admin)
    key = space["key"]
    top = create_page(admin, key, "Top")
    create_page(admin, key, "Nested", parent=top["id"])
    post = create_page(admin, key, "Post", type="blogpost")
    response = admin.api.get(f"/space/{key}/content")
    assert response.status_code == 200, response.text
    both = response.json()
    assert_shape(both["page"], "ContentArray")
    assert_shape(both["blogpost"], "ContentArray")
    assert set(titles(both["page"])) == {space["homepage"]["title"], "Top", "Nested"}
    assert ids(both["blogpost"]) == [post["id"]]
    assert both["_links"]["base"].endswith("/wiki")
    root = admin.api.get(f"/space/{key}/content", params={"depth": "root"}).json()
    assert set(titles(root["page"])) == {space["homepage"]["title"], "Top"}
    pages = admin.api.get(f"/space/{key}/content/page", params={"depth": "root", "expand": "version"}).json()
    assert_shape(pages, "ContentArray")
    assert set(titles(pages)) == {space["homepage"]["title"], "Top"}
    assert all(p["version"]["number"] == 1 for p in pages["results"])
    blogs = admin.api.get(f"/space/{key}/content/blogpost").json()
    assert ids(blogs) == [post["id"]]
    assert_error(admin.api.get(f"/space/{key}/content/whiteboard"), 400)
    assert_error(admin.api.get(f"/space/{key}/content", params={"depth": "deep"}), 400)
    assert_error(admin.api.get("/space/NOSUCHSPACE/content/page"), 404)


def test_space_content_paging(admin: Person) -> None:
    space = new_space(admin)
    for i in range(4):
        create_page(admin, space["key"], f"P{i}")
    first = admin.api.get(f"/space/{space['key']}/content/page", params={"limit": 2}).json()
    assert first["size"] == 2 and "next" in first["_links"]
    every = walk(admin.api, f"/space/{space['key']}/content/page", limit=2)
    assert sorted(p["title"] for p in every) == sorted(["P0", "P1", "P2", "P3", space["homepage"]["title"]])


def test_space_on_the_server_prefix(admin: Person) -> None:
    space = new_space(admin)
    body = admin.server_api.get(f"/space/{space['key']}").json()
    assert body["key"] == space["key"]
    assert body["_links"]["context"] == ""
    assert body["_links"]["self"] == body["_links"]["base"] + f"/rest/api/space/{space['key']}"
    assert get(admin, space["homepage"]["id"])["space"]["key"] == space["key"]
