"""LongTask JSON: the submission reference and the status document."""

from __future__ import annotations

import json
from typing import Any

from localfluence.context import Ctx
from localfluence.kit.clock import iso
from localfluence.models import LongTask


def task_reference(ctx: Ctx, task: LongTask) -> dict[str, Any]:
    return {
        "ari": f"ari:cloud:confluence::longtask/{task.id}",
        "id": task.id,
        "links": {"status": f"/rest/api/longtask/{task.id}"},
    }


def task_status(ctx: Ctx, task: LongTask) -> dict[str, Any]:
    end = task.finished_at or task.created_at
    elapsed = int((end - task.created_at).total_seconds() * 1000)
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
