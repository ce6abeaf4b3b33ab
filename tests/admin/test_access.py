"""Who may use /_localfluence, and switching it off."""

from __future__ import annotations

import httpx
import pytest

from localfluence.testing.server import LocalfluenceServer, start_server
from tests.admin.conftest import make_user


def test_anonymous_is_401_and_a_user_403(lf: LocalfluenceServer) -> None:
    anonymous = httpx.post(lf.url + "/_localfluence/reset")
    assert anonymous.status_code == 401
    assert anonymous.json()["statusCode"] == 401
    user = make_user(lf, "plain@example.com", "plain-user-token")
    forbidden = httpx.post(lf.url + "/_localfluence/reset", auth=user)
    assert forbidden.status_code == 403
    assert "site administrators" in forbidden.json()["message"]
    assert httpx.get(lf.url + "/_localfluence/faults", auth=user).status_code == 403


def test_another_site_admin_may(lf: LocalfluenceServer) -> None:
    other = make_user(lf, "second-admin@example.com", "second-admin-token", admin=True)
    assert httpx.get(lf.url + "/_localfluence/journal", auth=other).status_code == 200


def test_health_needs_no_login(lf: LocalfluenceServer) -> None:
    response = httpx.get(lf.url + "/_localfluence/health")
    assert response.status_code == 200
    assert response.json()["state"] == "RUNNING"
    assert response.json()["database"] == "ok"


def test_documented_in_our_openapi(lf: LocalfluenceServer) -> None:
    spec = httpx.get(lf.url + "/openapi.json", timeout=120).json()
    reset = spec["paths"]["/_localfluence/reset"]["post"]
    assert reset["summary"] and reset["tags"] == ["localfluence: site"]
    assert "/_localfluence/faults/rate-limit" in spec["paths"]


@pytest.fixture(scope="module")
def switched_off(tmp_path_factory: pytest.TempPathFactory):
    server = start_server(data_dir=tmp_path_factory.mktemp("off"), admin_api=False)
    yield server
    server.stop()


def test_switched_off_by_configuration(switched_off: LocalfluenceServer) -> None:
    for method, path in (("POST", "/reset"), ("GET", "/health"), ("GET", "/journal"), ("POST", "/faults")):
        response = httpx.request(method, switched_off.url + "/_localfluence" + path, auth=switched_off.auth)
        assert response.status_code == 404, path
    # The site itself works as ever, and nothing wraps its requests.
    assert httpx.get(switched_off.url + "/wiki/rest/api/space", auth=switched_off.auth).status_code == 200
    assert not hasattr(switched_off.runtime, "faults")
