"""One history: upgrade → downgrade → upgrade works, and the models match the migrations."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

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


def test_custom_content_types_lose_their_storage_prefix(tmp_path: Path) -> None:
    # 0010_customtype widens content.type and stores custom types as Confluence names them; on
    # SQLite it rewrites the declared type in place, so content's triggers must survive it.
    url = database_for_worker(tmp_path) or f"sqlite:///{tmp_path / 'c.db'}"
    upgrade(url, "0009_platform")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO space (id, key, name, type, status, description, created_at) "
                "VALUES (1, 'K', 'K', 'global', 'current', '', CURRENT_TIMESTAMP)"
            )
        )
        for id_, type_ in ((1, "page"), (2, "custom:ac:app:thing")):
            conn.execute(
                text(
                    "INSERT INTO content (id, type, status, title, space_id, position, version, created_at) "
                    "VALUES (:id, :type, 'current', :title, 1, 0, 1, CURRENT_TIMESTAMP)"
                ),
                {"id": id_, "type": type_, "title": f"t{id_}"},
            )
    upgrade(url)
    forge = "forge:" + "a" * 36 + ":" + "b" * 36 + ":" + "module-key"
    with engine.begin() as conn:
        assert conn.execute(text("SELECT type FROM content ORDER BY id")).scalars().all() == ["page", "ac:app:thing"]
        conn.execute(text("UPDATE content SET type = :t WHERE id = 2"), {"t": forge})
        # The last-modified trigger still fires on a new version.
        conn.execute(
            text(
                "INSERT INTO content_version (content_id, number, title, created_at, message, minor_edit, body) "
                "VALUES (2, 2, 't2', '2030-01-02 03:04:05', '', false, '')"
            )
        )
        conn.execute(text("UPDATE content SET version = 2 WHERE id = 2"))
        assert conn.execute(text("SELECT last_modified_at FROM content WHERE id = 2")).scalar_one() is not None
    downgrade(url, "0009_platform")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT type FROM content WHERE id = 2")).scalar_one() == ("custom:" + forge)[:32]
    engine.dispose()
