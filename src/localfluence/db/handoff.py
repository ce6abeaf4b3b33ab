"""Handing a request's connection back before it waits.

Request handlers do their database work inline on the event loop (api.request_context). A request
that awaits I/O (a worker thread reading a blob, a slow client's body) while its transaction
still holds a pooled connection keeps that connection from every other request; with more such
requests in flight than the pool holds, the next checkout blocks the event loop thread itself,
so no awaited result is ever delivered and no connection ever comes back: the server hangs.
So a request ends its transaction before any such await, and after it begins again if it
still has work to do.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from localfluence.db.session import READ_REQUEST, begin_write


def release(session: Session) -> None:
    """Commit what the request did so far and return its connection to the pool (and, on SQLite,
    its WAL snapshot or write lock). The request's exit callback commits again, which then does
    nothing, and runs the side writes it queued (a page view) once, as before."""
    session.commit()


def resume(session: Session) -> None:
    """After the awaits: a write request begins again as a writer (BEGIN IMMEDIATE on SQLite), as
    request_context began it, so its reads and writes wait for the lock rather than fail at once
    with "database is locked" when another connection committed in between. A read request's
    next statement simply begins a new transaction."""
    if not session.info.get(READ_REQUEST):
        begin_write(session)
