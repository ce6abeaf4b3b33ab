"""Fault rules: status answers, latency, dropped connections, 429 storms, matching and hit counts."""

from __future__ import annotations

import time

import httpx
import pytest
from atlassian import Confluence

from localfluence.testing.server import LocalfluenceServer
from tests.admin.conftest import make_space, make_user


def test_status_answer_is_confluence_shaped_and_limited_to_n_hits(lf: LocalfluenceServer, api: httpx.Client) -> None:
    make_space(api, "FLT")
    rule = lf.admin.faults.add(path="/wiki/rest/api/space/*", status=503, times=2)
    first, second, third = (api.get("/space/FLT") for _ in range(3))
    assert (first.status_code, second.status_code, third.status_code) == (503, 503, 200)
    body = first.json()
    assert body["statusCode"] == 503 and body["data"]["successful"] is False and body["message"]
    assert lf.admin.faults.get(rule["id"])["hits"] == 2
    assert lf.admin.faults.get(rule["id"])["remaining"] == 0


def test_custom_message_body_and_headers(lf: LocalfluenceServer, api: httpx.Client) -> None:
    lf.admin.faults.add(method="POST", path="/wiki/rest/api/content", status=409, message="Version conflict!", times=1)
    conflict = api.post("/content", json={})
    assert conflict.status_code == 409 and conflict.json()["message"] == "Version conflict!"
    lf.admin.faults.add(path="/wiki/rest/api/space", status=500, body={"custom": True}, headers={"X-Trace": "abc"})
    custom = api.get("/space")
    assert custom.json() == {"custom": True} and custom.headers["x-trace"] == "abc"


def test_matching_by_method_regex_operation_and_user(lf: LocalfluenceServer, api: httpx.Client) -> None:
    space = make_space(api, "MATCH")
    home = space["homepage"]["id"]
    lf.admin.faults.add(method="DELETE", status=500)
    lf.admin.faults.add(path_regex=r"^/(wiki/)?rest/api/content/\d+/child$", status=502)
    lf.admin.faults.add(operation_id="getSpaces", status=504)
    assert api.get(f"/content/{home}").status_code == 200
    assert api.get(f"/content/{home}/child").status_code == 502
    assert api.get("/space").status_code == 504
    # The Server-style prefix is the same operation.
    assert httpx.get(lf.url + "/rest/api/space", auth=lf.auth).status_code == 504
    assert api.delete(f"/content/{home}").status_code == 500
    lf.admin.faults.clear()

    bob = make_user(lf, "bob-faults@example.com", "bob-faults-token")
    bob_id = httpx.get(lf.api_url + "/user/current", auth=bob).json()["accountId"]
    lf.admin.faults.add(account_id=bob_id, status=401)
    assert httpx.get(lf.api_url + "/space", auth=bob).status_code == 401
    assert api.get("/space").status_code == 200


def test_probability_and_hit_count_behave_as_specified(lf: LocalfluenceServer, api: httpx.Client) -> None:
    rule = lf.admin.faults.add(path="/wiki/rest/api/space", status=500, probability=0.5, times=10, seed=7)
    statuses = [api.get("/space").status_code for _ in range(60)]
    # Exactly `times` faults, then none; with probability 1/2 they are spread, not the first ten.
    assert statuses.count(500) == 10
    last_fault = max(i for i, s in enumerate(statuses) if s == 500)
    assert last_fault >= 12
    assert all(s == 200 for s in statuses[last_fault + 1 :])
    listed = lf.admin.faults.get(rule["id"])
    assert listed["hits"] == 10 and listed["matched"] == last_fault + 1

    # The same seed gives the same sequence: tests with random faults are repeatable.
    lf.admin.faults.clear()
    lf.admin.faults.add(path="/wiki/rest/api/space", status=500, probability=0.5, times=10, seed=7)
    assert [api.get("/space").status_code for _ in range(60)] == statuses


def test_probability_without_seed_is_roughly_that(lf: LocalfluenceServer, api: httpx.Client) -> None:
    lf.admin.faults.add(path="/wiki/rest/api/space", status=500, probability=0.25)
    faults = sum(api.get("/space").status_code == 500 for _ in range(200))
    assert 20 <= faults <= 85  # mean 50, more than 5 standard deviations either way


def test_latency_delays_the_real_answer(lf: LocalfluenceServer, api: httpx.Client) -> None:
    lf.admin.faults.add(action="delay", path="/wiki/rest/api/space", latency_ms=300, times=1)
    started = time.perf_counter()
    slow = api.get("/space")
    elapsed = time.perf_counter() - started
    assert slow.status_code == 200 and elapsed >= 0.3
    started = time.perf_counter()
    api.get("/space")
    assert time.perf_counter() - started < 0.3


def test_drop_closes_the_connection_without_an_answer(lf: LocalfluenceServer) -> None:
    lf.admin.faults.add(action="drop", path="/wiki/rest/api/space", times=1)
    with httpx.Client(auth=lf.auth) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            client.get(lf.api_url + "/space")
        assert client.get(lf.api_url + "/space").status_code == 200
    dropped = lf.admin.journal.entries(status="0")
    assert len(dropped) == 1 and dropped[0]["fault"]


def test_429_storm_looks_like_confluence_cloud(lf: LocalfluenceServer, api: httpx.Client) -> None:
    lf.admin.faults.rate_limit(retry_after=7, limit=50, times=2)
    response = api.get("/space")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert response.headers["X-RateLimit-Limit"] == "50"
    assert response.headers["X-RateLimit-Remaining"] == "0"
    assert response.headers["X-RateLimit-NearLimit"] == "true"
    assert response.headers["RateLimit-Reason"] == "confluence-burst-based"
    reset = response.headers["X-RateLimit-Reset"]
    assert len(reset) == len("2024-01-01T00:00Z") and reset.endswith("Z")
    assert response.json()["statusCode"] == 429
    assert api.get("/space").status_code == 429
    assert api.get("/space").status_code == 200


def test_a_real_client_retries_through_a_429_storm(lf: LocalfluenceServer) -> None:
    lf.admin.faults.rate_limit(retry_after=0, times=2, method="GET", path="/wiki/rest/api/space")
    confluence = Confluence(
        url=lf.wiki_url,
        username=lf.admin_email,
        password=lf.admin_token,
        cloud=True,
        backoff_and_retry=True,
        max_backoff_retries=5,
        max_backoff_seconds=1,
    )
    assert confluence.get("rest/api/space")["results"] == []
    assert lf.admin.journal.count(path="/wiki/rest/api/space", status="429") == 2
    assert lf.admin.journal.count(path="/wiki/rest/api/space", status="200") == 1


def test_never_applies_to_the_admin_api_and_is_off_by_default(lf: LocalfluenceServer, api: httpx.Client) -> None:
    assert lf.admin.faults.list() == []
    lf.admin.faults.add(status=500)
    assert api.get("/space").status_code == 500
    assert lf.admin.http.get("/faults").status_code == 200
    lf.admin.faults.clear()
    assert api.get("/space").status_code == 200


def test_bad_rules_are_400(lf: LocalfluenceServer) -> None:
    for rule in (
        {"pathRegex": "("},
        {"probability": 2},
        {"times": 0},
        {"status": 200},
        {"action": "explode"},
        {"x": 1},
    ):
        response = lf.admin.http.post("/faults", json=rule)
        assert response.status_code == 400, rule
    assert lf.admin.faults.list() == []
    response = lf.admin.http.delete("/faults/999")
    assert response.status_code == 404


def test_rules_the_server_could_not_send_or_echo_are_400_and_not_kept(lf: LocalfluenceServer) -> None:
    for path, rule in (
        ("/faults", {"headers": {"X-Trace": "a\r\nInjected: yes"}}),
        ("/faults", {"headers": {"X-Trace": "\u20ac"}}),
        ("/faults", {"headers": {"Bad Name:": "x"}}),
        ("/faults", {"headers": {"Content-Length": "5"}}),
        ("/faults", {"body": {"n": 10**30}}),
        ("/faults", {"seed": 10**30}),
        ("/faults", {"times": 10**30}),
        ("/faults/rate-limit", {"limit": 10**30}),
        ("/faults/rate-limit", {"reason": "a\nb"}),
    ):
        response = lf.admin.http.post(path, json=rule)
        assert response.status_code == 400, rule
    assert lf.admin.faults.list() == []
