"""Fault injection: rules that make chosen requests fail, slow down or lose their connection.

Rules live in memory, per server process (with `--workers N` each worker has its own rules; tests
run one worker). There are none by default, and /_localfluence itself is never affected.
"""

from __future__ import annotations

import asyncio
import fnmatch
import itertools
import random
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Literal

from starlette.types import ASGIApp, Receive, Scope, Send

from localfluence.errors import error_body
from localfluence.kit.clock import clock
from localfluence.kit.jsonresponse import JSON

ADMIN_PREFIX = "/_localfluence"
# Where the outermost middleware leaves the server's own `send`, whose connection a drop closes.
SERVER_SEND = "localfluence.server_send"
Action = Literal["respond", "delay", "drop"]

# What Confluence Cloud's rate limiter sends with a 429 (developer.atlassian.com/cloud/confluence/
# rate-limiting): Retry-After in seconds; X-RateLimit-Limit / -Remaining; X-RateLimit-Reset as the
# request time plus Retry-After, ISO 8601 to the minute (yyyy-MM-ddTHH:mmZ); X-RateLimit-NearLimit;
# RateLimit-Reason naming the limit that was hit.
RATE_LIMIT_REASONS = ("confluence-burst-based", "confluence-quota-global-based", "confluence-quota-tenant-based")


@dataclass
class FaultRule:
    id: str
    action: Action = "respond"
    method: str | None = None
    path: str | None = None
    path_regex: str | None = None
    operation_id: str | None = None
    account_id: str | None = None
    probability: float = 1.0
    times: int | None = None
    status: int = 500
    message: str | None = None
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    latency_ms: int = 0
    rate_limit: dict[str, Any] | None = None
    seed: int | None = None
    hits: int = 0
    matched: int = 0
    _rng: random.Random = field(default_factory=random.Random, repr=False)
    _regex: re.Pattern[str] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.seed is not None:
            self._rng = random.Random(self.seed)
        if self.path_regex:
            self._regex = re.compile(self.path_regex)
        if self.method:
            self.method = self.method.upper()

    @property
    def needs_operation(self) -> bool:
        return self.operation_id is not None

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.hits >= self.times

    def matches(self, method: str, path: str, operation_id: str | None, account_id: str | None) -> bool:
        if self.method and self.method not in ("*", method):
            return False
        if self.path and not fnmatch.fnmatchcase(path, self.path):
            return False
        if self._regex is not None and not self._regex.search(path):
            return False
        if self.operation_id is not None and self.operation_id != operation_id:
            return False
        return self.account_id is None or self.account_id == account_id

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "action": self.action,
            "method": self.method,
            "path": self.path,
            "pathRegex": self.path_regex,
            "operationId": self.operation_id,
            "accountId": self.account_id,
            "probability": self.probability,
            "times": self.times,
            "status": self.status,
            "message": self.message,
            "body": self.body,
            "headers": self.headers,
            "latencyMs": self.latency_ms,
            "rateLimit": self.rate_limit,
            "seed": self.seed,
            "hits": self.hits,
            "matched": self.matched,
            "remaining": None if self.times is None else max(0, self.times - self.hits),
        }


class FaultStore:
    """The rules of one server process. The first live rule that matches and whose dice roll says
    yes decides the request; exhausted rules stay listed (with their hit counts) until cleared."""

    def __init__(self) -> None:
        self._rules: list[FaultRule] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def add(self, **fields: Any) -> FaultRule:
        with self._lock:
            rule = FaultRule(id=str(next(self._ids)), **fields)
            self._rules.append(rule)
            return rule

    def list(self) -> list[FaultRule]:
        return list(self._rules)

    def get(self, rule_id: str) -> FaultRule | None:
        return next((r for r in self._rules if r.id == rule_id), None)

    def remove(self, rule_id: str) -> bool:
        with self._lock:
            before = len(self._rules)
            self._rules = [r for r in self._rules if r.id != rule_id]
            return len(self._rules) != before

    def clear(self) -> None:
        with self._lock:
            self._rules = []

    @property
    def active(self) -> bool:
        return any(not r.exhausted for r in self._rules)

    @property
    def needs_operation(self) -> bool:
        return any(r.needs_operation and not r.exhausted for r in self._rules)

    def pick(self, method: str, path: str, operation_id: str | None, account_id: str | None) -> FaultRule | None:
        with self._lock:
            for rule in self._rules:
                if rule.exhausted or not rule.matches(method, path, operation_id, account_id):
                    continue
                rule.matched += 1
                if rule.probability < 1.0 and rule._rng.random() >= rule.probability:
                    continue
                rule.hits += 1
                return rule
        return None


class FaultInjection:
    """Pure ASGI middleware in front of the whole app (outside Starlette's error handling, as a
    misbehaving proxy would be). Costs one attribute check per request while no rule is live."""

    def __init__(self, app: ASGIApp, store: FaultStore, routes: OperationResolver, accounts: Any) -> None:
        self.app = app
        self.store = store
        self.routes = routes
        # Resolves the caller's account id from the Authorization header, only when a rule asks.
        self.accounts = accounts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.store.active or scope["path"].startswith(ADMIN_PREFIX):
            await self.app(scope, receive, send)
            return
        operation_id = self._operation_id(scope) if self.store.needs_operation else None
        account_id = self.accounts(scope) if any(r.account_id for r in self.store.list()) else None
        rule = self.store.pick(scope["method"], scope["path"], operation_id, account_id)
        if rule is None:
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        state["fault"] = rule.id
        # The journal names the operation and caller of a faulted request too, though the app never ran.
        state.setdefault("account_id", account_id if account_id is not None else self.accounts(scope))
        if operation_id is None:
            self._operation_id(scope)
        if rule.latency_ms:
            await asyncio.sleep(rule.latency_ms / 1000)
        if rule.action == "delay":
            await self.app(scope, receive, send)
        elif rule.action == "drop":
            await _drop(scope, send)
        else:
            await _respond(rule)(scope, receive, send)

    def _operation_id(self, scope: Scope) -> str | None:
        operation_id = self.routes.resolve(scope["method"], scope["path"])
        if operation_id is not None:
            scope.setdefault("state", {})["operation_id"] = operation_id
        return operation_id


class OperationResolver:
    """Method + path → operationId before routing runs, from our own OpenAPI document (built on
    first use, so only when a rule names an operation). /rest/api mirrors /wiki/rest/api."""

    def __init__(self, openapi: Callable[[], dict[str, Any]]) -> None:
        self._openapi = openapi
        self._table: list[tuple[str, re.Pattern[str], str]] | None = None

    def resolve(self, method: str, path: str) -> str | None:
        if self._table is None:
            self._table = self._build()
        if path.startswith("/rest/api/") or path == "/rest/api":
            path = "/wiki" + path
        for candidate_method, pattern, operation_id in self._table:
            if candidate_method == method and pattern.fullmatch(path):
                return operation_id
        return None

    def _build(self) -> list[tuple[str, re.Pattern[str], str]]:
        rows = []
        for template, operations in self._openapi().get("paths", {}).items():
            pattern = re.compile(re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(template)))
            for method, operation in operations.items():
                if isinstance(operation, dict) and operation.get("operationId"):
                    rows.append((template.count("{"), method.upper(), pattern, operation["operationId"]))
        # Literal segments win over parameters (/content/search before /content/{id}).
        rows.sort(key=lambda r: r[0])
        return [(m, p, o) for _, m, p, o in rows]


def _respond(rule: FaultRule) -> JSON:
    if rule.rate_limit is not None:
        return rate_limited(rule.rate_limit)
    body = (
        rule.body if rule.body is not None else error_body(rule.status, rule.message or _default_message(rule.status))
    )
    return JSON(body, status_code=rule.status, headers=rule.headers or None)


def rate_limited(options: dict[str, Any]) -> JSON:
    retry_after = int(options.get("retryAfter", 5))
    limit = int(options.get("limit", 100))
    reset = clock.now() + timedelta(seconds=retry_after)
    headers = {
        "Retry-After": str(retry_after),
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": reset.strftime("%Y-%m-%dT%H:%MZ"),
        "X-RateLimit-NearLimit": "true",
        "RateLimit-Reason": str(options.get("reason", RATE_LIMIT_REASONS[0])),
    }
    return JSON(error_body(429, "Rate limit exceeded."), status_code=429, headers=headers)


def _default_message(status: int) -> str:
    return {
        409: "Version must be incremented on update.",
        500: "Internal server error",
        502: "Bad gateway",
        503: "Service unavailable: the site is temporarily unable to handle the request",
        504: "Gateway timeout",
    }.get(status, f"Injected fault ({status})")


async def _drop(scope: Scope, send: Send) -> None:
    """Close the connection without a response, as a crashed node or a reset by a load balancer
    would: the client sees the socket close (RemoteDisconnected / ECONNRESET)."""
    cycle = getattr(scope.get(SERVER_SEND, send), "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is not None:
        # uvicorn: close the socket and mark the request disconnected, so the server neither
        # answers 500 nor logs an application error for the response we never started.
        transport.abort()
        cycle.disconnected = True  # type: ignore[union-attr]
        return
    raise ConnectionAbortedError("localfluence fault rule: drop the connection")
