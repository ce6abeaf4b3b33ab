"""Task JSON as Confluence writes it: account ids for people, epoch milliseconds for dates."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from localfluence.context import Ctx
from localfluence.inlinetasks.service import titles_by_id, users_by_id
from localfluence.models import InlineTask


def epoch_ms(value: datetime | None) -> int | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp() * 1000)


def serialize_tasks(ctx: Ctx, tasks: Sequence[InlineTask]) -> list[dict[str, Any]]:
    people = users_by_id(ctx.session, {u for t in tasks for u in (t.creator_id, t.assignee_id, t.completed_by_id)})
    titles = titles_by_id(ctx.session, {t.content_id for t in tasks})
    out = []
    for task in tasks:
        item: dict[str, Any] = {
            "globalId": task.id,
            "id": task.task_id,
            "contentId": task.content_id,
            "status": task.status,
            "title": titles.get(task.content_id, ""),
            "description": task.description,
            "body": task.body,
            "creator": people.get(task.creator_id, "") if task.creator_id else "",
            "createDate": epoch_ms(task.created_at),
            "updateDate": epoch_ms(task.updated_at),
        }
        # Optional fields are left out rather than null: the spec types them as strings and numbers.
        optional = {
            "assignee": people.get(task.assignee_id) if task.assignee_id else None,
            "completeUser": people.get(task.completed_by_id) if task.completed_by_id else None,
            "dueDate": epoch_ms(task.due_date),
            "completeDate": epoch_ms(task.completed_at),
        }
        item.update({k: v for k, v in optional.items() if v is not None})
        item["_links"] = {"self": ctx.links.api(f"/rest/api/inlinetasks/{task.id}")}
        out.append(item)
    return out
