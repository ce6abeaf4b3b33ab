"""The search endpoints over HTTP: response shapes, paging cursors, errors, excerpts, and the
index following every content write in the same transaction."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest

from localfluence.search import cursor as cursors
from tests.conftest import Person, create_page, make_person
from tests.server import RunningServer


def search(person: Person, cql: str, **params: object) -> httpx.Response:
    return person.api.get("/search", params={"cql": cql, **params})


def titles(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [r["content"]["title"] for r in response.json()["results"]]


def word() -> str:
    return "w" + uuid.uuid4().hex[:10]


def test_search_result_shape(admin: Person, space: dict) -> None:
    marker = word()
    page = create_page(admin, space["key"], f"Shape {marker}", body=f"<p>Some <b>{marker}</b> &amp; more text</p>")
    body = search(admin, f"text ~ {marker}").json()
    assert set(body) >= {"results", "start", "limit", "size", "totalSize", "cqlQuery", "searchDuration", "_links"}
    assert (body["size"], body["totalSize"], body["start"], body["limit"]) == (1, 1, 0, 25)
    assert body["cqlQuery"] == f"text ~ {marker}"
    assert body["_links"]["base"].endswith("/wiki") and body["_links"]["context"] == "/wiki"
    result = body["results"][0]
    assert result["content"]["id"] == page["id"]
    assert result["content"]["childTypes"] == {} and result["content"]["restrictions"] == {}
    assert result["entityType"] == "content"
    assert result["iconCssClass"] == "aui-icon content-type-page"
    assert result["url"] == f"/spaces/{space['key']}/pages/{page['id']}/Shape+{marker}"
    assert result["resultGlobalContainer"] == {"title": space["name"], "displayUrl": f"/spaces/{space['key']}"}
    assert result["breadcrumbs"] == []
    assert result["title"] == f"Shape @@@hl@@@{marker}@@@endhl@@@"
    assert result["excerpt"] == f"Some @@@hl@@@{marker}@@@endhl@@@ &amp; more text"
    assert result["lastModified"].endswith("Z") and result["friendlyLastModified"]
    assert result["score"] > 0


@pytest.mark.parametrize(
    ("mode", "excerpt"),
    [
        ("highlight", "a @@@hl@@@{m}@@@endhl@@@ &lt;b&gt; b"),
        ("highlight_unescaped", "a @@@hl@@@{m}@@@endhl@@@ <b> b"),
        ("indexed", "a {m} &lt;b&gt; b"),
        ("indexed_unescaped", "a {m} <b> b"),
        ("none", ""),
    ],
)
def test_excerpt_modes(admin: Person, space: dict, mode: str, excerpt: str) -> None:
    marker = word()
    create_page(admin, space["key"], f"Excerpt {marker}", body=f"<p>a {marker} &lt;b&gt; b</p>")
    result = search(admin, f"text ~ {marker}", excerpt=mode).json()["results"][0]
    assert result["excerpt"] == excerpt.format(m=marker)


def test_expand_passes_to_content_with_prefix(admin: Person, space: dict) -> None:
    marker = word()
    create_page(admin, space["key"], f"Expand {marker}", body="<p>body here</p>")
    result = search(admin, f"title ~ {marker}", expand="content.body.storage,content.space").json()["results"][0]
    assert result["content"]["body"]["storage"]["value"] == "<p>body here</p>"
    assert result["content"]["space"]["key"] == space["key"]


def test_cursor_paging_walks_every_result_once(admin: Person, space: dict) -> None:
    marker = word()
    for i in range(5):
        create_page(admin, space["key"], f"Paged {i} {marker}", body=f"<p>{marker}</p>")
    cql = f"text ~ {marker} order by title"
    seen: list[str] = []
    response = search(admin, cql, limit=2)
    pages = 0
    while True:
        body = response.json()
        assert body["totalSize"] == 5
        seen.extend(r["content"]["title"] for r in body["results"])
        pages += 1
        if "next" not in body["_links"]:
            break
        assert body["_links"]["next"].startswith("/rest/api/search?")
        response = admin.api.get(body["_links"]["next"].removeprefix("/rest/api"))
    assert seen == [f"Paged {i} {marker}" for i in range(5)] and pages == 3
    prev = body["_links"]["prev"]
    assert titles(admin.api.get(prev.removeprefix("/rest/api"))) == [f"Paged 2 {marker}", f"Paged 3 {marker}"]


@pytest.mark.parametrize("cursor", ["garbage!!", "e30", cursors.encode(-1, "x"), "W10", "WzEsMl0", "bnVsbA"])
def test_forged_cursors_are_400(admin: Person, cursor: str) -> None:
    response = search(admin, "type = page", cursor=cursor)
    assert response.status_code == 400
    assert response.json()["statusCode"] == 400


def test_a_cursor_from_another_query_is_400(admin: Person) -> None:
    nxt = search(admin, "type = page", limit=1).json()["_links"]["next"]
    cursor = httpx.URL(nxt).params["cursor"]
    response = search(admin, "type = blogpost", cursor=cursor)
    assert response.status_code == 400
    assert "different search" in response.json()["message"]


def test_start_still_pages(admin: Person, space: dict) -> None:
    marker = word()
    for i in range(3):
        create_page(admin, space["key"], f"Start {i} {marker}", body="<p>x</p>")
    assert titles(search(admin, f"title ~ {marker} order by title", start=1, limit=1)) == [f"Start 1 {marker}"]


def test_limit_is_capped(admin: Person) -> None:
    assert search(admin, "type = page", limit=5000).json()["limit"] == 100
    assert admin.api.get("/content/search", params={"cql": "type = page", "limit": 5000}).json()["limit"] == 200
    assert search(admin, "type = page", limit=5000, expand="content.body.storage").json()["limit"] == 50


@pytest.mark.parametrize(
    ("cql", "reason"),
    [
        ("text ~ BBQ Grill", "Unexpected 'Grill' at column 12"),
        ("text = foo", "not supported for the field 'text'"),
        ("nosuch = 1", "No field exists with the name: 'nosuch'"),
        ("created > whenever", "Invalid date"),
        ("user = x", "No field exists with the name: 'user'"),
    ],
)
def test_bad_cql_is_a_confluence_400(admin: Person, cql: str, reason: str) -> None:
    for path in ("/search", "/content/search"):
        response = admin.api.get(path, params={"cql": cql})
        assert response.status_code == 400
        body = response.json()
        assert body["message"] == f"Could not parse cql : {cql}"
        assert reason in body["data"]["errors"][0]["message"]["translation"]


@pytest.mark.parametrize(
    "params",
    [{}, {"cql": "  "}, {"cql": "type = page", "cqlcontext": "{not json"}, {"cql": "type=page", "excerpt": "bold"},
     {"cql": "type = page", "cqlcontext": '{"contentStatuses": ["nope"]}'}, {"cql": "type = page", "limit": -1}],
)  # fmt: skip
def test_bad_parameters_are_400(admin: Person, params: dict) -> None:
    assert admin.api.get("/search", params=params).status_code == 400


def test_content_search_returns_content_with_expansions(admin: Person, space: dict) -> None:
    parent = create_page(admin, space["key"], f"Parent {word()}")
    children = [create_page(admin, space["key"], f"Child {i} {word()}", parent=parent["id"]) for i in range(3)]
    response = admin.server_api.get(
        "/content/search", params={"cql": f"ancestor = {parent['id']}", "limit": 2, "expand": "version,ancestors"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["size"] == 2 and body["limit"] == 2 and "totalSize" not in body
    assert body["results"][0]["version"]["number"] == 1
    assert body["results"][0]["ancestors"][-1]["id"] == parent["id"]
    assert body["_links"]["context"] == ""
    nxt = admin.server_api.get(body["_links"]["next"].removeprefix("/rest/api")).json()
    ids = {r["id"] for r in body["results"]} | {r["id"] for r in nxt["results"]}
    assert ids == {c["id"] for c in children}
    assert "next" not in nxt["_links"] and "prev" in nxt["_links"]


def test_index_follows_updates_trash_restore_and_purge(admin: Person, space: dict) -> None:
    old, new = word(), word()
    page = create_page(admin, space["key"], f"Life {old}", body=f"<p>{old}</p>")
    assert len(titles(search(admin, f"text ~ {old}"))) == 1
    update = {"type": "page", "title": f"Life {new}", "version": {"number": 2},
              "body": {"storage": {"value": f"<p>{new}</p>", "representation": "storage"}}}  # fmt: skip
    assert admin.api.put(f"/content/{page['id']}", json=update).status_code == 200
    assert titles(search(admin, f"text ~ {old}")) == []
    assert titles(search(admin, f"text ~ {new}")) == [f"Life {new}"]
    assert admin.api.delete(f"/content/{page['id']}").status_code == 204
    assert titles(search(admin, f"text ~ {new}")) == []
    trashed = search(admin, f"text ~ {new}", cqlcontext='{"contentStatuses": ["trashed"]}')
    assert titles(trashed) == [f"Life {new}"]
    restore = {**update, "status": "current", "version": {"number": 3}}
    assert admin.api.put(f"/content/{page['id']}", json=restore).status_code == 200
    assert titles(search(admin, f"text ~ {new}")) == [f"Life {new}"]
    assert admin.api.delete(f"/content/{page['id']}").status_code == 204
    assert admin.api.delete(f"/content/{page['id']}", params={"status": "trashed"}).status_code == 204
    assert titles(search(admin, f"text ~ {new}", cqlcontext='{"contentStatuses": ["trashed", "current"]}')) == []


def test_labels_given_on_update_are_searchable(admin: Person, space: dict) -> None:
    label = word()
    page = create_page(admin, space["key"], f"Labelled {label}")
    update = {"type": "page", "title": page["title"], "version": {"number": 2},
              "metadata": {"labels": [{"prefix": "global", "name": label}]}}  # fmt: skip
    assert admin.api.put(f"/content/{page['id']}", json=update).status_code == 200
    assert titles(search(admin, f"label = {label}")) == [page["title"]]
    assert titles(search(admin, f"text ~ {label}")) == [page["title"]]


def test_labels_stay_indexed_through_writes_that_leave_them_alone(admin: Person, space: dict) -> None:
    # Creates and updates without metadata.labels keep the indexed labels without looking them up.
    given, added = word(), word()
    page = admin.api.post("/content", json={
        "type": "page", "title": f"Kept {word()}", "space": {"key": space["key"]},
        "body": {"storage": {"value": "<p>x</p>", "representation": "storage"}},
        "metadata": {"labels": [{"prefix": "global", "name": given}]}}).json()  # fmt: skip
    assert titles(search(admin, f"text ~ {given}")) == [page["title"]]
    assert admin.api.post(f"/content/{page['id']}/label", json=[{"prefix": "global", "name": added}]).status_code == 200
    edit = {"type": "page", "title": page["title"], "version": {"number": 2},
            "body": {"storage": {"value": "<p>edited</p>", "representation": "storage"}}}  # fmt: skip
    assert admin.api.put(f"/content/{page['id']}", json=edit).status_code == 200
    assert titles(search(admin, f"text ~ {given}")) == [page["title"]]
    assert titles(search(admin, f"text ~ {added}")) == [page["title"]]
    cleared = {**edit, "version": {"number": 3}, "metadata": {"labels": []}}
    assert admin.api.put(f"/content/{page['id']}", json=cleared).status_code == 200
    assert titles(search(admin, f"text ~ {given}")) == []
    assert titles(search(admin, f"text ~ {added}")) == []
    plain = create_page(admin, space["key"], f"Unlabelled {word()}")
    assert titles(search(admin, f"text ~ {given}")) == []
    assert titles(search(admin, f'title = "{plain["title"]}"')) == [plain["title"]]


def test_a_failed_write_leaves_the_index_untouched(admin: Person, space: dict) -> None:
    marker = word()
    page = create_page(admin, space["key"], f"Stable {marker}")
    stale = {"type": "page", "title": f"Stable {word()}", "version": {"number": 7}}
    assert admin.api.put(f"/content/{page['id']}", json=stale).status_code == 409
    assert titles(search(admin, f"title ~ {marker}")) == [f"Stable {marker}"]


def test_space_results(admin: Person) -> None:
    key = f"SR{uuid.uuid4().hex[:8].upper()}"
    name = f"Findable {word()}"
    description = {"plain": {"value": "about it", "representation": "plain"}}
    assert admin.api.post("/space", json={"key": key, "name": name, "description": description}).status_code == 200
    body = search(admin, f"type = space and space.title ~ '{name.split()[1]}'").json()
    assert body["totalSize"] == 1
    result = body["results"][0]
    assert result["entityType"] == "space" and result["space"]["key"] == key
    assert result["url"] == f"/spaces/{key}" and result["excerpt"] == "about it"


@pytest.fixture
def alice(server: RunningServer) -> Iterator[Person]:
    # Closed here: an unclosed client's socket warning would land in whichever test runs next.
    person = make_person(server, "Alice")
    yield person
    person.api.close()
    person.server_api.close()


@pytest.fixture
def bob(server: RunningServer) -> Iterator[Person]:
    person = make_person(server, "Bob")
    yield person
    person.api.close()
    person.server_api.close()


def test_user_search(admin: Person, alice: Person, anonymous: httpx.Client) -> None:
    response = admin.api.get("/search/user", params={"cql": f'user.accountid = "{alice.account_id}"'})
    assert response.status_code == 200
    body = response.json()
    assert [r["user"]["accountId"] for r in body["results"]] == [alice.account_id]
    assert body["results"][0]["entityType"] == "user"
    found = admin.api.get("/search/user", params={"cql": "type = user and user.fullname ~ ali", "limit": 200}).json()
    assert alice.account_id in {r["user"]["accountId"] for r in found["results"]}
    assert admin.api.get("/search/user", params={"cql": "user.fullname = x and text ~ y"}).status_code == 400
    assert anonymous.get("/search/user", params={"cql": "type = user"}).status_code == 401


def test_server_prefix_serves_search_too(admin: Person) -> None:
    response = admin.server_api.get("/search", params={"cql": "type = page", "limit": 1})
    assert response.status_code == 200
    assert response.json()["_links"]["next"].startswith("/rest/api/search?")


def test_search_never_shows_what_the_caller_may_not_see(admin: Person, bob: Person, anonymous: httpx.Client) -> None:
    key = f"PV{uuid.uuid4().hex[:8].upper()}"
    assert admin.api.post("/space/_private", json={"key": key, "name": "Private"}).status_code == 200
    marker = word()
    create_page(admin, key, f"Secret {marker}", body=f"<p>{marker} payroll</p>")
    for client in (bob.api, anonymous):
        for cql in (f"text ~ {marker}", f"title ~ {marker}", f"space = {key}", f"text ~ {marker} or type = page"):
            body = client.get("/search", params={"cql": cql, "limit": 100}).json()
            assert marker not in str(body["results"]), cql
        body = client.get("/search", params={"cql": f"text ~ {marker}"}).json()
        assert body["totalSize"] == 0 and body["results"] == []
        assert client.get("/content/search", params={"cql": f"text ~ {marker}"}).json()["results"] == []
