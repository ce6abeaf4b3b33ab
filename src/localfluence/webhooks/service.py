"""Webhook registrations and the fan-out: every recorded event becomes one delivery row per
matching active webhook, in the event's own transaction, so no event is lost by a crash or a
receiver that is down."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from localfluence.access import checks
from localfluence.access.principal import Principal
from localfluence.errors import BadRequest, Conflict, NotFound
from localfluence.events.record import Recorded, on_event
from localfluence.kit.requestbody import RequestBody
from localfluence.models import Event, Webhook, WebhookDelivery
from localfluence.tasks.service import WAKE_WORKER

# The events Confluence Cloud sends, and the ones this server adds (group membership, permissions).
EVENT_TYPES = frozenset(
    f"{prefix}_{verb}"
    for prefix, verbs in {
        "page": ("created", "updated", "trashed", "restored", "removed", "moved", "archived", "permissions_updated"),
        "blog": ("created", "updated", "trashed", "restored", "removed", "archived", "permissions_updated"),
        "comment": ("created", "updated", "trashed", "restored", "removed"),
        "attachment": ("created", "updated", "trashed", "restored", "removed"),
        "label": ("added", "removed"),
        "space": ("created", "updated", "removed", "permissions_updated"),
        "user": ("created", "deactivated", "reactivated", "removed"),
        "group": ("created", "removed", "member_added", "member_removed"),
        "global": ("permissions_updated",),
    }.items()
    for verb in verbs
) | {"page_draft_created", "blog_draft_created"}


class WebhookIn(RequestBody):
    name: str = Field(default="", max_length=255)
    url: str = Field(min_length=1, max_length=2000)
    events: list[str] = Field(min_length=1, max_length=200)
    # Confluence keeps the secret under "configuration"; a top-level one is accepted too.
    secret: str | None = Field(default=None, max_length=255)
    configuration: dict[str, str] | None = None
    active: bool = True


def create_webhook(session: Session, principal: Principal, data: WebhookIn) -> Webhook:
    checks.require_admin(principal)
    _check_url(data.url)
    unknown = sorted(set(data.events) - EVENT_TYPES - {"*"})
    if unknown:
        raise BadRequest(f"Unknown event types: {', '.join(unknown)}")
    secret = data.secret or (data.configuration or {}).get("secret") or secrets.token_urlsafe(24)
    hook = Webhook(
        name=data.name,
        url=data.url,
        events=json.dumps(sorted(set(data.events))),
        secret=secret,
        active=data.active,
        created_at=datetime.now(UTC),
    )
    session.add(hook)
    session.flush()
    return hook


def _check_url(url: str) -> None:
    # The delivery worker connects to hostname:port; a URL it cannot take apart would only fail
    # there, on every attempt, so it is refused here (malformed brackets and ports raise ValueError).
    try:
        parts = urlsplit(url)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname)
        parts.port  # noqa: B018
    except ValueError:
        valid = False
    if not valid:
        raise BadRequest(f"Invalid webhook URL: {url}; use an http or https URL")


def list_webhooks(session: Session, principal: Principal) -> list[Webhook]:
    checks.require_admin(principal)
    return list(session.scalars(select(Webhook).order_by(Webhook.id)))


def get_webhook(session: Session, principal: Principal, webhook_id: int) -> Webhook:
    checks.require_admin(principal)
    hook = session.get(Webhook, webhook_id)
    if hook is None:
        raise NotFound(f"No webhook with id {webhook_id}")
    return hook


def delete_webhook(session: Session, principal: Principal, webhook_id: int) -> None:
    session.delete(get_webhook(session, principal, webhook_id))
    session.flush()


def list_deliveries(
    session: Session, principal: Principal, webhook_id: int, *, state: str | None, start: int, limit: int
) -> list[tuple[WebhookDelivery, Event]]:
    hook = get_webhook(session, principal, webhook_id)
    if state not in (None, "pending", "delivered", "failed"):
        raise BadRequest(f"Invalid state: {state}; use pending, delivered or failed")
    query = (
        select(WebhookDelivery, Event)
        .join(Event, Event.id == WebhookDelivery.event_id)
        .where(WebhookDelivery.webhook_id == hook.id)
        .order_by(WebhookDelivery.id)
    )
    if state is not None:
        query = query.where(WebhookDelivery.state == state)
    return [(d, e) for d, e in session.execute(query.offset(start).limit(limit + 1))]


def redeliver(
    session: Session, principal: Principal, webhook_id: int, retry_seconds: float, *, delivery_id: int | None = None
) -> list[WebhookDelivery]:
    """Queue deliveries again (one, or every failed one of the webhook) with a new retry window;
    the attempts so far stay counted in the log."""
    hook = get_webhook(session, principal, webhook_id)
    query = select(WebhookDelivery).where(WebhookDelivery.webhook_id == hook.id)
    if delivery_id is not None:
        query = query.where(WebhookDelivery.id == delivery_id)
    else:
        query = query.where(WebhookDelivery.state == "failed")
    rows = list(session.scalars(query.order_by(WebhookDelivery.id)))
    if delivery_id is not None and not rows:
        raise NotFound(f"No delivery {delivery_id} of webhook {webhook_id}")
    if delivery_id is not None and rows[0].state == "pending":
        # A poster may hold it right now: clearing its lease would let a second worker post it
        # while the first post runs, and the first outcome would then overwrite the new window.
        raise Conflict(f"Delivery {delivery_id} is pending: it is attempted on its own until its window ends")
    now = datetime.now(UTC)
    for row in rows:
        row.state, row.next_attempt_at, row.lease_until = "pending", now, None
        row.retry_until = now + timedelta(seconds=retry_seconds)
    session.flush()
    if rows:
        session.info[WAKE_WORKER] = True
    return rows


def redeliver_one(
    session: Session, principal: Principal, webhook_id: int, delivery_id: int, retry_seconds: float
) -> tuple[WebhookDelivery, Event]:
    row = redeliver(session, principal, webhook_id, retry_seconds, delivery_id=delivery_id)[0]
    event = session.get(Event, row.event_id)
    assert event is not None  # deliveries go with their event (foreign key)
    return row, event


# Built once: every event of every write runs it. On the table, not the entity: a plain statement
# skips the ORM's per-execution setup (record() has flushed whatever was pending).
_webhooks = Webhook.__table__.c
_ACTIVE_HOOKS = select(_webhooks.id, _webhooks.events).where(_webhooks.active.is_(True))


@on_event
def fan_out(session: Session, event: Recorded) -> None:
    hooks = session.execute(_ACTIVE_HOOKS).all()
    wanted = [hook_id for hook_id, types in hooks if _matches(types, event.type)]
    if not wanted:
        return
    for hook_id in wanted:
        session.add(
            WebhookDelivery(
                webhook_id=hook_id,
                event_id=event.id,
                state="pending",
                attempts=0,
                next_attempt_at=event.recorded_at,
                created_at=event.recorded_at,
            )
        )
    session.info[WAKE_WORKER] = True


_parsed: dict[str, frozenset[str]] = {}


def _matches(types: str, event_type: str) -> bool:
    parsed = _parsed.get(types)
    if parsed is None:
        parsed = _parsed[types] = frozenset(json.loads(types))
    return "*" in parsed or event_type in parsed
