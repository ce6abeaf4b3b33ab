"""Content, space and user properties: versions, optimistic locking, limits and permissions."""

from __future__ import annotations

import httpx

from tests.api.metadata_helpers import reader_space
from tests.conftest import Person, create_page
from tests.server import RunningServer


def test_content_property_create_get_update_delete(admin: Person, space: dict) -> None:
    page = create_page(admin, space["key"])
    created = admin.api.post(
        f"/content/{page['id']}/property", json={"key": "settings", "value": {"a": 1, "b": [1, 2]}}
    )
    assert created.status_code == 200, created.text
    prop = created.json()
    assert prop["key"] == "settings" and prop["value"] == {"a": 1, "b": [1, 2]}
    assert prop["version"]["number"] == 1 and prop["version"]["minorEdit"] is False
    assert prop["_links"]["self"].endswith(f"/wiki/rest/api/content/{page['id']}/property/settings")
    assert prop["_expandable"]["content"] == f"/rest/api/content/{page['id']}"

    fetched = admin.api.get(f"/content/{page['id']}/property/settings").json()
    assert fetched["value"] == {"a": 1, "b": [1, 2]} and fetched["id"] == prop["id"]
    with_content = admin.api.get(f"/content/{page['id']}/property/settings", params={"expand": "content"}).json()
    assert with_content["content"]["id"] == page["id"] and "content" not in with_content["_expandable"]

    updated = admin.api.put(
        f"/content/{page['id']}/property/settings",
        json={"key": "settings", "value": "now a string", "version": {"number": 2}},
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["value"] == "now a string" and updated.json()["version"]["number"] == 2
    assert updated.json()["version"]["minorEdit"] is True

    assert admin.api.delete(f"/content/{page['id']}/property/settings").status_code == 204
    assert admin.api.get(f"/content/{page['id']}/property/settings").status_code == 404
    assert admin.api.delete(f"/content/{page['id']}/property/settings").status_code == 404


def test_value_shapes(admin: Person, space: dict) -> None:
    page = create_page(admin, space["key"])
    for key, value in {"s": "text", "b": True, "l": ["x", "y"], "o": {"nested": {"deep": None}}, "n": 42}.items():
        response = admin.api.post(f"/content/{page['id']}/property/{key}", json={"value": value})
        assert response.status_code == 200, response.text
        assert admin.api.get(f"/content/{page['id']}/property/{key}").json()["value"] == value


def test_stale_version_is_409_and_keeps_the_old_value(admin: Person, space: dict) -> None:
    page = create_page(admin, space["key"])
    admin.api.post(f"/content/{page['id']}/property", json={"key": "k", "value": {"v": "original"}})
    admin.api.put(f"/content/{page['id']}/property/k", json={"value": {"v": "second"}, "version": {"number": 2}})
    for stale in (1, 2, 4):
        response = admin.api.put(
            f"/content/{page['id']}/property/k", json={"value": {"v": "lost"}, "version": {"number": stale}}
        )
        assert response.status_code == 409, response.text
        assert response.json()["statusCode"] == 409
    current = admin.api.get(f"/content/{page['id']}/property/k").json()
    assert current["value"] == {"v": "second"} and current["version"]["number"] == 2
    assert admin.api.put(f"/content/{page['id']}/property/k", json={"value": 1}).status_code == 400
    ok = admin.api.put(f"/content/{page['id']}/property/k", json={"value": {"v": "third"}, "version": {"number": "3"}})
    assert ok.status_code == 200 and ok.json()["version"]["number"] == 3


def test_put_creates_only_at_version_1(admin: Person, space: dict) -> None:
    page = create_page(admin, space["key"])
    missing = admin.api.put(f"/content/{page['id']}/property/new", json={"value": 1, "version": {"number": 2}})
    assert missing.status_code == 404
    created = admin.api.put(f"/content/{page['id']}/property/new", json={"value": 1, "version": {"number": 1}})
    assert created.status_code == 200 and created.json()["version"]["number"] == 1
    mismatch = admin.api.put(
        f"/content/{page['id']}/property/new", json={"key": "other", "value": 2, "version": {"number": 2}}
    )
    assert mismatch.status_code == 400


def test_bad_keys_values_and_duplicates(admin: Person, space: dict) -> None:
    page = create_page(admin, space["key"])
    base = f"/content/{page['id']}/property"
    assert admin.api.post(base, json={"key": "", "value": 1}).status_code == 400
    assert admin.api.post(base, json={"key": "k" * 256, "value": 1}).status_code == 400
    assert admin.api.post(base, json={"value": 1}).status_code == 400
    assert admin.api.post(base, json={"key": "novalue"}).status_code == 400
    assert admin.api.post(base, json=[1, 2]).status_code == 400
    assert admin.api.post(base, content=b"{not json", headers={"content-type": "application/json"}).status_code == 400
    assert admin.api.post(base, json={"key": "k" * 255, "value": 1}).status_code == 200
    # Confluence limits a content property value to 32 KB.
    big = admin.api.post(base, json={"key": "big", "value": "x" * (33 * 1024)})
    assert big.status_code == 413, big.text
    assert admin.api.get(f"{base}/big").status_code == 404
    assert admin.api.post(base, json={"key": "fits", "value": "x" * (31 * 1024)}).status_code == 200
    assert admin.api.post(base, json={"key": "dup", "value": 1}).status_code == 200
    assert admin.api.post(base, json={"key": "dup", "value": 2}).status_code == 400
    assert admin.api.post(f"{base}/dup", json={"value": 3}).status_code == 400
    assert admin.api.get(f"{base}/dup").json()["value"] == 1
    admin.api.post(base, json={"key": "grow", "value": 1})
    too_big = admin.api.put(f"{base}/grow", json={"value": "y" * (40 * 1024), "version": {"number": 2}})
    assert too_big.status_code == 413
    assert admin.api.get(f"{base}/grow").json()["version"]["number"] == 1


def test_list_filter_paging_and_metadata_expansion(admin: Person, space: dict) -> None:
    page = create_page(admin, space["key"])
    other = create_page(admin, space["key"])
    for i in range(12):
        admin.api.post(f"/content/{page['id']}/property", json={"key": f"p{i:02d}", "value": i})
    admin.api.post(f"/content/{other['id']}/property", json={"key": "editor", "value": "v2"})
    first = admin.api.get(f"/content/{page['id']}/property").json()
    assert first["size"] == 10 and first["limit"] == 10 and "next" in first["_links"]
    rest = admin.api.get(f"/content/{page['id']}/property", params={"start": 10}).json()
    assert [p["key"] for p in rest["results"]] == ["p10", "p11"]
    picked = admin.api.get(f"/content/{page['id']}/property", params=[("key", "p03"), ("key", "p07")]).json()
    assert [p["value"] for p in picked["results"]] == [3, 7]

    single = admin.api.get(f"/content/{page['id']}", params={"expand": "metadata.properties.p05"}).json()
    assert list(single["metadata"]["properties"]) == ["p05"]
    assert single["metadata"]["properties"]["p05"]["value"] == 5
    listing = admin.api.get(
        "/content", params={"spaceKey": space["key"], "expand": "metadata.properties", "limit": 50}
    ).json()
    by_id = {c["id"]: c["metadata"]["properties"] for c in listing["results"]}
    assert len(by_id[page["id"]]) == 12 and by_id[other["id"]]["editor"]["value"] == "v2"


def test_properties_created_with_the_content(admin: Person, space: dict) -> None:
    page = create_page(
        admin,
        space["key"],
        metadata={
            "properties": {
                "editor": {"key": "editor", "value": "v2"},
                "content-appearance-draft": {"value": "full-width"},
            }
        },
    )
    assert admin.api.get(f"/content/{page['id']}/property/editor").json()["value"] == "v2"
    assert admin.api.get(f"/content/{page['id']}/property/content-appearance-draft").json()["value"] == "full-width"
    response = admin.api.post(
        "/content",
        json={
            "type": "page",
            "title": "Oversized property",
            "space": {"key": space["key"]},
            "metadata": {"properties": {"big": {"value": "x" * 40_000}}},
        },
    )
    assert response.status_code == 413
    assert (
        admin.api.get("/content", params={"spaceKey": space["key"], "title": "Oversized property"}).json()["size"] == 0
    )


def test_content_property_permissions(
    server: RunningServer, admin: Person, alice: Person, bob: Person, anonymous: httpx.Client
) -> None:
    readable = reader_space(server, admin, alice)
    page = create_page(admin, readable["key"])
    admin.api.post(f"/content/{page['id']}/property", json={"key": "k", "value": 1})
    assert alice.api.get(f"/content/{page['id']}/property/k").json()["value"] == 1
    assert alice.api.post(f"/content/{page['id']}/property", json={"key": "x", "value": 1}).status_code == 403
    assert (
        alice.api.put(f"/content/{page['id']}/property/k", json={"value": 2, "version": {"number": 2}}).status_code
        == 403
    )
    assert alice.api.delete(f"/content/{page['id']}/property/k").status_code == 403
    for client in (bob.api, anonymous):
        assert client.get(f"/content/{page['id']}/property").status_code == 404
        assert client.get(f"/content/{page['id']}/property/k").status_code == 404
    assert bob.api.post(f"/content/{page['id']}/property", json={"key": "x", "value": 1}).status_code == 404
    assert admin.api.get("/content/999999999/property").status_code == 404
    assert admin.api.get(f"/content/{page['id']}/property/k").json()["version"]["number"] == 1


def test_space_properties(admin: Person, alice: Person, space: dict) -> None:
    key = space["key"]
    created = admin.api.post(f"/space/{key}/property", json={"key": "team", "value": {"lead": "ann"}})
    assert created.status_code == 200, created.text
    prop = created.json()
    assert prop["version"]["number"] == 1 and prop["version"]["by"]["accountId"] == admin.account_id
    assert prop["_expandable"]["space"] == f"/rest/api/space/{key}"
    assert admin.api.post(f"/space/{key}/property", json={"key": "team", "value": 1}).status_code == 409
    assert admin.api.post(f"/space/{key}/property/team", json={"value": 1}).status_code == 400
    assert admin.api.post(f"/space/{key}/property/second", json={"value": [1]}).status_code == 200
    listing = admin.api.get(f"/space/{key}/property").json()
    assert [p["key"] for p in listing["results"]] == ["second", "team"]
    with_space = admin.api.get(f"/space/{key}/property/team", params={"expand": "space"}).json()
    assert with_space["space"]["key"] == key

    assert admin.api.put(f"/space/{key}/property/team", json={"value": 2, "version": {"number": 1}}).status_code == 409
    assert admin.api.put(f"/space/{key}/property/team", json={"value": 2}).status_code == 400
    assert (
        admin.api.put(
            f"/space/{key}/property/team", json={"key": "x", "value": 2, "version": {"number": 2}}
        ).status_code
        == 400
    )
    updated = admin.api.put(f"/space/{key}/property/team", json={"key": "team", "value": 2, "version": {"number": 2}})
    assert updated.status_code == 200 and updated.json()["value"] == 2
    assert admin.api.put(f"/space/{key}/property/none", json={"value": 2, "version": {"number": 2}}).status_code == 404
    assert admin.api.post(f"/space/{key}/property", json={"key": "huge", "value": "x" * 70_000}).status_code == 413

    # Members may read; only space admins write.
    assert alice.api.get(f"/space/{key}/property/team").json()["value"] == 2
    assert alice.api.post(f"/space/{key}/property", json={"key": "a", "value": 1}).status_code == 403
    assert alice.api.put(f"/space/{key}/property/team", json={"value": 3, "version": {"number": 3}}).status_code == 403
    assert alice.api.delete(f"/space/{key}/property/team").status_code == 403
    assert admin.api.delete(f"/space/{key}/property/team").status_code == 204
    assert admin.api.get(f"/space/{key}/property/team").status_code == 404
    assert admin.api.get("/space/NOSUCHKEY1/property").status_code == 404


def test_user_properties(admin: Person, alice: Person, bob: Person, anonymous: httpx.Client) -> None:
    base = f"/user/{alice.account_id}/property"
    assert alice.api.post(f"{base}/theme", json={"value": {"dark": True}}).status_code == 201
    assert alice.api.post(f"{base}/theme", json={"value": {"dark": False}}).status_code == 409
    got = alice.api.get(f"{base}/theme").json()
    assert got["key"] == "theme" and got["value"] == {"dark": True} and got["createdDate"] and got["lastModifiedDate"]
    assert alice.api.put(f"{base}/theme", json={"value": {"dark": False}}).status_code == 204
    assert alice.api.get(f"{base}/theme").json()["value"] == {"dark": False}
    for i in range(6):
        alice.api.post(f"{base}/k{i}", json={"value": {"i": i}})
    keys = alice.api.get(base).json()
    assert keys["size"] == 5 and "next" in keys["_links"] and keys["results"][0] == {"key": "k0"}
    assert alice.api.get(base, params={"limit": 100}).json()["limit"] == 25

    assert alice.api.post(f"{base}/bad.key", json={"value": {}}).status_code == 400
    assert alice.api.post(f"{base}/k", json={"value": "not an object"}).status_code == 400
    assert alice.api.post(f"{base}/k", json={}).status_code == 400
    assert alice.api.post(f"{base}/big", json={"value": {"x": "y" * 40_000}}).status_code == 400
    assert alice.api.put(f"{base}/missing", json={"value": {}}).status_code == 404
    assert alice.api.delete(f"{base}/theme").status_code == 204
    assert alice.api.get(f"{base}/theme").status_code == 404

    assert bob.api.get(f"{base}/k0").status_code == 403
    assert bob.api.post(f"{base}/x", json={"value": {}}).status_code == 403
    assert admin.api.get(f"{base}/k0").json()["value"] == {"i": 0}
    assert anonymous.get(base).status_code == 401
    assert alice.api.get("/user/557058:no-such-user/property").status_code == 404


def test_concurrent_updates_one_wins(admin: Person, space: dict) -> None:
    from concurrent.futures import ThreadPoolExecutor

    page = create_page(admin, space["key"])
    path = f"/content/{page['id']}/property/race"
    admin.api.post(f"/content/{page['id']}/property", json={"key": "race", "value": "start"})

    def attempt(i: int) -> tuple[int, int]:
        response = admin.api.put(path, json={"value": f"writer {i}", "version": {"number": 2}})
        return i, response.status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(attempt, range(6)))
    winners = [i for i, status in outcomes if status == 200]
    assert len(winners) == 1, outcomes
    assert sorted(status for _, status in outcomes) == [200] + [409] * 5
    final = admin.api.get(path).json()
    assert final["version"]["number"] == 2 and final["value"] == f"writer {winners[0]}"


def test_purged_content_takes_its_properties_along(server: RunningServer, admin: Person, space: dict) -> None:
    from sqlalchemy import func, select

    from localfluence.db.session import transaction
    from localfluence.models import ContentProperty

    page = create_page(admin, space["key"])
    admin.api.post(f"/content/{page['id']}/property", json={"key": "k", "value": 1})
    admin.api.delete(f"/content/{page['id']}")
    assert admin.api.get(f"/content/{page['id']}/property/k").status_code == 404
    admin.api.delete(f"/content/{page['id']}", params={"status": "trashed"})
    assert admin.api.get(f"/content/{page['id']}/property").status_code == 404
    with transaction(server.runtime.sessions) as session:
        left = session.scalar(select(func.count()).where(ContentProperty.content_id == int(page["id"])))
    assert left == 0


def test_values_json_cannot_store_are_400_and_store_nothing(admin: Person, space: dict) -> None:
    page = create_page(admin, space["key"], "Unstorable values")
    huge = b'{"key": "big", "value": {"n": 123456789012345678901234567890}}'
    response = admin.api.post(
        f"/content/{page['id']}/property", content=huge, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400, response.text
    assert admin.api.get(f"/content/{page['id']}/property/big").status_code == 404
    response = admin.api.post(
        f"/space/{space['key']}/property",
        content=b'{"key": "big", "value": 123456789012345678901234567890}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400, response.text
