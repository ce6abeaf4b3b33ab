"""A user who may read more spaces, and is in more groups, than one SQL statement can bind values
(SQLite: 32,766; PostgreSQL: 65,535) lists and searches content like anybody else."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

from sqlalchemy import delete, event, select, text

from localfluence.db.session import transaction
from localfluence.kit.clock import clock
from localfluence.models import ContentRestriction, Group, GroupMember, Space, SpacePermission, User
from tests.api.metadata_helpers import private_space
from tests.conftest import Person, create_page
from tests.server import RunningServer

# SQLite's own default; Debian's build raises it to 250,000, production builds may not.
SQLITE_MAX_VARIABLES = 32_766


@contextmanager
def sqlite_default_variable_limit(server: RunningServer) -> Iterator[None]:
    """Connections checked out meanwhile bind at most SQLite's default number of values."""
    lowered: dict[int, int] = {}

    def checkout(dbapi_connection, _record, _proxy) -> None:  # type: ignore[no-untyped-def]
        if id(dbapi_connection) not in lowered:
            lowered[id(dbapi_connection)] = dbapi_connection.setlimit(
                sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, SQLITE_MAX_VARIABLES
            )

    def checkin(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        if dbapi_connection is not None and id(dbapi_connection) in lowered:
            dbapi_connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, lowered.pop(id(dbapi_connection)))

    engine = server.runtime.engine
    event.listen(engine, "checkout", checkout)
    event.listen(engine, "checkin", checkin)
    try:
        yield
    finally:
        event.remove(engine, "checkout", checkout)
        event.remove(engine, "checkin", checkin)


SPACE_KEY = "CAST(:prefix AS VARCHAR(64)) || CAST(i AS VARCHAR(16))"
GROUP_ID = "CAST(:prefix AS VARCHAR(64)) || '-' || CAST(i AS VARCHAR(16))"


@contextmanager
def many_grants(server: RunningServer, person: Person, spaces: int, groups: int) -> Iterator[list[str]]:
    """`spaces` spaces the person may read and `groups` groups they are in (ids yielded), inserted
    in bulk and removed afterwards (the server is shared with the tests that follow)."""
    prefix = f"N{uuid.uuid4().hex[:8].upper()}"
    # Numbers made by the database (a recursive CTE both speak): a statement per table, not a row each.
    numbers = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count) "
    with transaction(server.runtime.sessions, write=True) as session:
        user_id = session.scalar(select(User.id).where(User.account_id == person.account_id))
        values = {"prefix": prefix, "now": clock.now(), "user_id": user_id}
        session.execute(
            text(
                numbers + "INSERT INTO space (key, name, type, status, description, created_at) "
                f"SELECT {SPACE_KEY}, 'Many', 'global', 'current', '', :now FROM n"
            ),
            {**values, "count": spaces},
        )
        session.execute(
            text(
                "INSERT INTO space_permission (space_id, operation, target_type, subject_type, user_id) "
                "SELECT id, 'read', 'space', 'user', :user_id FROM space WHERE key LIKE :pattern"
            ),
            {**values, "pattern": f"{prefix}%"},
        )
        session.execute(
            text(
                numbers + "INSERT INTO user_group (id, name, created_at) SELECT "
                f"{GROUP_ID}, lower({GROUP_ID}), :now FROM n"
            ),
            {**values, "count": groups},
        )
        session.execute(
            text(numbers + f"INSERT INTO group_member (group_id, user_id) SELECT {GROUP_ID}, :user_id FROM n"),
            {**values, "count": groups},
        )
        group_ids = [f"{prefix}-{i}" for i in range(1, groups + 1)]
    # Group memberships are part of the cached authentication: let it be read afresh.
    server.runtime.auth_cache.invalidate()
    try:
        yield group_ids
    finally:
        with transaction(server.runtime.sessions, write=True) as session:
            ids = select(Space.id).where(Space.key.like(f"{prefix}%"))
            session.execute(delete(SpacePermission).where(SpacePermission.space_id.in_(ids)))
            session.execute(delete(Space).where(Space.key.like(f"{prefix}%")))
            session.execute(delete(GroupMember).where(GroupMember.group_id.like(f"{prefix}-%")))
            session.execute(delete(Group).where(Group.id.like(f"{prefix}-%")))
        server.runtime.auth_cache.invalidate()


def test_reader_of_more_spaces_and_groups_than_a_statement_binds(
    server: RunningServer, db_name: str, admin: Person, alice: Person, bob: Person
) -> None:
    # More spaces than a statement could list on SQLite, and so many groups that the rule, which
    # names them twice in a listing, would pass each database's limit on bound values.
    spaces, groups = 33_000, 17_000 if db_name == "sqlite" else 33_000
    space = private_space(admin)
    word = f"wombat{uuid.uuid4().hex[:8]}"
    open_page = create_page(admin, space["key"], f"Open {word}")
    group_page = create_page(admin, space["key"], f"Grouped {word}")
    closed_page = create_page(admin, space["key"], f"Closed {word}")
    limit = sqlite_default_variable_limit(server) if db_name == "sqlite" else nullcontext()
    with many_grants(server, alice, spaces, groups) as group_ids, limit:
        with transaction(server.runtime.sessions, write=True) as session:
            space_id = session.scalar(select(Space.id).where(Space.key == space["key"]))
            # Alice reads the space, and the grouped page, through one of her many groups.
            session.add(
                SpacePermission(
                    space_id=space_id,
                    operation="read",
                    target_type="space",
                    subject_type="group",
                    group_id=group_ids[-1],
                )
            )
            session.add(ContentRestriction(content_id=int(group_page["id"]), operation="read", group_id=group_ids[0]))
            session.add(
                ContentRestriction(content_id=int(closed_page["id"]), operation="read", user_id=None, group_id=None)
            )
        visible = sorted([open_page["id"], group_page["id"]])

        listed = alice.api.get("/content", params={"spaceKey": space["key"], "type": "page", "limit": 50})
        assert listed.status_code == 200, listed.text
        assert visible == sorted(r["id"] for r in listed.json()["results"] if word in r["title"])
        for cql in (f'text ~ "{word}"', f'title ~ "{word}" and type = page', f'space = "{space["key"]}"'):
            found = alice.api.get("/search", params={"cql": cql, "limit": 50})
            assert found.status_code == 200, (cql, found.text)
            assert visible == sorted(r["content"]["id"] for r in found.json()["results"] if word in r["title"]), cql
            assert alice.api.get("/content/search", params={"cql": cql}).status_code == 200
        assert bob.api.get("/search", params={"cql": f'text ~ "{word}"'}).json()["results"] == []


def test_spaces_granted_twice_are_counted_once(server: RunningServer, admin: Person, alice: Person) -> None:
    """Each of ~5,100 spaces is granted to alice and to two of her groups: over 15,000 grant rows
    for fewer spaces than a statement lists. The list must be of spaces, not of grants: cut at
    the listing limit, the grants covered only part of the spaces, the cut looked like a complete
    list, and a space granted last was left out of searches."""
    word = f"quokka{uuid.uuid4().hex[:8]}"
    with many_grants(server, alice, 5_100, 2) as group_ids:
        space = private_space(admin)  # created after the others: its grant is the last row
        page = create_page(admin, space["key"], f"Last {word}")
        with transaction(server.runtime.sessions, write=True) as session:
            user_id = session.scalar(select(User.id).where(User.account_id == alice.account_id))
            for group_id in group_ids:
                session.execute(
                    text(
                        "INSERT INTO space_permission (space_id, operation, target_type, subject_type, group_id) "
                        "SELECT space_id, 'read', 'space', 'group', :group_id FROM space_permission "
                        "WHERE user_id = :user_id AND subject_type = 'user' AND operation = 'read' ORDER BY space_id"
                    ),
                    {"group_id": group_id, "user_id": user_id},
                )
            space_id = session.scalar(select(Space.id).where(Space.key == space["key"]))
            session.add(
                SpacePermission(
                    space_id=space_id,
                    operation="read",
                    target_type="space",
                    subject_type="group",
                    group_id=group_ids[-1],
                )
            )
        found = alice.api.get("/search", params={"cql": f'title ~ "{word}"', "limit": 10})
        assert found.status_code == 200, found.text
        assert [r["content"]["id"] for r in found.json()["results"]] == [page["id"]]
