"""Confluence Cloud's webhook bodies, built from outbox events: `timestamp` (epoch ms),
`userAccountId`, `accountType`, and the object the event is about under its Confluence name
(`page`, `blog`, `comment`, `attachment`, `label` + `labeled`, `space`, `user`, `group`)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from localfluence.models import Event

OBJECT_KEY = {"page": "page", "blogpost": "blog", "comment": "comment", "attachment": "attachment"}
UPDATE_TRIGGER = {"updated": "edit_page", "restored": "restore_page", "moved": "move_page"}


def _ms(dt: datetime) -> int:
    aware = dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)
    return int(aware.timestamp() * 1000)


def _content(item: dict[str, Any], base: str, modified: int, modifier: str | None) -> dict[str, Any]:
    kind = "pages" if item["type"] == "page" else ("blog" if item["type"] == "blogpost" else item["type"])
    return {
        "id": item["id"],
        "title": item["title"],
        "contentType": item["type"],
        "spaceKey": item.get("spaceKey"),
        "creatorAccountId": item.get("creatorAccountId"),
        "lastModifierAccountId": modifier,
        "version": item.get("version"),
        "status": item.get("status"),
        "creationDate": item.get("creationDate"),
        "modificationDate": modified,
        "self": f"{base}/wiki/spaces/{item.get('spaceKey')}/{kind}/{item['id']}",
    }


def webhook_body(event: Event, base: str) -> dict[str, Any]:
    data = json.loads(event.payload)
    when = _ms(event.created_at)
    body: dict[str, Any] = {
        "userAccountId": event.actor_account_id,
        "accountType": "customer",
        "timestamp": when,
        "eventType": event.type,
        "eventId": str(event.id),
    }
    verb = event.type.split("_", 1)[1] if "_" in event.type else ""
    if "content" in data and data["content"] is not None and not event.type.startswith("label_"):
        item = data["content"]
        body[OBJECT_KEY.get(item["type"], "content")] = _content(item, base, when, event.actor_account_id)
        if item["type"] in ("page", "blogpost"):
            body["updateTrigger"] = UPDATE_TRIGGER.get(verb, "")
            body["suppressNotifications"] = False
    elif event.type.startswith("label_"):
        body["label"] = {**data["label"], "ownerAccountId": event.actor_account_id}
        if data.get("content") is not None:
            body["labeled"] = _content(data["content"], base, when, event.actor_account_id)
    elif "space" in data:
        space = data["space"]
        body["space"] = {
            **space,
            "creatorAccountId": space.get("creatorAccountId"),
            "lastModifierAccountId": event.actor_account_id,
            "modificationDate": when,
            "self": f"{base}/wiki/spaces/{space['key']}",
        }
        body.update({k: v for k, v in data.items() if k != "space"})
    else:
        body.update(data)
    return body
