"""Reset: empty the whole site (keeping the bootstrap admin and its tokens) or remove one space,
each in one transaction, so a concurrent request sees the site either before or after.

A full reset (and a snapshot load) rewrites every table in the SQLAlchemy metadata, derived ones
(search_document) included, so content listeners are not called; state kept outside the metadata
must be the database's own (triggers, generated columns), as the full-text index is. Removing one
space deletes some rows only, so there the listeners hear about every removed id."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, Table, delete, func, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from localfluence.admin.tables import data_tables, exclusive, is_retryable, restart_sequences
from localfluence.bootstrap import bootstrap
from localfluence.changes import content_changed
from localfluence.config import Settings
from localfluence.errors import NotFound
from localfluence.kit.clock import clock
from localfluence.models import ApiToken, Content, Group, GroupMember, Space, User
from localfluence.people.service import DEFAULT_GROUPS

T = TypeVar("T")
ATTEMPTS = 3


@dataclass
class ResetReport:
    scope: str
    removed_content: int
    duration_ms: float

    def as_json(self) -> dict[str, Any]:
        return {"scope": self.scope, "removedContent": self.removed_content, "durationMs": round(self.duration_ms, 2)}


@dataclass
class Kept:
    """Rows that survive a full reset: the bootstrap admin, its tokens, the default groups and the
    admin's memberships. Tests hold the admin token across resets, so it must keep working."""

    rows: list[tuple[Table, list[dict[str, Any]]]]
    digests: list[tuple[str, str, str | None]]


def reset_site(engine: Engine, settings: Settings) -> ResetReport:
    started = time.perf_counter()

    def run(conn: Connection) -> int:
        lock_all_tables(conn)
        kept = capture_bootstrap_rows(conn, settings)
        removed = conn.scalar(select(func.count()).select_from(Content)) or 0
        empty_all_tables(conn)
        restore_bootstrap_rows(conn, kept)
        restart_sequences(conn)
        with Session(bind=conn) as session:
            # Default groups, their site permissions, the admin if a test deleted it.
            bootstrap(session, settings)
            session.flush()
        return int(removed)

    removed = with_retries(engine, run)
    return ResetReport("site", removed, (time.perf_counter() - started) * 1000)


def reset_space(engine: Engine, settings: Settings, key: str) -> ResetReport:
    """Remove a space and everything in it; the key is free for the next test to create."""
    started = time.perf_counter()

    def run(conn: Connection) -> int:
        space_id = conn.scalar(select(Space.id).where(Space.key == key))
        if space_id is None:
            raise NotFound(f"No space with key : {key}")
        gone = list(conn.scalars(select(Content.id).where(Content.space_id == space_id)))
        # The homepage pointer goes first so space and content never block each other's delete.
        conn.execute(update(Space).where(Space.id == space_id).values(homepage_id=None))
        conn.execute(delete(Content).where(Content.space_id == space_id))
        conn.execute(delete(Space).where(Space.id == space_id))
        with Session(bind=conn) as session:
            content_changed(session, gone)
            session.flush()
        return len(gone)

    removed = with_retries(engine, run)
    return ResetReport(f"space:{key}", removed, (time.perf_counter() - started) * 1000)


def lock_all_tables(conn: Connection) -> None:
    """PostgreSQL: writers wait until this transaction commits (readers do not), so no row can be
    added between the deletes of two tables, which matters most when foreign-key triggers are
    skipped. SQLite has the write lock already (BEGIN IMMEDIATE)."""
    if conn.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in data_tables())
        conn.execute(text(f"LOCK TABLE {names} IN EXCLUSIVE MODE"))


def empty_all_tables(conn: Connection) -> None:
    """Delete every row of every table, children first (after lock_all_tables)."""
    tables = list(reversed(data_tables()))
    if conn.dialect.name != "postgresql":
        for table in tables:
            conn.execute(table.delete())
        return
    fast = _without_foreign_key_triggers(conn)
    # One round trip for all of them (psycopg runs several statements when there are no parameters).
    statements = [f'DELETE FROM "{t.name}"' for t in tables]
    if fast:
        statements.append("SET LOCAL session_replication_role = origin")
    conn.exec_driver_sql("; ".join(statements))


# PostgreSQL URLs whose role may not set session_replication_role (it needs a superuser, or
# GRANT SET ON PARAMETER session_replication_role).
_replica_refused: set[str] = set()


def _without_foreign_key_triggers(conn: Connection) -> bool:
    """On PostgreSQL, deleting 1,000 pages fires ~7,000 per-row foreign-key triggers (55 ms of a
    65 ms reset). When every row of every table goes, no reference can dangle, so the triggers are
    skipped (replica mode) where the role may; the rows written afterwards are checked again."""
    key = conn.engine.url.render_as_string(hide_password=True)
    if key in _replica_refused:
        return False
    try:
        with conn.begin_nested():
            conn.execute(text("SET LOCAL session_replication_role = replica"))
    except DBAPIError:
        _replica_refused.add(key)
        return False
    return True


def capture_bootstrap_rows(conn: Connection, settings: Settings) -> Kept:
    admin_rows = [
        dict(r) for r in conn.execute(select(User).where(User.email == settings.admin_email.lower())).mappings()
    ]
    admin_ids = [r["id"] for r in admin_rows]
    token_rows = [dict(r) for r in conn.execute(select(ApiToken).where(ApiToken.user_id.in_(admin_ids))).mappings()]
    group_rows = [dict(r) for r in conn.execute(select(Group).where(Group.name.in_(DEFAULT_GROUPS))).mappings()]
    member_rows = [
        dict(r)
        for r in conn.execute(
            select(GroupMember).where(
                GroupMember.user_id.in_(admin_ids), GroupMember.group_id.in_([g["id"] for g in group_rows])
            )
        ).mappings()
    ]
    return Kept(
        rows=[
            (User.__table__, admin_rows),  # type: ignore[list-item]
            (ApiToken.__table__, token_rows),  # type: ignore[list-item]
            (Group.__table__, group_rows),  # type: ignore[list-item]
            (GroupMember.__table__, member_rows),  # type: ignore[list-item]
        ],
        digests=[(r["digest"], r["label"], r["scopes"]) for r in token_rows],
    )


def restore_bootstrap_rows(conn: Connection, kept: Kept) -> None:
    for table, rows in kept.rows:
        if rows:
            conn.execute(table.insert(), rows)


def restore_admin_tokens(session: Session, settings: Settings, kept: Kept) -> None:
    """After a snapshot load: the admin's tokens from before the load keep working even if the
    snapshot came from a site with other tokens."""
    admin = session.scalar(select(User).where(User.email == settings.admin_email.lower()))
    if admin is None:
        return
    present = set(session.scalars(select(ApiToken.digest).where(ApiToken.digest.in_([d for d, _, _ in kept.digests]))))
    for digest, label, scopes in kept.digests:
        if digest not in present:
            session.add(ApiToken(user_id=admin.id, digest=digest, label=label, scopes=scopes, created_at=clock.now()))
    session.flush()


def with_retries(engine: Engine, work: Callable[[Connection], T]) -> T:
    for attempt in range(ATTEMPTS):
        try:
            with exclusive(engine) as conn:
                return work(conn)
        except DBAPIError as exc:
            if attempt + 1 == ATTEMPTS or not is_retryable(exc):
                raise
    raise AssertionError("unreachable")
