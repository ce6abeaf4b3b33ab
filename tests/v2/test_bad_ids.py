"""Ids no stored row can have (non-ASCII digits, beyond 64 bits) are a 400 or a 404, never a 500."""

from __future__ import annotations

from urllib.parse import quote

import httpx
import pytest

from tests.api.test_inline_tasks import task, tasks_page
from tests.conftest import Person, create_page
from tests.server import RunningServer
from tests.v2.support import attach

HUGE = str(2**70)


@pytest.fixture
def v2(server: RunningServer, admin: Person):  # type: ignore[no-untyped-def]
    client = httpx.Client(base_url=server.url + "/wiki/api/v2", auth=(admin.email, admin.token), timeout=30)
    yield client
    client.close()


@pytest.mark.parametrize(
    "path",
    [
        "/pages/\u00b2",
        "/footer-comments/\u0663",
        "/tasks/\u00b2",
        f"/spaces/{HUGE}/pages",
        f"/spaces/{HUGE}/blogposts",
    ],
)
def test_an_impossible_id_is_not_a_server_error(v2: httpx.Client, path: str) -> None:
    got = v2.get(path)
    assert got.status_code in (400, 404), got.text


@pytest.mark.parametrize("path", [f"/pages?id={HUGE}", f"/blogposts?space-id={HUGE}"])
def test_a_filter_on_an_impossible_id_matches_nothing(v2: httpx.Client, path: str) -> None:
    got = v2.get(path)
    assert got.status_code == 200, got.text
    assert got.json()["results"] == []


def test_an_impossible_property_id_is_not_a_server_error(admin: Person, v2: httpx.Client, space: dict) -> None:
    page = create_page(admin, space["key"], "Props")
    got = v2.get(f"/pages/{page['id']}/properties/{HUGE}")
    assert got.status_code in (400, 404), got.text


def test_a_page_created_in_an_impossible_space_is_refused(v2: httpx.Client) -> None:
    got = v2.post(
        "/pages", json={"spaceId": HUGE, "title": "Nowhere", "body": {"representation": "storage", "value": ""}}
    )
    assert got.status_code in (400, 404), got.text


def test_impossible_content_ids_are_not_a_server_error(v2: httpx.Client) -> None:
    got = v2.post("/content/convert-ids-to-types", json={"contentIds": ["\u00b2"]})
    assert got.status_code == 400, got.text


# The hostile ids of the code review; each must be a 400, a 404 or (in a list) match nothing.
INVALID = ["\u0663", "1e3", "-1", "0", " 1", "99999999999999999999", "+1", "1_0"]
UNSTORED = ["2147483648", "9223372036854775807"]
ARABIC = str.maketrans("0123456789", "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669")


@pytest.fixture
def things(admin: Person, v2: httpx.Client, space: dict) -> dict[str, str]:
    """One of each object a v2 path names by id, so that a look-alike of a real id can be tried."""
    page = tasks_page(admin, space["key"], task("Probe", number=1))
    admin.api.post(f"/content/{page['id']}/label", json=[{"prefix": "global", "name": "badids"}])
    made = {"page": page["id"], "space": str(space["id"]), "role": "1"}
    made["task"] = v2.get("/tasks", params={"page-id": page["id"]}).json()["results"][0]["id"]
    made["property"] = v2.post(f"/pages/{page['id']}/properties", json={"key": "k", "value": 1}).json()["id"]
    made["space property"] = v2.post(f"/spaces/{space['id']}/properties", json={"key": "k", "value": 1}).json()["id"]
    made["label"] = v2.get(f"/pages/{page['id']}/labels").json()["results"][0]["id"]
    made["attachment"] = attach(admin, page["id"], "a.txt", b"a")["id"]
    return made


PATHS = [
    ("page", "/pages/{}"),
    ("page", "/pages/{}/labels"),
    ("page", "/pages/{}/children"),
    ("attachment", "/attachments/{}"),
    ("space", "/spaces/{}"),
    ("space", "/spaces/{}/pages"),
    ("space", "/spaces/{}/role-assignments"),
    ("space", "/space-roles?space-id={}"),
    ("role", "/space-roles/{}"),
    ("task", "/tasks/{}"),
    ("label", "/labels/{}/pages"),
    ("property", "/pages/{page}/properties/{}"),
    ("space property", "/spaces/{space}/properties/{}"),
]


@pytest.mark.parametrize(("kind", "template"), PATHS)
def test_hostile_path_ids(v2: httpx.Client, things: dict[str, str], kind: str, template: str) -> None:
    real = things[kind]

    def get(raw: str) -> httpx.Response:
        return v2.get(template.format(quote(raw, safe=""), page=things["page"], space=things["space"]))

    assert get(real).status_code == 200
    # Look-alikes of the real id: int() takes every one of them, an id is none of them.
    for raw in [*INVALID, real.translate(ARABIC), f" {real}", f"{real} ", f"+{real}"]:
        got = get(raw)
        assert got.status_code == 400, (raw, got.text)
        assert got.json()["errors"][0]["detail"].startswith("Invalid "), got.text
    for raw in UNSTORED:
        assert get(raw).status_code == 404, raw


LISTS = [
    ("page", "/pages", "id", 250, "id"),
    ("space", "/pages", "space-id", 100, "spaceId"),
    ("space", "/spaces", "ids", 250, "id"),
    ("space", "/data-policies/spaces", "ids", 250, "id"),
    ("page", "/tasks", "page-id", 250, "pageId"),
    ("task", "/tasks", "task-id", 250, "id"),
    ("label", "/labels", "label-id", 250, "id"),
]


@pytest.mark.parametrize(("kind", "path", "name", "cap", "field"), LISTS)
def test_hostile_id_lists(
    v2: httpx.Client, things: dict[str, str], kind: str, path: str, name: str, cap: int, field: str
) -> None:
    real = things[kind]

    def found(raw: str) -> bool:
        got = v2.get(path, params={name: raw, "limit": 250})
        assert got.status_code == 200, (raw, got.text)
        return real in [str(item[field]) for item in got.json()["results"]]

    assert found(real) and found(f" {real} ") and found(f",,{real},,") and found(f"0,-1,2147483648,{real}")
    v2.get(path, params=[(name, "2147483648"), (name, real)]).raise_for_status()
    for raw in ["-1", "0", ",,", "", *UNSTORED, "99999999999999999999"]:
        assert not found(raw), raw
    fillers = [str(2_000_000_000 + i) for i in range(300)]
    assert found(",".join([real, *fillers[: cap - 1]]))
    assert not found(",".join([*fillers[:cap], real]))  # ids past the spec's maxItems are ignored
    for raw in ["\u0663", real.translate(ARABIC), "1e3", "1_0", "abc", f"{real},x"]:
        got = v2.get(path, params={name: raw})
        assert got.status_code == 400, (raw, got.text)
        assert got.json()["errors"][0]["detail"] == f"Invalid {name}: use numeric ids"


def test_a_page_is_not_created_in_a_space_named_by_a_look_alike_id(v2: httpx.Client, things: dict[str, str]) -> None:
    real = things["space"]
    for raw in [real.translate(ARABIC), f" {real}", f"+{real}", *INVALID]:
        got = v2.post(
            "/pages",
            json={"spaceId": raw, "title": "Nowhere " + raw, "body": {"representation": "storage", "value": ""}},
        )
        assert got.status_code == 400, (raw, got.text)
