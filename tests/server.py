"""A real localfluence server on 127.0.0.1 in a background thread, for tests and client libraries."""

from __future__ import annotations

import os
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from localfluence.app import create_app
from localfluence.cli.serving import connection_options
from localfluence.config import Settings
from localfluence.runtime import Runtime

ADMIN_EMAIL = "admin@example.com"
ADMIN_TOKEN = "test-admin-token"


@dataclass
class RunningServer:
    url: str
    settings: Settings
    runtime: Runtime
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.runtime.close()


def fresh_postgres_database(base_url: str, name: str) -> str:
    """A new, empty database next to the one in base_url (one per xdist worker)."""
    url = make_url(base_url)
    admin = create_engine(url.set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)


def start_server(data_dir: Path, database_url: str = "", **settings_overrides: object) -> RunningServer:
    settings = Settings(
        data_dir=data_dir,
        database_url=database_url,
        admin_email=ADMIN_EMAIL,
        admin_token=ADMIN_TOKEN,
        **settings_overrides,  # type: ignore[arg-type]
    )
    app = create_app(settings)
    # The connection options `localfluence serve` uses (cli/serving.py): the suite speaks the same protocol.
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, log_level="warning", access_log=False, lifespan="off", **connection_options()
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="localfluence-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    return RunningServer(
        url=f"http://127.0.0.1:{port}", settings=settings, runtime=app.state.runtime, server=server, thread=thread
    )


def database_for_worker(tmp: Path) -> str:
    """'' (SQLite in tmp) unless the suite runs on PostgreSQL."""
    base = os.environ.get("LOCALFLUENCE_TEST_DATABASE_URL", "")
    if not base:
        return ""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return fresh_postgres_database(base, f"localfluence_test_{worker}_{uuid.uuid4().hex[:6]}")
