"""The worker, not a request's commit, moves SQLite's write-ahead log into the database."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from localfluence.db.checkpoint import checkpoint
from localfluence.db.engine import REQUEST_AUTOCHECKPOINT_PAGES, make_engine


def test_requests_leave_checkpoints_to_the_worker(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'wal.db'}")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == REQUEST_AUTOCHECKPOINT_PAGES
            assert REQUEST_AUTOCHECKPOINT_PAGES > 1000  # above SQLite's default, which commits would hit
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (x TEXT)"))
            conn.execute(text("INSERT INTO t VALUES (:x)"), [{"x": "y" * 1000} for _ in range(500)])
        log, copied = checkpoint(engine)
        assert log > 0 and copied == log
        # Nothing new since: the log is already in the database.
        assert checkpoint(engine) == (log, log)
    finally:
        engine.dispose()


def test_other_databases_have_no_log_to_move() -> None:
    engine = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert checkpoint(engine) == (0, 0)
