"""localfluence serve | migrate | user create/list/deactivate/activate/delete | token create | webhook
add/list/redeliver/remove | seed | exec."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from localfluence.config import Settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from localfluence.models import User

app = typer.Typer(help="localfluence: a Confluence-compatible wiki server.", no_args_is_help=True)
user_app = typer.Typer(help="Manage users.", no_args_is_help=True)
token_app = typer.Typer(help="Manage API tokens.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
webhook_app = typer.Typer(help="Manage outbound webhooks.", no_args_is_help=True)
app.add_typer(webhook_app, name="webhook")
console = Console(stderr=True)

DataDir = Annotated[Path | None, typer.Option("--data-dir", help="Data directory [env LOCALFLUENCE_DATA_DIR]")]
DatabaseUrl = Annotated[
    str | None, typer.Option("--database-url", help="SQLAlchemy URL [env LOCALFLUENCE_DATABASE_URL]")
]


def _settings(data_dir: Path | None, database_url: str | None, **extra: object) -> Settings:
    overrides: dict[str, object] = {k: v for k, v in extra.items() if v is not None}
    if data_dir is not None:
        overrides["data_dir"] = data_dir
    if database_url is not None:
        overrides["database_url"] = database_url
    return Settings(**overrides)  # type: ignore[arg-type]


def _prepared(settings: Settings):  # type: ignore[no-untyped-def]
    from localfluence.app import prepare_database
    from localfluence.runtime import Runtime

    runtime = Runtime.build(settings)
    token = prepare_database(runtime)
    if token:
        console.print(
            f"Created the admin user {settings.admin_email}; its API token is in {settings.data_dir / 'admin-token'}"
        )
    return runtime, token


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on [default 127.0.0.1]")] = None,
    port: Annotated[int | None, typer.Option(help="Port [default 8090]")] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes")] = 1,
    seed: Annotated[Path | None, typer.Option(help="Seed file (YAML/JSON) to apply before serving")] = None,
) -> None:
    """Start the server (migrating the database and creating the admin on first start)."""
    import uvicorn

    from localfluence.cli.serving import connection_options
    from localfluence.cli.workers import serve_workers, spreads_connections

    settings = _settings(data_dir, database_url, host=host, port=port)
    runtime, token = _prepared(settings)
    if seed is not None:
        _seed(runtime, settings, seed)
    runtime.engine.dispose()
    if token:
        console.print(
            f"[bold]Created the admin user {settings.admin_email}.[/bold] API token (shown once, also saved "
            f"to {settings.data_dir / 'admin-token'}):"
        )
        print(token, flush=True)
    console.print(f"localfluence listening on http://{settings.host}:{settings.port}/wiki")
    # Workers rebuild their settings from the environment: hand them what the flags said.
    os.environ["LOCALFLUENCE_DATA_DIR"] = str(settings.data_dir)
    os.environ["LOCALFLUENCE_DATABASE_URL"] = settings.resolved_database_url()
    options: dict[str, Any] = dict(
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=workers,
        # asyncio's loop, not uvloop: libuv accepts one connection per loop iteration, so on a busy
        # worker each new connection waited a whole round of the requests already queued (64
        # connections opened at once: the last one's first answer came seconds late, p99 = 30x p50).
        # asyncio accepts every pending connection at once; it costs ~20 us more per request.
        loop="asyncio",
        log_level="warning",
        access_log=False,
        **connection_options(),
    )
    if workers > 1 and spreads_connections():
        # Each worker on its own socket: on one shared socket, the worker that wakes first accepts
        # nearly every connection opened at once and keeps them (cli/workers.py).
        serve_workers(uvicorn.Config("localfluence.app:create_app_from_env", **options), workers)
    else:
        uvicorn.run("localfluence.app:create_app_from_env", **options)


@app.command()
def migrate(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Bring the database schema to the latest version."""
    settings = _settings(data_dir, database_url)
    _prepared(settings)
    console.print("database is at the latest schema")


@user_app.command("create")
def user_create(
    email: Annotated[str, typer.Option(help="Email address (the login)")],
    name: Annotated[str, typer.Option(help="Display name")],
    admin: Annotated[bool, typer.Option("--admin", help="Make the user a site admin")] = False,
    password: Annotated[str | None, typer.Option(help="Password for Server-style basic auth")] = None,
    app_account: Annotated[
        bool, typer.Option("--app", help="An app account: a Connect app whose key is the username")
    ] = False,
    username: Annotated[
        str | None, typer.Option(help="Username (the app key for --app); defaults to the email")
    ] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Create a user."""
    from localfluence.people import service

    with _session(data_dir, database_url) as session:
        user = service.create_user(
            session, email=email, display_name=name, admin=admin, password=password, username=username
        )
        if app_account:
            user.account_type = "app"
        account_id = user.account_id
    print(account_id)


@user_app.command("list")
def user_list(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """List users."""
    from localfluence.auth.credentials import principal_for
    from localfluence.people import service

    table = Table("accountId", "email", "displayName", "admin", "active")
    with _session(data_dir, database_url) as session:
        for user in service.list_users(session):
            admin = principal_for(session, user).is_admin
            table.add_row(
                user.account_id, user.email, user.display_name, "yes" if admin else "", "yes" if user.active else "no"
            )
    Console().print(table)


@user_app.command("deactivate")
def user_deactivate(
    email: Annotated[str, typer.Option(help="The user's email")],
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Deactivate a user: they can no longer sign in or use their tokens; their content stays."""
    from localfluence.people import service

    _change_user(email, service.deactivate_user, data_dir, database_url)


@user_app.command("activate")
def user_activate(
    email: Annotated[str, typer.Option(help="The user's email")],
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Reactivate a deactivated user."""
    from localfluence.people import service

    _change_user(email, service.activate_user, data_dir, database_url)


@user_app.command("delete")
def user_delete(
    email: Annotated[str, typer.Option(help="The user's email")],
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Delete a user: their personal data, tokens and memberships go; their content stays, by a
    "Former user"."""
    from localfluence.people import service

    _change_user(email, service.delete_user, data_dir, database_url)


@token_app.command("create")
def token_create(
    email: Annotated[str, typer.Option(help="The user's email")],
    label: Annotated[str, typer.Option(help="A name to recognise the token by")] = "",
    scope: Annotated[
        list[str] | None,
        typer.Option(
            help="OAuth-style scope the token is limited to, e.g. read:confluence-content.all (repeatable, "
            "or space-separated); without, the token acts with the user's full permissions"
        ),
    ] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Create an API token; the token is printed alone on the last line."""
    from localfluence.people import service

    with _session(data_dir, database_url) as session:
        user = service.get_user_by_email(session, email)
        token = service.create_token(session, user, label=label, scopes=scope)
    console.print(f"API token for {email}:")
    print(token)


def _cli_admin():  # type: ignore[no-untyped-def]
    from localfluence.access.principal import Principal

    # The CLI runs with the database's own authority: a site admin who is no particular user.
    return Principal(user_id=None, account_id="localfluence-cli", is_admin=True)


@webhook_app.command("add")
def webhook_add(
    url: Annotated[str, typer.Argument(help="Where to POST the events")],
    event: Annotated[list[str], typer.Option("--event", "-e", help="Event type (repeat; '*' for all)")],
    secret: Annotated[str | None, typer.Option(help="HMAC-SHA256 signing secret (generated if omitted)")] = None,
    name: Annotated[str, typer.Option(help="A name to recognise it by")] = "",
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Register a webhook; prints its id and secret."""
    from localfluence.webhooks import service

    with _session(data_dir, database_url) as session:
        try:
            data = service.WebhookIn(name=name, url=url, events=event, secret=secret)
        except ValueError as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(1) from None
        hook = service.create_webhook(session, _cli_admin(), data)
        print(f"{hook.id}\t{hook.secret}")


@webhook_app.command("list")
def webhook_list(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """List webhooks with their delivery counts."""
    import json

    from sqlalchemy import func, select

    from localfluence.models import WebhookDelivery
    from localfluence.webhooks import service

    # Tab-separated, one webhook a line: scripts read it.
    print("id\tname\turl\tevents\tactive\tpending\tdelivered\tfailed")
    with _session(data_dir, database_url) as session:
        for hook in service.list_webhooks(session, _cli_admin()):
            counts = dict(
                session.execute(
                    select(WebhookDelivery.state, func.count())
                    .where(WebhookDelivery.webhook_id == hook.id)
                    .group_by(WebhookDelivery.state)
                ).all()
            )
            cells = [
                str(hook.id),
                hook.name,
                hook.url,
                ",".join(json.loads(hook.events)),
                "yes" if hook.active else "no",
            ]
            cells += [str(counts.get(state, 0)) for state in ("pending", "delivered", "failed")]
            print("\t".join(cells))


@webhook_app.command("remove")
def webhook_remove(
    webhook_id: Annotated[int, typer.Argument(help="The webhook's id")],
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Remove a webhook and its pending deliveries."""
    from localfluence.webhooks import service

    with _session(data_dir, database_url) as session:
        service.delete_webhook(session, _cli_admin(), webhook_id)
    console.print(f"webhook {webhook_id} removed")


@webhook_app.command("redeliver")
def webhook_redeliver(
    webhook_id: Annotated[int, typer.Argument(help="The webhook's id")],
    delivery: Annotated[int | None, typer.Option("--delivery", help="One delivery (default: every failed one)")] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Queue failed deliveries (or one delivery) again, with a new retry window; prints their ids."""
    from localfluence.webhooks import service

    settings = _settings(data_dir, database_url)
    with _session(data_dir, database_url) as session:
        rows = service.redeliver(
            session, _cli_admin(), webhook_id, settings.webhook_retry_seconds, delivery_id=delivery
        )
        ids = [row.id for row in rows]
    console.print(f"{len(ids)} deliveries queued again")
    for delivery_id in ids:
        print(delivery_id)


@contextmanager
def _session(data_dir: Path | None, database_url: str | None) -> Iterator[Session]:
    """One transaction on the prepared database. A Confluence-style error ends the command with
    its message and status 1; the engine is closed either way."""
    from localfluence.db.session import transaction
    from localfluence.errors import ConfluenceError

    runtime, _ = _prepared(_settings(data_dir, database_url))
    try:
        with transaction(runtime.sessions, write=True) as session:
            yield session
    except ConfluenceError as exc:
        console.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from None
    finally:
        runtime.engine.dispose()


def _change_user(
    email: str, change: Callable[[Session, User], object], data_dir: Path | None, database_url: str | None
) -> None:
    from localfluence.people import service

    with _session(data_dir, database_url) as session:
        user = service.get_user_by_email(session, email)
        account_id = user.account_id
        change(session, user)
    print(account_id)


# ---------------------------------------------------------------------------------- test double


def _seed(runtime, settings: Settings, path: Path) -> None:  # type: ignore[no-untyped-def]
    from localfluence.seeding import SeedError, load_seed_file, seed_site

    try:
        report = seed_site(runtime.sessions, settings, load_seed_file(path))
    except SeedError as exc:
        for problem in exc.problems:
            console.print(f"[red]{problem}[/red]", highlight=False)
        console.print("nothing was seeded")
        raise typer.Exit(1) from None
    console.print(f"seeded {path}", highlight=False)
    for kind, counts in report.as_json().items():
        if isinstance(counts, dict):
            parts = [f"{n} {outcome}" for outcome, n in counts.items() if n]
            console.print(f"  {kind}: {', '.join(parts)}", highlight=False)


@app.command("seed")
def seed_command(
    file: Annotated[Path, typer.Argument(help="Seed file (YAML or JSON)", exists=True, dir_okay=False)],
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Apply a seed file: users, groups, spaces, pages... Idempotent; all or nothing."""
    settings = _settings(data_dir, database_url)
    runtime, _ = _prepared(settings)
    try:
        _seed(runtime, settings, file)
    finally:
        runtime.engine.dispose()


@app.command("exec")
def exec_command(
    command: Annotated[list[str], typer.Argument(help="The command to run, after --")],
    seed: Annotated[Path | None, typer.Option(help="Seed file to apply first", exists=True, dir_okay=False)] = None,
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="Use this (empty) database instead of a temporary SQLite")
    ] = None,
    port: Annotated[int, typer.Option(help="Port [default: a free one]")] = 0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Say nothing on stderr")] = False,
) -> None:
    """Start a fresh server, run COMMAND with its URL and credentials in the environment, stop it,
    and exit with COMMAND's exit code.

    localfluence exec --seed demo.yaml -- pytest -q tests/integration
    """
    import subprocess

    from localfluence.testing.server import start_server

    server = start_server(database_url=database_url or "", port=port)
    try:
        if seed is not None:
            _seed(server.runtime, server.settings, seed)
        env = {**os.environ, **exec_environment(server.url, server.admin_email, server.admin_token)}
        if not quiet:
            console.print(f"localfluence at {server.wiki_url} (as {server.admin_email}); running: {' '.join(command)}")
        try:
            code = subprocess.run(command, env=env, check=False).returncode
        except FileNotFoundError:
            console.print(f"[red]command not found: {command[0]}[/red]")
            code = 127
        except KeyboardInterrupt:
            code = 130
    finally:
        server.stop()
    raise typer.Exit(code if code >= 0 else 128 - code)


def exec_environment(url: str, email: str, token: str) -> dict[str, str]:
    """The names popular Confluence clients read: mcp-atlassian (CONFLUENCE_URL, CONFLUENCE_USERNAME,
    CONFLUENCE_API_TOKEN), md2cf (CONFLUENCE_HOST = the REST API root, CONFLUENCE_USERNAME,
    CONFLUENCE_PASSWORD, CONFLUENCE_TOKEN as a bearer token, which localfluence accepts too)."""
    return {
        "LOCALFLUENCE_URL": url,
        "CONFLUENCE_URL": f"{url}/wiki",
        "CONFLUENCE_BASE_URL": f"{url}/wiki",
        "CONFLUENCE_HOST": f"{url}/wiki/rest/api",
        "CONFLUENCE_USERNAME": email,
        "CONFLUENCE_EMAIL": email,
        "CONFLUENCE_API_TOKEN": token,
        "CONFLUENCE_PASSWORD": token,
        "CONFLUENCE_TOKEN": token,
    }
