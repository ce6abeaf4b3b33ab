"""POST /_localfluence/reset: the whole site or one space, in one transaction."""

from __future__ import annotations

import threading
import time

import httpx
from sqlalchemy import func, select

from localfluence.models import ApiToken, Content, ContentAncestor, ContentVersion, Group, Space, User
from localfluence.testing.server import LocalfluenceServer
from tests.admin.conftest import make_page, make_space, make_user


def count(lf: LocalfluenceServer, model: type) -> int:
    with lf.runtime.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_reset_empties_the_site_but_keeps_the_admin_and_its_token(lf: LocalfluenceServer, api: httpx.Client) -> None:
    space = make_space(api, "KEEPNOT")
    make_page(api, space["key"], "A page")
    make_user(lf, "gone@example.com", "gone-user-token")
    admin_account = api.get("/user/current").json()["accountId"]

    report = lf.admin.reset()

    assert report["scope"] == "site" and report["removedContent"] == 2
    assert api.get("/space/KEEPNOT").status_code == 404
    assert count(lf, Space) == 0 and count(lf, Content) == 0 and count(lf, ContentVersion) == 0
    # The same admin, with the same token and account id; the default groups are back.
    assert api.get("/user/current").json()["accountId"] == admin_account
    assert count(lf, User) == 1 and count(lf, ApiToken) == 1
    with lf.runtime.sessions() as session:
        groups = set(session.scalars(select(Group.name)))
    assert groups == {"confluence-users", "confluence-administrators"}
    assert httpx.get(lf.api_url + "/space", auth=("gone@example.com", "gone-user-token")).status_code == 401
    # The admin can still do everything, e.g. create a space with the same key again.
    make_space(api, "KEEPNOT")


def test_ids_start_over_after_a_reset(lf: LocalfluenceServer, api: httpx.Client) -> None:
    first = make_space(api, "IDS")
    lf.admin.reset()
    again = make_space(api, "IDS")
    assert again["id"] == first["id"]
    assert again["homepage"]["id"] == first["homepage"]["id"]


def test_reset_one_space_leaves_the_others(lf: LocalfluenceServer, api: httpx.Client) -> None:
    gone = make_space(api, "GONE")
    kept = make_space(api, "KEPT")
    make_page(api, "GONE", "Doomed", parent=gone["homepage"]["id"])
    survivor = make_page(api, "KEPT", "Survivor", parent=kept["homepage"]["id"])

    report = lf.admin.reset(space_key="GONE")

    assert report == {"scope": "space:GONE", "removedContent": 2, "durationMs": report["durationMs"]}
    assert api.get("/space/GONE").status_code == 404
    assert api.get(f"/content/{survivor['id']}").status_code == 200
    with lf.runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ContentAncestor)) == 3  # KEPT: home, survivor→home


def test_reset_of_an_unknown_space_is_404(lf: LocalfluenceServer) -> None:
    response = lf.admin.http.post("/reset", params={"spaceKey": "NOPE"})
    assert response.status_code == 404
    assert response.json()["message"] == "No space with key : NOPE"


def test_reset_clears_faults_journal_clock_and_task_setting(lf: LocalfluenceServer, api: httpx.Client) -> None:
    lf.admin.faults.add(path="/nothing/*", status=500)
    api.get("/space")
    lf.admin.clock.freeze("2020-01-01T00:00:00Z")
    lf.admin.tasks.complete_after_polls(3)

    lf.admin.reset()

    assert lf.admin.faults.list() == []
    assert lf.admin.journal.entries() == []
    assert lf.admin.clock.now()["frozen"] is False
    assert lf.admin.tasks.get()["mode"] == "immediate"


def test_reset_during_concurrent_requests_leaves_the_site_consistent(lf: LocalfluenceServer) -> None:
    """Writers keep creating pages while resets run; every reset succeeds, and afterwards every
    page has its space, its version and its ancestry row. (Writers racing a reset may be refused:
    on SQLite a write whose read snapshot a commit made stale fails as "database is locked", on
    PostgreSQL a page whose space was just removed fails its foreign key; neither half-writes.)"""
    setup = httpx.Client(base_url=lf.api_url, auth=lf.auth, timeout=60)
    make_space(setup, "BUSY")
    stop = threading.Event()
    statuses: list[int | str] = []

    def writer(n: int) -> None:
        with httpx.Client(base_url=lf.api_url, auth=lf.auth, timeout=60) as client:
            i = 0
            while not stop.is_set():
                i += 1
                try:
                    if client.get("/space/BUSY").status_code == 404:
                        client.post("/space", json={"key": "BUSY", "name": "Busy"})
                        continue
                except httpx.TransportError:
                    continue
                payload = {
                    "type": "page",
                    "title": f"w{n}-{i}",
                    "space": {"key": "BUSY"},
                    "body": {"storage": {"value": "<p>x</p>", "representation": "storage"}},
                }
                try:
                    statuses.append(client.post("/content", json=payload).status_code)
                except httpx.TransportError as exc:
                    statuses.append(type(exc).__name__)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    try:
        deadline = time.monotonic() + 60
        for _ in range(5):
            # Let the writers get some pages in before each reset.
            seen = statuses.count(200)
            while statuses.count(200) < seen + 3 and time.monotonic() < deadline:
                time.sleep(0.01)
            lf.admin.reset()
    finally:
        stop.set()
        for t in threads:
            t.join()
        setup.close()

    assert statuses.count(200) > 0, statuses
    with lf.runtime.sessions() as session:
        pages = session.scalar(select(func.count()).select_from(Content))
        orphans = session.scalar(
            select(func.count()).select_from(Content).where(~Content.space_id.in_(select(Space.id)))
        )
        unversioned = session.scalar(
            select(func.count()).select_from(Content).where(~Content.id.in_(select(ContentVersion.content_id)))
        )
        unrooted = session.scalar(
            select(func.count())
            .select_from(Content)
            .where(~Content.id.in_(select(ContentAncestor.descendant_id).where(ContentAncestor.depth == 0)))
        )
    assert orphans == 0 and unversioned == 0 and unrooted == 0, (pages, orphans, unversioned, unrooted)
    assert httpx.get(lf.api_url + "/space", auth=lf.auth).status_code == 200


def test_reset_where_the_role_may_not_skip_foreign_key_triggers(lf: LocalfluenceServer, api: httpx.Client) -> None:
    """On PostgreSQL a role without the right to set session_replication_role resets with the
    triggers on (slower, same result); SQLite never uses that path."""
    from localfluence.admin import reset as reset_module

    key = lf.runtime.engine.url.render_as_string(hide_password=True)
    space = make_space(api, "SLOW")
    make_page(api, "SLOW", "Child", parent=space["homepage"]["id"])
    reset_module._replica_refused.add(key)
    try:
        assert lf.admin.reset()["removedContent"] == 2
    finally:
        reset_module._replica_refused.discard(key)
    assert api.get("/space/SLOW").status_code == 404
    assert count(lf, Content) == 0 and count(lf, User) == 1
