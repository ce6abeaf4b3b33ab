"""The pytest plugin, as a user of localfluence meets it: a test module of theirs, run by pytester
in a fresh interpreter, using the fixtures with atlassian-python-api."""

from __future__ import annotations

from importlib.metadata import entry_points

import pytest

pytest_plugins = ("pytester",)

CONFTEST = """
import pytest
from atlassian import Confluence

try:  # atlassian-python-api 5 keeps the v1 helpers (create_page, ...) on ConfluenceServer
    from atlassian.confluence import ConfluenceServer
except ImportError:
    ConfluenceServer = Confluence


@pytest.fixture
def confluence(localfluence):
    client = Confluence(url=localfluence.wiki_url, username=localfluence.admin_email,
                        password=localfluence.admin_token, cloud=True)
    if not hasattr(client, "create_page"):
        client = ConfluenceServer(url=localfluence.wiki_url, username=localfluence.admin_email,
                                  password=localfluence.admin_token, cloud=True,
                                  backoff_and_retry=True, max_backoff_seconds=1)
    yield client
    client.close()
"""

SEED = """
users:
  - email: writer@example.com
    displayName: Writer
    token: writer-token-123
spaces:
  - key: DOCS
    name: Documentation
    homepage:
      children:
        - title: Release notes
          body: <p>v1</p>
"""

USER_TESTS = """
import httpx


def test_publish_a_page(confluence, localfluence):
    page = confluence.create_page("DOCS", "Getting started", "<p>Hello</p>")
    assert confluence.page_exists("DOCS", "Getting started")
    assert confluence.get_page_by_id(page["id"], expand="body.storage")["body"]["storage"]["value"] == "<p>Hello</p>"
    assert localfluence.journal.count(method="POST", path="/wiki/rest/api/content", status="200") == 1


def test_each_test_starts_from_the_seed(confluence):
    # The page the previous test made is gone; the seeded page is there, once.
    assert not confluence.page_exists("DOCS", "Getting started")
    assert confluence.page_exists("DOCS", "Release notes")
    spaces = confluence.get("rest/api/space")["results"]
    assert [s["key"] for s in spaces] == ["DOCS"]


def test_delete_a_seeded_page(confluence):
    page = confluence.get_page_by_title("DOCS", "Release notes")
    page_id = page["id"] if "id" in page else page["results"][0]["id"]
    confluence.remove_page(page_id)
    assert not confluence.page_exists("DOCS", "Release notes")


def test_the_deleted_page_is_back(confluence):
    assert confluence.page_exists("DOCS", "Release notes")


def test_seeded_users_log_in(localfluence):
    with httpx.Client(base_url=localfluence.api_url, auth=("writer@example.com", "writer-token-123")) as client:
        assert client.get("/user/current").json()["displayName"] == "Writer"


def test_client_survives_a_429_storm(confluence, localfluence):
    localfluence.faults.rate_limit(retry_after=0, times=2, method="GET")
    assert confluence.page_exists("DOCS", "Release notes")
    assert localfluence.journal.count(status="429") == 2


def test_faults_do_not_leak_into_the_next_test(confluence, localfluence):
    assert localfluence.faults.list() == []
    assert confluence.page_exists("DOCS", "Release notes")
"""


def plugin_args() -> list[str]:
    # Installed with its entry point, pytest loads the plugin by itself; from a source checkout, ask.
    registered = any(ep.value == "localfluence.testing.plugin" for ep in entry_points(group="pytest11"))
    return [] if registered else ["-p", "localfluence.testing.plugin"]


def test_a_user_test_module_passes_with_per_test_isolation(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(CONFTEST)
    pytester.makefile(".yaml", seed=SEED)
    pytester.makeini("[pytest]\nlocalfluence_seed = seed.yaml\n")
    pytester.makepyfile(test_integration=USER_TESTS)

    result = pytester.runpytest_subprocess(
        *plugin_args(), "-p", "no:cacheprovider", "-q", "-W", "ignore::DeprecationWarning"
    )

    result.assert_outcomes(passed=7)


def test_without_a_seed_each_test_starts_empty(pytester: pytest.Pytester) -> None:
    pytester.makefile(".yaml", extra="spaces: [{key: EXTRA, name: Extra}]\n")
    pytester.makepyfile(
        test_empty="""
import pytest


def test_make_a_space(localfluence):
    with localfluence.client() as api:
        assert api.post("/space", json={"key": "TMP", "name": "Temporary"}).status_code == 200


def test_it_is_gone(localfluence):
    with localfluence.client() as api:
        assert api.get("/space/TMP").status_code == 404
        assert api.get("/space").json()["results"] == []


def test_freeze_the_clock(localfluence):
    localfluence.clock.freeze("2020-02-02T00:00:00Z")
    assert localfluence.clock.now()["frozen"]


def test_the_clock_was_reset(localfluence):
    assert not localfluence.clock.now()["frozen"]


@pytest.mark.localfluence_seed("extra.yaml")
def test_the_marker_seeds_more(localfluence):
    with localfluence.client() as api:
        assert api.get("/space/EXTRA").status_code == 200


def test_only_for_that_test(localfluence):
    with localfluence.client() as api:
        assert api.get("/space/EXTRA").status_code == 404


def test_a_failing_assertion_still_fails(localfluence):
    with localfluence.client() as api:
        assert api.get("/space/NOPE").status_code == 200
"""
    )
    result = pytester.runpytest_subprocess(*plugin_args(), "-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=6, failed=1)
