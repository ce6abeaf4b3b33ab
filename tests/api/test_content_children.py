"""Children, descendants, moves, copies, page-tree deletion and archiving (tag "Content - children and
descendants", plus archive and the long tasks these writes return)."""

from __future__ import annotations

import httpx
import pytest

from tests.api.pages import assert_error, get, titles, updated, walk
from tests.api.shapes import assert_shape
from tests.conftest import Person, create_page, unique_key
from tests.server import RunningServer
from tests.tasks import wait_for_task


@pytest.fixture
def tree(admin: Person, space: dict) -> dict[str, dict]:
    """Root › (A › (A1, A2 › A2x), B, C) in the fixture space."""
    key = space["key"]
    root = create_page(admin, key, "Root")
    a = create_page(admin, key, "A", parent=root["id"])
    a1 = create_page(admin, key, "A1", parent=a["id"])
    a2 = create_page(admin, key, "A2", parent=a["id"])
    a2x = create_page(admin, key, "A2x", parent=a2["id"])
    b = create_page(admin, key, "B", parent=root["id"])
    c = create_page(admin, key, "C", parent=root["id"])
    return {"Root": root, "A": a, "A1": a1, "A2": a2, "A2x": a2x, "B": b, "C": c}


def child_titles(person: Person, page: dict) -> list[str]:
    response = person.api.get(f"/content/{page['id']}/child/page")
    assert response.status_code == 200, response.text
    return titles(response.json())


def follow_task(person: Person, reference: dict) -> dict:
    """A LongTask reference leads to a finished, successful task status."""
    assert_shape(reference, "LongTask")
    assert reference["links"]["status"] == f"/rest/api/longtask/{reference['id']}"
    status = wait_for_task(person.api, reference["id"])
    assert_shape(status, "LongTaskStatusWithLinks")
    assert (status["id"], status["finished"], status["successful"]) == (reference["id"], True, True)
    assert status["percentageComplete"] == 100
    return status


# --- children and descendants ----------------------------------------------------------------


def test_children_by_type_in_position_order(admin: Person, tree: dict) -> None:
    listing = admin.api.get(f"/content/{tree['Root']['id']}/child/page").json()
    assert_shape(listing, "ContentArray")
    assert titles(listing) == ["A", "B", "C"]
    assert [item["extensions"]["position"] for item in listing["results"]] == sorted(
        item["extensions"]["position"] for item in listing["results"]
    )
    assert listing["_links"]["self"].endswith(f"/rest/api/content/{tree['Root']['id']}/child/page")
    assert listing["_links"]["base"].endswith("/wiki")
    assert admin.api.get(f"/content/{tree['A1']['id']}/child/page").json()["results"] == []
    for child_type in ("comment", "attachment"):
        assert admin.api.get(f"/content/{tree['Root']['id']}/child/{child_type}").json()["results"] == []


def test_children_with_expansions(admin: Person, tree: dict) -> None:
    params = {"expand": "version,body.storage,ancestors,children.page"}
    listing = admin.api.get(f"/content/{tree['A']['id']}/child/page", params=params).json()
    assert_shape(listing, "ContentArray")
    a1, a2 = listing["results"]
    assert a1["version"]["number"] == 1 and a1["body"]["storage"]["value"] == "<p>Hello</p>"
    assert [x["title"] for x in a2["ancestors"]] == ["Root", "A"]
    assert titles(a2["children"]["page"]) == ["A2x"]
    assert a1["children"]["page"]["results"] == []


def test_child_map_lists_every_child_type(admin: Person, tree: dict) -> None:
    response = admin.api.get(f"/content/{tree['Root']['id']}/child")
    assert response.status_code == 200, response.text
    body = response.json()
    assert_shape(body, "ContentChildren")
    assert set(body["_expandable"]) >= {"page", "comment", "attachment"}
    expanded = admin.api.get(f"/content/{tree['Root']['id']}/child", params={"expand": "page,page.version"}).json()
    assert titles(expanded["page"]) == ["A", "B", "C"]
    assert expanded["page"]["results"][0]["version"]["number"] == 1
    assert "page" not in expanded["_expandable"]


def test_descendants_at_every_depth(admin: Person, tree: dict) -> None:
    root = tree["Root"]["id"]
    listing = admin.api.get(f"/content/{root}/descendant/page").json()
    assert_shape(listing, "ContentArray")
    assert sorted(titles(listing)) == ["A", "A1", "A2", "A2x", "B", "C"]
    assert titles(listing)[:3] == ["A", "B", "C"]  # nearer levels first
    assert titles(admin.api.get(f"/content/{root}/descendant/page", params={"depth": "root"}).json()) == [
        "A",
        "B",
        "C",
    ]
    two = admin.api.get(f"/content/{root}/descendant/page", params={"depth": 2}).json()
    assert sorted(titles(two)) == ["A", "A1", "A2", "B", "C"]
    both = admin.api.get(f"/content/{root}/descendant", params={"expand": "page"}).json()
    assert_shape(both, "ContentChildren")
    assert sorted(titles(both["page"])) == ["A", "A1", "A2", "A2x", "B", "C"]


def test_descendants_refuse_bad_depths_and_types(admin: Person, tree: dict) -> None:
    root = tree["Root"]["id"]
    for depth in ("0", "-1", "101", "deep"):
        assert_error(admin.api.get(f"/content/{root}/descendant/page", params={"depth": depth}), 400)
    assert admin.api.get(f"/content/{root}/descendant/page", params={"depth": 100}).status_code == 200
    assert_error(admin.api.get(f"/content/{root}/descendant/blogpost"), 400)
    assert_error(admin.api.get(f"/content/{root}/child/whiteboard"), 400)


def test_a_blog_post_has_no_child_pages(admin: Person, space: dict) -> None:
    post = create_page(admin, space["key"], type="blogpost")
    assert_error(admin.api.get(f"/content/{post['id']}/child/page"), 400)
    assert admin.api.get(f"/content/{post['id']}/child/comment").status_code == 200


def test_expansions_children_descendants_and_child_types_in_one_page(admin: Person, tree: dict) -> None:
    body = get(admin, tree["A"]["id"], expand="children.page,descendants.page,childTypes.all,container")
    assert titles(body["children"]["page"]) == ["A1", "A2"]
    assert sorted(titles(body["descendants"]["page"])) == ["A1", "A2", "A2x"]
    assert body["childTypes"]["page"]["value"] is True
    assert body["childTypes"]["comment"]["value"] is False
    assert body["container"]["key"] == tree["A"]["space"]["key"]
    leaf = get(admin, tree["A2x"]["id"], expand="childTypes.page")
    assert leaf["childTypes"]["page"]["value"] is False


def test_children_of_unknown_or_trashed_content(admin: Person, tree: dict) -> None:
    assert_error(admin.api.get("/content/987654321/child/page"), 404)
    assert_error(admin.api.get("/content/987654321/descendant/page"), 404)
    assert admin.api.delete(f"/content/{tree['B']['id']}").status_code == 204
    assert titles(admin.api.get(f"/content/{tree['Root']['id']}/child/page").json()) == ["A", "C"]
    assert "B" not in titles(admin.api.get(f"/content/{tree['Root']['id']}/descendant/page").json())


# --- move ------------------------------------------------------------------------------------


def test_move_before_after_and_append(admin: Person, tree: dict) -> None:
    root, a, b, c = tree["Root"], tree["A"], tree["B"], tree["C"]
    response = admin.api.put(f"/content/{c['id']}/move/before/{a['id']}")
    assert response.status_code == 200, response.text
    assert response.json() == {"pageId": c["id"]}
    assert child_titles(admin, root) == ["C", "A", "B"]
    assert admin.api.put(f"/content/{c['id']}/move/after/{b['id']}").status_code == 200
    assert child_titles(admin, root) == ["A", "B", "C"]
    assert admin.api.put(f"/content/{a['id']}/move/after/{b['id']}").status_code == 200
    assert child_titles(admin, root) == ["B", "A", "C"]
    assert admin.api.put(f"/content/{b['id']}/move/append/{c['id']}").status_code == 200
    assert child_titles(admin, root) == ["A", "C"]
    assert child_titles(admin, c) == ["B"]
    assert [x["title"] for x in get(admin, b["id"], expand="ancestors")["ancestors"]] == ["Root", "C"]


def test_listings_page_in_order_with_and_without_their_rows_companions(admin: Person, space: dict, tree: dict) -> None:
    # A listing picks its page of ids in order and reads the page's rows (with the version and
    # people it brings along for expand=version) in a second step: pages must keep the order.
    root, a, c = tree["Root"], tree["A"], tree["C"]
    assert admin.api.put(f"/content/{c['id']}/move/before/{a['id']}").status_code == 200
    for expand in ({}, {"expand": "version"}):
        for limit in (1, 2, 200):
            children = walk(admin.api, f"/content/{root['id']}/child/page", limit=limit, **expand)
            assert [item["title"] for item in children] == ["C", "A", "B"], (expand, limit)
            listed = walk(admin.api, "/content", spaceKey=space["key"], limit=limit, **expand)
            numbers = [int(item["id"]) for item in listed]
            assert numbers == sorted(numbers) and len(numbers) == 8, (expand, limit)  # the homepage and the tree
            assert all(("version" in item) == bool(expand) for item in children + listed)


def test_move_takes_the_subtree_along(admin: Person, tree: dict) -> None:
    assert admin.api.put(f"/content/{tree['A']['id']}/move/append/{tree['C']['id']}").status_code == 200
    chain = get(admin, tree["A2x"]["id"], expand="ancestors")["ancestors"]
    assert [x["title"] for x in chain] == ["Root", "C", "A", "A2"]
    assert sorted(titles(admin.api.get(f"/content/{tree['C']['id']}/descendant/page").json())) == [
        "A",
        "A1",
        "A2",
        "A2x",
    ]


def test_move_beside_a_top_level_page_makes_a_top_level_page(admin: Person, tree: dict) -> None:
    assert admin.api.put(f"/content/{tree['B']['id']}/move/after/{tree['Root']['id']}").status_code == 200
    assert get(admin, tree["B"]["id"], expand="ancestors")["ancestors"] == []


def test_move_to_another_space(admin: Person, tree: dict) -> None:
    other = admin.api.post("/space", json={"key": unique_key(), "name": "Elsewhere"}).json()
    target = create_page(admin, other["key"], "Landing")
    assert admin.api.put(f"/content/{tree['A']['id']}/move/append/{target['id']}").status_code == 200
    moved = get(admin, tree["A2x"]["id"], expand="ancestors,space")
    assert moved["space"]["key"] == other["key"]
    assert [x["title"] for x in moved["ancestors"]] == ["Landing", "A", "A2"]
    listing = admin.api.get("/content", params={"spaceKey": other["key"], "limit": 50}).json()
    assert {"A", "A1", "A2", "A2x"} <= set(titles(listing))


def test_move_refusals(admin: Person, tree: dict) -> None:
    a, a2x, b = tree["A"], tree["A2x"], tree["B"]
    assert_error(admin.api.put(f"/content/{a['id']}/move/append/{a2x['id']}"), 400)
    assert_error(admin.api.put(f"/content/{a['id']}/move/append/{a['id']}"), 400)
    assert_error(admin.api.put(f"/content/{a['id']}/move/sideways/{b['id']}"), 400)
    assert_error(admin.api.put(f"/content/{a['id']}/move/append/987654321"), 404)
    assert_error(admin.api.put(f"/content/987654321/move/append/{b['id']}"), 404)
    # A page whose title exists in the target space cannot move there.
    other = admin.api.post("/space", json={"key": unique_key(), "name": "Clash"}).json()
    create_page(admin, other["key"], "A1")
    target = create_page(admin, other["key"], "Target")
    assert_error(admin.api.put(f"/content/{a['id']}/move/append/{target['id']}"), 400, "already exists")
    assert get(admin, a["id"], expand="space")["space"]["key"] == a["space"]["key"]


def test_move_needs_to_see_both_pages(alice: Person, bob: Person) -> None:
    private = alice.api.post("/space/_private", json={"key": unique_key(), "name": "Alice only"}).json()
    mine = create_page(alice, private["key"], "Mine")
    other = create_page(alice, private["key"], "Other")
    assert_error(bob.api.put(f"/content/{mine['id']}/move/append/{other['id']}"), 404)
    public = bob.api.post("/space", json={"key": unique_key(), "name": "Bob's"}).json()
    bobs = create_page(bob, public["key"], "Bob's page")
    assert_error(bob.api.put(f"/content/{bobs['id']}/move/append/{mine['id']}"), 404)
    # Moving out of a space takes the permission to remove pages there, which members lack.
    guest = create_page(alice, public["key"], "Alice's page in Bob's space")
    assert_error(alice.api.put(f"/content/{guest['id']}/move/append/{mine['id']}"), 403)
    assert get(alice, guest["id"], expand="space")["space"]["key"] == public["key"]


def test_movepage_form_action(server: RunningServer, admin: Person, tree: dict) -> None:
    root, a, b, c = tree["Root"], tree["A"], tree["B"], tree["C"]
    for prefix in ("/wiki", ""):
        with httpx.Client(base_url=server.url + prefix, auth=(admin.email, admin.token)) as client:
            response = client.post(
                "/pages/movepage.action",
                data={"pageId": c["id"], "spaceKey": c["space"]["key"], "targetId": a["id"], "position": "above"},
            )
            assert response.status_code == 200, response.text
            assert child_titles(admin, root) == ["C", "A", "B"]
            response = client.post(
                "/pages/movepage.action",
                data={"pageId": c["id"], "spaceKey": c["space"]["key"], "targetId": b["id"], "position": "below"},
            )
            assert response.status_code == 200, response.text
            assert child_titles(admin, root) == ["A", "B", "C"]
    with httpx.Client(base_url=server.url + "/wiki", auth=(admin.email, admin.token)) as client:
        response = client.post(
            "/pages/movepage.action",
            data={"pageId": b["id"], "spaceKey": b["space"]["key"], "targetId": a["id"], "position": "append"},
        )
        assert response.status_code == 200, response.text
        assert child_titles(admin, a) == ["A1", "A2", "B"]
        assert_error(client.post("/pages/movepage.action", data={"pageId": b["id"], "position": "append"}), 400)
        response = client.post(
            "/pages/movepage.action", data={"pageId": b["id"], "targetId": a["id"], "position": "upwards"}
        )
        assert_error(response, 400)


# --- copy ------------------------------------------------------------------------------------


def test_copy_page_into_a_space(admin: Person, tree: dict) -> None:
    other = admin.api.post("/space", json={"key": unique_key(), "name": "Copies"}).json()
    source = updated(admin, tree["A"], body="<p>source body</p>")
    response = admin.api.post(
        f"/content/{source['id']}/copy", json={"destination": {"type": "space", "value": other["key"]}}
    )
    assert response.status_code == 200, response.text
    copy = response.json()
    assert_shape(copy, "Content")
    assert copy["id"] != source["id"]
    assert (copy["title"], copy["space"]["key"], copy["version"]["number"]) == ("A", other["key"], 1)
    assert get(admin, copy["id"], expand="ancestors")["ancestors"] == []
    assert get(admin, copy["id"], expand="body.storage")["body"]["storage"]["value"] == "<p>source body</p>"
    # Children stay behind: copy copies one page.
    assert admin.api.get(f"/content/{copy['id']}/child/page").json()["results"] == []


def test_copy_page_under_a_parent_with_a_new_title_and_body(admin: Person, tree: dict) -> None:
    response = admin.api.post(
        f"/content/{tree['A1']['id']}/copy",
        json={
            "destination": {"type": "parent_page", "value": tree["C"]["id"]},
            "pageTitle": "A1 copy",
            "body": {"storage": {"value": "<p>fresh</p>", "representation": "storage"}},
        },
    )
    assert response.status_code == 200, response.text
    copy = response.json()
    assert copy["title"] == "A1 copy"
    assert child_titles(admin, tree["C"]) == ["A1 copy"]
    assert get(admin, copy["id"], expand="body.storage")["body"]["storage"]["value"] == "<p>fresh</p>"


def test_copy_page_over_an_existing_page(admin: Person, tree: dict) -> None:
    source = updated(admin, tree["A1"], body="<p>winner</p>")
    response = admin.api.post(
        f"/content/{source['id']}/copy",
        json={"destination": {"type": "existing_page", "value": tree["B"]["id"]}, "pageTitle": "B replaced"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["id"] == tree["B"]["id"]
    after = get(admin, tree["B"]["id"], expand="body.storage,version")
    assert (after["title"], after["version"]["number"]) == ("B replaced", 2)
    assert after["body"]["storage"]["value"] == "<p>winner</p>"


def test_copy_page_refusals(admin: Person, tree: dict) -> None:
    path = f"/content/{tree['A1']['id']}/copy"
    # Same space, same title.
    response = admin.api.post(path, json={"destination": {"type": "parent_page", "value": tree["C"]["id"]}})
    assert_error(response, 400, "already exists")
    assert_error(admin.api.post(path, json={"destination": {"type": "galaxy", "value": "x"}}), 400)
    assert_error(admin.api.post(path, json={}), 400)
    assert_error(admin.api.post(path, json={"destination": {"type": "space", "value": "NOSUCHSPACE"}}), 404)
    response = admin.api.post(path, json={"destination": {"type": "parent_page", "value": "987654321"}})
    assert_error(response, 404)
    assert_error(admin.api.post("/content/987654321/copy", json={"destination": {"type": "space", "value": "X"}}), 404)
    assert child_titles(admin, tree["C"]) == []


def test_copy_labels_on_request(admin: Person, tree: dict) -> None:
    source = updated(admin, tree["A1"], metadata={"labels": [{"name": "copied"}]})
    response = admin.api.post(
        f"/content/{source['id']}/copy",
        json={"destination": {"type": "parent_page", "value": tree["C"]["id"]}, "pageTitle": "L", "copyLabels": True},
    )
    assert response.status_code == 200, response.text
    labels = get(admin, response.json()["id"], expand="metadata.labels")["metadata"]["labels"]["results"]
    assert [label["name"] for label in labels] == ["copied"]


def test_copy_page_hierarchy_with_title_options(admin: Person, tree: dict) -> None:
    response = admin.api.post(
        f"/content/{tree['A']['id']}/pagehierarchy/copy",
        json={
            "destinationPageId": tree["C"]["id"],
            "copyDescendants": True,
            "titleOptions": {"prefix": "Copy of ", "search": "A", "replace": "Z"},
        },
    )
    assert response.status_code == 202, response.text
    status = follow_task(admin, response.json())
    assert status["messages"]
    copied_root = admin.api.get(f"/content/{tree['C']['id']}/child/page").json()["results"]
    assert titles({"results": copied_root}) == ["Copy of Z"]
    below = admin.api.get(f"/content/{copied_root[0]['id']}/descendant/page").json()
    assert sorted(titles(below)) == ["Copy of Z1", "Copy of Z2", "Copy of Z2x"]
    grandchild = next(p for p in below["results"] if p["title"] == "Copy of Z2x")
    chain = get(admin, grandchild["id"], expand="ancestors")["ancestors"]
    assert [x["title"] for x in chain] == ["Root", "C", "Copy of Z", "Copy of Z2"]
    # The originals are untouched.
    assert child_titles(admin, tree["A"]) == ["A1", "A2"]


def test_copy_page_hierarchy_without_descendants(admin: Person, tree: dict) -> None:
    response = admin.api.post(
        f"/content/{tree['A']['id']}/pagehierarchy/copy",
        json={"destinationPageId": tree["B"]["id"], "copyDescendants": False, "titleOptions": {"prefix": "X "}},
    )
    assert response.status_code == 202, response.text
    follow_task(admin, response.json())
    copied = admin.api.get(f"/content/{tree['B']['id']}/descendant/page").json()
    assert titles(copied) == ["X A"]


def test_a_failed_hierarchy_copy_leaves_nothing_behind(admin: Person, space: dict, tree: dict) -> None:
    # "Copy of A2" exists already, so the copy fails after having copied A and A1.
    create_page(admin, space["key"], "Copy of A2")
    response = admin.api.post(
        f"/content/{tree['A']['id']}/pagehierarchy/copy",
        json={"destinationPageId": tree["C"]["id"], "titleOptions": {"prefix": "Copy of "}},
    )
    assert_error(response, 400, "already exists")
    assert child_titles(admin, tree["C"]) == []
    for title in ("Copy of A", "Copy of A1"):
        found = admin.api.get("/content", params={"spaceKey": space["key"], "title": title, "status": "any"}).json()
        assert found["results"] == [], title
    tasks = admin.api.get("/longtask", params={"limit": 100}).json()
    assert_shape(tasks, "LongTaskStatusArray")


def test_copy_page_hierarchy_refusals(admin: Person, tree: dict) -> None:
    path = f"/content/{tree['A']['id']}/pagehierarchy/copy"
    assert_error(admin.api.post(path, json={"destinationPageId": tree["A2"]["id"]}), 400)
    assert_error(admin.api.post(path, json={"destinationPageId": "987654321"}), 404)
    assert_error(admin.api.post(path, json={}), 400)
    response = admin.api.post("/content/987654321/pagehierarchy/copy", json={"destinationPageId": tree["B"]["id"]})
    assert_error(response, 404)


# --- page tree deletion and archiving --------------------------------------------------------


def test_delete_page_tree_trashes_the_page_and_its_descendants(admin: Person, tree: dict) -> None:
    response = admin.api.delete(f"/content/{tree['A']['id']}/pageTree")
    assert response.status_code == 202, response.text
    follow_task(admin, response.json())
    for name in ("A", "A1", "A2", "A2x"):
        assert_error(admin.api.get(f"/content/{tree[name]['id']}"), 404)
        assert get(admin, tree[name]["id"], status="trashed")["status"] == "trashed"
    assert child_titles(admin, tree["Root"]) == ["B", "C"]
    assert_error(admin.api.delete("/content/987654321/pageTree"), 404)


def test_archive_pages(admin: Person, tree: dict) -> None:
    response = admin.api.post(
        "/content/archive", json={"pages": [{"id": int(tree["B"]["id"])}, {"id": tree["C"]["id"]}]}
    )
    assert response.status_code == 202, response.text
    follow_task(admin, response.json())
    assert_error(admin.api.get(f"/content/{tree['B']['id']}"), 404)
    assert get(admin, tree["B"]["id"], status="archived")["status"] == "archived"
    assert child_titles(admin, tree["Root"]) == ["A"]
    # Archived pages cannot be archived again.
    assert_error(admin.api.post("/content/archive", json={"pages": [{"id": tree["B"]["id"]}]}), 400)


def test_a_failed_archive_archives_nothing(admin: Person, tree: dict) -> None:
    response = admin.api.post("/content/archive", json={"pages": [{"id": tree["B"]["id"]}, {"id": "987654321"}]})
    assert response.status_code in (400, 404), response.text
    assert get(admin, tree["B"]["id"])["status"] == "current"


def test_archive_limits(admin: Person) -> None:
    assert_error(admin.api.post("/content/archive", json={"pages": []}), 400)
    assert_error(admin.api.post("/content/archive", json={"pages": [{"id": i} for i in range(1, 302)]}), 400)


# --- long tasks ------------------------------------------------------------------------------


def test_long_tasks_belong_to_whoever_started_them(admin: Person, alice: Person, bob: Person) -> None:
    space = alice.api.post("/space", json={"key": unique_key(), "name": "Alice's"}).json()
    response = alice.api.delete(f"/space/{space['key']}")
    assert response.status_code == 202, response.text
    task = follow_task(alice, response.json())
    assert_error(bob.api.get(f"/longtask/{task['id']}"), 404)
    assert admin.api.get(f"/longtask/{task['id']}").status_code == 200
    assert task["id"] in [t["id"] for t in alice.api.get("/longtask").json()["results"]]
    assert task["id"] not in [t["id"] for t in bob.api.get("/longtask").json()["results"]]
    assert_error(alice.api.get("/longtask/no-such-task"), 404)


def test_movepage_form_action_with_query_parameters(server: RunningServer, admin: Person, tree: dict) -> None:
    """atlassian-python-api posts an empty body with the fields in the query string."""
    root, a, c = tree["Root"], tree["A"], tree["C"]
    key = a["space"]["key"]
    headers = {"X-Atlassian-Token": "no-check"}
    with httpx.Client(base_url=server.url + "/wiki", auth=(admin.email, admin.token), headers=headers) as client:
        params = {"spaceKey": key, "pageId": c["id"], "targetTitle": "A", "position": "append"}
        response = client.post("/pages/movepage.action", params=params)
        assert response.status_code == 200, response.text
        assert child_titles(admin, a) == ["A1", "A2", "C"]
        params = {"spaceKey": key, "pageId": c["id"], "position": "topLevel"}
        assert client.post("/pages/movepage.action", params=params).status_code == 200
        assert get(admin, c["id"], expand="ancestors")["ancestors"] == []
        assert child_titles(admin, root) == ["A", "B"]
        params = {"spaceKey": key, "pageId": c["id"], "targetTitle": "No such page", "position": "append"}
        assert_error(client.post("/pages/movepage.action", params=params), 404)
        params = {"pageId": c["id"], "targetTitle": "A", "position": "append"}
        assert_error(client.post("/pages/movepage.action", params=params), 400)


def test_long_tasks_need_a_login(anonymous: httpx.Client) -> None:
    assert_error(anonymous.get("/longtask"), 401)
    assert_error(anonymous.get("/longtask/123"), 401)
