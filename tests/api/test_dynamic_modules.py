"""Dynamic modules: register, list and remove, for apps identified by their credentials."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from localfluence.cli.main import app as cli
from localfluence.config import Settings
from localfluence.db.session import transaction
from localfluence.models import User
from localfluence.people import service as people
from localfluence.runtime import Runtime
from tests.api.spec_shapes import assert_shape
from tests.conftest import Person
from tests.server import RunningServer, database_for_worker

PATH = "/atlassian-connect/1/app/module/dynamic"
WEB_ITEM = {
    "key": "my-webitem",
    "location": "system.admin/globalsettings",
    "url": "/my-web-item",
    "name": {"value": "My Web Item"},
}
ADMIN_PAGE = {"key": "my-admin-page", "name": {"value": "My Admin Page"}, "url": "/my-admin-page"}


def _app(server: RunningServer) -> tuple[str, httpx.Client]:
    key = f"com.example.app-{uuid.uuid4().hex[:8]}"
    with transaction(server.runtime.sessions, write=True) as session:
        user = people.create_user(session, email=f"{key}@connect.example.com", display_name=key, username=key)
        user.account_type = "app"
        token = people.create_token(session, user)
        email = user.email
    return key, httpx.Client(base_url=server.url, auth=(email, token), timeout=30)


@pytest.fixture
def connect_app(server: RunningServer) -> Iterator[tuple[str, httpx.Client]]:
    key, client = _app(server)
    yield key, client
    client.close()


def test_register_list_remove(connect_app: tuple[str, httpx.Client], server: RunningServer) -> None:
    key, client = connect_app
    empty = client.get(PATH)
    assert empty.status_code == 200 and empty.json() == {"modules": []}
    registered = client.post(PATH, json={"webItems": [WEB_ITEM], "adminPages": [ADMIN_PAGE]})
    assert registered.status_code == 200, registered.text
    listed = client.get(PATH).json()
    assert_shape(listed, "ConnectModules")
    assert listed["modules"] == [WEB_ITEM, ADMIN_PAGE]
    # The spec's own schema form: a flat list of modules.
    flat = client.post(PATH, json={"modules": [{"key": "flat-one", "name": {"value": "Flat"}}]})
    assert flat.status_code == 200, flat.text
    # Cloud's URL (/wiki/rest/atlassian-connect/...) is the same resource.
    cloud = httpx.get(server.url + "/wiki/rest" + PATH, auth=client.auth, timeout=30)
    assert [m["key"] for m in cloud.json()["modules"]] == ["my-webitem", "my-admin-page", "flat-one"]

    # Other apps see only their own modules, and may use the same keys.
    other_key, other = _app(server)
    assert other.get(PATH).json() == {"modules": []}
    assert other.post(PATH, json={"webItems": [WEB_ITEM]}).status_code == 200
    other.close()

    assert client.delete(PATH, params={"moduleKey": ["my-webitem", "no-such-key"]}).status_code == 204
    assert [m["key"] for m in client.get(PATH).json()["modules"]] == ["my-admin-page", "flat-one"]
    assert client.delete(PATH, params={"moduleKey": "my-admin-page,flat-one"}).status_code == 204
    assert client.get(PATH).json() == {"modules": []}
    client.post(PATH, json={"webItems": [WEB_ITEM]})
    assert client.delete(PATH).status_code == 204
    assert client.get(PATH).json() == {"modules": []}


def test_register_validation(connect_app: tuple[str, httpx.Client]) -> None:
    key, client = connect_app
    assert client.post(PATH, json={"webItems": [WEB_ITEM]}).status_code == 200
    duplicate = client.post(PATH, json={"adminPages": [ADMIN_PAGE], "webItems": [WEB_ITEM]})
    assert duplicate.status_code == 400
    assert_shape(duplicate.json(), "DynamicModulesErrorMessage")
    assert duplicate.json() == {
        "message": f"Installation failed. The app {key} has duplicate module keys: [my-webitem]. "
        "Please contact the app vendor."
    }
    twice = client.post(PATH, json={"adminPages": [ADMIN_PAGE, ADMIN_PAGE]})
    assert twice.status_code == 400 and "[my-admin-page]" in twice.json()["message"]
    bad_bodies = [
        {},
        [WEB_ITEM],
        {"webItems": WEB_ITEM},
        {"webItems": ["x"]},
        {"unknownThings": [WEB_ITEM]},
        {"webItems": [{k: v for k, v in WEB_ITEM.items() if k != "location"}]},
        {"webItems": [{**WEB_ITEM, "key": "Bad Key!"}]},
        {"webItems": [{**WEB_ITEM, "key": 5}]},
        {"webItems": [{**WEB_ITEM, "name": "plain string"}]},
        {"adminPages": [{"key": "k", "name": {"value": "n"}}]},
        {"modules": [{"name": {"value": "no key"}}]},
        {"webItems": [{**WEB_ITEM, "key": f"k{i}"} for i in range(101)]},
    ]
    for body in bad_bodies:
        response = client.post(PATH, json=body)
        assert response.status_code == 400, (body, response.text)
        assert_shape(response.json(), "DynamicModulesErrorMessage")
        assert response.json()["message"].startswith("Installation failed.")
    not_json = client.post(PATH, content=b"{nope", headers={"content-type": "text/plain"})
    assert not_json.status_code == 400
    # Refused requests left nothing behind.
    assert [m["key"] for m in client.get(PATH).json()["modules"]] == ["my-webitem"]
    # */*: a JSON body sent under another content type is still read.
    typed = client.post(
        PATH, content=json.dumps({"adminPages": [ADMIN_PAGE]}).encode(), headers={"content-type": "text/plain"}
    )
    assert typed.status_code == 200, typed.text


def test_only_apps_may_call(server: RunningServer, admin: Person, alice: Person) -> None:
    anonymous = httpx.Client(base_url=server.url, timeout=30)
    admin_client = httpx.Client(base_url=server.url, auth=admin.api.auth, timeout=30)
    alice_client = httpx.Client(base_url=server.url, auth=alice.api.auth, timeout=30)
    try:
        for client in (anonymous, admin_client, alice_client):
            for response in (
                client.get(PATH),
                client.post(PATH, json={"webItems": [WEB_ITEM]}),
                client.delete(PATH, params={"moduleKey": "x"}),
            ):
                assert response.status_code == 401, response.text
                assert_shape(response.json(), "DynamicModulesErrorMessage")
                assert response.json()["message"] == "The request is not from a Connect app."
        wrong = httpx.get(server.url + PATH, auth=("nobody@example.com", "wrong"), timeout=30)
        assert wrong.status_code == 401 and "message" in wrong.json()
    finally:
        anonymous.close()
        admin_client.close()
        alice_client.close()


def test_cli_creates_app_accounts(tmp_path: Path, server: RunningServer) -> None:
    args = ["--data-dir", str(tmp_path)]
    url = database_for_worker(tmp_path)
    if url:
        args += ["--database-url", url]
    runner = CliRunner()
    result = runner.invoke(
        cli,
        [
            "user",
            "create",
            "--email",
            "bot@example.com",
            "--name",
            "Bot",
            "--app",
            "--username",
            "com.example.bot",
            *args,
        ],
    )
    assert result.exit_code == 0, result.output
    runtime = Runtime.build(Settings(data_dir=tmp_path, database_url=url or ""))
    try:
        with transaction(runtime.sessions) as session:
            user = session.query(User).filter_by(email="bot@example.com").one()
            assert (user.account_type, user.username) == ("app", "com.example.bot")
    finally:
        runtime.engine.dispose()
