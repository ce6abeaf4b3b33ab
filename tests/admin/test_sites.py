"""Several sites in one server (/_localfluence/sites): each with its own data, admin, reset, fault
rules, journal, clock and worker, reached at /site/NAME/... or as NAME.localhost."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from localfluence.db.session import transaction
from localfluence.models import LongTask
from localfluence.testing.server import LocalfluenceServer, SiteAddress, start_server
from tests.admin.conftest import make_page, make_space
from tests.server import database_for_worker
from tests.tasks import wait_for_task


def new_name() -> str:
    return f"t-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def sites(site: LocalfluenceServer) -> Iterator[list[SiteAddress]]:
    """Two fresh sites of the admin tests' server, deleted afterwards."""
    made = [site.create_site(new_name()) for _ in range(2)]
    yield made
    for one in made:
        one.close()
        try:
            site.admin.delete_site(one.url.rsplit("/", 1)[1])
        except Exception:  # noqa: BLE001 - a test may have deleted it
            pass


def client(where: SiteAddress | LocalfluenceServer) -> httpx.Client:
    return httpx.Client(base_url=where.api_url, auth=where.auth, timeout=30)


def test_two_sites_hold_separate_data_with_the_same_ids(sites: list[SiteAddress], site: LocalfluenceServer) -> None:
    a, b = sites
    with client(a) as api_a, client(b) as api_b, client(site) as api_default:
        space_a = make_space(api_a, "SAME")
        page_a = make_page(api_a, "SAME", "Only in A")
        assert api_b.get(f"/content/{page_a['id']}").status_code == 404
        assert api_b.get("/space/SAME").status_code == 404
        assert api_default.get("/space/SAME").status_code == 404
        assert api_b.get("/content/search", params={"cql": 'title = "Only in A"'}).json()["size"] == 0

        # The same key in B, and, both databases being fresh, the same ids.
        space_b = make_space(api_b, "SAME")
        page_b = make_page(api_b, "SAME", "Only in B")
        assert space_b["homepage"]["id"] == space_a["homepage"]["id"]
        assert page_b["id"] == page_a["id"]
        assert api_a.get(f"/content/{page_a['id']}").json()["title"] == "Only in A"
        assert api_b.get(f"/content/{page_b['id']}").json()["title"] == "Only in B"


def test_links_point_at_the_site_it_was_reached_by(sites: list[SiteAddress], site: LocalfluenceServer) -> None:
    a, _ = sites
    name = a.url.rsplit("/", 1)[1]
    with client(a) as api:
        page = make_page(api, make_space(api)["key"], "Linked")
        body = api.get(f"/content/{page['id']}").json()
    assert body["_links"]["base"] == a.url + "/wiki"
    assert body["_links"]["context"] == "/site/" + name + "/wiki"
    # The links work: base + webui and base + self-relative API links reach the same site.
    assert httpx.get(body["_links"]["self"], auth=a.auth).json()["id"] == page["id"]
    # Server-style paths (/rest/api at the root) through the prefix too.
    server_style = httpx.get(f"{a.url}/rest/api/content/{page['id']}", auth=a.auth).json()
    assert server_style["_links"]["base"] == a.url

    # By host name: NAME.localhost, the links' base is that host.
    port = site.url.rsplit(":", 1)[1]
    by_host = httpx.get(
        f"{site.url}/wiki/rest/api/content/{page['id']}", auth=a.auth, headers={"Host": f"{name}.localhost:{port}"}
    )
    assert by_host.status_code == 200, by_host.text
    assert by_host.json()["_links"]["base"] == f"http://{name}.localhost:{port}/wiki"


def test_reset_of_one_site_leaves_the_others_intact(sites: list[SiteAddress], site: LocalfluenceServer) -> None:
    a, b = sites
    with client(a) as api_a, client(b) as api_b, client(site) as api_default:
        make_space(api_a, "KEEPA")
        make_space(api_b, "GOB")
        make_space(api_default, "KEEPD")
        b.admin.reset()
        assert api_b.get("/space/GOB").status_code == 404
        assert api_a.get("/space/KEEPA").status_code == 200
        assert api_default.get("/space/KEEPD").status_code == 200
        # The site's admin and token survive its reset.
        assert api_b.get("/user/current").json()["email"] == b.admin_email
        site.admin.reset()
        assert api_a.get("/space/KEEPA").status_code == 200


def test_each_site_has_its_own_admin(sites: list[SiteAddress], site: LocalfluenceServer) -> None:
    a, b = sites
    assert a.admin_token != b.admin_token != site.admin_token
    assert httpx.get(a.api_url + "/space", auth=site.auth).status_code == 401
    assert httpx.get(a.api_url + "/space", auth=b.auth).status_code == 401
    assert httpx.get(site.api_url + "/space", auth=a.auth).status_code == 401
    # A site's admin uses its own site's admin API, but cannot manage sites.
    assert httpx.get(a.url + "/_localfluence/sites", auth=a.auth).status_code == 404
    assert httpx.post(a.url + "/_localfluence/sites", auth=a.auth, json={"name": new_name()}).status_code == 404
    # A chosen token and email.
    name = new_name()
    made = site.admin.create_site(name, admin_email="boss@example.com", admin_token="chosen-token-1")
    try:
        assert (made["adminEmail"], made["adminToken"]) == ("boss@example.com", "chosen-token-1")
        me = httpx.get(made["apiUrl"] + "/user/current", auth=("boss@example.com", "chosen-token-1")).json()
        assert me["email"] == "boss@example.com"
    finally:
        site.admin.delete_site(name)


def test_faults_journal_clock_and_tasks_are_per_site(sites: list[SiteAddress], site: LocalfluenceServer) -> None:
    a, b = sites
    site.admin.reset()
    a.admin.faults.add(path="/wiki/rest/api/space", method="GET", status=503)
    a.admin.clock.freeze("2020-02-02T10:00:00Z")
    b.admin.tasks.complete_after_polls(3)
    try:
        with client(a) as api_a, client(b) as api_b, client(site) as api_default:
            assert api_a.get("/space").status_code == 503
            assert api_b.get("/space").status_code == 200
            assert api_default.get("/space").status_code == 200
            # The journal of A saw its own request only, under the path a one-site client sends.
            assert a.admin.journal.count(path="/wiki/rest/api/space", status="503") == 1
            assert b.admin.journal.count(path="/wiki/rest/api/space") == 1
            assert site.admin.journal.count(path="/wiki/rest/api/space") == 1
            # A's clock is frozen; B's and the default site's run.
            when_a = make_page(api_a, make_space(api_a)["key"], "Frozen")["version"]["when"]
            when_b = make_page(api_b, make_space(api_b)["key"], "Running")["version"]["when"]
            assert when_a.startswith("2020-02-02T10:00:00")
            assert when_b.startswith(str(datetime.now(UTC).year))
            assert a.admin.clock.now()["frozen"] is True
            assert b.admin.clock.now()["frozen"] is False and site.admin.clock.now()["frozen"] is False
            assert b.admin.tasks.get()["mode"] == "polls"
            assert a.admin.tasks.get()["mode"] == site.admin.tasks.get()["mode"] == "immediate"
    finally:
        a.admin.faults.clear()
        a.admin.clock.reset()
        b.admin.tasks.complete_immediately()


def test_a_sites_worker_runs_its_queued_tasks(sites: list[SiteAddress], site: LocalfluenceServer) -> None:
    a, _ = sites
    name = a.url.rsplit("/", 1)[1]
    with client(a) as api:
        space = make_space(api)
        owner = api.get("/user/current").json()
        runtime = site._app.state.sites.get(name).runtime
        task_id = str(uuid.uuid4().int >> 64)
        from localfluence.people.service import get_user_by_email

        with transaction(runtime.sessions, write=True) as session:
            session.add(
                LongTask(
                    id=task_id,
                    name="space.delete",
                    owner_id=get_user_by_email(session, owner["email"]).id,
                    created_at=datetime.now(UTC),
                    kind="space.delete",
                    params=json.dumps({"spaceKey": space["key"]}),
                    messages="[]",
                    result="{}",
                    state="queued",
                )
            )
        runtime.worker.wake()
        status = wait_for_task(api, task_id)
        assert (status["finished"], status["successful"]) == (True, True)
        assert api.get(f"/space/{space['key']}").status_code == 404


def test_atlassian_python_api_through_a_site_url(sites: list[SiteAddress]) -> None:
    from atlassian import Confluence

    try:
        from atlassian.confluence import ConfluenceServer
    except ImportError:
        ConfluenceServer = Confluence  # noqa: N806
    a, b = sites
    with client(a) as api:
        make_space(api, "ATL")
    confluence = ConfluenceServer(url=a.wiki_url, username=a.admin_email, password=a.admin_token, cloud=True)
    try:
        page = confluence.create_page("ATL", "Published", "<p>Hello</p>")
        assert confluence.page_exists("ATL", "Published")
        found = confluence.get_page_by_title("ATL", "Published", expand="body.storage")
        # Some versions answer the search envelope rather than the page.
        found = found["results"][0] if "results" in found else found
        assert found["id"] == page["id"]
        assert found["body"]["storage"]["value"] == "<p>Hello</p>"
        children = confluence.get_all_pages_from_space("ATL")
        assert "Published" in {p["title"] for p in children}
    finally:
        confluence.close()
    assert httpx.get(f"{b.api_url}/content/{page['id']}", auth=b.auth).status_code == 404


def test_bad_and_unknown_site_names(site: LocalfluenceServer) -> None:
    bad = httpx.get(site.url + "/site/Not_Valid/wiki/rest/api/space", auth=site.auth)
    assert bad.status_code == 400 and "Invalid site name" in bad.json()["message"]
    missing = httpx.get(site.url + "/site/no-such-site/wiki/rest/api/space", auth=site.auth)
    assert missing.status_code == 404 and missing.json()["message"] == "No site named no-such-site"
    # A host that names no site is the default site (a server may itself be wiki.localhost).
    by_host = httpx.get(site.api_url + "/space", auth=site.auth, headers={"Host": "no-such-site.localhost"})
    assert by_host.status_code == 200
    assert by_host.json()["_links"]["base"].startswith("http://no-such-site.localhost")
    # Plain localhost and 127.0.0.1 are the default site.
    assert httpx.get(site.api_url + "/space", auth=site.auth, headers={"Host": "localhost"}).status_code == 200

    sites_url = site.url + "/_localfluence/sites"
    for name in ("UPPER", "under_score", "-lead", "trail-", "a" * 41, "", "a.b"):
        response = httpx.post(sites_url, auth=site.auth, json={"name": name})
        assert response.status_code == 400, (name, response.text)
    assert httpx.get(sites_url + "/no-such-site", auth=site.auth).status_code == 404
    assert httpx.delete(sites_url + "/no-such-site", auth=site.auth).status_code == 404
    assert httpx.get(sites_url + "/Bad_Name", auth=site.auth).status_code == 400
    assert httpx.get(sites_url).status_code == 401


def test_create_list_and_delete(site: LocalfluenceServer) -> None:
    name = new_name()
    made = site.admin.create_site(name)
    assert made["url"] == f"{site.url}/site/{name}"
    assert made["hostUrl"].startswith(f"http://{name}.localhost:")
    again = httpx.post(site.url + "/_localfluence/sites", auth=site.auth, json={"name": name})
    assert again.status_code == 409
    assert name in {s["name"] for s in site.admin.list_sites()}
    auth = (made["adminEmail"], made["adminToken"])
    assert httpx.post(made["apiUrl"] + "/space", auth=auth, json={"key": "GONE", "name": "x"}).status_code == 200

    site.admin.delete_site(name)
    assert name not in {s["name"] for s in site.admin.list_sites()}
    assert httpx.get(made["apiUrl"] + "/space", auth=auth).status_code == 404
    assert not (site.settings.data_dir / "sites" / name).exists()
    # The name can be used again, for an empty site.
    remade = site.admin.create_site(name)
    try:
        auth = (remade["adminEmail"], remade["adminToken"])
        assert httpx.get(remade["apiUrl"] + "/space/GONE", auth=auth).status_code == 404
    finally:
        site.admin.delete_site(name)


def test_only_site_admins_manage_sites(site: LocalfluenceServer) -> None:
    site.admin.seed({"users": [{"email": "plain@example.com", "displayName": "Plain", "token": "plain-token-1"}]})
    response = httpx.post(
        site.url + "/_localfluence/sites", auth=("plain@example.com", "plain-token-1"), json={"name": new_name()}
    )
    assert response.status_code == 403


def test_sites_survive_a_restart_and_answer_at_every_path(tmp_path: Path) -> None:
    database_url = database_for_worker(tmp_path)
    server = start_server(data_dir=tmp_path, database_url=database_url, admin_token="restart-admin-1")
    try:
        made = server.create_site("kept", admin_token="kept-token-1")
        assert httpx.get(made.url + "/status").json() == {"state": "RUNNING"}
        assert httpx.get(made.url + "/_localfluence/health").json()["database"] == "ok"
        with client(made) as api:
            make_space(api, "KEPT")
    finally:
        server.stop()
    again = start_server(data_dir=tmp_path, database_url=database_url, admin_token="restart-admin-1")
    try:
        assert [s["name"] for s in again.admin.list_sites()] == ["kept"]
        auth = ("admin@example.com", "kept-token-1")
        assert httpx.get(again.url + "/site/kept/wiki/rest/api/space/KEPT", auth=auth).status_code == 200
        assert httpx.get(again.api_url + "/space/KEPT", auth=again.auth).status_code == 404
    finally:
        again.stop()
