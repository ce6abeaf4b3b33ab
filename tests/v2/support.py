"""Helpers for the v2 tests: a v2 client per person, and v1-made comments and attachments."""

from __future__ import annotations

import httpx

from tests.conftest import Person
from tests.server import RunningServer

XSRF = {"X-Atlassian-Token": "no-check"}


def v2_client(server: RunningServer, person: Person) -> httpx.Client:
    return httpx.Client(base_url=server.url + "/wiki/api/v2", auth=(person.email, person.token), timeout=30)


def comment(person: Person, container_id: str, text: str, *, inline: bool = False) -> dict:
    payload: dict = {
        "type": "comment",
        "container": {"id": container_id, "type": "page", "status": "current"},
        "body": {"storage": {"value": f"<p>{text}</p>", "representation": "storage"}},
    }
    if inline:
        payload["extensions"] = {
            "location": "inline",
            "inlineProperties": {"markerRef": "m1", "originalSelection": "w"},
        }
    response = person.api.post("/content", json=payload)
    assert response.status_code == 200, response.text
    return response.json()


def attach(person: Person, container_id: str, name: str, data: bytes, comment: str = "") -> dict:
    # PUT creates or adds a version, as createOrUpdateAttachments does.
    response = person.api.put(
        f"/content/{container_id}/child/attachment",
        files=[("file", (name, data, "text/plain"))],
        data={"comment": comment} if comment else None,
        headers=XSRF,
    )
    assert response.status_code == 200, response.text
    return response.json()["results"][0]


def walk(client: httpx.Client, path: str, params: dict | None = None) -> list[dict]:
    """Every result of a cursor-paged list, following _links.next and checking the Link header."""
    seen: list[dict] = []
    response = client.get(path, params=params)
    while True:
        assert response.status_code == 200, response.text
        seen += response.json()["results"]
        nxt = response.json()["_links"].get("next")
        if not nxt:
            assert "link" not in response.headers
            return seen
        assert response.headers["link"].startswith(f"<{nxt}>")
        response = client.get(nxt.removeprefix("/wiki/api/v2"))
