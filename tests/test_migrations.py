"""One history: upgrade → downgrade → upgrade works, and the models match the migrations."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from localfluence.db.base import Base
from localfluence.db.engine import make_engine
from localfluence.db.head import head_revisions
from localfluence.db.migrate import alembic_config, downgrade, include_name, upgrade
from tests.server import database_for_worker


def test_single_head() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1
    # The start-up shortcut that skips Alembic agrees with Alembic about the head.
    assert head_revisions() == frozenset(script.get_heads())


def test_upgrade_downgrade_upgrade_and_models_match(tmp_path: Path) -> None:
    url = database_for_worker(tmp_path) or f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url)
    downgrade(url, "base")
    upgrade(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"include_name": include_name}), Base.metadata)
    engine.dispose()
    assert diff == []
