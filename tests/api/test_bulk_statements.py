"""Bulk operations cost a fixed number of SQL statements, whatever the number of items they are
given: content-state tasks (submission and each slice), v2 checkAccessByEmail."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, update

from localfluence.db.session import transaction
from localfluence.models import ContentVersion, User
from tests.api.metadata_helpers import reader_space
from tests.api.test_content_batching import counting
from tests.conftest import Person, create_page, make_person, unique_key
from tests.server import RunningServer
from tests.tasks import wait_for_state_task
from tests.v2.support import v2_client


@contextmanager
def counting_slices(server: RunningServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[list[str]]]:
    """The statements each slice of a content-state task runs (in the worker thread), a list per slice."""
    from localfluence.states import service

    slices: list[list[str]] = []
    running: dict[int, list[str]] = {}
    original = service.bulk_step

    def step(*args):  # type: ignore[no-untyped-def]
        statements: list[str] = []
        slices.append(statements)
        running[threading.get_ident()] = statements
        try:
            return original(*args)
        finally:
            running.pop(threading.get_ident(), None)

    def count(_conn, _cursor, statement, _params, _context, _many) -> None:  # type: ignore[no-untyped-def]
        statements = running.get(threading.get_ident())
        if statements is not None:
            statements.append(statement)

    monkeypatch.setattr(service, "bulk_step", step)
    engine = server.runtime.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield slices
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _bulk_costs(server: RunningServer, monkeypatch: pytest.MonkeyPatch, alice: Person, locked: dict, n: int) -> list:
    """Statement counts of setting, setting again (updates) and removing a state on n of Alice's
    pages and one page she may read but not edit, checking the outcome as it goes."""
    key = unique_key()
    assert alice.api.post("/space", json={"key": key, "name": "Bulk"}).status_code == 200
    own = [create_page(alice, key)["id"] for _ in range(n)]
    ids = [*own, locked["id"]]
    assert alice.api.get("/user/current").status_code == 200
    costs = []
    for state_id in (0, 1, None):
        with counting(server) as submitted, counting_slices(server, monkeypatch) as slices:
            if state_id is None:
                response = alice.api.post("/content-states/delete", params={"status": "current"}, json={"ids": ids})
            else:
                body = {"ids": ids, "contentState": {"id": state_id}}
                response = alice.api.put("/content-states", params={"status": "current"}, json=body)
            assert response.status_code == 200, response.text
            submit_cost = len(submitted)
            result = wait_for_state_task(alice.api, response.json()["asyncId"])
        assert result["set"] == own
        assert result["failed"] == [
            {"contentId": locked["id"], "failureReason": "You do not have permission to create page in this space"}
        ]
        assert len(slices) == 1
        costs.append((submit_cost, len(slices[0])))
    for page_id in own:
        assert alice.api.get(f"/content/{page_id}/state").json()["contentState"] is None
        # Set, set again and removed: three versions published on top of the first.
        assert alice.api.get(f"/content/{page_id}").json()["version"]["number"] == 4
    return costs


def test_bulk_content_states_cost_does_not_grow_with_the_contents(
    server: RunningServer, monkeypatch: pytest.MonkeyPatch, admin: Person, alice: Person
) -> None:
    locked = create_page(admin, reader_space(server, admin, alice)["key"])
    few = _bulk_costs(server, monkeypatch, alice, locked, 2)
    many = _bulk_costs(server, monkeypatch, alice, locked, 12)
    assert many == few


def test_check_access_by_email_cost_does_not_grow_with_the_emails(server: RunningServer, alice: Person) -> None:
    emails = [make_person(server, f"Reader {i}").email for i in range(12)]
    gone = make_person(server, "Gone")
    with transaction(server.runtime.sessions, write=True) as session:
        session.execute(update(User).where(User.account_id == gone.account_id).values(active=False))
    # Emails match whatever their case; a deactivated user and an unknown email have no access.
    unusable = [gone.email, "nobody@example.com", gone.email]
    expected = {"emailsWithoutAccess": unusable, "invalidEmails": ["bad"]}

    def cost(batch: list[str]) -> int:
        with v2_client(server, alice) as client:
            client.post("/user/access/check-access-by-email", json={"emails": ["warm@example.com"]})
            with counting(server) as statements:
                response = client.post("/user/access/check-access-by-email", json={"emails": batch})
        assert response.status_code == 200, response.text
        assert response.json() == expected
        return len(statements)

    few = cost([emails[0].upper(), emails[1], *unusable, "bad"])
    assert cost([*emails, *unusable, "bad", emails[0].upper()]) == few
    with v2_client(server, alice) as client:
        too_many = client.post("/user/access/check-access-by-email", json={"emails": ["a@example.com"] * 101})
        assert too_many.status_code == 400


def _publish(person: Person, page: dict, times: int) -> None:
    for _ in range(times):
        current = person.api.get(f"/content/{page['id']}").json()
        update = {
            "type": "page",
            "title": current["title"],
            "version": {"number": current["version"]["number"] + 1},
            "body": {"storage": {"value": "<p>again</p>", "representation": "storage"}},
        }
        assert person.api.put(f"/content/{page['id']}", json=update).status_code == 200


def test_current_versions_are_read_pair_by_pair(server: RunningServer, alice: Person) -> None:
    """A page with many versions beside pages whose current versions span those numbers: only
    each page's current version is read, not every version whose number some page has."""
    from localfluence.content import repository

    key = unique_key()
    assert alice.api.post("/space", json={"key": key, "name": "Versions"}).status_code == 200
    pages = [create_page(alice, key) for _ in range(3)]
    for page, times in zip(pages, (3, 0, 1), strict=True):
        _publish(alice, page, times)
    ids = [int(p["id"]) for p in pages]
    keys = [(ids[0], 4), (ids[1], 1), (ids[2], 2)]
    with transaction(server.runtime.sessions) as session:
        rows = repository.current_versions_of_many(session, ids)
        assert set(repository.version_rows_of_many(session, keys)) == set(keys)
        loaded: list[tuple[int, int]] = []

        def load(version: ContentVersion, _context) -> None:  # type: ignore[no-untyped-def]
            loaded.append((version.content_id, version.number))

        event.listen(ContentVersion, "load", load)
        try:
            assert set(repository.versions_of_many(session, keys)) == set(keys)
        finally:
            event.remove(ContentVersion, "load", load)
        # Exactly the three versions asked for were read.
        assert sorted(loaded) == sorted(keys)
    # Cross-pairing ids {a, b, c} with numbers {4, 1, 2} read 6 rows (a1, a2, a4, b1, c1, c2).
    assert sorted((row[0], row[1], row[2].number) for row in rows) == sorted(
        [(ids[0], 4, 4), (ids[1], 1, 1), (ids[2], 2, 2)]
    )
    listed = alice.api.get("/content", params={"spaceKey": key, "expand": "version,history,body.storage"}).json()
    wanted = {p["id"] for p in pages}
    numbers = {
        r["id"]: (r["version"]["number"], r["version"]["by"]["accountId"])
        for r in listed["results"]
        if r["id"] in wanted
    }
    assert numbers == {p["id"]: (n, alice.account_id) for p, n in zip(pages, (4, 1, 2), strict=True)}
