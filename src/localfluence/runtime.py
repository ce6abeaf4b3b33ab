"""The process-wide objects an app instance owns: settings, engine, session factory."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from localfluence.config import Settings
from localfluence.db.engine import make_engine
from localfluence.db.session import make_sessionmaker


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]

    @classmethod
    def build(cls, settings: Settings) -> Runtime:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = make_engine(settings.resolved_database_url())
        return cls(settings=settings, engine=engine, sessions=make_sessionmaker(engine))
