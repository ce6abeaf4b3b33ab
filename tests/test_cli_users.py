"""`localfluence user deactivate/activate/delete` and `token create --scope` on a fresh database."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from localfluence.auth.credentials import authenticate
from localfluence.cli.main import app
from localfluence.config import Settings
from localfluence.db.session import transaction
from localfluence.errors import NotAuthenticated
from localfluence.runtime import Runtime
from tests.server import database_for_worker

runner = CliRunner()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[list[str]]:
    args = ["--data-dir", str(tmp_path)]
    url = database_for_worker(tmp_path)
    if url:
        args += ["--database-url", url]
    yield args


def run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout.strip().splitlines()[-1]


def fails(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 1, result.output
    # rich wraps long messages to the terminal width.
    return " ".join(result.output.split())


def principal(site: list[str], email: str, token: str):  # type: ignore[no-untyped-def]
    settings = Settings(data_dir=Path(site[1]), database_url=site[3] if len(site) > 2 else "")
    runtime = Runtime.build(settings)
    try:
        with transaction(runtime.sessions) as session:
            header = "Basic " + base64.b64encode(f"{email}:{token}".encode()).decode()
            return authenticate(session, header)
    finally:
        runtime.engine.dispose()


def test_scoped_tokens_from_the_cli(site: list[str]) -> None:
    run("user", "create", "--email", "erin@example.com", "--name", "Erin", *site)
    token = run("token", "create", "--email", "erin@example.com", "--scope", "read:confluence-user", *site)
    assert principal(site, "erin@example.com", token).scopes == frozenset({"read:confluence-user"})
    token = run(
        "token", "create", "--email", "erin@example.com", "--scope", "read:page:confluence write:page:confluence", *site
    )
    assert principal(site, "erin@example.com", token).scopes == {"read:page:confluence", "write:page:confluence"}
    unscoped = run("token", "create", "--email", "erin@example.com", *site)
    assert principal(site, "erin@example.com", unscoped).scopes is None
    assert "Unknown scope: read:everything" in fails(
        "token", "create", "--email", "erin@example.com", "--scope", "read:everything", *site
    )


def test_deactivate_activate_delete(site: list[str]) -> None:
    account_id = run("user", "create", "--email", "finn@example.com", "--name", "Finn", *site)
    token = run("token", "create", "--email", "finn@example.com", *site)
    assert run("user", "deactivate", "--email", "finn@example.com", *site) == account_id
    with pytest.raises(NotAuthenticated):
        principal(site, "finn@example.com", token)
    assert run("user", "activate", "--email", "finn@example.com", *site) == account_id
    assert principal(site, "finn@example.com", token).account_id == account_id
    assert run("user", "delete", "--email", "finn@example.com", *site) == account_id
    with pytest.raises(NotAuthenticated):
        principal(site, "finn@example.com", token)
    assert "No user with email" in fails("user", "delete", "--email", "finn@example.com", *site)
    listing = runner.invoke(app, ["user", "list", *site]).stdout
    assert "finn@example.com" not in listing


def test_the_last_admin_stays(site: list[str]) -> None:
    run("user", "list", *site)
    assert "at least one active administrator" in fails("user", "deactivate", "--email", "admin@example.com", *site)
    assert "at least one active administrator" in fails("user", "delete", "--email", "admin@example.com", *site)
