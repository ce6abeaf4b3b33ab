"""SQLite WAL checkpoints off the request path.

A checkpoint copies the write-ahead log into the database file and syncs it to disk. Left to
SQLite (wal_autocheckpoint), it runs inside whichever commit pushes the log past the threshold:
on the event loop, stalling every request of the process for as long as the sync takes (hundreds
of milliseconds on a busy disk, a few times a second under write load). The background worker
checkpoints instead (tasks/worker.py), and the engine raises the automatic threshold
(db/engine.py) so that requests reach it only if the worker falls behind or is not running."""

from __future__ import annotations

import sqlite3

from sqlalchemy import Engine


def checkpoint(engine: Engine) -> tuple[int, int]:
    """A PASSIVE checkpoint: copies what no reader still needs, without waiting for readers or
    writers. Returns (frames in the log, frames copied); (0, 0) for other databases."""
    if engine.dialect.name != "sqlite":
        return 0, 0
    raw = engine.raw_connection()
    try:
        # The connection is in autocommit mode (db/engine.py): no transaction wraps the pragma.
        _busy, log, copied = raw.cursor().execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    except sqlite3.OperationalError:
        # Another process is checkpointing (or the file is locked for a moment): next round.
        return 0, 0
    finally:
        raw.close()
    return max(log, 0), max(copied, 0)
