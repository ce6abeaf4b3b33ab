"""Confluence Cloud's webhook bodies, built from outbox events: `timestamp` (epoch ms),
`userAccountId`, `accountType`, and the object the event is about under its Confluence name
(`page`, `blog`, `comment`, `attachment`, `label` + `labeled`, `space`, `user`, `group`).

Content objects follow the bodies Cloud sends (docs/behaviour.md, "Webhooks"): `id` and
`idAsString` as strings, `spaceKey` and `spaceId`, `contentType`, `version`, the creator and last
modifier account ids, creation and modification dates in epoch ms, and `self`, the page's web
address; a comment carries the content it is on as `parent`, and its `self` focuses it there.
`updateTrigger` and `suppressNotifications` come with *_updated events. Cloud's bodies carry no
event name (an app registers one URL per event); ours add `eventType` and `eventId` because one
URL here may take many events."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote_plus

OBJECT_KEY = {"page": "page", "blogpost": "blog", "comment": "comment", "attachment": "attachment"}
UPDATE_TRIGGER = {"page_updated": "edit_page", "blog_updated": "edit_page"}


@dataclass
class Related:
    """What bodies mention beyond the event itself, loaded once per batch: containers of
    comments (as event content payloads) and space ids by key."""

    containers: dict[int, dict[str, Any]] = field(default_factory=dict)
    space_ids: dict[str, int] = field(default_factory=dict)


def _ms(dt: datetime) -> int:
    aware = dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)
    return int(aware.timestamp() * 1000)


def web_url(base: str, item: dict[str, Any]) -> str:
    key, content_id = item.get("spaceKey"), item["id"]
    if item["type"] == "blogpost":
        return f"{base}/wiki/spaces/{key}/blog/{content_id}"
    return f"{base}/wiki/spaces/{key}/pages/{content_id}/{quote_plus(item.get('title') or '')}"


def _content(item: dict[str, Any], base: str, related: Related, modified: int, modifier: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "idAsString": str(item["id"]),
        "creatorAccountId": item.get("creatorAccountId"),
        "spaceKey": item.get("spaceKey"),
        "spaceId": related.space_ids.get(item.get("spaceKey") or ""),
    }
    if item["type"] == "comment":
        container = related.containers.get(item.get("parentId") or 0)
        if container is not None:
            out["parent"] = _content(container, base, related, container.get("modificationDate") or 0, None)
            out["parent"]["lastModifierAccountId"] = container.get("lastModifierAccountId")
            url = f"{web_url(base, container)}?focusedCommentId={item['id']}"
        else:
            url = None
    elif item["type"] == "attachment":
        container = related.containers.get(item.get("parentId") or 0)
        url = web_url(base, container) if container is not None else None
    else:
        url = web_url(base, item)
    out.update(
        {
            "modificationDate": modified,
            "lastModifierAccountId": modifier,
            "self": url,
            "id": str(item["id"]),
        }
    )
    if item["type"] != "comment":
        out["title"] = item["title"]
    out.update({"creationDate": item.get("creationDate"), "contentType": item["type"], "version": item.get("version")})
    return out


def webhook_body(event: Any, base: str, data: dict[str, Any] | None = None, related: Related | None = None) -> dict:
    """The body for an event (an Event row, or anything with its id, type, payload,
    actor_account_id and created_at), its payload already parsed if `data` is given."""
    data = json.loads(event.payload) if data is None else data
    related = related or Related()
    when = _ms(event.created_at)
    body: dict[str, Any] = {
        "userAccountId": event.actor_account_id,
        "accountType": "customer",
        "timestamp": when,
        "eventType": event.type,
        "eventId": str(event.id),
    }
    if "content" in data and data["content"] is not None and not event.type.startswith("label_"):
        item = data["content"]
        body[OBJECT_KEY.get(item["type"], "content")] = _content(item, base, related, when, event.actor_account_id)
        if event.type in UPDATE_TRIGGER:
            body["updateTrigger"] = UPDATE_TRIGGER[event.type]
            body["suppressNotifications"] = False
    elif event.type.startswith("label_"):
        body["label"] = {**data["label"], "ownerAccountId": event.actor_account_id}
        if data.get("content") is not None:
            body["labeled"] = _content(data["content"], base, related, when, event.actor_account_id)
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
