"""atlassian-python-api against localfluence: labels, properties and comments.

Since atlassian-python-api 5, `Confluence(..., cloud=True)` returns the Cloud client, whose
classic v1 helpers (set_page_label, get_page_comments, ...) moved to ConfluenceServer; Cloud
users call them through that class with cloud=True against the same /wiki/rest/api paths."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from atlassian import Confluence
from atlassian.confluence import ConfluenceServer
from atlassian.errors import ApiConflictError, ApiError

from tests.conftest import Person, create_page
from tests.server import RunningServer


@pytest.fixture
def confluence(server: RunningServer, admin: Person) -> Iterator[object]:
    url = server.url + "/wiki"
    client = Confluence(url=url, username=admin.email, password=admin.token, cloud=True)
    if not hasattr(client, "set_page_label"):
        client = ConfluenceServer(url=url, username=admin.email, password=admin.token, cloud=True)
    yield client
    client.close()


def test_page_labels(confluence, admin: Person, space: dict) -> None:  # type: ignore[no-untyped-def]
    page = create_page(admin, space["key"])
    added = confluence.set_page_label(page["id"], "Client Label")
    assert sorted(lb["name"] for lb in added["results"]) == ["client", "label"]
    labels = confluence.get_page_labels(page["id"])
    assert sorted(lb["name"] for lb in labels["results"]) == ["client", "label"]
    assert confluence.get_page_labels(page["id"], prefix="global", limit=1)["size"] == 1
    confluence.remove_page_label(page["id"], "client")
    assert [lb["name"] for lb in confluence.get_page_labels(page["id"])["results"]] == ["label"]


def test_page_properties(confluence, admin: Person, space: dict) -> None:  # type: ignore[no-untyped-def]
    page = create_page(admin, space["key"])
    created = confluence.set_page_property(page["id"], {"key": "build", "value": {"sha": "abc123", "ok": True}})
    assert created["version"]["number"] == 1
    fetched = confluence.get_page_property(page["id"], "build")
    assert fetched["value"] == {"sha": "abc123", "ok": True}
    updated = confluence.update_page_property(
        page["id"], {"key": "build", "value": {"sha": "def456"}, "version": {"number": 2, "minorEdit": True}}
    )
    assert updated["version"]["number"] == 2
    assert confluence.get_page_property(page["id"], "build")["value"] == {"sha": "def456"}
    with pytest.raises(ApiConflictError):
        confluence.update_page_property(page["id"], {"key": "build", "value": 1, "version": {"number": 2}})
    assert [p["key"] for p in confluence.get_page_properties(page["id"])] == ["build"]
    confluence.delete_page_property(page["id"], "build")
    with pytest.raises(ApiError):
        confluence.get_page_property(page["id"], "build")


def test_comments(confluence, admin: Person, space: dict) -> None:  # type: ignore[no-untyped-def]
    page = create_page(admin, space["key"])
    first = confluence.add_comment(page["id"], "<p>First!</p>")
    assert first["type"] == "comment"
    confluence.add_comment(page["id"], "<p>Second</p>")
    comments = confluence.get_page_comments(page["id"], expand="body.storage,version")
    assert [c["body"]["storage"]["value"] for c in comments["results"]] == ["<p>First!</p>", "<p>Second</p>"]
    assert comments["results"][0]["version"]["by"]["accountId"] == admin.account_id
    everything = confluence.get_page_comments(page["id"], depth="all", location="footer")
    assert everything["size"] == 2
