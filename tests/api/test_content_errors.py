"""Bad input never yields a 500: malformed JSON, wrong types, missing fields, unknown enum values, odd ids,
wrong media types. Every refusal is a Confluence-shaped error with the status the spec documents."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.api.pages import assert_error, get
from tests.conftest import Person, create_page
from tests.conftest import unique_key as unique_space_key
from tests.server import RunningServer


@pytest.fixture
def page(admin: Person, space: dict) -> dict:
    return create_page(admin, space["key"], "Target")


def test_malformed_json_bodies(admin: Person, space: dict, page: dict) -> None:
    headers = {"Content-Type": "application/json"}
    writes = [
        ("POST", "/content"),
        ("PUT", f"/content/{page['id']}"),
        ("POST", f"/content/{page['id']}/copy"),
        ("POST", f"/content/{page['id']}/pagehierarchy/copy"),
        ("POST", f"/content/{page['id']}/version"),
        ("POST", "/content/archive"),
        ("POST", "/space"),
        ("POST", "/space/_private"),
        ("PUT", f"/space/{space['key']}"),
    ]
    for method, path in writes:
        for raw in (b"{", b"", b"nul", b'{"type": "page",}', b"\xff\xfe", b"[1, 2]", b"42", b'"text"', b"null"):
            response = admin.api.request(method, path, content=raw, headers=headers)
            assert_error(response, 400)
    assert get(admin, page["id"])["version"]["number"] == 1


def test_wrong_json_types(admin: Person, space: dict, page: dict) -> None:
    key = space["key"]
    bad_creates = [
        {"type": "page", "title": 42, "space": {"key": key}},
        {"type": ["page"], "title": "x", "space": {"key": key}},
        {"type": "page", "title": "x", "space": key},
        {"type": "page", "title": "x", "space": {"key": 7}},
        {"type": "page", "title": "x", "space": {"key": key}, "ancestors": "123"},
        {"type": "page", "title": "x", "space": {"key": key}, "ancestors": [{"id": {"n": 1}}]},
        {"type": "page", "title": "x", "space": {"key": key}, "ancestors": [{"id": True}]},
        {"type": "page", "title": "x", "space": {"key": key}, "body": "<p>x</p>"},
        {"type": "page", "title": "x", "space": {"key": key}, "body": {"storage": "<p>x</p>"}},
        {"type": "page", "title": "x", "space": {"key": key}, "body": {"storage": {"value": 5}}},
        {"type": "page", "title": "x", "space": {"key": key}, "metadata": {"labels": "a,b"}},
        {"type": "page", "title": "x", "space": {"key": key}, "status": 3},
    ]
    for payload in bad_creates:
        assert_error(admin.api.post("/content", json=payload), 400)
    base = {"type": "page", "title": "Target"}
    bad_updates = [
        {**base, "version": 2},
        {**base, "version": {"number": "two"}},
        {**base, "version": {"number": 2.5}},
        {**base, "version": {"number": None}},
        {**base, "version": {"number": 2, "minorEdit": "sometimes"}},
        {**base, "version": {"number": 2}, "ancestors": [5]},
    ]
    for payload in bad_updates:
        assert_error(admin.api.put(f"/content/{page['id']}", json=payload), 400)
    assert_error(admin.api.post("/space", json={"key": ["A"], "name": "x"}), 400)
    assert_error(admin.api.put(f"/space/{key}", json={"name": {"x": 1}}), 400)
    assert_error(admin.api.post(f"/content/{page['id']}/copy", json={"destination": "space"}), 400)
    assert_error(admin.api.post("/content/archive", json={"pages": [{"id": "abc"}]}), 400)
    assert_error(admin.api.post("/content/archive", json={"pages": {"id": 1}}), 400)
    assert get(admin, page["id"])["version"]["number"] == 1


def test_missing_required_fields(admin: Person, space: dict, page: dict) -> None:
    assert_error(admin.api.post("/content", json={"title": "x", "space": {"key": space["key"]}}), 400)
    assert_error(admin.api.post("/content", json={"type": "page", "title": "x"}), 400)
    assert_error(admin.api.post("/content", json={"type": "page", "space": {"key": space["key"]}}), 400)
    assert_error(admin.api.post("/content", json={"type": "page", "title": "x", "space": {}}), 400)
    assert_error(admin.api.put(f"/content/{page['id']}", json={}), 400)
    assert_error(admin.api.post(f"/content/{page['id']}/copy", json={"destination": {"type": "space"}}), 400)
    assert_error(admin.api.post(f"/content/{page['id']}/version", json={"params": {"versionNumber": 1}}), 400)
    assert_error(admin.api.post("/content/archive", json={}), 400)


def test_unknown_enum_values(admin: Person, space: dict, page: dict) -> None:
    key = space["key"]
    assert_error(admin.api.post("/content", json={"type": "spaceship", "title": "x", "space": {"key": key}}), 400)
    assert_error(admin.api.post("/content", json={"type": "attachment", "title": "x", "space": {"key": key}}), 400)
    assert_error(
        admin.api.post("/content", json={"type": "page", "title": "x", "space": {"key": key}, "status": "odd"}), 400
    )
    assert_error(
        admin.api.post(
            "/content", params={"status": "weird"}, json={"type": "page", "title": "y", "space": {"key": key}}
        ),
        400,
    )
    payload = {"type": "page", "title": "Target", "version": {"number": 2}, "status": "odd"}
    assert_error(admin.api.put(f"/content/{page['id']}", json=payload), 400)
    payload = {
        "type": "page",
        "title": "x",
        "space": {"key": key},
        "body": {"storage": {"value": "", "representation": "odd"}},
    }
    assert_error(admin.api.post("/content", json=payload), 400)
    payload = {
        "type": "page",
        "title": "x",
        "space": {"key": key},
        "body": {"fancy": {"value": "", "representation": "fancy"}},
    }
    assert_error(admin.api.post("/content", json=payload), 400)
    assert_error(admin.api.get(f"/content/{page['id']}", params={"status": "odd"}), 400)
    assert_error(admin.api.get(f"/content/{page['id']}", params={"embeddedContentRender": "odd"}), 400)
    assert_error(admin.api.get(f"/content/{page['id']}", params={"trigger": "odd"}), 400)
    assert_error(admin.api.delete(f"/content/{page['id']}", params={"status": "odd"}), 400)
    assert_error(admin.api.get("/space", params={"type": "odd"}), 400)
    assert get(admin, page["id"])["status"] == "current"


def test_non_numeric_negative_and_huge_ids(admin: Person) -> None:
    for bad in ("abc", "12abc", "-1", "0", "1.5", "99999999999999999999999999", "%20", "1e3"):
        for method, path in (
            ("GET", f"/content/{bad}"),
            ("PUT", f"/content/{bad}"),
            ("DELETE", f"/content/{bad}"),
            ("GET", f"/content/{bad}/child"),
            ("GET", f"/content/{bad}/child/page"),
            ("GET", f"/content/{bad}/descendant"),
            ("GET", f"/content/{bad}/descendant/page"),
            ("GET", f"/content/{bad}/history"),
            ("GET", f"/content/{bad}/version"),
            ("GET", f"/content/{bad}/version/1"),
            ("DELETE", f"/content/{bad}/version/1"),
            ("PUT", f"/content/{bad}/move/append/1"),
            ("PUT", f"/content/1/move/append/{bad}"),
            ("DELETE", f"/content/{bad}/pageTree"),
        ):
            response = admin.api.request(method, path, json={"type": "page", "title": "x", "version": {"number": 2}})
            assert response.status_code in (400, 404), (method, path, response.text)
            assert_error(response, response.status_code)
    # Ids up to the largest 64-bit number are well-formed (Cloud ids pass 2^31) and simply unknown.
    for well_formed in (2**31, 3473342465, 2**63 - 1):
        assert_error(admin.api.get(f"/content/{well_formed}"), 404)
        assert_error(admin.api.get(f"/content/{well_formed}/child/page"), 404)
        assert_error(admin.api.put(f"/content/1/move/append/{well_formed}"), 404)
    assert admin.api.get("/space", params={"spaceId": 2**40}).json()["results"] == []
    assert_error(admin.api.get(f"/content/{2**63}"), 400)


def test_unknown_ids_are_404_with_one_message(admin: Person, bob: Person, alice: Person) -> None:
    private = alice.api.post(
        "/space/_private", json={"key": "P" + alice.account_id[-8:].upper().replace("-", ""), "name": "x"}
    )
    assert private.status_code == 200, private.text
    hidden = create_page(alice, private.json()["key"], "Hidden")
    missing = bob.api.get("/content/987654321").json()
    invisible = bob.api.get(f"/content/{hidden['id']}").json()
    assert missing["statusCode"] == invisible["statusCode"] == 404
    assert missing["message"].replace("987654321", "N") == invisible["message"].replace(hidden["id"], "N")
    for path in ("/content/987654321/history", "/content/987654321/version/1", "/content/987654321/child"):
        assert_error(admin.api.get(path), 404)
    assert_error(
        admin.api.put("/content/987654321", json={"type": "page", "title": "x", "version": {"number": 2}}), 404
    )
    assert_error(admin.api.delete("/content/987654321"), 404)
    assert_error(admin.api.get("/space/NOSUCHSPACE"), 404)


def test_odd_version_numbers(admin: Person, page: dict) -> None:
    for number in ("-1", "0", "abc", str(2**40)):
        response = admin.api.get(f"/content/{page['id']}/version/{number}")
        assert response.status_code in (400, 404), response.text
        assert_error(response, response.status_code)
        response = admin.api.get(f"/content/{page['id']}", params={"version": number})
        assert response.status_code in (400, 404), response.text
    payload = {"type": "page", "title": "Target", "version": {"number": 2**70}}
    assert_error(admin.api.put(f"/content/{page['id']}", json=payload), 409)
    payload = {"type": "page", "title": "Target", "version": {"number": -5}}
    assert_error(admin.api.put(f"/content/{page['id']}", json=payload), 409)


def test_huge_start_and_limit_on_every_listing(admin: Person, space: dict, page: dict) -> None:
    paths = [
        "/content",
        f"/content/{page['id']}/child/page",
        f"/content/{page['id']}/descendant/page",
        f"/content/{page['id']}/version",
        f"/space/{space['key']}/content",
        f"/space/{space['key']}/content/page",
        "/space",
        "/longtask",
    ]
    for path in paths:
        for params in ({"start": 10**40}, {"limit": 10**40}, {"start": 2**63, "limit": 2**63}):
            response = admin.api.get(path, params=params)
            assert response.status_code == 200, (path, params, response.text)


def test_wrong_content_type_is_415(admin: Person, space: dict, page: dict) -> None:
    payload = json.dumps({"type": "page", "title": "Typed", "space": {"key": space["key"]}})
    for content_type in ("text/plain", "application/xml", "application/x-www-form-urlencoded", "text/html"):
        response = admin.api.post("/content", content=payload, headers={"Content-Type": content_type})
        assert_error(response, 415)
        response = admin.api.put(f"/content/{page['id']}", content=payload, headers={"Content-Type": content_type})
        assert_error(response, 415)
    assert_error(
        admin.api.post("/space", content='{"key": "X", "name": "y"}', headers={"Content-Type": "text/plain"}), 415
    )
    # A JSON body without any media type is not taken for JSON either.
    assert_error(admin.api.post("/content", content=payload.encode()), 415)
    # JSON with a charset or a vendor suffix is still JSON.
    for content_type in ("application/json; charset=utf-8", "application/vnd.api+json"):
        title = f"Typed {content_type[-5:]}"
        body = json.dumps({"type": "page", "title": title, "space": {"key": space["key"]}})
        response = admin.api.post("/content", content=body, headers={"Content-Type": content_type})
        assert response.status_code == 200, response.text


def test_bodies_over_the_limit_are_413(admin: Person, space: dict) -> None:
    big = "<p>" + "x" * (5 * 1024 * 1024 + 10) + "</p>"
    response = admin.api.post(
        "/content",
        json={
            "type": "page",
            "title": "Big",
            "space": {"key": space["key"]},
            "body": {"storage": {"value": big, "representation": "storage"}},
        },
    )
    assert_error(response, 413)
    listing = admin.api.get("/content", params={"spaceKey": space["key"], "title": "Big"}).json()
    assert listing["results"] == []


def test_wrong_methods_are_405(admin: Person, page: dict) -> None:
    assert_error(admin.api.patch(f"/content/{page['id']}", json={}), 405)
    assert_error(admin.api.post(f"/content/{page['id']}/history"), 405)
    assert_error(admin.api.delete("/content"), 405)


def test_expand_limits(admin: Person, page: dict) -> None:
    deep_ok = "ancestors." * 7 + "version"
    assert admin.api.get(f"/content/{page['id']}", params={"expand": deep_ok}).status_code == 200
    too_deep = "ancestors." * 8 + "version"
    assert_error(admin.api.get(f"/content/{page['id']}", params={"expand": too_deep}), 400)
    assert_error(admin.api.get("/content", params={"expand": too_deep}), 400)
    for odd in ("nonsense", "body.nonsense", "space.nonsense.deeper", ",,,", "version,,space", ".", "a..b"):
        response = admin.api.get(f"/content/{page['id']}", params={"expand": odd})
        assert response.status_code == 200, (odd, response.text)
    body = admin.api.get(f"/content/{page['id']}", params={"expand": "nonsense,version"}).json()
    assert "nonsense" not in body and "version" in body
    body = admin.api.get(f"/content/{page['id']}", params=[("expand", "version"), ("expand", "space")]).json()
    assert "version" in body and "space" in body


def test_anonymous_writes_are_401(server: RunningServer, space: dict, page: dict) -> None:
    with httpx.Client(base_url=server.url + "/wiki/rest/api") as anonymous:
        response = anonymous.post("/content", json={"type": "page", "title": "anon", "space": {"key": space["key"]}})
        assert response.status_code in (401, 403), response.text
        assert_error(response, response.status_code)
        assert_error(anonymous.get(f"/content/{page['id']}"), 404)
        assert_error(anonymous.delete(f"/content/{page['id']}"), 404)


def test_numbers_beyond_64_bits(admin: Person, space: dict, page: dict) -> None:
    huge = str(10**30)
    assert_error(admin.api.get("/space", params={"spaceId": huge}), 400)
    assert_error(admin.api.get(f"/content/{page['id']}/version/{huge}"), 400)
    assert_error(admin.api.delete(f"/content/{page['id']}/version/{huge}"), 400)
    assert_error(admin.api.get(f"/content/{page['id']}", params={"version": huge}), 400)
    response = admin.api.post(
        f"/content/{page['id']}/version", json={"operationKey": "restore", "params": {"versionNumber": 10**30}}
    )
    assert_error(response, 400)
    assert_error(admin.api.put(f"/space/{space['key']}", json={"homepage": {"id": huge}}), 400)
    assert_error(admin.api.put(f"/space/{space['key']}", json={"homepage": {"id": 10**30}}), 400)
    assert_error(admin.api.post("/content/archive", json={"pages": [{"id": 10**30}]}), 400)
    response = admin.api.post(f"/content/{page['id']}/pagehierarchy/copy", json={"destinationPageId": huge})
    assert_error(response, 400)
    payload = {"type": "page", "title": "x", "space": {"key": space["key"]}, "ancestors": [{"id": 10**30}]}
    assert_error(admin.api.post("/content", json=payload), 400)


def test_nul_characters_are_refused_on_every_database(admin: Person, space: dict, page: dict) -> None:
    key = space["key"]
    assert_error(admin.api.post("/content", json={"type": "page", "title": "a\u0000b", "space": {"key": key}}), 400)
    payload = {
        "type": "page",
        "title": "nul body",
        "space": {"key": key},
        "body": {"storage": {"value": "<p>a\u0000b</p>", "representation": "storage"}},
    }
    assert_error(admin.api.post("/content", json=payload), 400)
    assert_error(admin.api.post("/content", json={"type": "page", "title": "x", "space": {"key": "A\u0000"}}), 400)
    assert_error(admin.api.post("/space", json={"key": unique_space_key(), "name": "a\u0000b"}), 400)
    assert_error(admin.api.put(f"/space/{key}", json={"name": "a\u0000b"}), 400)
    desc = {"plain": {"value": "a\u0000b", "representation": "plain"}}
    assert_error(admin.api.put(f"/space/{key}", json={"description": desc}), 400)
    for params in ({"spaceKey": "A\u0000"}, {"title": "a\u0000b"}, {"spaceKey": key, "title": "\u0000"}):
        response = admin.api.get("/content", params=params)
        assert response.status_code in (200, 400), response.text
        if response.status_code == 200:
            assert response.json()["results"] == []
    for path in ("/space/A%00B", "/space/A%00B/content", "/space/A%00B/content/page"):
        assert admin.api.get(path).status_code in (400, 404)
    assert admin.api.get("/space", params={"spaceKey": "A\u0000"}).status_code in (200, 400)
    assert admin.api.get("/longtask/a%00b").status_code in (400, 404)
    assert get(admin, page["id"])["title"] == "Target"


def test_ids_with_thousands_of_digits(admin: Person, page: dict) -> None:
    long_id = "9" * 5000
    assert_error(admin.api.get(f"/content/{long_id}"), 400)
    assert_error(admin.api.get(f"/content/{page['id']}/descendant/page", params={"depth": long_id}), 400)
    assert_error(admin.api.get(f"/content/{page['id']}/version/{long_id}"), 400)
    assert_error(admin.api.get("/content", params={"start": long_id}), 400)
    assert_error(admin.api.post("/content/archive", json={"pages": [{"id": long_id}]}), 400)


def test_numbers_beyond_64_bits_are_400_on_every_family(server: RunningServer, admin: Person) -> None:
    """Found by fuzzing every spec path: SQLite's driver raised OverflowError past route parsing."""
    huge = "99999999999999999999"
    for path in (f"/inlinetasks/{huge}", f"/content/{huge}/history/{huge}/macro/id/{huge}"):
        response = admin.api.get(path)
        assert response.status_code in (400, 404), (path, response.text)
    v2 = httpx.get(f"{server.url}/wiki/api/v2/spaces/{huge}/pages", auth=(admin.email, admin.token))
    assert v2.status_code in (400, 404), v2.text
    assert "errors" in v2.json()
