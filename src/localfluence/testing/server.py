"""A localfluence server in a background thread of this process, for tests and `localfluence exec`.

    with start_server() as server:                 # SQLite in a temporary data dir, a free port
        server.wiki_url, server.admin_email, server.admin_token
        server.admin.reset()

A fresh SQLite database is copied from a cached, already-migrated template instead of being
migrated (the cache key is a digest of the migration scripts), which keeps start-up well under a
second. LOCALFLUENCE_SCHEMA_CACHE=off turns the cache off; LOCALFLUENCE_SCHEMA_CACHE=DIR moves it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from localfluence.config import Settings

if TYPE_CHECKING:
    import uvicorn

    from localfluence.runtime import Runtime
    from localfluence.testing.client import AdminClient

DEFAULT_ADMIN_EMAIL = "admin@example.com"


@dataclass
class SiteAddress:
    """Where a site answers (a whole server, or one site of a multi-site server) and its admin's
    credentials."""

    url: str
    admin_email: str
    admin_token: str

    @property
    def wiki_url(self) -> str:
        """What Cloud clients take as the site URL: atlassian-python-api's url, mcp-atlassian's CONFLUENCE_URL."""
        return self.url + "/wiki"

    @property
    def api_url(self) -> str:
        return self.url + "/wiki/rest/api"

    @property
    def auth(self) -> tuple[str, str]:
        return (self.admin_email, self.admin_token)

    @property
    def admin(self) -> AdminClient:
        """A client of the site's /_localfluence, as its admin."""
        if self._admin is None:
            from localfluence.testing.client import AdminClient

            self._admin = AdminClient(self.url, self.auth)
        return self._admin

    def close(self) -> None:
        if self._admin is not None:
            self._admin.close()

    # Set after the fields of subclasses (a dataclass's defaults come last).
    _admin: AdminClient | None = field(default=None, repr=False, kw_only=True)


@dataclass
class LocalfluenceServer(SiteAddress):
    settings: Settings
    runtime: Runtime
    _server: uvicorn.Server = field(repr=False)
    _thread: threading.Thread = field(repr=False)
    _owned_dir: Path | None = field(default=None, repr=False)
    _app: Any = field(default=None, repr=False)

    def create_site(self, name: str, *, admin_token: str | None = None) -> SiteAddress:
        """Another site in this server (POST /_localfluence/sites), reached at /site/NAME."""
        body = self.admin.create_site(name, admin_token=admin_token)
        return SiteAddress(url=body["url"], admin_email=body["adminEmail"], admin_token=body["adminToken"])

    def stop(self) -> None:
        self.close()
        self._server.should_exit = True
        self._thread.join(timeout=10)
        sites = getattr(getattr(self._app, "state", None), "sites", None)
        if sites is not None:
            sites.close()
        self.runtime.close()
        if self._owned_dir is not None:
            shutil.rmtree(self._owned_dir, ignore_errors=True)

    def __enter__(self) -> LocalfluenceServer:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def start_server(
    *,
    data_dir: Path | None = None,
    database_url: str = "",
    admin_email: str = DEFAULT_ADMIN_EMAIL,
    admin_token: str | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    seed: Path | None = None,
    **settings: Any,
) -> LocalfluenceServer:
    """Start a server and return once it answers. Without data_dir, a temporary one is made and
    removed by stop(). port=0 picks a free port."""
    import uvicorn

    from localfluence.app import create_app
    from localfluence.bootstrap import bootstrap
    from localfluence.db.session import transaction

    owned = None
    if data_dir is None:
        owned = data_dir = Path(tempfile.mkdtemp(prefix="localfluence-"))
    config = Settings(
        data_dir=data_dir,
        database_url=database_url,
        admin_email=admin_email,
        admin_token=admin_token or secrets.token_urlsafe(24),
        host=host,
        port=port,
        **settings,
    )
    try:
        from_template = config.is_sqlite and copy_schema_template(config)
        # A database copied from the template is at head by construction: no Alembic run needed.
        app = create_app(config, prepare=not from_template)
        runtime = app.state.runtime
        if from_template:
            with transaction(runtime.sessions, write=True) as session:
                bootstrap(session, config)
        if seed is not None:
            from localfluence.seeding import load_seed_file, seed_site

            seed_site(runtime.sessions, config, load_seed_file(seed))
        server = uvicorn.Server(
            uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False, lifespan="off")
        )
        thread = threading.Thread(target=server.run, name="localfluence-server", daemon=True)
        thread.start()
        deadline = time.monotonic() + 30
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                server.should_exit = True
                raise RuntimeError("localfluence did not start")
            time.sleep(0.002)
    except BaseException:
        if owned is not None:
            shutil.rmtree(owned, ignore_errors=True)
        raise
    bound = server.servers[0].sockets[0].getsockname()[1]
    return LocalfluenceServer(
        url=f"http://{host}:{bound}",
        admin_email=config.admin_email,
        admin_token=config.admin_token,
        settings=config,
        runtime=runtime,
        _server=server,
        _thread=thread,
        _owned_dir=owned,
        _app=app,
    )


def copy_schema_template(settings: Settings) -> bool:
    """Put a migrated, empty SQLite database in place of a missing one; True if it did."""
    target = Path(settings.resolved_database_url().removeprefix("sqlite:///"))
    cache = _cache_dir()
    if cache is None or target.exists():
        return False
    template = cache / f"schema-{_migrations_digest()}.db"
    try:
        if not template.exists():
            _build_template(template)
        shutil.copyfile(template, target)
    except OSError:
        with contextlib.suppress(FileNotFoundError):
            target.unlink()
        return False
    return True


def _cache_dir() -> Path | None:
    setting = os.environ.get("LOCALFLUENCE_SCHEMA_CACHE", "")
    if setting.lower() in ("off", "0", "false", "no"):
        return None
    base = (
        Path(setting) if setting else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "localfluence"
    )
    return base


def _migrations_digest() -> str:
    # The path, not localfluence.db.migrate: importing Alembic is what the template saves.
    import localfluence.db

    migrations = Path(localfluence.db.__file__).resolve().parent / "migrations"
    digest = hashlib.sha256()
    for path in sorted(migrations.rglob("*.py")):
        digest.update(path.relative_to(migrations).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _build_template(template: Path) -> None:
    from localfluence.db.engine import make_engine
    from localfluence.db.migrate import upgrade

    template.parent.mkdir(parents=True, exist_ok=True)
    partial = template.with_name(f".{template.name}.{secrets.token_hex(4)}")
    url = f"sqlite:///{partial}"
    try:
        upgrade(url)
        engine = make_engine(url)
        raw = engine.raw_connection()
        try:
            # Fold the WAL into the file (outside any transaction), so the file alone is the database.
            raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]
            raw.driver_connection.execute("PRAGMA journal_mode=DELETE")  # type: ignore[union-attr]
        finally:
            raw.close()
        engine.dispose()
        os.replace(partial, template)
        # Templates of older migration sets are of no further use.
        for stale in template.parent.glob("schema-*.db"):
            if stale != template:
                with contextlib.suppress(OSError):
                    stale.unlink()
    finally:
        for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
