"""Test-double timings: server start to first answer, and per-test reset of a 1,000-page site.

    .venv/bin/python -m bench.reset                                   # SQLite
    scripts/pg-throwaway run -- .venv/bin/python -m bench.reset --db postgresql

Measured:
- cold start: a new process (`localfluence exec`, and `localfluence serve` on a fresh data dir,
  which migrates) until GET /status answers, wall time and the process's CPU time;
- warm start: localfluence.testing.start_server() in a process that has imported localfluence
  (the pytest plugin's case), until GET /status answers;
- reset of a site holding N pages (POST /_localfluence/reset, as the client sees it, and the
  server's own durationMs), re-filled from a snapshot before each run;
- reset to a snapshot of that site (the per-test reset of a seeded suite);
- reset of a nearly empty site (a test that wrote a handful of pages);
- reset to a snapshot of examples/demo-seed.yaml (a seeded suite's per-test reset).
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

console = Console()
ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fresh_database(db: str) -> str:
    if db == "sqlite":
        return ""
    base = os.environ.get("LOCALFLUENCE_TEST_DATABASE_URL")
    if not base:
        raise SystemExit("--db postgresql needs LOCALFLUENCE_TEST_DATABASE_URL (see scripts/pg-throwaway)")
    url = make_url(base).set(drivername="postgresql+psycopg")
    name = f"bench_reset_{secrets.token_hex(3)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def cold_start(db: str, runs: int, how: str) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds from spawning a new process to its first answered GET /status."""
    import psutil

    wall, cpu = [], []
    for _ in range(runs):
        data = Path(tempfile.mkdtemp(prefix="bench-cold-"))
        port = free_port()
        env = {**os.environ, "LOCALFLUENCE_ADMIN_TOKEN": "bench-token", "LOCALFLUENCE_DATABASE_URL": fresh_database(db)}
        if how == "exec":
            # What `localfluence exec` and the pytest plugin do: a temporary data dir, the schema template.
            command = ["exec", "--port", str(port), "-q", "--", sys.executable, "-c", "import time; time.sleep(60)"]
            if db != "sqlite":
                command[1:1] = ["--database-url", env["LOCALFLUENCE_DATABASE_URL"]]
        else:
            command = ["serve", "--port", str(port), "--data-dir", str(data)]
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "localfluence", *command],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/status", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if proc.poll() is not None:
                    raise RuntimeError("the server exited")
                time.sleep(0.005)
            wall.append((time.perf_counter() - started) * 1000)
            times = psutil.Process(proc.pid).cpu_times()
            cpu.append((times.user + times.system) * 1000)
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
            shutil.rmtree(data, ignore_errors=True)
    return wall, cpu


def warm_start(db: str, runs: int) -> list[float]:
    from localfluence.testing.server import start_server

    times = []
    for _ in range(runs):
        database_url = fresh_database(db)
        started = time.perf_counter()
        server = start_server(database_url=database_url)
        httpx.get(server.url + "/status").raise_for_status()
        times.append((time.perf_counter() - started) * 1000)
        server.stop()
    return times


def fill(server, pages: int) -> None:  # type: ignore[no-untyped-def]
    """N pages in a tree (sections of 50 under the homepage), a label on every tenth."""
    from localfluence.auth.credentials import principal_for
    from localfluence.content.schemas import ContentCreate
    from localfluence.content.service import create_content
    from localfluence.db.session import transaction
    from localfluence.people.service import get_user_by_email
    from localfluence.spaces.schemas import SpaceCreate
    from localfluence.spaces.service import create_space

    with transaction(server.runtime.sessions) as session:
        admin = principal_for(session, get_user_by_email(session, server.admin_email))
        space = create_space(session, admin, SpaceCreate(key="BENCH", name="Bench"))
        parent = space.homepage_id
        made = 1  # the homepage
        section = parent
        while made < pages:
            data: dict = {
                "type": "page",
                "title": f"Page {made}",
                "space": {"key": "BENCH"},
                "ancestors": [{"id": str(section if made % 50 else parent)}],
                "body": {"storage": {"value": f"<p>Body of page {made}</p>" * 5, "representation": "storage"}},
            }
            if made % 10 == 0:
                data["metadata"] = {"labels": [{"name": f"label{made % 7}"}]}
            page = create_content(session, admin, ContentCreate.model_validate(data), None)
            if made % 50 == 0:
                section = page.id
            made += 1


def timed(call) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    body = call()
    return (time.perf_counter() - started) * 1000, float(body.get("durationMs") or 0)


def resets(db: str, pages: int, runs: int) -> dict[str, tuple[list[float], list[float]]]:
    from localfluence.testing.server import start_server

    server = start_server(database_url=fresh_database(db))
    admin = server.admin
    try:
        fill(server, pages)
        admin.save_snapshot("bench-full")
        with server.runtime.sessions() as session:
            count = session.execute(text("SELECT count(*) FROM content")).scalar()
        console.print(f"site holds {count} pages ({db})")
        out: dict[str, tuple[list[float], list[float]]] = {
            f"reset of {count} pages": ([], []),
            f"reset to a snapshot of {count} pages": ([], []),
            "reset of a 5-page site": ([], []),
        }
        for _ in range(runs):
            admin.restore_snapshot("bench-full")
            client, server_ms = timed(admin.reset)
            out[f"reset of {count} pages"][0].append(client)
            out[f"reset of {count} pages"][1].append(server_ms)
            client, server_ms = timed(lambda: admin.reset(snapshot="bench-full"))
            out[f"reset to a snapshot of {count} pages"][0].append(client)
            out[f"reset to a snapshot of {count} pages"][1].append(server_ms)
        admin.reset()
        api = httpx.Client(base_url=server.api_url, auth=server.auth)
        for _ in range(runs):
            api.post("/space", json={"key": "SMALL", "name": "Small"})
            for i in range(4):
                api.post(
                    "/content",
                    json={
                        "type": "page",
                        "title": f"P{i}",
                        "space": {"key": "SMALL"},
                        "body": {"storage": {"value": "<p>x</p>", "representation": "storage"}},
                    },
                )
            client, server_ms = timed(admin.reset)
            out["reset of a 5-page site"][0].append(client)
            out["reset of a 5-page site"][1].append(server_ms)
        api.close()
        # A seeded suite's per-test reset: back to the demo seed's snapshot.
        from localfluence.seeding import load_seed_file, seed_site

        admin.reset()
        seed_site(server.runtime.sessions, server.settings, load_seed_file(ROOT / "examples" / "demo-seed.yaml"))
        admin.save_snapshot("demo")
        out["reset to the demo seed (snapshot)"] = ([], [])
        for _ in range(runs):
            client, server_ms = timed(lambda: admin.reset(snapshot="demo"))
            out["reset to the demo seed (snapshot)"][0].append(client)
            out["reset to the demo seed (snapshot)"][1].append(server_ms)
        return out
    finally:
        server.stop()


def row(table: Table, name: str, values: list[float], server_values: list[float] | None = None) -> None:
    p50 = statistics.median(values)
    extra = f"{statistics.median(server_values):.1f}" if server_values else ""
    table.add_row(name, f"{p50:.1f}", f"{min(values):.1f}", f"{max(values):.1f}", extra, str(len(values)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--start-runs", type=int, default=5)
    args = parser.parse_args()

    table = Table(
        "measure (ms)", "p50", "min", "max", "server p50", "runs", title=f"localfluence test double, {args.db}"
    )
    for how, label in (("exec", "cold start, localfluence exec"), ("serve", "cold start, serve (fresh dir, migrates)")):
        wall, cpu = cold_start(args.db, args.start_runs, how)
        row(table, label + " (wall; cpu in server column)", wall, cpu)
    row(table, "warm start → first answer (start_server)", warm_start(args.db, args.start_runs))
    for name, (client, server_side) in resets(args.db, args.pages, args.runs).items():
        row(table, name, client, server_side)
    console.print(table)
    console.print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
