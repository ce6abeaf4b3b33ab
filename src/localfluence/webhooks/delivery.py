"""The delivery step of the worker: claim due deliveries (SKIP LOCKED on PostgreSQL, a conditional
UPDATE on SQLite, both as a lease), POST them with an HMAC-SHA256 signature, record the outcome.
At least once: a receiver dedupes by X-Atlassian-Webhook-Identifier (the event id).

Posting is pipelined: claimed deliveries go to a pool of posters and the worker loop does not wait
for them; each round records the outcomes that came back and claims what became due, in one write
transaction. So an event committed while other posts are in flight goes out at once, and a slow
receiver holds up only its own deliveries.

Retries (docs/behaviour.md): a failure or timeout is retried with exponential backoff, capped at
webhook_backoff_max_seconds, until webhook_retry_seconds (24 h by default) have passed since the
delivery was queued (or redelivered); then it is marked failed and stays in the delivery log, from
where the admin API can queue it again."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import logging
import queue
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import SplitResult, urlsplit

import orjson
from sqlalchemy import Integer, bindparam, func, or_, select, update
from sqlalchemy.orm import Session

from localfluence.config import Settings
from localfluence.db.session import transaction
from localfluence.models import Content, Event, Space, User, Webhook, WebhookDelivery
from localfluence.tasks.worker import STEPS, Worker, real_now
from localfluence.webhooks.payloads import Related, webhook_body

log = logging.getLogger("localfluence.webhooks")
POSTERS = 16
# Deliveries handed to the posters and not yet recorded; a claim takes at most what is left.
IN_FLIGHT = 64
# Outcomes are written within this long of coming back (sooner when a claim or a batch is due).
OUTCOME_DELAY = 0.05
OUTCOME_BATCH = 32
SIGNATURE_HEADER = "X-Hub-Signature"
USER_AGENT = "localfluence-webhooks"
MAX_RESPONSE = 64 * 1024


@dataclass
class Claimed:
    delivery_id: int
    attempt: int
    url: str
    secret: str
    event_id: int
    body: bytes
    # When the retry window of this delivery closes (docs/behaviour.md).
    retry_until: datetime


@dataclass
class Outcome:
    item: Claimed
    status: int | None
    error: str | None
    at: datetime


@dataclass
class Pipeline:
    """The posters of one worker: a keep-alive client, a thread pool, what is in flight, and the
    outcomes waiting to be recorded."""

    connections: Connections
    pool: ThreadPoolExecutor
    in_flight: set[int] = field(default_factory=set)
    outcomes: queue.SimpleQueue[Outcome] = field(default_factory=queue.SimpleQueue)
    # Outcomes taken from the queue and not yet written to the delivery log.
    unrecorded: list[Outcome] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def drain(self) -> list[Outcome]:
        got: list[Outcome] = []
        while True:
            try:
                got.append(self.outcomes.get_nowait())
            except queue.Empty:
                return got


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _base_url(worker: Worker) -> str:
    settings = worker.settings
    return settings.base_url or f"http://{settings.host}:{settings.port}"


def _aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


def retry_deadline(settings: Settings, delivery: Any) -> datetime:
    """A delivery is retried until this (a redelivery through the admin API opens a new window)."""
    if delivery.retry_until is not None:
        return _aware(delivery.retry_until)
    return _aware(delivery.created_at) + timedelta(seconds=settings.webhook_retry_seconds)


def _lease(worker: Worker, now: datetime) -> datetime:
    # A claimed delivery may wait behind everything in flight (IN_FLIGHT / POSTERS rounds of posts
    # that all time out) and no longer: a worker killed mid-batch must not keep its deliveries from
    # a successor for longer than that.
    rounds = -(-IN_FLIGHT // POSTERS)
    return now + timedelta(seconds=worker.settings.webhook_timeout_seconds * rounds + 5)


# The statements of every pass, built once (bound parameters instead of values): building SQL
# expressions was a third of the worker's CPU per delivery.
_D = WebhookDelivery.__table__.c
_NOW = bindparam("now", type_=_D.next_attempt_at.type)
_IDS = bindparam("ids", expanding=True)
_UNLEASED = or_(_D.lease_until.is_(None), _D.lease_until < _NOW)
_DUE = (_D.state == "pending") & (_D.next_attempt_at <= _NOW) & _UNLEASED
NEXT_DUE = select(func.min(_D.next_attempt_at)).where(_D.state == "pending", _UNLEASED)
DUE_IDS = select(_D.id).where(_DUE).order_by(_D.id).limit(bindparam("room", type_=Integer))
DUE_IDS_LOCKED = DUE_IDS.with_for_update(skip_locked=True)
LEASE = (
    update(WebhookDelivery.__table__)
    .where(_D.id.in_(_IDS), _DUE)
    .values(lease_until=bindparam("lease", type_=_D.lease_until.type), attempts=_D.attempts + 1)
)
CLAIMED = (
    select(
        _D.id.label("delivery_id"),
        _D.attempts,
        _D.created_at,
        _D.retry_until,
        Webhook.url,
        Webhook.secret,
        Event.id.label("event_id"),
        Event.type,
        Event.payload,
        Event.actor_account_id,
        Event.created_at.label("event_created_at"),
    )
    .join(Webhook, Webhook.id == _D.webhook_id)
    .join(Event, Event.id == _D.event_id)
    .where(_D.id.in_(_IDS))
)
DELIVERED = (
    update(WebhookDelivery.__table__)
    .where(_D.id.in_(_IDS))
    .values(
        state="delivered",
        delivered_at=bindparam("at", type_=_D.delivered_at.type),
        last_status=bindparam("status", type_=Integer),
        last_error=None,
        lease_until=None,
    )
)
_FAILURE = {"last_status": bindparam("status", type_=Integer), "last_error": bindparam("error"), "lease_until": None}
RETRY = (
    update(WebhookDelivery.__table__)
    .where(_D.id == bindparam("delivery"))
    .values(next_attempt_at=bindparam("retry_at", type_=_D.next_attempt_at.type), **_FAILURE)
)
GIVE_UP = update(WebhookDelivery.__table__).where(_D.id == bindparam("delivery")).values(state="failed", **_FAILURE)


@dataclass
class EventRow:
    """What webhook_body reads of an event, from the claim's one query."""

    id: int
    type: str
    payload: str
    actor_account_id: str | None
    created_at: datetime


def _record(session: Session, settings: Settings, outcomes: list[Outcome]) -> None:
    conn = session.connection()
    delivered = [o for o in outcomes if o.error is None]
    # One UPDATE for all deliveries that went through with the same status (nearly always 200/204).
    for status in {o.status for o in delivered}:
        same = [o for o in delivered if o.status == status]
        at = max(o.at for o in same)
        conn.execute(DELIVERED, {"ids": [o.item.delivery_id for o in same], "at": at, "status": status})
    retries: list[dict[str, object]] = []
    failures: list[dict[str, object]] = []
    for o in outcomes:
        if o.error is None:
            continue
        values: dict[str, object] = {"delivery": o.item.delivery_id, "status": o.status, "error": o.error}
        growing = settings.webhook_backoff_seconds * 2 ** min(40, o.item.attempt - 1)
        backoff = min(settings.webhook_backoff_max_seconds, growing)
        retry_at = o.at + timedelta(seconds=backoff)
        capped = settings.webhook_max_attempts is not None and o.item.attempt >= settings.webhook_max_attempts
        if capped or retry_at > o.item.retry_until:
            failures.append(values)
        else:
            retries.append({**values, "retry_at": retry_at})
    if retries:
        conn.execute(RETRY, retries)
    if failures:
        conn.execute(GIVE_UP, failures)


def _claim(session: Session, worker: Worker, now: datetime, limit: int) -> list[Claimed]:
    conn = session.connection()
    # SKIP LOCKED on PostgreSQL; on SQLite the write lock this transaction holds is the claim.
    ids = list(conn.scalars(DUE_IDS_LOCKED if worker.postgres else DUE_IDS, {"now": now, "room": limit}))
    if not ids:
        return []
    conn.execute(LEASE, {"ids": ids, "now": now, "lease": _lease(worker, now)})
    rows = conn.execute(CLAIMED, {"ids": ids}).all()
    base = _base_url(worker)
    datas = {row.event_id: orjson.loads(row.payload) for row in rows}
    related = _related(session, list(datas.values()))
    claimed = []
    for row in rows:
        event = EventRow(row.event_id, row.type, row.payload, row.actor_account_id, row.event_created_at)
        deadline = retry_deadline(worker.settings, row)
        body = orjson.dumps(webhook_body(event, base, datas[row.event_id], related))
        claimed.append(Claimed(row.delivery_id, row.attempts, row.url, row.secret, row.event_id, body, deadline))
    return claimed


def _related(session: Session, datas: list[dict]) -> Related:
    """Containers of comments and attachments (as they are now) and space ids, for a batch."""
    items = [d["content"] for d in datas if isinstance(d.get("content"), dict)]
    containers = {i["parentId"] for i in items if i.get("type") in ("comment", "attachment") and i.get("parentId")}
    related = Related()
    if containers:
        found = session.execute(
            select(Content, Space.key, User.account_id)
            .join(Space, Space.id == Content.space_id)
            .outerjoin(User, User.id == Content.creator_id)
            .where(Content.id.in_(containers))
        ).all()
        for content, key, creator in found:
            related.containers[content.id] = {
                "id": content.id,
                "type": content.type,
                "title": content.title,
                "spaceKey": key,
                "version": content.version,
                "creatorAccountId": creator,
                "creationDate": _epoch_ms(content.created_at),
                "modificationDate": _epoch_ms(content.last_modified_at or content.created_at),
            }
    keys = {i.get("spaceKey") for i in items} | {
        d["space"].get("key") for d in datas if isinstance(d.get("space"), dict)
    }
    keys |= {c["spaceKey"] for c in related.containers.values()}
    keys.discard(None)
    if keys:
        rows = session.execute(select(Space.key, Space.id).where(Space.key.in_(keys)))
        related.space_ids = {key: space_id for key, space_id in rows}
    return related


def _epoch_ms(dt: datetime) -> int:
    return int(_aware(dt).timestamp() * 1000)


class Connections(threading.local):
    """Each poster thread keeps one keep-alive connection per receiver (scheme, host, port).
    http.client rather than an HTTP client library: a post costs a quarter of the CPU, and the
    worker only ever sends one POST and reads a status."""

    def __init__(self) -> None:
        self.open: dict[tuple[str, str, int], http.client.HTTPConnection] = {}

    def get(self, parts: SplitResult, timeout: float) -> http.client.HTTPConnection:
        https = parts.scheme == "https"
        key = (parts.scheme, parts.hostname or "", parts.port or (443 if https else 80))
        conn = self.open.get(key)
        if conn is None:
            kind = http.client.HTTPSConnection if https else http.client.HTTPConnection
            conn = self.open[key] = kind(key[1], key[2], timeout=timeout)
        return conn

    def drop(self, parts: SplitResult) -> None:
        for key in [k for k in self.open if k[1] == (parts.hostname or "")]:
            self.open.pop(key).close()


def _post(connections: Connections, item: Claimed, timeout: float) -> tuple[int | None, str | None]:
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        SIGNATURE_HEADER: sign(item.secret, item.body),
        "X-Atlassian-Webhook-Identifier": str(item.event_id),
        "X-Atlassian-Webhook-Retry": str(item.attempt - 1),
    }
    parts = urlsplit(item.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    for attempt in (1, 2):
        conn = connections.get(parts, timeout)
        reused = conn.sock is not None
        try:
            conn.request("POST", target, body=item.body, headers=headers)
            response = conn.getresponse()
            # Read what the receiver says (bounded); a longer answer is not worth keeping the line.
            response.read(MAX_RESPONSE)
            if not response.isclosed():
                connections.drop(parts)
            status = response.status
            break
        except (OSError, http.client.HTTPException) as exc:
            connections.drop(parts)
            # A kept-alive connection the receiver closed meanwhile: once more on a fresh one.
            if reused and attempt == 1 and isinstance(exc, (http.client.RemoteDisconnected, ConnectionError)):
                continue
            return None, f"{type(exc).__name__}: {exc}"[:500]
    if 200 <= status < 300:
        return status, None
    return status, f"HTTP {status}"


def _send(worker: Worker, pipeline: Pipeline, item: Claimed) -> None:
    try:
        status, error = _post(pipeline.connections, item, worker.settings.webhook_timeout_seconds)
    except Exception as exc:  # a bug, not the receiver: the lease runs out and it is retried
        log.exception("posting delivery %s failed", item.delivery_id)
        status, error = None, f"{type(exc).__name__}"
    pipeline.outcomes.put(Outcome(item, status, error, real_now()))
    with pipeline.lock:
        pipeline.in_flight.discard(item.delivery_id)
    worker.wake(tasks=False)  # the loop records the outcome and, with a poster free, claims more


def _next_due(worker: Worker, now: datetime) -> datetime | None:
    """A read-only look first: an idle worker never takes SQLite's write lock. Deliveries leased
    (in flight here, or held by another worker) do not count."""
    with worker.runtime.engine.connect() as conn:
        due = conn.scalar(NEXT_DUE, {"now": now})
    return None if due is None else _aware(due)


def deliver_due(worker: Worker) -> tuple[bool, datetime | None]:
    pipeline = _pipeline(worker)
    pipeline.unrecorded.extend(pipeline.drain())
    outcomes = pipeline.unrecorded
    now = real_now()
    with pipeline.lock:
        room = IN_FLIGHT - len(pipeline.in_flight)
    next_due = _next_due(worker, now) if room > 0 else None
    wanted = next_due is not None and next_due <= now
    if not wanted:
        if not outcomes:
            return False, next_due
        # Outcomes alone wait a moment for company: recorded with the next claim or with each
        # other, one write transaction serves many deliveries.
        record_by = min(o.at for o in outcomes) + timedelta(seconds=OUTCOME_DELAY)
        if len(outcomes) < OUTCOME_BATCH and record_by > now:
            return False, record_by if next_due is None else min(record_by, next_due)
    with transaction(worker.runtime.sessions, write=True) as session:
        _record(session, worker.settings, outcomes)
        claimed = _claim(session, worker, now, room) if wanted else []
    pipeline.unrecorded = []
    for item in claimed:
        with pipeline.lock:
            pipeline.in_flight.add(item.delivery_id)
        pipeline.pool.submit(_send, worker, pipeline, item)
    # Again at once if more may be due than there was room for, or if only outcomes were written
    # (that pass finds when their retries are due); after a claim, its outcomes wake the loop.
    return (bool(claimed) and len(claimed) == room) or not claimed, None


def _pipeline(worker: Worker) -> Pipeline:
    """One pipeline per worker, closed when the worker stops (outcomes that came back by then are
    recorded; posts still in flight are retried by whoever finds their lease run out)."""
    held = worker.resources.get("webhooks")
    if held is None:
        connections = Connections()
        pool = ThreadPoolExecutor(max_workers=POSTERS, thread_name_prefix="localfluence-webhook")
        held = worker.resources["webhooks"] = Pipeline(connections, pool)

        def close() -> None:
            # Posts not started are dropped (their leases run out and they are retried); those under
            # way finish within webhook_timeout_seconds. The posters' connections are thread-local:
            # they close as the pool's threads end.
            pool.shutdown(wait=True, cancel_futures=True)
            left = held.unrecorded + held.drain()
            if left:
                try:
                    with transaction(worker.runtime.sessions, write=True) as session:
                        _record(session, worker.settings, left)
                except Exception:
                    log.exception("recording the last webhook outcomes failed")

        worker.on_stop.append(close)
    return held


STEPS.append(deliver_due)
