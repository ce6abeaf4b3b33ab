"""Our own admin API for webhooks (Confluence Cloud registers webhooks through app descriptors, so
this lives outside its paths): register, list, get, remove, and each webhook's delivery log."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from localfluence.api import Context, ok
from localfluence.context import Ctx
from localfluence.kit.clock import iso
from localfluence.kit.paging import Paging, page_envelope
from localfluence.models import Event, Webhook, WebhookDelivery
from localfluence.webhooks import service
from localfluence.webhooks.service import WebhookIn

PREFIX = "/_localfluence/webhooks"
router = APIRouter(prefix=PREFIX, tags=["localfluence: webhooks"])
WebhookId = Annotated[int, Path(ge=1, le=2**31 - 1)]
DeliveryId = Annotated[int, Path(ge=1, le=2**63 - 1)]


def serialize_webhook(ctx: Ctx, hook: Webhook, *, with_secret: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": hook.id,
        "name": hook.name,
        "url": hook.url,
        "events": json.loads(hook.events),
        "active": hook.active,
        "createdDate": iso(hook.created_at),
        "_links": {
            "self": ctx.links.api(f"{PREFIX}/{hook.id}"),
            "deliveries": ctx.links.api(f"{PREFIX}/{hook.id}/deliveries"),
        },
    }
    if with_secret:
        out["configuration"] = {"secret": hook.secret}
    return out


def serialize_delivery(delivery: WebhookDelivery, event: Event) -> dict[str, Any]:
    return {
        "id": delivery.id,
        "eventId": str(event.id),
        "eventType": event.type,
        "state": delivery.state,
        "attempts": delivery.attempts,
        "lastStatus": delivery.last_status,
        "lastError": delivery.last_error,
        "createdDate": iso(delivery.created_at),
        "nextAttemptDate": iso(delivery.next_attempt_at) if delivery.state == "pending" else None,
        "deliveredDate": iso(delivery.delivered_at),
        "retryUntilDate": iso(delivery.retry_until) if delivery.retry_until is not None else None,
    }


@router.post("", operation_id="localfluenceCreateWebhook", status_code=201)
async def create_webhook(ctx: Context, body: WebhookIn) -> Response:
    """Register a URL for event types (or "*"); the secret signs each body (X-Hub-Signature:
    sha256=HMAC-SHA256(secret, body)). Without a secret one is generated and returned once."""
    hook = service.create_webhook(ctx.session, ctx.principal, body)
    return ok(serialize_webhook(ctx, hook, with_secret=True), status=201)


@router.get("", operation_id="localfluenceListWebhooks")
async def list_webhooks(ctx: Context) -> Response:
    hooks = service.list_webhooks(ctx.session, ctx.principal)
    return ok({"results": [serialize_webhook(ctx, h) for h in hooks], "size": len(hooks)})


@router.get("/{id}", operation_id="localfluenceGetWebhook")
async def get_webhook(id: WebhookId, ctx: Context) -> Response:
    return ok(serialize_webhook(ctx, service.get_webhook(ctx.session, ctx.principal, id)))


@router.delete("/{id}", operation_id="localfluenceDeleteWebhook", status_code=204)
async def delete_webhook(id: WebhookId, ctx: Context) -> Response:
    service.delete_webhook(ctx.session, ctx.principal, id)
    return Response(status_code=204)


@router.get("/{id}/deliveries", operation_id="localfluenceGetWebhookDeliveries")
async def get_deliveries(
    id: WebhookId,
    ctx: Context,
    state: Annotated[str | None, Query()] = None,
    start: Annotated[int | None, Query(ge=0)] = None,
    limit: Annotated[int | None, Query(ge=0)] = None,
) -> Response:
    """The delivery log, oldest first: one row per event, with attempts and the last outcome."""
    paging = Paging.of(start, limit, default=100, maximum=1000)
    rows = service.list_deliveries(ctx.session, ctx.principal, id, state=state, start=paging.start, limit=paging.limit)
    return ok(
        page_envelope(
            [serialize_delivery(d, e) for d, e in rows[: paging.limit]],
            paging,
            has_more=len(rows) > paging.limit,
            path=f"{PREFIX}/{id}/deliveries",
            query={"state": state},
            links=ctx.links.top(),
        )
    )


@router.post("/{id}/deliveries/{deliveryId}/redeliver", operation_id="localfluenceRedeliverWebhookDelivery")
async def redeliver_delivery(id: WebhookId, deliveryId: DeliveryId, ctx: Context) -> Response:
    """Queue one delivery again (failed, or delivered and wanted once more), with a new retry
    window of webhook_retry_seconds. The receiver gets the same event id. A pending delivery is
    409: it is still being attempted."""
    row, event = service.redeliver_one(ctx.session, ctx.principal, id, deliveryId, ctx.settings.webhook_retry_seconds)
    return ok(serialize_delivery(row, event))


@router.post("/{id}/redeliver", operation_id="localfluenceRedeliverFailedWebhookDeliveries")
async def redeliver_failed(id: WebhookId, ctx: Context) -> Response:
    """Queue every failed delivery of the webhook again (after a receiver's long outage)."""
    rows = service.redeliver(ctx.session, ctx.principal, id, ctx.settings.webhook_retry_seconds)
    return ok({"redelivered": len(rows), "ids": [r.id for r in rows]})
