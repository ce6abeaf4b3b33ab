"""/_localfluence: the test-double API (site admins only; LOCALFLUENCE_ADMIN_API=false removes it).

Whole-database work (reset, snapshots, seeding) runs in the threadpool, in a transaction of its
own; the rest touches in-memory state of this server process only."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from localfluence import __version__
from localfluence.access.principal import Principal
from localfluence.admin import reset as resets
from localfluence.admin import snapshot as snapshots
from localfluence.admin.faults import FaultStore
from localfluence.admin.journal import Journal, JournalFilter
from localfluence.api import ok
from localfluence.auth.credentials import authenticate
from localfluence.errors import BadRequest, Forbidden, NotAuthenticated, NotFound, UnsupportedMediaType
from localfluence.kit.clock import clock, iso
from localfluence.runtime import Runtime
from localfluence.sites.site import site_of
from localfluence.tasks.completion import CompletionPolicy, completion

PREFIX = "/_localfluence"
# Numbers a rule stores are echoed back as JSON, which this server writes as 64-bit integers.
INT64_MAX = 2**63 - 1
HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
HEADER_VALUE = re.compile(r"^[\t\x20-\x7e\x80-\xff]*$")
# Framing headers are the server's own: a rule that set them would break the response it injects.
FRAMING_HEADERS = frozenset({"content-length", "transfer-encoding", "connection"})
SEED_MEDIA_TYPES = ("application/json", "application/yaml", "application/x-yaml", "text/yaml", "text/plain")


def _runtime(request: Request) -> Runtime:
    runtime = site_of(request).runtime
    if not runtime.settings.admin_api:
        raise NotFound("null for uri: the requested resource does not exist")
    return runtime


async def site_admin(request: Request) -> Principal:
    """Authenticate in a short session of its own, closed before the work starts: a reset must not
    wait on locks held by the request that asked for it."""
    runtime = _runtime(request)
    session = runtime.sessions()
    try:
        principal = authenticate(session, request.headers.get("authorization"))
    finally:
        session.close()
    request.state.account_id = principal.account_id
    if principal.is_anonymous:
        raise NotAuthenticated("The localfluence admin API needs a site administrator's credentials")
    if not principal.is_admin:
        raise Forbidden("Only site administrators may use the localfluence admin API")
    return principal


Admin = Annotated[Principal, Depends(site_admin)]
router = APIRouter(prefix=PREFIX)
TAG_SITE = "localfluence: site"
TAG_FAULTS = "localfluence: faults"
TAG_OBSERVE = "localfluence: clock, journal, tasks"


def _faults(request: Request) -> FaultStore:
    store: FaultStore = site_of(request).faults
    return store


def _journal(request: Request) -> Journal:
    journal: Journal = site_of(request).journal
    return journal


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ------------------------------------------------------------------------------------------ site


@router.get("/health", tags=[TAG_SITE], summary="Health: the server answers and its database too (no login)")
async def health(request: Request) -> Response:
    runtime = _runtime(request)
    try:
        with runtime.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        database = "ok"
    except Exception:  # noqa: BLE001 - any database failure is "unavailable"
        database = "unavailable"
    body = {"state": "RUNNING" if database == "ok" else "DEGRADED", "database": database, "version": __version__}
    return ok(body, 200 if database == "ok" else 503)


@router.post(
    "/reset",
    tags=[TAG_SITE],
    summary="Reset the site (or one space with spaceKey), optionally to a snapshot",
    description=(
        "Without parameters: delete all data except the bootstrap admin and its tokens, and clear "
        "fault rules, the journal, the clock and the task setting. With `spaceKey`: remove that space "
        "and everything in it, nothing else. With `snapshot`: load that snapshot instead of an empty "
        "site. One transaction: concurrent requests see the site before or after, never between."
    ),
)
async def reset(
    request: Request,
    _admin: Admin,
    spaceKey: Annotated[str | None, Query(max_length=255)] = None,
    snapshot: Annotated[str | None, Query(max_length=100)] = None,
) -> Response:
    runtime = _runtime(request)
    if spaceKey is not None and snapshot is not None:
        raise BadRequest("Give spaceKey or snapshot, not both")
    if spaceKey is not None:
        report = await run_in_threadpool(resets.reset_space, runtime.engine, runtime.settings, spaceKey)
        return ok(report.as_json())
    if snapshot is not None:
        loaded = await run_in_threadpool(snapshots.load_snapshot, runtime, snapshot)
        body: dict[str, Any] = {
            "scope": "site",
            "snapshot": loaded.as_json(),
            "durationMs": loaded.as_json()["durationMs"],
        }
    else:
        body = (await run_in_threadpool(resets.reset_site, runtime.engine, runtime.settings)).as_json()
    _faults(request).clear()
    _journal(request).clear()
    clock.reset()
    completion.reset()
    return ok(body)


@router.get("/snapshots", tags=[TAG_SITE], summary="List snapshots in the data dir")
async def list_snapshots(request: Request, _admin: Admin) -> Response:
    runtime = _runtime(request)
    revision = snapshots.current_revision(runtime.engine)
    results = [s.as_json(revision) for s in snapshots.list_snapshots(runtime.settings)]
    return ok({"results": results, "size": len(results)})


@router.get("/snapshots/{name}", tags=[TAG_SITE], summary="One snapshot's header")
async def get_snapshot(name: str, request: Request, _admin: Admin) -> Response:
    runtime = _runtime(request)
    info = snapshots.get_snapshot(runtime.settings, name)
    return ok(info.as_json(snapshots.current_revision(runtime.engine)))


@router.put(
    "/snapshots/{name}",
    tags=[TAG_SITE],
    summary="Save the whole site as a named snapshot (atomic: replaces an older one only when complete)",
)
async def save_snapshot(name: str, request: Request, _admin: Admin) -> Response:
    runtime = _runtime(request)
    info = await run_in_threadpool(snapshots.save_snapshot, runtime, name)
    return ok({**info.as_json(), "rows": info.rows})


@router.post(
    "/snapshots/{name}/restore",
    tags=[TAG_SITE],
    summary="Load a snapshot, replacing all data (all or nothing; refuses other format or schema versions)",
)
async def restore_snapshot(name: str, request: Request, _admin: Admin) -> Response:
    runtime = _runtime(request)
    report = await run_in_threadpool(snapshots.load_snapshot, runtime, name)
    return ok(report.as_json())


@router.delete("/snapshots/{name}", tags=[TAG_SITE], summary="Delete a snapshot", status_code=204)
async def delete_snapshot(name: str, request: Request, _admin: Admin) -> Response:
    snapshots.delete_snapshot(_runtime(request).settings, name)
    return Response(status_code=204)


@router.post(
    "/seed",
    tags=[TAG_SITE],
    summary="Apply a seed document (YAML or JSON body); idempotent, all or nothing",
    description="bodyFile references are refused here (the server reads no files for HTTP callers); inline bodies.",
)
async def seed(request: Request, _admin: Admin) -> Response:
    runtime = _runtime(request)
    media_type = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if media_type not in SEED_MEDIA_TYPES:
        raise UnsupportedMediaType(f"Send the seed as JSON or YAML, not {media_type}")
    raw = await request.body()
    try:
        document = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("The seed must be UTF-8 text") from None
    # Imported here: the seed format (YAML, its schema) is no part of a server's start.
    from localfluence.seeding import parse_seed, seed_site

    parsed = parse_seed(document, source="request body", base_dir=None)
    report = await run_in_threadpool(seed_site, runtime.sessions, runtime.settings, parsed)
    return ok(report.as_json())


# ------------------------------------------------------------------------------------------ faults


class FaultMatch(Body):
    method: str | None = Field(default=None, max_length=16)
    path: str | None = Field(default=None, max_length=2048, description="glob, e.g. /wiki/rest/api/content/*")
    pathRegex: str | None = Field(default=None, max_length=2048)
    operationId: str | None = Field(default=None, max_length=128)
    accountId: str | None = Field(default=None, max_length=128)
    probability: float = Field(default=1.0, ge=0.0, le=1.0)
    times: int | None = Field(default=None, ge=1, le=INT64_MAX, description="stop after this many injected faults")
    seed: int | None = Field(
        default=None, ge=-INT64_MAX, le=INT64_MAX, description="seed for the probability dice, for repeatable runs"
    )

    @field_validator("pathRegex")
    @classmethod
    def compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"not a valid regular expression: {exc}") from None
        return value

    def rule_fields(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "path": self.path,
            "path_regex": self.pathRegex,
            "operation_id": self.operationId,
            "account_id": self.accountId,
            "probability": self.probability,
            "times": self.times,
            "seed": self.seed,
        }


class FaultIn(FaultMatch):
    action: Literal["respond", "delay", "drop"] = "respond"
    status: int = Field(default=500, ge=400, le=599)
    message: str | None = Field(default=None, max_length=10_000)
    body: Any = None
    headers: dict[str, str] = Field(default_factory=dict)
    latencyMs: int = Field(default=0, ge=0, le=120_000)

    @field_validator("body")
    @classmethod
    def sendable(cls, value: Any) -> Any:
        try:
            orjson.dumps(value)
        except TypeError as exc:
            raise ValueError(f"cannot be sent as JSON: {exc}") from None
        return value

    @field_validator("headers")
    @classmethod
    def valid_headers(cls, value: dict[str, str]) -> dict[str, str]:
        for name, header in value.items():
            if not HEADER_NAME.match(name):
                raise ValueError(f"{name!r} is not a valid HTTP header name")
            if name.lower() in FRAMING_HEADERS:
                raise ValueError(f"{name} is set by the server, not by a fault rule")
            _check_header_value(header)
        return value


class RateLimitIn(FaultMatch):
    retryAfter: int = Field(default=5, ge=0, le=86_400)
    limit: int = Field(default=100, ge=0, le=INT64_MAX)
    reason: str = Field(default="confluence-burst-based", max_length=128)
    latencyMs: int = Field(default=0, ge=0, le=120_000)

    @field_validator("reason")
    @classmethod
    def valid_reason(cls, value: str) -> str:
        return _check_header_value(value)


def _check_header_value(value: str) -> str:
    if not HEADER_VALUE.match(value):
        raise ValueError("a header value is Latin-1 text without line breaks or control characters")
    return value


@router.get("/faults", tags=[TAG_FAULTS], summary="List fault rules with their hit counts")
async def list_faults(request: Request, _admin: Admin) -> Response:
    rules = [r.as_json() for r in _faults(request).list()]
    return ok({"results": rules, "size": len(rules)})


@router.post(
    "/faults",
    tags=[TAG_FAULTS],
    summary="Add a fault rule: answer a status, add latency, or drop the connection",
    description=(
        "A rule matches by method, path glob or regex, operationId, accountId and probability; the first "
        "live matching rule decides. `times` limits it to N injected faults. Never applies to /_localfluence."
    ),
)
async def add_fault(body: FaultIn, request: Request, _admin: Admin) -> Response:
    rule = _faults(request).add(
        action=body.action,
        status=body.status,
        message=body.message,
        body=body.body,
        headers=body.headers,
        latency_ms=body.latencyMs,
        **body.rule_fields(),
    )
    return ok(rule.as_json())


@router.post(
    "/faults/rate-limit",
    tags=[TAG_FAULTS],
    summary="429 storm: answer 429 with Retry-After and X-RateLimit-* headers as Confluence Cloud does",
)
async def add_rate_limit(body: RateLimitIn, request: Request, _admin: Admin) -> Response:
    rule = _faults(request).add(
        action="respond",
        status=429,
        latency_ms=body.latencyMs,
        rate_limit={"retryAfter": body.retryAfter, "limit": body.limit, "reason": body.reason},
        **body.rule_fields(),
    )
    return ok(rule.as_json())


@router.get("/faults/{rule_id}", tags=[TAG_FAULTS], summary="One fault rule")
async def get_fault(rule_id: str, request: Request, _admin: Admin) -> Response:
    rule = _faults(request).get(rule_id)
    if rule is None:
        raise NotFound(f"No fault rule {rule_id}")
    return ok(rule.as_json())


@router.delete("/faults/{rule_id}", tags=[TAG_FAULTS], summary="Remove a fault rule", status_code=204)
async def delete_fault(rule_id: str, request: Request, _admin: Admin) -> Response:
    if not _faults(request).remove(rule_id):
        raise NotFound(f"No fault rule {rule_id}")
    return Response(status_code=204)


@router.delete("/faults", tags=[TAG_FAULTS], summary="Remove every fault rule", status_code=204)
async def clear_faults(request: Request, _admin: Admin) -> Response:
    _faults(request).clear()
    return Response(status_code=204)


# ------------------------------------------------------------------------------------------ clock


class FreezeIn(Body):
    at: datetime | None = Field(default=None, description="ISO 8601; default: the clock's current time")


class AdvanceIn(Body):
    seconds: float = Field(ge=-10 * 366 * 86_400, le=10 * 366 * 86_400)


def _clock_state() -> dict[str, Any]:
    return {"now": iso(clock.now()), "frozen": clock.frozen, "offsetSeconds": clock.offset.total_seconds()}


@router.get("/clock", tags=[TAG_OBSERVE], summary="The server clock")
async def get_clock(request: Request, _admin: Admin) -> Response:
    return ok(_clock_state())


@router.post("/clock/freeze", tags=[TAG_OBSERVE], summary="Freeze the server clock (this process)")
async def freeze_clock(request: Request, _admin: Admin, body: FreezeIn | None = None) -> Response:
    at = (body.at if body else None) or clock.now()
    clock.freeze(at if at.tzinfo is not None else at.replace(tzinfo=UTC))
    return ok(_clock_state())


@router.post("/clock/advance", tags=[TAG_OBSERVE], summary="Move the server clock (frozen or running)")
async def advance_clock(body: AdvanceIn, request: Request, _admin: Admin) -> Response:
    clock.advance(timedelta(seconds=body.seconds))
    return ok(_clock_state())


@router.post("/clock/reset", tags=[TAG_OBSERVE], summary="Back to real time")
async def reset_clock(request: Request, _admin: Admin) -> Response:
    clock.reset()
    return ok(_clock_state())


# ------------------------------------------------------------------------------------------ journal


def _journal_filter(
    method: Annotated[str | None, Query(max_length=16)] = None,
    path: Annotated[str | None, Query(max_length=2048, description="glob")] = None,
    status: Annotated[str | None, Query(max_length=3, description="404, or a class: 4xx")] = None,
    accountId: Annotated[str | None, Query(max_length=128)] = None,
    operationId: Annotated[str | None, Query(max_length=128)] = None,
    after: Annotated[int | None, Query(ge=0, description="only entries with a larger id")] = None,
) -> JournalFilter:
    return JournalFilter(method, path, status, accountId, operationId, after)


Filter = Annotated[JournalFilter, Depends(_journal_filter)]


@router.get("/journal", tags=[TAG_OBSERVE], summary="Recent requests and responses, oldest first, with filters")
async def get_journal(
    request: Request,
    _admin: Admin,
    where: Filter,
    limit: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
    newestFirst: bool = False,
) -> Response:
    journal = _journal(request)
    entries = journal.entries(where, limit=limit, newest_first=newestFirst)
    return ok(
        {
            "results": [e.as_json() for e in entries],
            "size": len(entries),
            "capacity": journal.size,
            "held": len(journal),
            "recorded": journal.recorded,
        }
    )


@router.get("/journal/count", tags=[TAG_OBSERVE], summary="How many journal entries match the filters")
async def count_journal(request: Request, _admin: Admin, where: Filter) -> Response:
    return ok({"count": _journal(request).count(where)})


@router.delete("/journal", tags=[TAG_OBSERVE], summary="Empty the journal", status_code=204)
async def clear_journal(request: Request, _admin: Admin) -> Response:
    _journal(request).clear()
    return Response(status_code=204)


# ------------------------------------------------------------------------------------------ tasks


class TasksIn(Body):
    mode: Literal["immediate", "seconds", "polls"]
    seconds: float = Field(default=0.0, ge=0, le=86_400)
    polls: int = Field(default=0, ge=0, le=10_000)


def _tasks_state() -> dict[str, Any]:
    policy = completion.policy
    return {"mode": policy.mode, "seconds": policy.seconds, "polls": policy.polls}


@router.get("/tasks", tags=[TAG_OBSERVE], summary="How long-running tasks complete")
async def get_tasks_setting(request: Request, _admin: Admin) -> Response:
    return ok(_tasks_state())


@router.put(
    "/tasks",
    tags=[TAG_OBSERVE],
    summary="Make new long-running tasks finish immediately, after N seconds, or after N polls",
    description="`seconds` follows the server clock, so /clock/advance moves tasks along without waiting.",
)
async def set_tasks_setting(body: TasksIn, request: Request, _admin: Admin) -> Response:
    if body.mode == "polls" and body.polls < 1:
        raise BadRequest("mode polls needs polls >= 1")
    completion.set(CompletionPolicy(mode=body.mode, seconds=body.seconds, polls=body.polls))
    return ok(_tasks_state())
