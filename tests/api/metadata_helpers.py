"""Set-up shortcuts for the metadata tests: private spaces and direct permission grants (the
space-permission API belongs to another package; these tests only need a reader who may not edit)."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from localfluence.db.session import transaction
from localfluence.models import Space, SpacePermission, User
from tests.conftest import Person
from tests.server import RunningServer


def private_space(admin: Person) -> dict:
    response = admin.api.post("/space/_private", json={"key": f"P{uuid.uuid4().hex[:8].upper()}", "name": "Private"})
    assert response.status_code == 200, response.text
    return response.json()


def grant(server: RunningServer, space_key: str, person: Person, operation: str, target: str) -> None:
    with transaction(server.runtime.sessions, write=True) as session:
        user_id = session.scalar(select(User.id).where(User.account_id == person.account_id))
        space_id = session.scalar(select(Space.id).where(Space.key == space_key))
        session.add(
            SpacePermission(
                space_id=space_id, operation=operation, target_type=target, subject_type="user", user_id=user_id
            )
        )


def reader_space(server: RunningServer, admin: Person, reader: Person) -> dict:
    """A private space the reader may read but not write to."""
    space = private_space(admin)
    grant(server, space["key"], reader, "read", "space")
    return space
