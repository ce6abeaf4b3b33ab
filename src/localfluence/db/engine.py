"""Engines for SQLite (WAL, foreign keys, busy timeout) and PostgreSQL (psycopg 3)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from localfluence.db.loopguard import LoopGuardedQueuePool

# Execution option naming how an SQLite transaction begins: "DEFERRED" (default) or "IMMEDIATE".
SQLITE_BEGIN = "localfluence_sqlite_begin"
# WAL pages (4 KiB each) after which a committing connection checkpoints by itself: ten times
# SQLite's default, so the worker's checkpoints keep requests below it.
REQUEST_AUTOCHECKPOINT_PAGES = 10_000
# Execution option: run this statement unprepared on PostgreSQL, so it is planned for its
# parameters every time. For a statement whose best plan depends on a parameter that cannot be
# written in (an id), where the generic plan of a prepared statement guesses badly. Ignored on SQLite.
UNPREPARED = "localfluence_unprepared"
# SQLite connections kept open for read requests (db/session.py: ReadConnections). Checked out of
# the pool while kept, so the pool may open as many more than before.
READ_CONNECTIONS_KEPT = 8


def make_engine(url: str, **kwargs: Any) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            poolclass=LoopGuardedQueuePool,
            pool_size=8,
            max_overflow=16 + READ_CONNECTIONS_KEPT,
            **kwargs,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINT; take it over.
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() != "psycopg":
        # One driver for PostgreSQL: psycopg 3, whatever the URL spells.
        parsed = parsed.set(drivername="postgresql+psycopg")
    engine = create_engine(
        parsed, poolclass=LoopGuardedQueuePool, pool_size=10, max_overflow=20, pool_pre_ping=True, **kwargs
    )
    event.listen(engine, "do_execute", _unprepared)
    return engine


def _unprepared(cursor: Any, statement: str, parameters: Any, context: Any) -> bool:
    # psycopg prepares a statement run often (prepare_threshold); prepare=False keeps it from that.
    if context.execution_options.get(UNPREPARED):
        cursor.execute(statement, parameters, prepare=False)
        return True
    return False


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    # The background worker checkpoints (db/checkpoint.py); a commit checkpoints only past this.
    cur.execute(f"PRAGMA wal_autocheckpoint={REQUEST_AUTOCHECKPOINT_PAGES}")
    cur.close()


def _sqlite_begin(conn: Any) -> None:
    # Readers begin DEFERRED (WAL lets them run beside a writer). Writers ask for IMMEDIATE
    # (execution option set by the request context): a deferred transaction that upgrades to a
    # write after another process committed fails at once with "database is locked" instead of
    # waiting through busy_timeout, which several workers on one file would surface to clients.
    if conn.get_execution_options().get(SQLITE_BEGIN, "DEFERRED") == "IMMEDIATE":
        # Through SQLAlchemy: waiting for the lock can fail, and the error is then SQLAlchemy's.
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        # A deferred BEGIN takes no lock: straight to the driver, which skips a statement's worth
        # of SQLAlchemy execution and events (a twentieth of a short read request).
        conn.connection.driver_connection.execute("BEGIN")
