"""pytest plugin (entry point `pytest11: localfluence`): a Confluence for your tests.

Fixtures:
    localfluence_server   session: one server in a background thread on 127.0.0.1, a free port,
                          SQLite in a temporary directory (or --localfluence-database-url)
    localfluence          function: the site, reset before the test (to the seed, if one is
                          configured), with faults, journal, clock and task helpers
    localfluence_seed_file  session: the seed file (--localfluence-seed or the ini option
                          localfluence_seed); override it in a conftest.py to choose in code

    def test_publish(localfluence):
        confluence = Confluence(url=localfluence.wiki_url, username=localfluence.admin_email,
                                password=localfluence.admin_token, cloud=True)
        ...

Marker: @pytest.mark.localfluence_seed("path/to/extra.yaml") seeds more after the reset.
The plugin imports nothing heavy until a fixture is used.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from localfluence.testing.client import AdminClient
    from localfluence.testing.server import LocalfluenceServer

BASELINE = "pytest-baseline"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("localfluence", "localfluence (a Confluence Cloud REST API test double)")
    group.addoption(
        "--localfluence-database-url",
        default=None,
        help="run the localfluence fixture server on this database (default: SQLite in a temp dir)",
    )
    group.addoption("--localfluence-seed", default=None, help="seed file applied once; every test starts from it")
    parser.addini("localfluence_database_url", "database URL for the localfluence fixture server", default="")
    parser.addini("localfluence_seed", "seed file (relative to the ini file) every test starts from", default="")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "localfluence_seed(path): seed this file (relative to the test module) after the per-test reset"
    )


class Site:
    """The site as one test sees it: where it is, how to log in, and its test-double controls."""

    def __init__(self, server: LocalfluenceServer) -> None:
        self.server = server

    url = property(lambda self: self.server.url)
    wiki_url = property(lambda self: self.server.wiki_url)
    api_url = property(lambda self: self.server.api_url)
    admin_email = property(lambda self: self.server.admin_email)
    admin_token = property(lambda self: self.server.admin_token)
    auth = property(lambda self: self.server.auth)

    @property
    def admin(self) -> AdminClient:
        return self.server.admin

    @property
    def faults(self) -> Any:
        return self.admin.faults

    @property
    def journal(self) -> Any:
        return self.admin.journal

    @property
    def clock(self) -> Any:
        return self.admin.clock

    @property
    def tasks(self) -> Any:
        return self.admin.tasks

    def reset(self, *, space_key: str | None = None) -> dict[str, Any]:
        return self.admin.reset(space_key=space_key)

    def seed(self, source: str | Path | dict[str, Any]) -> dict[str, Any]:
        """A Path is read here (bodyFile references work, relative to it); text or a dict goes
        through POST /_localfluence/seed."""
        if isinstance(source, Path):
            from localfluence.seeding import load_seed_file, seed_site

            runtime = self.server.runtime
            return seed_site(runtime.sessions, runtime.settings, load_seed_file(source)).as_json()
        return self.admin.seed(source)

    def client(self, *, auth: tuple[str, str] | None = None) -> Any:
        """An httpx client on /wiki/rest/api, as the admin unless auth=(email, token) is given."""
        import httpx

        return httpx.Client(base_url=self.api_url, auth=auth or self.auth, timeout=60)


def _option(config: pytest.Config, flag: str, ini: str) -> str:
    return str(config.getoption(flag) or config.getini(ini) or "")


@pytest.fixture(scope="session")
def localfluence_seed_file(pytestconfig: pytest.Config) -> Path | None:
    flag = pytestconfig.getoption("--localfluence-seed")
    if flag:
        return Path(flag).resolve()
    ini = pytestconfig.getini("localfluence_seed")
    if ini:
        base = pytestconfig.inipath.parent if pytestconfig.inipath else pytestconfig.rootpath
        return (base / str(ini)).resolve()
    return None


@pytest.fixture(scope="session")
def localfluence_server(
    pytestconfig: pytest.Config, localfluence_seed_file: Path | None
) -> Iterator[LocalfluenceServer]:
    from localfluence.testing.server import start_server

    database_url = _option(pytestconfig, "--localfluence-database-url", "localfluence_database_url")
    server = start_server(database_url=database_url)
    try:
        if database_url:
            server.admin.reset()  # a given database may hold an earlier run's data
        if localfluence_seed_file is not None:
            Site(server).seed(localfluence_seed_file)
            server.admin.save_snapshot(BASELINE)
        yield server
    finally:
        server.stop()


@pytest.fixture
def localfluence(
    request: pytest.FixtureRequest, localfluence_server: LocalfluenceServer, localfluence_seed_file: Path | None
) -> Site:
    """The site, reset for this test: data (to the seed, if any), fault rules, journal, clock and
    the task setting."""
    localfluence_server.admin.reset(snapshot=BASELINE if localfluence_seed_file is not None else None)
    site = Site(localfluence_server)
    for marker in request.node.iter_markers("localfluence_seed"):
        path = Path(marker.args[0])
        if not path.is_absolute():
            path = Path(str(request.node.fspath)).parent / path
        site.seed(path)
    return site
