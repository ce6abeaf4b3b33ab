"""Whole-database plumbing shared by reset and snapshots, driven by the SQLAlchemy metadata so
tables added by any package are covered without being listed here."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Column, Connection, Engine, ForeignKey, Integer, Table, text
from sqlalchemy.exc import DBAPIError

import localfluence.models  # noqa: F401  (registers every table on the metadata)
from localfluence.db.base import Base
from localfluence.db.engine import SQLITE_BEGIN


def data_tables() -> list[Table]:
    """Every table, parents before children (foreign keys marked use_alter do not count)."""
    return list(Base.metadata.sorted_tables)


def deferred_columns(table: Table) -> list[Column[Any]]:
    """Columns whose foreign key closes a cycle between tables (space.homepage_id → content):
    written as NULL first and filled in once every table is loaded."""
    return [fk.parent for fk in table.foreign_keys if _use_alter(fk) and fk.parent.nullable]


def self_references(table: Table) -> list[Column[Any]]:
    """Columns pointing back into their own table (content.parent_id)."""
    return [fk.parent for fk in table.foreign_keys if fk.column.table is table and not _use_alter(fk)]


def _use_alter(fk: ForeignKey) -> bool:
    return fk.constraint is not None and fk.constraint.use_alter


def serial_column(table: Table) -> Column[Any] | None:
    """The single integer primary key whose values a sequence hands out, if any."""
    pk = list(table.primary_key.columns)
    if len(pk) == 1 and isinstance(pk[0].type, Integer) and pk[0].autoincrement in (True, "auto"):
        return pk[0]
    return None


def restart_sequences(conn: Connection) -> None:
    """PostgreSQL sequences continue past deleted or reloaded rows; move each to max(id) + 1 so ids
    after a reset or load are the same on both databases (SQLite reuses max(rowid) + 1 itself)."""
    if conn.dialect.name != "postgresql":
        return
    calls = []
    for table in data_tables():
        column = serial_column(table)
        if column is None:
            continue
        calls.append(
            f"setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "
            f'coalesce((SELECT max("{column.name}") FROM "{table.name}"), 0) + 1, false)'
        )
    if calls:
        # One round trip: resets run between tests and every millisecond counts.
        conn.execute(text("SELECT " + ", ".join(calls)))


def alembic_revision(conn: Connection) -> str | None:
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


@contextmanager
def exclusive(engine: Engine) -> Iterator[Connection]:
    """One transaction that rewrites the whole database. SQLite takes the write lock up front
    (BEGIN IMMEDIATE), so concurrent writers wait behind it instead of failing on a stale snapshot."""
    options: dict[str, Any] = {SQLITE_BEGIN: "IMMEDIATE"} if engine.dialect.name == "sqlite" else {}
    with engine.connect().execution_options(**options) as conn, conn.begin():
        yield conn


def is_retryable(exc: DBAPIError) -> bool:
    """Deadlocks and serialization failures between a reset and concurrent requests on PostgreSQL."""
    code = getattr(exc.orig, "sqlstate", None)
    return code in ("40P01", "40001")
