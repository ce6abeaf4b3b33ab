"""LongTask JSON: the submission reference and the status document."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from localfluence.context import Ctx
from localfluence.kit.clock import clock, iso
from localfluence.models import LongTask


def task_reference(ctx: Ctx, task: LongTask) -> dict[str, Any]:
    return {
        "ari": f"ari:cloud:confluence::longtask/{task.id}",
        "id": task.id,
        "links": {"status": f"/rest/api/longtask/{task.id}"},
    }


def task_status(ctx: Ctx, task: LongTask) -> dict[str, Any]:
    # A running task has been running until now (by the server clock, which tests may move).
    end = task.finished_at or clock.now()
    elapsed = max(0, int((_aware(end) - _aware(task.created_at)).total_seconds() * 1000))
    return {
        "ari": f"ari:cloud:confluence::longtask/{task.id}",
        "id": task.id,
        "name": {"key": task.name, "args": []},
        "elapsedTime": elapsed,
        "percentageComplete": task.percentage,
        "successful": task.successful,
        "finished": task.finished,
        "messages": [{"translation": m, "args": []} for m in json.loads(task.messages)],
        "status": "COMPLETED" if task.finished and task.successful else ("FAILED" if task.finished else "RUNNING"),
        "errors": [],
        "additionalDetails": {**json.loads(task.result), "finishedAt": iso(task.finished_at)},
        "_links": {"self": ctx.links.api(f"/rest/api/longtask/{task.id}")},
    }


def _aware(dt: datetime) -> datetime:
    # SQLite hands back naive UTC datetimes.
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)
