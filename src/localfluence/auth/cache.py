"""A short-lived cache of authenticated principals, keyed by the SHA-256 digest of the
Authorization header (never the secret itself).

Authentication costs three statements per request (user, token, groups) and, for Server-style
passwords, an argon2 verification; the cache answers repeated callers from a dictionary.

Staleness: any write to users, tokens, groups, memberships, site permissions or site settings
made through this process's engine empties the cache at once (and again when that transaction
commits), so a revoked token stops working immediately on the worker that revoked it. Other
worker processes and hosts notice within TTL_SECONDS at most (docs/deployment.md).
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.sql.elements import TextClause

from localfluence.access.principal import Principal

TTL_SECONDS = 5.0
MAX_ENTRIES = 10_000
# Tables whose rows decide who a caller is and whether they may use the site.
WATCHED_TABLES = frozenset(
    {"user_account", "api_token", "user_group", "group_member", "site_permission", "site_setting"}
)
# Textual statements that never change those tables (every SQLite request begins with BEGIN).
_HARMLESS_TEXT = ("SELECT", "BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT", "PRAGMA", "SHOW", "EXPLAIN")
_DIRTY = "localfluence_auth_dirty"


@dataclass(frozen=True)
class Admission:
    principal: Principal
    # Whether the principal holds the global "can use" permission (what access.gate asks).
    can_use: bool


class AuthCache:
    def __init__(self, ttl: float = TTL_SECONDS) -> None:
        self.ttl = ttl
        self._entries: dict[bytes, tuple[float, Admission]] = {}
        self._lock = threading.Lock()
        self.generation = 0

    @staticmethod
    def key(authorization: str | None) -> bytes:
        return hashlib.sha256((authorization or "").encode()).digest()

    def get(self, key: bytes) -> Admission | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[0] < time.monotonic():
            self._entries.pop(key, None)
            return None
        return entry[1]

    def put(self, key: bytes, admission: Admission, generation: int) -> None:
        """Store what was computed while the cache was at `generation`; a change seen meanwhile
        means it may already be stale, so it is dropped."""
        with self._lock:
            if generation != self.generation or self.ttl <= 0:
                return
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
            self._entries[key] = (time.monotonic() + self.ttl, admission)

    def invalidate(self) -> None:
        with self._lock:
            self.generation += 1
            self._entries.clear()

    def watch(self, engine: Engine) -> None:
        """Empty the cache whenever a statement on this engine may change who a caller is."""

        def after_execute(conn: Any, clause: Any, *_args: Any) -> None:
            if _touches_identity(clause):
                conn.info[_DIRTY] = True
                self.invalidate()

        def after_commit(conn: Any) -> None:
            if conn.info.pop(_DIRTY, False):
                self.invalidate()

        def after_rollback(conn: Any) -> None:
            conn.info.pop(_DIRTY, None)

        event.listen(engine, "after_execute", after_execute)
        event.listen(engine, "commit", after_commit)
        event.listen(engine, "rollback", after_rollback)


def _touches_identity(clause: Any) -> bool:
    if isinstance(clause, UpdateBase):
        table = getattr(clause, "table", None)
        return getattr(table, "name", None) in WATCHED_TABLES
    if isinstance(clause, TextClause):
        clause = clause.text
    if isinstance(clause, str):
        return not clause.lstrip().upper().startswith(_HARMLESS_TEXT)
    return False
