"""The process-wide objects an app instance owns: settings, engine, session factory, blob store."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from localfluence.auth.cache import AuthCache
from localfluence.blobs.factory import make_blob_store
from localfluence.blobs.store import BlobStore
from localfluence.blobs.transaction import STORE
from localfluence.config import Settings
from localfluence.db.engine import READ_CONNECTIONS_KEPT, make_engine
from localfluence.db.session import ReadConnections, make_sessionmaker


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    blobs: BlobStore
    auth_cache: AuthCache = field(default_factory=AuthCache)
    # Connections kept open for read requests' sessions (SQLite; db/session.py).
    reads: ReadConnections | None = None
    # The background worker (tasks/worker.py), set by create_app.
    worker: Any = None

    @classmethod
    def build(cls, settings: Settings) -> Runtime:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = make_engine(settings.resolved_database_url())
        sessions = make_sessionmaker(engine)
        blobs = make_blob_store(settings)
        # Sessions carry the store so that purges can delete bytes nothing refers to any more.
        sessions.configure(info={STORE: blobs})
        auth_cache = AuthCache(ttl=settings.auth_cache_seconds)
        auth_cache.watch(engine)
        reads = ReadConnections(engine, keep=READ_CONNECTIONS_KEPT)
        return cls(settings=settings, engine=engine, sessions=sessions, blobs=blobs, auth_cache=auth_cache, reads=reads)

    def close(self) -> None:
        if self.worker is not None:
            self.worker.stop()
        if self.reads is not None:
            self.reads.close()
        self.engine.dispose()
