"""Expansions load whole result pages at once: the number of SQL statements a listing costs does not
grow with the number of items on it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from tests.conftest import Person, create_page, unique_key
from tests.server import RunningServer

EVERYTHING = ",".join(
    [
        "version",
        "history.lastUpdated",
        "history.previousVersion",
        "history.contributors.publishers",
        "space.homepage",
        "container",
        "ancestors",
        "body.storage",
        "children.page.version",
        "descendants.page",
        "childTypes.all",
        "operations",
        "metadata.labels",
    ]
)


@contextmanager
def counting(server: RunningServer) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn, _cursor, statement, _params, _context, _many) -> None:  # type: ignore[no-untyped-def]
        # The background worker (tasks, webhooks) polls on its own thread: not the request's cost.
        if not threading.current_thread().name.startswith("localfluence-worker"):
            statements.append(statement)

    engine = server.runtime.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def statements_for(server: RunningServer, person: Person, path: str, **params: str) -> int:
    # Authentication is cached for a few seconds (auth/cache.py): warm it so that only the
    # listing's own statements are counted, however slowly the pages before were created.
    assert person.api.get("/user/current").status_code == 200
    with counting(server) as statements:
        response = person.api.get(path, params=params)
    assert response.status_code == 200, response.text
    return len(statements)


def test_listing_cost_does_not_grow_with_the_page(server: RunningServer, alice: Person) -> None:
    key = unique_key()
    assert alice.api.post("/space", json={"key": key, "name": "Batching"}).status_code == 200
    parent = create_page(alice, key, "Parent")

    def add_children(n: int) -> None:
        for _ in range(n):
            child = create_page(alice, key, parent=parent["id"], metadata={"labels": [{"name": "l"}]})
            create_page(alice, key, parent=child["id"])

    add_children(2)
    listings = [
        (f"/content/{parent['id']}/child/page", {"expand": EVERYTHING}),
        (f"/content/{parent['id']}/descendant/page", {"expand": EVERYTHING}),
        ("/content", {"spaceKey": key, "expand": EVERYTHING}),
        (f"/space/{key}/content/page", {"expand": EVERYTHING}),
        ("/space", {"spaceKey": key, "expand": "homepage.version,description.plain,icon"}),
    ]
    few = [statements_for(server, alice, path, **params) for path, params in listings]
    add_children(8)
    many = [statements_for(server, alice, path, **params) for path, params in listings]
    assert many == few, list(zip((p for p, _ in listings), few, many, strict=True))
