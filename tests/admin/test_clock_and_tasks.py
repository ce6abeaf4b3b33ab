"""The server clock and long-running task completion."""

from __future__ import annotations

import time

import httpx

from localfluence.testing.server import LocalfluenceServer
from tests.admin.conftest import make_page, make_space
from tests.tasks import wait_for_task


def test_frozen_clock_stamps_versions(lf: LocalfluenceServer, api: httpx.Client) -> None:
    state = lf.admin.clock.freeze("2021-06-01T12:00:00Z")
    assert state == {"now": "2021-06-01T12:00:00.000Z", "frozen": True, "offsetSeconds": 0.0}
    make_space(api, "CLK")
    page = make_page(api, "CLK", "Frozen")
    assert page["version"]["when"] == "2021-06-01T12:00:00.000Z"
    lf.admin.clock.advance(hours=25)
    assert lf.admin.clock.now()["now"] == "2021-06-02T13:00:00.000Z"
    updated = api.put(
        f"/content/{page['id']}", json={"version": {"number": 2}, "title": "Frozen", "type": "page"}
    ).json()
    assert updated["version"]["when"] == "2021-06-02T13:00:00.000Z"
    assert lf.admin.clock.reset()["frozen"] is False


def test_advancing_a_running_clock_shifts_it(lf: LocalfluenceServer) -> None:
    state = lf.admin.clock.advance(86_400)
    assert state["frozen"] is False and state["offsetSeconds"] == 86_400
    lf.admin.clock.reset()


def delete_space_task(api: httpx.Client, key: str) -> str:
    make_space(api, key)
    response = api.delete(f"/space/{key}")
    assert response.status_code == 202, response.text
    # The worker deletes the space; the completion policy then decides what the status reports.
    deadline = time.monotonic() + 20
    while api.get(f"/space/{key}").status_code != 404:
        assert time.monotonic() < deadline, "the space was not deleted"
        time.sleep(0.01)
    return str(response.json()["id"])


def test_tasks_complete_immediately_by_default(lf: LocalfluenceServer, api: httpx.Client) -> None:
    task = wait_for_task(api, delete_space_task(api, "TSK"))
    assert task["finished"] is True and task["percentageComplete"] == 100


def test_tasks_complete_after_n_polls(lf: LocalfluenceServer, api: httpx.Client) -> None:
    lf.admin.tasks.complete_after_polls(3)
    task_id = delete_space_task(api, "POLL")
    # The work is done at once (the space is gone); the status makes the client poll.
    assert api.get("/space/POLL").status_code == 404
    polls = [api.get(f"/longtask/{task_id}").json() for _ in range(4)]
    assert [(p["finished"], p["percentageComplete"], p["status"]) for p in polls] == [
        (False, 33, "RUNNING"),
        (False, 66, "RUNNING"),
        (True, 100, "COMPLETED"),
        (True, 100, "COMPLETED"),
    ]
    # Listing tasks does not count as polling it.
    lf.admin.tasks.complete_after_polls(2)
    other = delete_space_task(api, "POLL2")
    api.get("/longtask")
    assert api.get(f"/longtask/{other}").json()["finished"] is False


def test_tasks_complete_after_n_seconds_of_server_clock(lf: LocalfluenceServer, api: httpx.Client) -> None:
    lf.admin.clock.freeze("2022-01-01T00:00:00Z")
    lf.admin.tasks.complete_after_seconds(10)
    task_id = delete_space_task(api, "SECS")
    assert api.get(f"/longtask/{task_id}").json()["percentageComplete"] == 0
    lf.admin.clock.advance(4)
    running = api.get(f"/longtask/{task_id}").json()
    assert (running["finished"], running["percentageComplete"], running["elapsedTime"]) == (False, 40, 4000)
    lf.admin.clock.advance(6)
    done = api.get(f"/longtask/{task_id}").json()
    assert done["finished"] is True and done["successful"] is True and done["elapsedTime"] == 10_000


def test_task_setting_is_validated(lf: LocalfluenceServer) -> None:
    assert lf.admin.http.put("/tasks", json={"mode": "polls", "polls": 0}).status_code == 400
    assert lf.admin.http.put("/tasks", json={"mode": "later"}).status_code == 400
    assert lf.admin.tasks.get()["mode"] == "immediate"


def test_freeze_without_a_body_freezes_now(lf: LocalfluenceServer) -> None:
    response = lf.admin.http.post("/clock/freeze")
    assert response.status_code == 200 and response.json()["frozen"] is True
    assert lf.admin.http.post("/clock/freeze", json={"at": "not a date"}).status_code == 400
    lf.admin.clock.reset()
