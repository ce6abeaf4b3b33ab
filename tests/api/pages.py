"""Small helpers the content tests share: read, update, list and walk pages over HTTP."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import Person


def get(person: Person, content_id: str, **params: Any) -> dict:
    response = person.api.get(f"/content/{content_id}", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def update(
    person: Person,
    page: dict,
    *,
    version: int | None = None,
    title: str | None = None,
    body: str | None = None,
    **extra: Any,
) -> httpx.Response:
    """PUT the page with the next version number unless told otherwise."""
    number = version if version is not None else page["version"]["number"] + 1
    payload: dict[str, Any] = {
        "type": page["type"],
        "title": title if title is not None else page["title"],
        "version": {"number": number},
        **extra,
    }
    if body is not None:
        payload["body"] = {"storage": {"value": body, "representation": "storage"}}
    return person.api.put(f"/content/{page['id']}", json=payload)


def updated(person: Person, page: dict, **changes: Any) -> dict:
    response = update(person, page, **changes)
    assert response.status_code == 200, response.text
    return response.json()


def titles(listing: dict) -> list[str]:
    return [item["title"] for item in listing["results"]]


def ids(listing: dict) -> list[str]:
    return [item["id"] for item in listing["results"]]


def walk(client: httpx.Client, path: str, **params: Any) -> list[dict]:
    """Follow _links.next from the first page to the last, as clients do; every item once."""
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    items = list(body["results"])
    seen_pages = 1
    while "next" in body["_links"]:
        # next is relative to _links.base, as Confluence writes it.
        response = client.get(body["_links"]["base"] + body["_links"]["next"])
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["results"], "a next link must lead to more results"
        items.extend(body["results"])
        seen_pages += 1
        assert seen_pages < 1000
    return items


def assert_error(response: httpx.Response, status: int, message: str | None = None) -> dict:
    """A Confluence-shaped error with the status (and, if given, a message containing `message`)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["statusCode"] == status
    assert body["data"]["successful"] is False
    assert isinstance(body["message"], str) and body["message"]
    if message is not None:
        assert message in body["message"], body["message"]
    return body
