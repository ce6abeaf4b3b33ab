"""Wire the test double into an app: the sites, and each site's fault and journal middlewares and their
in-memory state."""

from __future__ import annotations

import time
from collections.abc import Callable

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from localfluence.admin.faults import ADMIN_PREFIX, SERVER_SEND, FaultInjection, FaultStore, OperationResolver
from localfluence.admin.journal import MAX_TEXT, Journal
from localfluence.auth.credentials import authenticate
from localfluence.errors import ConfluenceError
from localfluence.kit.clock import clock
from localfluence.runtime import Runtime
from localfluence.sites.registry import SiteRegistry
from localfluence.sites.selection import SiteSelection
from localfluence.sites.site import Site


def install_test_double(app: FastAPI, runtime: Runtime) -> None:
    """Nothing is installed when the admin API is switched off: no rules can be made, no journal is
    read, no other site is served, and requests pay nothing for any of it."""
    default = app.state.site = Site.default(runtime)
    if not runtime.settings.admin_api:
        return
    _equip(default)
    app.state.faults = default.faults
    app.state.journal = default.journal
    # Built on first use, from our own OpenAPI document; the same routes serve every site.
    operations = OperationResolver(app.openapi)

    def wrap(inner: ASGIApp, site: Site) -> ASGIApp:
        # Outside Starlette's own error middleware, like a proxy in front of the site: the journal
        # records the 500s that middleware renders, and a dropped connection reaches the socket.
        faulting = FaultInjection(inner, site.faults, operations, _accounts(site.runtime))
        return SiteFront(inner, faulting, site.faults, site.journal)

    registry = app.state.sites = SiteRegistry(runtime.settings, default, _equip)
    build = app.build_middleware_stack

    def build_middleware_stack() -> ASGIApp:
        return SiteSelection(build(), registry, runtime.settings.site_domain, wrap)

    app.build_middleware_stack = build_middleware_stack  # type: ignore[method-assign]
    registry.open_all()


def _equip(site: Site) -> None:
    site.faults = FaultStore()
    site.journal = Journal(site.runtime.settings.journal_size)


def _accounts(runtime: Runtime) -> Callable[[Scope], str | None]:
    def account_of(scope: Scope) -> str | None:
        header = dict(scope.get("headers", [])).get(b"authorization")
        session = runtime.sessions()
        try:
            return authenticate(session, header.decode("latin-1") if header else None).account_id
        except ConfluenceError:
            return None
        finally:
            session.close()

    return account_of


class SiteFront:
    """The outermost layer of a site, like a proxy in front of it: records each request in the
    journal (status, sizes, time; faults and the 500s Starlette renders included) and sends it
    through fault injection while a rule is live. Outside Starlette's own error middleware, so a
    dropped connection reaches the socket.

    It also stops an exception raised after a complete answer: Starlette re-raises one after its
    500 has been sent, so that the server can log it; uvicorn then closes the connection, and a
    client that reuses it sees a reset. The app's own handler has logged the error by then.

    One layer and one wrapped `send` for all three, and none of it while nothing asks for it: that
    runs on every request."""

    def __init__(self, app: ASGIApp, faulting: ASGIApp, faults: FaultStore, journal: Journal) -> None:
        self.app = app
        self.faulting = faulting
        self.faults = faults
        self.journal = journal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # The server's own send, whose connection a dropped-connection fault closes.
        scope[SERVER_SEND] = send
        inner = self.faulting if self.faults.active else self.app
        journal = self.journal
        path: str = scope["path"]
        if journal.size == 0 or path.startswith(ADMIN_PREFIX):
            complete = False

            async def tracking_send(message: Message) -> None:
                nonlocal complete
                await send(message)
                if message["type"] == "http.response.body" and not message.get("more_body", False):
                    complete = True

            try:
                await inner(scope, receive, tracking_send)
            except Exception:
                if not complete:
                    raise
            return
        started = time.perf_counter()
        at = clock.now()
        status = 0
        request_bytes = 0
        response_bytes = 0
        done = False

        async def counting_receive() -> Message:
            nonlocal request_bytes
            message = await receive()
            if message["type"] == "http.request":
                request_bytes += len(message.get("body", b""))
            return message

        async def recording_send(message: Message) -> None:
            nonlocal status, response_bytes, done
            kind = message["type"]
            if kind == "http.response.start":
                status = message["status"]
                await send(message)
            elif kind == "http.response.body":
                response_bytes += len(message.get("body", b""))
                await send(message)
                if not message.get("more_body", False):
                    done = True
            else:
                await send(message)

        try:
            await inner(scope, counting_receive, recording_send)
        except Exception:
            if not done:
                raise
        finally:
            state = scope.get("state") or {}
            route = scope.get("route")
            journal.record(
                time=at,
                method=scope["method"],
                path=path[:MAX_TEXT],
                query=scope.get("query_string", b"").decode("latin-1")[:MAX_TEXT],
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 3),
                account_id=state.get("account_id"),
                request_bytes=request_bytes,
                response_bytes=response_bytes,
                operation_id=getattr(route, "operation_id", None) or state.get("operation_id"),
                fault=state.get("fault"),
            )
