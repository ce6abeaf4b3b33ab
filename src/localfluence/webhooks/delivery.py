"""The delivery step of the worker: claim due deliveries (SKIP LOCKED on PostgreSQL, a conditional
UPDATE on SQLite, both as a lease), POST them with an HMAC-SHA256 signature, record the outcome.
At least once: a receiver dedupes by X-Atlassian-Webhook-Identifier (the event id). Failures and
timeouts retry with exponential backoff until webhook_max_attempts."""

from __future__ import annotations

import hashlib
import hmac
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import orjson
from sqlalchemy import func, or_, select, update

from localfluence.db.session import transaction
from localfluence.models import Event, Webhook, WebhookDelivery
from localfluence.tasks.worker import STEPS, Worker, real_now, write
from localfluence.webhooks.payloads import webhook_body

if TYPE_CHECKING:
    # Imported when the first delivery is posted: httpx brings its command line (rich, click,
    # pygments), a tenth of a second of a server's start that has no webhook to send.
    import httpx

log = logging.getLogger("localfluence.webhooks")
BATCH = 100
POSTERS = 16
SIGNATURE_HEADER = "X-Hub-Signature"


@dataclass
class Claimed:
    delivery_id: int
    attempt: int
    url: str
    secret: str
    event_id: int
    body: bytes


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _base_url(worker: Worker) -> str:
    settings = worker.settings
    return settings.base_url or f"http://{settings.host}:{settings.port}"


def _claim(worker: Worker, now: datetime) -> list[Claimed]:
    # The lease covers the slowest batch (every POST timing out, POSTERS at a time) and no more: a
    # worker killed mid-batch must not keep its deliveries from a successor for longer than that.
    rounds = -(-BATCH // POSTERS)
    lease = now + timedelta(seconds=worker.settings.webhook_timeout_seconds * rounds + 5)
    due = (
        (WebhookDelivery.state == "pending")
        & (WebhookDelivery.next_attempt_at <= now)
        & or_(WebhookDelivery.lease_until.is_(None), WebhookDelivery.lease_until < now)
    )
    claimed: list[Claimed] = []
    with transaction(worker.runtime.sessions) as session:
        write(session)
        query = select(WebhookDelivery.id).where(due).order_by(WebhookDelivery.id).limit(BATCH)
        if worker.postgres:
            query = query.with_for_update(skip_locked=True)
        ids = list(session.scalars(query))
        if not ids:
            return []
        # The claim holds the write lock (SQLite) or the row locks (PostgreSQL): one UPDATE takes them all.
        session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id.in_(ids), due)
            .values(lease_until=lease, attempts=WebhookDelivery.attempts + 1)
        )
        got = ids
        rows = session.execute(
            select(WebhookDelivery, Webhook, Event)
            .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
            .join(Event, Event.id == WebhookDelivery.event_id)
            .where(WebhookDelivery.id.in_(got))
        ).all()
        base = _base_url(worker)
        for delivery, hook, event in rows:
            body = orjson.dumps(webhook_body(event, base))
            claimed.append(Claimed(delivery.id, delivery.attempts, hook.url, hook.secret, event.id, body))
    return claimed


def _post(client: httpx.Client, item: Claimed) -> tuple[int | None, str | None]:
    import httpx

    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: sign(item.secret, item.body),
        "X-Atlassian-Webhook-Identifier": str(item.event_id),
        "X-Atlassian-Webhook-Retry": str(item.attempt - 1),
    }
    try:
        response = client.post(item.url, content=item.body, headers=headers)
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}"[:500]
    if 200 <= response.status_code < 300:
        return response.status_code, None
    return response.status_code, f"HTTP {response.status_code}"


def deliver_due(worker: Worker) -> tuple[bool, datetime | None]:
    now = real_now()
    with transaction(worker.runtime.sessions) as session:
        next_due = session.scalar(
            select(func.min(WebhookDelivery.next_attempt_at)).where(WebhookDelivery.state == "pending")
        )
    if next_due is None:
        return False, None
    next_due = next_due if next_due.tzinfo is not None else next_due.replace(tzinfo=now.tzinfo)
    if next_due > now:
        return False, next_due
    claimed = _claim(worker, now)
    if not claimed:
        # Due but held by another worker's lease: look again when the idle interval ends.
        return False, None
    settings = worker.settings
    client, pool = _connections(worker)
    outcomes = list(pool.map(lambda item: _post(client, item), claimed))
    finished = real_now()
    with transaction(worker.runtime.sessions) as session:
        write(session)
        delivered = [(item, status) for item, (status, error) in zip(claimed, outcomes, strict=True) if error is None]
        for status in {status for _, status in delivered}:
            session.execute(
                update(WebhookDelivery)
                .where(WebhookDelivery.id.in_([i.delivery_id for i, s in delivered if s == status]))
                .values(state="delivered", delivered_at=finished, last_status=status, last_error=None, lease_until=None)
            )
        for item, (status, error) in zip(claimed, outcomes, strict=True):
            if error is None:
                continue
            values: dict[str, object] = {"last_status": status, "last_error": error, "lease_until": None}
            if item.attempt >= settings.webhook_max_attempts:
                values.update(state="failed")
            else:
                growing = settings.webhook_backoff_seconds * 2 ** (item.attempt - 1)
                backoff = min(settings.webhook_backoff_max_seconds, growing)
                values.update(next_attempt_at=finished + timedelta(seconds=backoff))
            session.execute(update(WebhookDelivery).where(WebhookDelivery.id == item.delivery_id).values(**values))
    return True, None


def _connections(worker: Worker) -> tuple[httpx.Client, ThreadPoolExecutor]:
    """One keep-alive client and one small thread pool per worker, closed when the worker stops."""
    held = worker.resources.get("webhooks")
    if held is None:
        import httpx

        client = httpx.Client(timeout=worker.settings.webhook_timeout_seconds, follow_redirects=False)
        pool = ThreadPoolExecutor(max_workers=POSTERS, thread_name_prefix="localfluence-webhook")
        held = worker.resources["webhooks"] = (client, pool)
        worker.on_stop.append(lambda: (pool.shutdown(wait=True), client.close()))
    return held


STEPS.append(deliver_due)
