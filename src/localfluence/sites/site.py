"""A site: its data (the Runtime: database, blobs, worker) and its test-double state (fault rules,
journal, clock, task setting). The default site is the server's own; others live in sites/."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp

from localfluence.kit.clock import Clock, clock
from localfluence.kit.links import Links, links_for
from localfluence.runtime import Runtime
from localfluence.tasks.completion import Completion, completion

# ASGI scope keys the site selection layer (sites/selection.py) sets.
SITE = "localfluence.site"
# The path prefix the site was reached by ("/site/NAME"), part of the links' base.
MOUNT = "localfluence.mount"


@dataclass(eq=False)
class Site:
    name: str | None  # None: the default site
    runtime: Runtime
    faults: Any = None  # admin.faults.FaultStore, when the admin API is on
    journal: Any = None  # admin.journal.Journal
    clock: Clock = field(default_factory=Clock)
    completion: Completion = field(default_factory=Completion)
    # The ASGI app that serves this site: the shared app behind this site's fault and journal layers.
    asgi: ASGIApp | None = None

    @classmethod
    def default(cls, runtime: Runtime) -> Site:
        # The process-wide clock and task setting are the default site's.
        return cls(name=None, runtime=runtime, clock=clock.default, completion=completion.default)

    def context(self) -> contextvars.Context:
        """A context in which `clock` and `completion` are this site's (for its worker thread)."""
        context = contextvars.copy_context()
        context.run(self.enter)
        return context

    def enter(self) -> tuple[contextvars.Token[Clock], contextvars.Token[Completion]]:
        return clock.current.set(self.clock), completion.current.set(self.completion)

    @staticmethod
    def leave(tokens: tuple[contextvars.Token[Clock], contextvars.Token[Completion]]) -> None:
        clock.current.reset(tokens[0])
        completion.current.reset(tokens[1])


def site_of(request: Request) -> Site:
    """The site a request was sent to (the default site when multi-site is off)."""
    found = request.scope.get(SITE)
    return found if found is not None else request.app.state.site  # type: ignore[no-any-return]


def runtime_of(request: Request) -> Runtime:
    found = request.scope.get(SITE)
    return found.runtime if found is not None else request.app.state.runtime  # type: ignore[no-any-return]


def links_of(request: Request, runtime: Runtime) -> Links:
    """_links base and context: what a one-site server says, with /site/NAME when the request
    came through that prefix, so that clients following base + link stay on the site."""
    mount: str = request.scope.get(MOUNT, "")
    url = request.url
    origin = runtime.settings.base_url or f"{url.scheme}://{url.netloc}{mount}"
    links = links_for(origin, url.path)
    return Links(base=links.base, context=mount + links.context) if mount else links
