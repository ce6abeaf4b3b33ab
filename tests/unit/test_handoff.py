"""db/handoff.py: a request that hands its connection back before awaiting keeps its side writes
(run once, by the exit callback) and, if it writes, begins again as a writer."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from localfluence.db.engine import make_engine
from localfluence.db.handoff import release, resume
from localfluence.db.session import READ_REQUEST, make_sessionmaker, run_side_writes, write_after_read


def test_side_writes_queued_before_a_release_land_once(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'h.db'}")
    sessions = make_sessionmaker(engine)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE views (n INTEGER)"))
    session = sessions()
    session.info[READ_REQUEST] = True
    session.execute(text("SELECT 1"))
    write_after_read(session, lambda writer: writer.execute(text("INSERT INTO views VALUES (1)")))
    release(session)
    assert engine.pool.checkedout() == 0  # nothing held while the request awaits
    resume(session)  # a read request: nothing begins until its next statement
    assert engine.pool.checkedout() == 0
    # What api._Transaction does when the route returns.
    session.commit()
    run_side_writes(session, sessions)
    session.close()
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM views")) == 1
    engine.dispose()


def test_a_write_request_resumes_as_a_writer(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'w.db'}")
    session = make_sessionmaker(engine)()
    release(session)
    resume(session)
    assert engine.pool.checkedout() == 1
    # BEGIN IMMEDIATE took the write lock: another writer cannot begin now.
    other = engine.raw_connection()
    try:
        cursor = other.cursor()
        cursor.execute("PRAGMA busy_timeout=0")
        try:
            cursor.execute("BEGIN IMMEDIATE")
            locked = False
        except Exception as error:  # sqlite3.OperationalError: database is locked
            locked = "locked" in str(error)
        assert locked
    finally:
        other.close()
        session.close()
        engine.dispose()
