"""FastAPI glue shared by every router: the request context dependency and JSON responses."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query, Request
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from localfluence.access.gate import admit, can_use
from localfluence.auth.cache import Admission
from localfluence.auth.credentials import authenticate
from localfluence.auth.scopes import require_scopes
from localfluence.context import Ctx
from localfluence.db.session import READ_REQUEST, begin_write, run_side_writes
from localfluence.events.record import ACTOR, REMOTE_ADDRESS
from localfluence.kit.expand import Expand
from localfluence.kit.jsonresponse import JSON
from localfluence.kit.links import Links
from localfluence.runtime import Runtime
from localfluence.sites.site import MOUNT, links_of, runtime_of

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def request_context(request: Request) -> Ctx:
    """One transaction per request, committed before the response is sent.

    The work runs inline on the event loop: short indexed reads cost far less than a threadpool
    hop (DESIGN.md measures 3.6x), and FastAPI would send a sync dependency to the threadpool.

    Not a yield dependency: FastAPI wraps each of those in an async context manager, a cancel
    scope and an exit stack entry (about a tenth of a short GET). The transaction's end goes
    straight onto the exit stack FastAPI closes around the endpoint, before the response is sent
    (what scope="function" does for a yield dependency), so a failed commit is still the client's
    error response and never a 200 for lost work, and any error in the endpoint rolls back.
    """
    runtime: Runtime = runtime_of(request)  # the site's (sites/), the app's by default
    read = request.method in READ_METHODS
    reads = runtime.reads
    connection = reads.take() if read and reads is not None else None
    session = runtime.sessions() if connection is None else runtime.sessions(bind=connection)
    try:
        if read:
            session.info[READ_REQUEST] = True
        else:
            begin_write(session)
        admission = _admission(runtime, session, request.headers.get("authorization"))
        principal = admission.principal
        # The one place token scopes are enforced: every API route authenticates through here.
        route = request.scope.get("route")
        require_scopes(principal, getattr(route, "operation_id", None))
        scope = request.scope
        # What request.state.account_id = ... does, without building a State per request.
        scope.setdefault("state", {})["account_id"] = principal.account_id
        session.info[ACTOR] = principal.account_id
        client = scope.get("client")
        session.info[REMOTE_ADDRESS] = client[0] if client else ""
        # scope["path"] is request.url.path but for the escapes of "?", "#" and "\\", which no
        # open path ends with.
        admit(principal, admission.can_use, scope["path"])
        ctx = Ctx(session=session, principal=principal, links=_links(request, runtime), settings=runtime.settings)
        request.scope[FUNCTION_EXIT_STACK].push(_Transaction(session, runtime, connection))
    except BaseException:
        session.rollback()
        session.close()
        if connection is not None:
            reads.give_back(connection)  # type: ignore[union-attr]
        raise
    return ctx


# Where FastAPI keeps the exit stack it closes when the endpoint has returned or raised, before
# the response is sent (fastapi.routing.request_response; it also asserts it is there).
FUNCTION_EXIT_STACK = "fastapi_function_astack"


class _Transaction:
    """The request's transaction end, as an exit callback: commit when the endpoint returned,
    roll back when it raised (the error propagates), close either way."""

    __slots__ = ("session", "runtime", "connection")

    def __init__(self, session: Session, runtime: Runtime, connection: Connection | None) -> None:
        self.session = session
        self.runtime = runtime
        # The connection the session is bound to, taken from runtime.reads; None: the engine.
        self.connection = connection

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: Any) -> bool:
        session = self.session
        try:
            if exc_type is None:
                session.commit()
                run_side_writes(session, self.runtime.sessions)
            else:
                session.rollback()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()
            if self.connection is not None:
                self.runtime.reads.give_back(self.connection)  # type: ignore[union-attr]
        return False


_LINKS: dict[tuple[Any, ...], Links] = {}
_LINKS_KEPT = 256


def _links(request: Request, runtime: Runtime) -> Links:
    """links_of(request, runtime), remembered by everything it depends on: the configured base
    URL, the scheme, Host header and server address the origin comes from, the site prefix and
    whether the path is a Cloud (/wiki) one. Building request.url for it costs more than the rest
    of the context; a client sending many Host values only makes the cache start over."""
    scope = request.scope
    host = None
    for name, value in scope["headers"]:
        if name == b"host":
            host = value
            break
    server = scope.get("server")
    key = (
        runtime.settings.base_url,
        scope.get("scheme", "http"),
        host,
        tuple(server) if server is not None else None,  # ASGI allows a list
        scope.get(MOUNT, ""),
        scope["path"].startswith("/wiki"),
    )
    links = _LINKS.get(key)
    if links is None:
        links = links_of(request, runtime)
        if len(_LINKS) >= _LINKS_KEPT:
            _LINKS.clear()
        _LINKS[key] = links
    return links


def _admission(runtime: Runtime, session: Session, authorization: str | None) -> Admission:
    cache = runtime.auth_cache
    key = cache.key(authorization)
    found = cache.get(key)
    if found is not None:
        return found
    generation = cache.generation
    principal = authenticate(session, authorization)
    admission = Admission(principal, can_use(session, principal))
    cache.put(key, admission, generation)
    return admission


Context = Annotated[Ctx, Depends(request_context)]


async def _expand(
    expand: Annotated[list[str] | None, Query(description="Properties to expand, comma-separated")] = None,
) -> Expand:
    # async: FastAPI sends sync dependencies to the threadpool. The parameter may repeat
    # (?expand=a&expand=b), as some clients send it.
    if expand is None:
        return Expand.parse(None)
    key = tuple(expand)
    parsed = _EXPANSIONS.get(key)
    if parsed is None:
        parsed = Expand.parse(expand)  # refusals (too many, too deep) raise every time
        if len(_EXPANSIONS) >= _EXPANSIONS_KEPT:
            _EXPANSIONS.clear()
        _EXPANSIONS[key] = parsed
    return parsed


# Parsed expansions by their query values: Expand trees are immutable, and clients ask for the
# same few again and again. Bounded: a client sending ever new ones only makes it start over.
_EXPANSIONS: dict[tuple[str, ...], Expand] = {}
_EXPANSIONS_KEPT = 512


ExpandParam = Annotated[Expand, Depends(_expand)]


def ok(data: Any, status: int = 200) -> JSON:
    return JSON(data, status_code=status)
