"""atlassian-python-api's Cloud v2 client (ConfluenceV2) against the v2 API."""

from __future__ import annotations

import uuid

import pytest
from atlassian import ConfluenceV2

from tests.conftest import Person
from tests.server import RunningServer

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def confluence(server: RunningServer, admin: Person):  # type: ignore[no-untyped-def]
    client = ConfluenceV2(url=server.url + "/wiki", username=admin.email, password=admin.token)
    yield client
    client.close()


def test_pages_children_labels_and_comments(confluence: ConfluenceV2, admin: Person, space: dict) -> None:
    space_id = str(space["id"])
    home = str(space["homepage"]["id"])
    parent = confluence.create_page(
        space_id=space_id, title=f"V2 parent {uuid.uuid4().hex[:6]}", body="<p>p</p>", parent_id=home
    )
    child = confluence.create_page(
        space_id=space_id, title=f"V2 child {uuid.uuid4().hex[:6]}", body="<p>c</p>", parent_id=parent["id"]
    )
    assert confluence.get_page_by_id(child["id"], body_format="storage")["body"]["storage"]["value"] == "<p>c</p>"
    assert [p["id"] for p in confluence.get_child_pages(parent["id"])] == [child["id"]]
    assert child["id"] in {p["id"] for p in confluence.get_pages(space_id=space_id)}

    # Cloud's v2 API reads labels only (the client's add_page_label posts to a path Cloud does not
    # have): label through v1, read through v2.
    assert admin.api.post(f"/content/{child['id']}/label", json=[{"name": "from-v2"}]).status_code == 200
    assert [label["name"] for label in confluence.get_page_labels(child["id"])] == ["from-v2"]

    # The client's create_page_footer_comment posts to /api/v2/comments, a path the v2 spec does not
    # have; the spec's /footer-comments is covered in tests/v2. Comment through v1, read through v2.
    comment = admin.api.post(
        "/content",
        json={
            "type": "comment",
            "container": {"id": child["id"], "type": "page"},
            "body": {"storage": {"value": "<p>Nice</p>", "representation": "storage"}},
        },
    ).json()
    assert [c["id"] for c in confluence.get_page_footer_comments(child["id"])] == [comment["id"]]

    confluence.delete_page(child["id"])
    assert [p["id"] for p in confluence.get_child_pages(parent["id"])] == []
