"""atlassian-python-api's search calls against a real server: cql(), iter_cql(),
get_all_pages_by_label, and the content/search paths sphinxcontrib-confluencebuilder uses."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlparse

import pytest
from atlassian import Confluence
from atlassian.errors import ApiValueError

from tests.conftest import Person, create_page
from tests.server import RunningServer


@pytest.fixture
def confluence(server: RunningServer, admin: Person) -> Iterator[Confluence]:
    client = Confluence(url=server.url + "/wiki", username=admin.email, password=admin.token, cloud=False)
    yield client
    client.session.close()


def test_cql_and_iter_cql(confluence: Confluence, admin: Person, space: dict) -> None:
    marker = "m" + uuid.uuid4().hex[:8]
    for i in range(3):
        create_page(admin, space["key"], f"Client {i} {marker}", body=f"<p>{marker} text</p>")
    found = confluence.cql(f"text ~ {marker}", limit=2)
    assert found["totalSize"] == 3 and found["size"] == 2
    assert found["results"][0]["content"]["type"] == "page"
    every = list(confluence.iter_cql(f"text ~ {marker} order by title", limit=2))
    assert [r["content"]["title"] for r in every] == [f"Client {i} {marker}" for i in range(3)]
    with pytest.raises(ApiValueError):
        confluence.cql("text ~ BBQ Grill")


def test_get_all_pages_by_label(confluence: Confluence, admin: Person, space: dict) -> None:
    label = "l" + uuid.uuid4().hex[:8]
    labels = {"metadata": {"labels": [{"prefix": "global", "name": label}]}}
    wanted = {create_page(admin, space["key"], f"Labelled {i} {label}", **labels)["id"] for i in range(3)}
    create_page(admin, space["key"], f"Unlabelled {label}")
    found = {p["id"] for p in confluence.get_all_pages_by_label(label, limit=2)}
    assert found == wanted


def test_confluencebuilder_search_paths(confluence: Confluence, admin: Person, space: dict) -> None:
    key = space["key"]
    root = create_page(admin, key, f"Root {uuid.uuid4().hex[:6]}")
    kids = {create_page(admin, key, f"Kid {i} {uuid.uuid4().hex[:6]}", parent=root["id"])["id"] for i in range(3)}
    # get_descendants: ancestor=<id> with a big limit, following _links.next by its query fields.
    params: dict = {"cql": f"ancestor={root['id']}", "limit": 2}
    seen: set[str] = set()
    while True:
        rsp = confluence.get("rest/api/content/search", params=params)
        seen |= {r["id"] for r in rsp["results"]}
        nxt = rsp["_links"].get("next")
        if not nxt:
            break
        params = dict(parse_qsl(urlparse(nxt).query))
    assert seen == kids
    # get_page in "search" mode: space, type and exact title, with a cqlcontext of statuses.
    rsp = confluence.get(
        "rest/api/content/search",
        params={
            "cql": f'space="{key}" and type=page and title="{root["title"]}"',
            "cqlcontext": json.dumps({"contentStatuses": ["current"]}),
            "expand": "version",
            "limit": 1,
        },
    )
    assert [r["id"] for r in rsp["results"]] == [root["id"]]
    assert rsp["results"][0]["version"]["number"] == 1
    # get_page_case_insensitive: title~ on a lower-cased name.
    rsp = confluence.get(
        "rest/api/content/search", params={"cql": f'space="{key}" and type=page and title~"{root["title"].lower()}"'}
    )
    assert root["id"] in {r["id"] for r in rsp["results"]}
