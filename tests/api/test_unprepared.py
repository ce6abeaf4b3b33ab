"""Descendant listings run unprepared on PostgreSQL: the generic plan of a prepared statement
cannot know how many descendants the ancestor has (db/engine.py UNPREPARED)."""

from __future__ import annotations

from sqlalchemy import text

from localfluence.access.principal import Principal
from localfluence.content import repository as repo
from localfluence.db.engine import UNPREPARED
from localfluence.db.session import transaction
from tests.conftest import Person, create_page
from tests.server import RunningServer

_PREPARED = text("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%content_ancestor.depth >%'")


def test_descendants_are_never_prepared(server: RunningServer, db_name: str, admin: Person, space: dict) -> None:
    root = create_page(admin, space["key"], "Root")
    child = create_page(admin, space["key"], "Child", parent=root["id"])
    principal = Principal(user_id=-2, account_id="probe", is_admin=True)
    with transaction(server.runtime.sessions) as session:
        for _ in range(8):  # past psycopg's prepare_threshold (5)
            found = repo.list_descendants(session, principal, int(root["id"]), types=["page"], start=0, limit=25)
            assert [c.id for c in found] == [int(child["id"])]
        if db_name != "postgresql":
            return
        assert session.scalar(_PREPARED) == 0
        # The same statement without the option is prepared by then: the check above can fail.
        statement = repo.visible(principal).where(text("content.id > 0 AND 'content_ancestor.depth >' <> ''"))
        for _ in range(8):
            session.scalars(statement.limit(1)).all()
        assert session.scalar(_PREPARED) == 1


def test_the_option_is_harmless_on_any_database(server: RunningServer) -> None:
    with transaction(server.runtime.sessions) as session:
        assert session.scalar(text("SELECT 1"), execution_options={UNPREPARED: True}) == 1
