"""Ranked text search turns PostgreSQL's JIT off for its own statement only."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from localfluence.access.principal import Principal
from localfluence.db.session import transaction
from localfluence.search import service
from tests.conftest import Person, create_page
from tests.server import RunningServer


def test_jit_is_restored_after_a_ranked_search(server: RunningServer, db_name: str, admin: Person, space: dict) -> None:
    if db_name != "postgresql":
        pytest.skip("JIT is PostgreSQL's")
    create_page(admin, space["key"], "Quokka sightings")
    principal = Principal(user_id=-2, account_id="probe", is_admin=True)
    with transaction(server.runtime.sessions) as session:
        for before in ("on", "off", "on"):
            session.execute(text("SELECT set_config('jit', :value, true)"), {"value": before})
            hits = service.search(
                session,
                principal,
                dialect=db_name,
                cql='text ~ "quokka"',
                cqlcontext=None,
                cursor=None,
                start=None,
                limit=None,
                maximum=100,
            )
            assert [c.title for c in hits.rows] == ["Quokka sightings"]
            assert session.scalar(text("SHOW jit")) == before
