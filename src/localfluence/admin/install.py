"""Wire the test double into an app: the sites, and each site's fault and journal middlewares and their
in-memory state."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from localfluence.admin.faults import SERVER_SEND, FaultInjection, FaultStore, OperationResolver
from localfluence.admin.journal import Journal, JournalRecorder
from localfluence.auth.credentials import authenticate
from localfluence.errors import ConfluenceError
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
        stack: Any = FaultInjection(inner, site.faults, operations, _accounts(site.runtime))
        return AnsweredErrors(JournalRecorder(stack, site.journal))

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


class AnsweredErrors:
    """Starlette re-raises an exception after its 500 has been sent, so that the server can log it;
    uvicorn then closes the connection, and a client that reuses it sees a reset. The app's own
    handler has logged the error by then, so an exception after a complete answer stops here."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope[SERVER_SEND] = send
        complete = False

        async def tracking_send(message: Message) -> None:
            nonlocal complete
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                complete = True

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            if not complete:
                raise
