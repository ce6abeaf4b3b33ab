"""One transaction per request: committed when the route returns, rolled back on any error."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from localfluence.db.engine import SQLITE_BEGIN


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False, autoflush=True)


@contextmanager
def transaction(factory: sessionmaker[Session], *, write: bool = False) -> Iterator[Session]:
    """`write=True` begins as a writer (BEGIN IMMEDIATE on SQLite): a transaction that reads and
    then writes would otherwise fail at once with "database is locked" when another connection
    committed in between, instead of waiting for the lock."""
    session = factory()
    try:
        if write:
            begin_write(session)
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def begin_write(session: Session) -> None:
    """Begin the session's transaction as a writer (BEGIN IMMEDIATE on SQLite)."""
    session.connection(execution_options={SQLITE_BEGIN: "IMMEDIATE"})


# Session.info keys: set on the sessions of read requests, and the writes such a request queued.
READ_REQUEST = "localfluence_read_request"
SIDE_WRITES = "localfluence_side_writes"


def write_after_read(session: Session, work: Callable[[Session], None]) -> None:
    """Do a small write that a read makes (a page view recorded): at once in a write request, or,
    in a read request, in a write transaction of its own right after the read commits.

    A read request's transaction begins as a reader; on SQLite (WAL) a reader whose snapshot is
    older than another process's commit cannot become a writer, and fails with "database is
    locked" at once rather than waiting, which several workers would surface to clients."""
    if session.info.get(READ_REQUEST):
        session.info.setdefault(SIDE_WRITES, []).append(work)
    else:
        work(session)


def run_side_writes(session: Session, factory: sessionmaker[Session]) -> None:
    """The writes a committed read request queued, in one write transaction."""
    queued = session.info.pop(SIDE_WRITES, None)
    if not queued:
        return
    with transaction(factory, write=True) as writer:
        for work in queued:
            work(writer)
