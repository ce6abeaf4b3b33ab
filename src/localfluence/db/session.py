"""One transaction per request: committed when the route returns, rolled back on any error."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine
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


class ReadConnections:
    """Open connections kept for read requests' sessions, on SQLite.

    A session bound to the engine checks a connection out of the pool when its transaction begins
    and back in when it closes: a Connection built, pool bookkeeping and events both ways, about a
    third of what a short read's transaction costs around its statements. A read request's session
    is bound instead to a connection taken from this list, and the connection goes back to it once
    the session has closed. Each connection serves one session at a time (taken off the list while
    it does); one that is closed, invalidated or still in a transaction when given back is not
    kept. Only read requests use it: a write begins with an execution option (BEGIN IMMEDIATE),
    which would stay on the connection.

    SQLite only: a PostgreSQL connection may have died while idle (a server restart), which the
    pool's pre-ping finds out at checkout; an SQLite file does not go away under an open connection.
    """

    def __init__(self, engine: Engine, keep: int) -> None:
        self.engine = engine
        self.keep = keep if engine.dialect.name == "sqlite" else 0
        self.idle: list[Connection] = []
        self.taken = 0  # connections of this list serving a session now

    def take(self) -> Connection | None:
        """A connection for a read request's session; None: bind the session to the engine.

        At most `keep` connections are ever out: a bound session holds its connection until the
        request ends, across any await (a download hands its transaction back before it waits,
        db/handoff.py, but cannot hand back a bound connection). Past that, a request's session
        checks out of the pool per transaction, so concurrent waiting requests never exhaust it."""
        if self.idle:
            self.taken += 1
            return self.idle.pop()
        if self.taken < self.keep:
            connection = self.engine.connect()  # may fail (pool guard, database gone): nothing taken
            self.taken += 1
            return connection
        return None

    def give_back(self, connection: Connection) -> None:
        """After the session bound to `connection` has closed."""
        self.taken -= 1
        if (
            len(self.idle) < self.keep
            and not connection.closed
            and not connection.invalidated
            and not connection.in_transaction()
        ):
            self.idle.append(connection)
        else:
            connection.close()

    def close(self) -> None:
        self.keep = 0
        idle, self.idle = self.idle, []
        for connection in idle:
            connection.close()
