"""The cast and the server every API test talks to over real HTTP.

The suite runs on SQLite by default and on PostgreSQL when LOCALFLUENCE_TEST_DATABASE_URL is set
(`--db=postgresql` insists on it). One server per test process; tests isolate themselves by
creating their own spaces, users and groups with unique names."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from localfluence.db.session import transaction
from localfluence.people import service as people
from tests.server import ADMIN_EMAIL, ADMIN_TOKEN, RunningServer, database_for_worker, start_server


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--db", choices=("sqlite", "postgresql"), default=None, help="database to run the suite on")


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--db") == "postgresql" and not os.environ.get("LOCALFLUENCE_TEST_DATABASE_URL"):
        raise pytest.UsageError("--db=postgresql needs LOCALFLUENCE_TEST_DATABASE_URL (see scripts/pg-throwaway)")
    if config.getoption("--db") == "sqlite":
        os.environ.pop("LOCALFLUENCE_TEST_DATABASE_URL", None)


# Every client the cast creates, kept alive and closed when the server stops: a client garbage
# collected with an open connection raises a ResourceWarning, which fails whatever test runs then.
_clients: list[httpx.Client] = []


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    data_dir = tmp_path_factory.mktemp("localfluence-data")
    running = start_server(data_dir, database_for_worker(data_dir))
    yield running
    while _clients:
        _clients.pop().close()
    running.stop()


@pytest.fixture(scope="session")
def db_name(server: RunningServer) -> str:
    return server.runtime.engine.dialect.name


@dataclass
class Person:
    """A user of the cast: their account id, email, token, and an API client that speaks as them."""

    account_id: str
    email: str
    token: str
    api: httpx.Client
    server_api: httpx.Client

    def close(self) -> None:
        # Unclosed clients leave sockets behind, which the suite's warnings-are-errors policy fails on.
        self.api.close()
        self.server_api.close()


def _client(server: RunningServer, prefix: str, auth: tuple[str, str] | None) -> httpx.Client:
    client = httpx.Client(base_url=server.url + prefix, auth=auth, timeout=30)
    _clients.append(client)
    return client


def make_person(server: RunningServer, name: str, *, admin: bool = False) -> Person:
    email = f"{'-'.join(name.lower().split())}-{uuid.uuid4().hex[:8]}@example.com"
    with transaction(server.runtime.sessions, write=True) as session:
        user = people.create_user(session, email=email, display_name=name, admin=admin)
        token = people.create_token(session, user)
        account_id = user.account_id
    return Person(
        account_id=account_id,
        email=email,
        token=token,
        api=_client(server, "/wiki/rest/api", (email, token)),
        server_api=_client(server, "/rest/api", (email, token)),
    )


@pytest.fixture(scope="session")
def admin(server: RunningServer) -> Iterator[Person]:
    with transaction(server.runtime.sessions) as session:
        account_id = people.get_user_by_email(session, ADMIN_EMAIL).account_id
    person = Person(
        account_id=account_id,
        email=ADMIN_EMAIL,
        token=ADMIN_TOKEN,
        api=_client(server, "/wiki/rest/api", (ADMIN_EMAIL, ADMIN_TOKEN)),
        server_api=_client(server, "/rest/api", (ADMIN_EMAIL, ADMIN_TOKEN)),
    )
    yield person
    person.close()


@pytest.fixture
def alice(server: RunningServer) -> Iterator[Person]:
    person = make_person(server, "Alice")
    yield person
    person.close()


@pytest.fixture
def bob(server: RunningServer) -> Iterator[Person]:
    person = make_person(server, "Bob")
    yield person
    person.close()


@pytest.fixture
def anonymous(server: RunningServer) -> Iterator[httpx.Client]:
    client = _client(server, "/wiki/rest/api", None)
    yield client
    client.close()


def unique_key(prefix: str = "T") -> str:
    return f"{prefix}{uuid.uuid4().hex[:10].upper()}"


@pytest.fixture
def space(admin: Person) -> dict:
    """A fresh global space owned by the admin."""
    response = admin.api.post("/space", json={"key": unique_key(), "name": f"Space {uuid.uuid4().hex[:6]}"})
    assert response.status_code == 200, response.text
    return response.json()


def create_page(
    person: Person,
    space_key: str,
    title: str | None = None,
    *,
    parent: str | None = None,
    body: str = "<p>Hello</p>",
    type: str = "page",
    **extra: object,
) -> dict:
    payload: dict = {
        "type": type,
        "title": title or f"Page {uuid.uuid4().hex[:8]}",
        "space": {"key": space_key},
        "body": {"storage": {"value": body, "representation": "storage"}},
        **extra,
    }
    if parent:
        payload["ancestors"] = [{"id": parent}]
    response = person.api.post("/content", json=payload)
    assert response.status_code == 200, response.text
    return response.json()
