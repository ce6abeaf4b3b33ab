"""Body conversion rules: from what to what, in which context, and the asynchronous variant whose
results are kept for five minutes (as Confluence keeps them)."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from html import escape
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from localfluence.access.principal import Principal
from localfluence.content import repository as content_repo
from localfluence.content.service import parse_content_id
from localfluence.contentbody.representations import OUTPUT_REPRESENTATIONS, render, space_key_of
from localfluence.context import Ctx
from localfluence.errors import BadRequest, Forbidden, NotFound
from localfluence.kit.clock import clock
from localfluence.kit.links import Links
from localfluence.models import AsyncConversion, Content, LongTask
from localfluence.spaces.repository import get_space
from localfluence.tasks import service as tasks
from localfluence.tasks.service import SETTINGS
from localfluence.xhtml.inputs import INPUT_REPRESENTATIONS, to_storage
from localfluence.xhtml.storage import Macro, find_macro, inner_storage, parse

ASYNC_TARGETS = ("export_view",)
MACRO_ASYNC_TARGETS = ("export_view", "view", "styled_view")
RESULT_LIFETIME = timedelta(minutes=5)
PENDING_LIFETIME = timedelta(days=1)
_ASYNC_ID = re.compile(r"^[0-9A-Za-z-]{1,64}$")


def conversion_context(ctx: Ctx, space_key: str | None, content_id: str | None) -> tuple[Content | None, str | None]:
    """The content and space a conversion renders in; 404 when either cannot be seen."""
    content = None
    if content_id:
        content = content_repo.get_content(ctx.session, ctx.principal, parse_content_id(content_id))
    if space_key:
        space = get_space(ctx.session, ctx.principal, space_key)
        return content, space.key
    if content is not None:
        return content, space_key_of(ctx, content.space_id)
    return None, None


def check_conversion(representation: str, to: str) -> None:
    if representation not in INPUT_REPRESENTATIONS:
        raise BadRequest(f"Cannot convert from the {representation} representation")
    if to not in OUTPUT_REPRESENTATIONS:
        raise BadRequest(f"Cannot convert to the {to} representation")
    if representation == to and to != "storage":
        raise BadRequest(f"Cannot convert from {representation} to {to}")


def convert(
    ctx: Ctx,
    value: str,
    representation: str,
    to: str,
    *,
    content: Content | None = None,
    space_key: str | None = None,
) -> str:
    check_conversion(representation, to)
    if representation == "storage" and to != "storage":
        # render parses storage (or finds it in a cache only a successful parse fills), which
        # validates it: validating first as well would parse every body twice.
        return render(ctx, value, to, content=content, space_key=space_key)
    storage = to_storage(value, representation)
    return render(ctx, storage, to, content=content, space_key=space_key)


def start_async(
    ctx: Ctx,
    to: str,
    value: str,
    representation: str,
    *,
    content: Content | None = None,
    space_key: str | None = None,
) -> AsyncConversion:
    """Queue a conversion as a long-running task (tasks/jobs.py "contentbody.convert"); its result
    is kept under the task's id for RESULT_LIFETIME after it completes."""
    now = clock.now()
    ctx.session.execute(delete(AsyncConversion).where(AsyncConversion.expires_at < now))
    record = AsyncConversion(
        id=uuid.uuid4().hex,
        owner_id=ctx.principal.user_id,
        representation=to,
        created_at=now,
        # Until it completes, a queued conversion is kept as long as a task may take to run.
        expires_at=now + PENDING_LIFETIME,
        status="QUEUED",
        value="",
    )
    ctx.session.add(record)
    ctx.session.flush()
    params = {
        "asyncId": record.id,
        "value": value,
        "representation": representation,
        "to": to,
        "contentId": content.id if content is not None else None,
        "spaceKey": space_key,
        "links": {"base": ctx.links.base, "context": ctx.links.context},
    }
    tasks.submit(ctx.session, ctx.principal, "contentbody.convert", params, task_id=record.id)
    return record


def run_conversion(session: Session, principal: Principal, params: dict[str, Any]) -> None:
    """The worker's half: render as the requester (what it may see now), in the requester's links."""
    record = session.get(AsyncConversion, params["asyncId"])
    if record is None:  # expired and tidied away before the worker came to it
        return
    links = Links(base=params["links"]["base"], context=params["links"]["context"])
    ctx = Ctx(session=session, principal=principal, links=links, settings=session.info[SETTINGS])
    content = None
    if params["contentId"] is not None:
        content = content_repo.get_content(session, principal, params["contentId"])
    now = clock.now()
    record.expires_at = now + RESULT_LIFETIME
    try:
        record.value = convert(
            ctx, params["value"], params["representation"], params["to"], content=content, space_key=params["spaceKey"]
        )
        record.status = "COMPLETED"
    except BadRequest as exc:
        # Bad input is the conversion's outcome (FAILED with the parser's message), not the task's.
        record.status, record.error = "FAILED", exc.message


def conversion_failed(session: Session, params: dict[str, Any], message: str) -> None:
    record = session.get(AsyncConversion, params["asyncId"])
    if record is not None:
        record.status, record.error = "FAILED", message
        record.expires_at = clock.now() + RESULT_LIFETIME


def async_status(ctx: Ctx, record: AsyncConversion) -> str:
    """QUEUED until the worker takes it, WORKING while it runs, then COMPLETED or FAILED."""
    if record.status != "QUEUED":
        return record.status
    state = ctx.session.scalar(select(LongTask.state).where(LongTask.id == record.id))
    return "WORKING" if state == "running" else "QUEUED"


def async_result(ctx: Ctx, async_id: str) -> AsyncConversion:
    if not _ASYNC_ID.match(async_id):
        raise BadRequest(f"Invalid async id: {async_id}")
    record = ctx.session.get(AsyncConversion, async_id)
    if record is None or _aware(record.expires_at) < clock.now():
        raise NotFound(f"No conversion found for id: {async_id}")
    if record.owner_id != ctx.principal.user_id:
        raise Forbidden("Only the user who requested a conversion may read its result")
    return record


def _aware(value):  # type: ignore[no-untyped-def]
    from datetime import UTC

    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


# --- macro bodies -----------------------------------------------------------------------------


def macro_at_version(ctx: Ctx, content_id: str, version: int, macro_id: str) -> tuple[Content, Macro]:
    content = content_repo.get_content(ctx.session, ctx.principal, parse_content_id(content_id))
    found = content_repo.get_version(ctx.session, content.id, version)
    if found is None:
        raise NotFound(f"No version {version} of content {content.id}")
    macro = find_macro(parse(found.body), macro_id) if found.body.strip() else None
    if macro is None:
        raise NotFound(f"No macro found with id {macro_id} in version {version} of content {content.id}")
    return content, macro


def macro_body_storage(macro: Macro) -> str:
    """A macro's body as storage: its rich body, or its plain body as text."""
    if macro.rich_body is not None:
        return inner_storage(macro.rich_body)
    return escape(macro.plain_body or "", quote=False)


def macro_body_text(macro: Macro) -> str:
    if macro.rich_body is not None:
        return inner_storage(macro.rich_body)
    return macro.plain_body or ""
