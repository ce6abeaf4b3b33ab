"""Waiting for long-running tasks: poll GET /longtask/{id} (bounded) until the worker is done."""

from __future__ import annotations

import time

import httpx


def wait_for_task(api: httpx.Client, task_id: str, *, timeout: float = 20.0) -> dict:
    """The task's status once the worker has run it (its work committed): finished, or, when the
    test double holds completion back (tasks/completion.py), no longer queued or running."""
    deadline = time.monotonic() + timeout
    delay = 0.005
    while True:
        response = api.get(f"/longtask/{task_id}")
        assert response.status_code == 200, response.text
        status = response.json()
        if status["finished"] or status["messages"] and status["messages"][0]["translation"] != "Started":
            return status
        assert time.monotonic() < deadline, f"task {task_id} did not finish: {status}"
        time.sleep(delay)
        delay = min(delay * 2, 0.1)


def _poll(api: httpx.Client, path: str, done, *, timeout: float = 20.0) -> dict:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    delay = 0.005
    while True:
        response = api.get(path)
        assert response.status_code == 200, response.text
        body = response.json()
        if done(body):
            return body
        assert time.monotonic() < deadline, f"{path} did not finish: {body}"
        time.sleep(delay)
        delay = min(delay * 2, 0.1)


def wait_for_state_task(api: httpx.Client, task_id: str) -> dict:
    """GET /content-states/task/{id} once the bulk task has done every content."""
    return _poll(api, f"/content-states/task/{task_id}", lambda b: b["percentage"] == 100)


def wait_for_conversion(api: httpx.Client, async_id: str) -> dict:
    """GET /contentbody/convert/async/{id} once the conversion is no longer queued or working."""
    return _poll(api, f"/contentbody/convert/async/{async_id}", lambda b: b["status"] not in ("QUEUED", "WORKING"))
