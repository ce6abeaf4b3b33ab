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
