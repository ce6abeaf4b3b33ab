"""Shared set-up for the permission tests: groups, grants, restrictions, anonymous access."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from sqlalchemy import delete, select

from localfluence.auth.credentials import USERS_GROUP
from localfluence.db.session import transaction
from localfluence.kit.clock import clock
from localfluence.models import Group, GroupMember, User
from tests.conftest import Person
from tests.server import RunningServer


def make_group(server: RunningServer, *members: Person, name: str | None = None) -> dict[str, str]:
    """A group, created in the database: the group API belongs to another package."""
    name = name or f"team-{uuid.uuid4().hex[:8]}"
    with transaction(server.runtime.sessions, write=True) as session:
        group = Group(id=str(uuid.uuid4()), name=name, created_at=clock.now())
        session.add(group)
        session.flush()
        for person in members:
            user_id = session.scalar(select(User.id).where(User.account_id == person.account_id))
            session.add(GroupMember(group_id=group.id, user_id=user_id))
        return {"id": group.id, "name": group.name}


def leave_users_group(server: RunningServer, person: Person) -> None:
    """Take a user out of confluence-users (which holds "use", "createspace" and default space grants)."""
    with transaction(server.runtime.sessions, write=True) as session:
        user_id = session.scalar(select(User.id).where(User.account_id == person.account_id))
        group_id = session.scalar(select(Group.id).where(Group.name == USERS_GROUP))
        session.execute(delete(GroupMember).where(GroupMember.user_id == user_id, GroupMember.group_id == group_id))


def users_group_id(server: RunningServer) -> str:
    with transaction(server.runtime.sessions) as session:
        group_id = session.scalar(select(Group.id).where(Group.name == USERS_GROUP))
        assert group_id is not None
        return group_id


def grant(admin: Person, space_key: str, subject_type: str, identifier: str, key: str, target: str) -> dict:
    response = admin.api.post(
        f"/space/{space_key}/permission",
        json={"subject": {"type": subject_type, "identifier": identifier}, "operation": {"key": key, "target": target}},
    )
    assert response.status_code == 200, response.text
    return response.json()


def restrict(
    person: Person,
    content_id: str,
    *,
    read_users: list[str] = (),  # type: ignore[assignment]
    read_groups: list[str] = (),  # type: ignore[assignment]
    update_users: list[str] = (),  # type: ignore[assignment]
    update_groups: list[str] = (),  # type: ignore[assignment]
) -> dict:
    body = []
    for operation, users, groups in (("read", read_users, read_groups), ("update", update_users, update_groups)):
        if users or groups:
            body.append(
                {
                    "operation": operation,
                    "restrictions": {
                        "user": [{"type": "known", "accountId": a} for a in users],
                        "group": [{"type": "group", "id": g} for g in groups],
                    },
                }
            )
    response = person.api.put(f"/content/{content_id}/restriction", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def set_anonymous_access(admin: Person, server: RunningServer, enabled: bool) -> None:
    response = httpx.put(
        f"{server.url}/_localfluence/settings/anonymous-access",
        json={"enabled": enabled},
        auth=(admin.email, admin.token),
    )
    assert response.status_code == 200, response.text


@contextmanager
def anonymous_access(admin: Person, server: RunningServer) -> Iterator[None]:
    set_anonymous_access(admin, server, True)
    try:
        yield
    finally:
        set_anonymous_access(admin, server, False)


def user_ids(restriction: dict) -> list[str]:
    return [u["accountId"] for u in restriction["restrictions"]["user"]["results"]]


def group_ids(restriction: dict) -> list[str]:
    return [g["id"] for g in restriction["restrictions"]["group"]["results"]]
