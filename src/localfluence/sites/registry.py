"""The sites of a server besides the default one: created through /_localfluence/sites, each with
its own database (SQLite: DATA_DIR/sites/NAME/localfluence.db; PostgreSQL: the schema site_NAME in
the server's database), data dir (snapshots, blobs), admin and worker.

A site exists when DATA_DIR/sites/NAME/site.json does: the record is written last on creation and
removed first on deletion, so a half-made site is never served, and every server process sharing
the data dir (serve --workers N) sees the same sites."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import shutil
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url

from localfluence.config import Settings
from localfluence.errors import Conflict
from localfluence.runtime import Runtime
from localfluence.sites.names import check, is_valid, schema_for
from localfluence.sites.site import Site

log = logging.getLogger("localfluence.sites")
RECORD = "site.json"
TOKEN_FILE = "admin-token"


class SiteRegistry:
    def __init__(self, settings: Settings, default: Site, equip: Callable[[Site], None]) -> None:
        self.settings = settings
        self.default = default
        self.root = settings.data_dir / "sites"
        # Gives a newly opened site its fault store and journal (admin/install.py).
        self._equip = equip
        self._open: dict[str, Site] = {}
        self._lock = threading.RLock()

    # --- lookup ----------------------------------------------------------------------------------

    def get(self, name: str) -> Site | None:
        """The site, opened on first use; None if there is no such site (or it was deleted by
        another process: the record is looked at on every request, one stat)."""
        site = self._open.get(name)
        recorded = is_valid(name) and self._record(name).exists()
        if site is not None and recorded:
            return site
        if site is not None:
            self._close(name)
        if not recorded:
            return None
        with self._lock:
            site = self._open.get(name)
            if site is None:
                site = self._open_site(name)
            return site

    def names(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.parent.name for p in self.root.glob(f"*/{RECORD}") if is_valid(p.parent.name))

    def describe(self, name: str) -> dict[str, Any] | None:
        try:
            record = json.loads(self._record(name).read_text("utf-8"))
        except (OSError, ValueError):
            return None
        return {**record, "open": name in self._open}

    def open_all(self) -> None:
        """Open every recorded site, so that their workers run the tasks and webhook deliveries
        queued before a restart."""
        for name in self.names():
            try:
                self.get(name)
            except Exception:  # one broken site must not keep the server from starting
                log.exception("could not open site %s", name)

    # --- create / delete -------------------------------------------------------------------------

    def create(self, name: str, admin_email: str | None = None, admin_token: str | None = None) -> tuple[Site, str]:
        """Make a site with an empty database and its own admin; returns it and the admin's token."""
        check(name)
        token = admin_token or secrets.token_urlsafe(24)
        with self._lock:
            if self._record(name).exists():
                raise Conflict(f"A site named {name} already exists")
            directory = self.root / name
            # Leftovers of a creation that failed midway, or of a deletion that did not finish.
            shutil.rmtree(directory, ignore_errors=True)
            directory.mkdir(parents=True)
            settings = self.site_settings(name, admin_email=admin_email or self.settings.admin_email, token=token)
            runtime = None
            try:
                if not settings.is_sqlite:
                    self._create_schema(name)
                runtime = self._prepare(settings)
                _write_secret(directory / TOKEN_FILE, token)
                record = {"name": name, "adminEmail": settings.admin_email, "created": _now()}
                if not settings.is_sqlite:
                    record["schema"] = schema_for(name)
                partial = directory / f".{RECORD}.tmp"
                partial.write_text(json.dumps(record), "utf-8")
                os.replace(partial, self._record(name))
            except BaseException:
                if runtime is not None:
                    runtime.close()
                self._drop_storage(name)
                raise
            site = self._start(name, runtime)
            self._open[name] = site
            return site, token

    def delete(self, name: str) -> bool:
        with self._lock:
            record = self._record(name)
            if not is_valid(name) or not record.exists():
                return False
            record.unlink()
            self._close(name)
            self._drop_storage(name)
            return True

    def close(self) -> None:
        with self._lock:
            for name in list(self._open):
                self._close(name)

    # --- internals -------------------------------------------------------------------------------

    def site_settings(self, name: str, *, admin_email: str | None = None, token: str = "") -> Settings:
        server = self.settings
        update: dict[str, Any] = {
            "data_dir": self.root / name,
            # Links come from each request (and carry /site/NAME when that is how it came), unless
            # the server has a public base URL.
            "base_url": f"{server.base_url.rstrip('/')}/site/{name}" if server.base_url else "",
            "admin_token": token,
            "s3_prefix": f"{server.s3_prefix}sites/{name}/",
            "blob_dir": server.blob_dir / "sites" / name if server.blob_dir is not None else None,
        }
        if admin_email is not None:
            update["admin_email"] = admin_email
        elif (record := self.describe(name)) is not None:
            update["admin_email"] = record.get("adminEmail", server.admin_email)
        if server.is_sqlite:
            update["database_url"] = ""  # DATA_DIR/sites/NAME/localfluence.db
        else:
            url = make_url(server.resolved_database_url())
            # Every connection of the site's engine (and Alembic's) works in the site's schema.
            url = url.update_query_dict({"options": f"-csearch_path={schema_for(name)}"})
            update["database_url"] = url.render_as_string(hide_password=False)
        return server.model_copy(update=update)

    def _record(self, name: str) -> Path:
        return self.root / name / RECORD

    def _prepare(self, settings: Settings) -> Runtime:
        from localfluence.app import prepare_database
        from localfluence.bootstrap import bootstrap
        from localfluence.db.session import transaction
        from localfluence.testing.server import copy_schema_template

        # SQLite: a copy of the migrated template, no Alembic run (as the test server does).
        from_template = settings.is_sqlite and copy_schema_template(settings)
        runtime = Runtime.build(settings)
        try:
            if from_template:
                with transaction(runtime.sessions, write=True) as session:
                    bootstrap(session, settings)
            else:
                prepare_database(runtime)
        except BaseException:
            runtime.close()
            raise
        return runtime

    def _open_site(self, name: str) -> Site:
        settings = self.site_settings(name)
        token_file = settings.data_dir / TOKEN_FILE
        with contextlib.suppress(OSError):
            settings = settings.model_copy(update={"admin_token": token_file.read_text("utf-8").strip()})
        # A site made by an older localfluence is migrated like the default site is at start.
        site = self._start(name, self._prepare(settings))
        self._open[name] = site
        return site

    def _start(self, name: str, runtime: Runtime) -> Site:
        from localfluence.app import start_worker

        site = Site(name=name, runtime=runtime)
        self._equip(site)
        start_worker(runtime, site.context())
        return site

    def _close(self, name: str) -> None:
        site = self._open.pop(name, None)
        if site is not None:
            site.runtime.close()

    def _create_schema(self, name: str) -> None:
        schema = schema_for(name)
        with self.default.runtime.engine.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))

    def _drop_storage(self, name: str) -> None:
        if not self.settings.is_sqlite:
            with self.default.runtime.engine.connect() as conn:
                conn = conn.execution_options(isolation_level="AUTOCOMMIT")
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema_for(name)}" CASCADE'))
        shutil.rmtree(self.root / name, ignore_errors=True)
        if self.settings.blob_dir is not None:
            shutil.rmtree(self.settings.blob_dir / "sites" / name, ignore_errors=True)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _write_secret(path: Path, value: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value + "\n")
