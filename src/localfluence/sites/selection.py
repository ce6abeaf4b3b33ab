"""Which site a request is for: the path prefix /site/NAME/... or the host NAME.<site domain>
(NAME.localhost by default) of an existing site; anything else is the default site, exactly as
without sites. An unknown or invalid name in the path prefix is an error (400/404); in a host
name it is not a site at all.

The prefix is taken off the path before anything else sees it, so routing, fault rules and the
journal see the paths a client of a one-site server would send; the links' base gets it back
(sites/site.py: origin_of)."""

from __future__ import annotations

from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from localfluence.errors import error_body
from localfluence.kit.jsonresponse import JSON
from localfluence.sites.names import RULE, is_valid
from localfluence.sites.registry import SiteRegistry
from localfluence.sites.site import MOUNT, SITE, Site

PREFIX = "/site/"


class SiteSelection:
    def __init__(
        self, app: ASGIApp, registry: SiteRegistry, domain: str, wrap: Callable[[ASGIApp, Site], ASGIApp]
    ) -> None:
        self.app = app  # the shared app, behind no site's layers
        self.registry = registry
        self.default = registry.default
        self.domain = "." + domain.strip(".").lower() if domain else ""
        self._wrap = wrap
        self.default.asgi = wrap(app, self.default)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.default.asgi(scope, receive, send)  # type: ignore[misc]
            return
        path: str = scope["path"]
        mount = ""
        if path.startswith(PREFIX):
            name, _, rest = path[len(PREFIX) :].partition("/")
            mount = PREFIX + name
            if not is_valid(name):
                await _refuse(scope, receive, send, 400, f"Invalid site name {name[:60]!r}: use {RULE}")
                return
            site = self.registry.get(name)
            if site is None:
                await _refuse(scope, receive, send, 404, f"No site named {name}")
                return
        else:
            name = self._name_from_host(scope)
            # A host name selects a site only when it names one: a server that is itself reached
            # as e.g. confluence.localhost keeps answering as the default site.
            site = self.registry.get(name) if name is not None and is_valid(name) else None
            if site is None:
                await self.default.asgi(scope, receive, send)  # type: ignore[misc]
                return
        if site.asgi is None:
            site.asgi = self._wrap(self.app, site)
        child = dict(scope)
        child[SITE] = site
        if mount:
            child["path"] = "/" + rest
            raw = scope.get("raw_path")
            if isinstance(raw, bytes) and raw.startswith(mount.encode()):
                child["raw_path"] = raw[len(mount) :] or b"/"
            child[MOUNT] = mount
        tokens = site.enter()
        try:
            await site.asgi(child, receive, send)
        finally:
            Site.leave(tokens)

    def _name_from_host(self, scope: Scope) -> str | None:
        if not self.domain:
            return None
        for key, value in scope["headers"]:
            if key == b"host":
                host = value.decode("latin-1").lower().rsplit(":", 1)[0] if b"]" not in value else ""
                if host.endswith(self.domain) and len(host) > len(self.domain):
                    return host[: -len(self.domain)]
                return None
        return None


async def _refuse(scope: Scope, receive: Receive, send: Send, status: int, message: str) -> None:
    if scope["type"] != "http":
        await send({"type": "websocket.close", "code": 1008})
        return
    await JSON(error_body(status, message), status_code=status)(scope, receive, send)
