"""What the visibility rule costs: an outsider's listings against the admin's, over HTTP.

Seeds a space with a tree of pages (default 10,000, ten children per page) and read restrictions on
10% of them (naming another user, so they and their subtrees are hidden from the outsider), starts
a real server in a subprocess, then times the same requests as the site admin (who bypasses the rule)
and as the outsider (a confluence-users member the rule filters), interleaved. Prints the outsider /
admin ratio per scenario (target: within 1.5x) and writes JSON to bench/results/.

    PYTHONPATH=src python bench/visibility.py [--pages 10000] [--database-url postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from localfluence.access.principal import Principal  # noqa: E402
from localfluence.app import prepare_database  # noqa: E402
from localfluence.auth.credentials import principal_for  # noqa: E402
from localfluence.config import Settings  # noqa: E402
from localfluence.db.session import transaction  # noqa: E402
from localfluence.kit.clock import clock  # noqa: E402
from localfluence.models import Content, ContentAncestor, ContentRestriction, ContentVersion, User  # noqa: E402
from localfluence.people import service as people  # noqa: E402
from localfluence.runtime import Runtime  # noqa: E402
from localfluence.spaces import service as spaces  # noqa: E402
from localfluence.spaces.schemas import SpaceCreate  # noqa: E402

ADMIN_EMAIL = "admin@example.com"
ADMIN_TOKEN = "bench-admin-token"
SPACE_KEY = "BENCH"


def seed(settings: Settings, pages: int, fanout: int, restricted_share: float, rng: random.Random) -> dict[str, Any]:
    runtime = Runtime.build(settings)
    prepare_database(runtime)
    started = time.perf_counter()
    with transaction(runtime.sessions) as session:
        outsider = people.create_user(session, email="outsider@example.com", display_name="Outsider")
        insider = people.create_user(session, email="insider@example.com", display_name="Insider")
        outsider_token = people.create_token(session, outsider)
        admin_user = session.scalar(select(User).where(User.email == ADMIN_EMAIL))
        assert admin_user is not None
        admin: Principal = principal_for(session, admin_user)
        space = spaces.create_space(session, admin, SpaceCreate(key=SPACE_KEY, name="Bench"))
        session.flush()
        first_id = (session.scalar(select(func.max(Content.id))) or 0) + 1
        now = clock.now()
        parent_of: dict[int, int | None] = {}
        content_rows, version_rows, closure_rows = [], [], []
        ancestors_of: dict[int, list[int]] = {}
        position: dict[int | None, int] = {}
        for n in range(pages):
            content_id = first_id + n
            # Breadth-first: the first `fanout` pages are roots, then each page gets `fanout` children.
            parent = None if n < fanout else first_id + (n - fanout) // fanout
            parent_of[content_id] = parent
            position[parent] = position.get(parent, -1) + 1
            title = f"Bench page {n:05d}"
            content_rows.append(
                {
                    "id": content_id,
                    "type": "page",
                    "status": "current",
                    "title": title,
                    "title_key": f"page:{title.casefold()}",
                    "space_id": space.id,
                    "parent_id": parent,
                    "position": position[parent],
                    "version": 1,
                    "creator_id": admin_user.id,
                    "created_at": now,
                }
            )
            version_rows.append(
                {
                    "content_id": content_id,
                    "number": 1,
                    "title": title,
                    "body": f"<p>Body {n}</p>",
                    "message": "",
                    "minor_edit": False,
                    "author_id": admin_user.id,
                    "created_at": now,
                }
            )
            chain = [*ancestors_of[parent], parent] if parent is not None else []
            ancestors_of[content_id] = chain
            closure_rows.append({"ancestor_id": content_id, "descendant_id": content_id, "depth": 0})
            for depth, ancestor in enumerate(reversed(chain), start=1):
                closure_rows.append({"ancestor_id": ancestor, "descendant_id": content_id, "depth": depth})
        ids = list(parent_of)
        restricted = set(rng.sample(ids, int(len(ids) * restricted_share)))
        restriction_rows = [
            {"content_id": cid, "operation": "read", "user_id": insider.id, "group_id": None} for cid in restricted
        ]
        for rows, model in (
            (content_rows, Content),
            (version_rows, ContentVersion),
            (closure_rows, ContentAncestor),
            (restriction_rows, ContentRestriction),
        ):
            for i in range(0, len(rows), 2000):
                session.execute(insert(model), rows[i : i + 2000])
        if session.bind is not None and session.bind.dialect.name == "postgresql":
            session.execute(
                text("SELECT setval(pg_get_serial_sequence('content', 'id'), (SELECT max(id) FROM content))")
            )
        hidden = {cid for cid in ids if cid in restricted or any(a in restricted for a in ancestors_of[cid])}
    if settings.is_sqlite:
        with runtime.engine.connect() as conn:
            conn.execute(text("ANALYZE"))
    else:
        with runtime.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
    runtime.engine.dispose()
    children = {}
    for cid, parent in parent_of.items():
        if parent is not None:
            children.setdefault(parent, []).append(cid)
    visible_parents = [cid for cid in children if cid not in hidden]
    mixed_parents = [cid for cid in visible_parents if any(c in hidden for c in children[cid])]
    return {
        "outsider": ("outsider@example.com", outsider_token),
        "roots": [cid for cid, parent in parent_of.items() if parent is None and cid not in hidden],
        "visible_parents": visible_parents,
        "mixed_parents": mixed_parents,
        "pages": pages,
        "restricted": len(restricted),
        "hidden_from_outsider": len(hidden),
        "seed_seconds": round(time.perf_counter() - started, 2),
    }


def scratch_database(base_url: str) -> tuple[str, str]:
    """A fresh PostgreSQL database beside the given one, so every run seeds from empty."""
    url = make_url(base_url).set(drivername="postgresql+psycopg")
    name = f"lf_bench_{os.getpid()}_{random.randrange(1 << 30):x}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False), name


def drop_database(base_url: str, name: str) -> None:
    admin = create_engine(make_url(base_url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(settings: Settings) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "src"),
        "LOCALFLUENCE_ADMIN_TOKEN": ADMIN_TOKEN,
        "LOCALFLUENCE_ADMIN_EMAIL": ADMIN_EMAIL,
    }
    command = [sys.executable, "-m", "localfluence", "serve", "--data-dir", str(settings.data_dir), "--port", str(port)]
    if settings.database_url:
        command += ["--database-url", settings.database_url]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {process.stderr.read().decode() if process.stderr else ''}")
        try:
            if httpx.get(f"{url}/status", timeout=1).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("server did not start")


def timed(client: httpx.Client, path: str, params: dict[str, Any]) -> float:
    started = time.perf_counter()
    response = client.get(path, params=params)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"{path} {params}: {response.status_code} {response.text[:300]}")
    return elapsed * 1000


def run_scenario(
    clients: dict[str, httpx.Client], requests: list[tuple[str, dict[str, Any]]], rounds: int
) -> dict[str, Any]:
    samples: dict[str, list[float]] = {name: [] for name in clients}
    sizes: dict[str, int] = {}
    for name, client in clients.items():  # warm-up, and what each persona gets back
        path, params = requests[0]
        sizes[name] = len(client.get(path, params=params).json().get("results", []))
    for _ in range(rounds):
        for path, params in requests:
            # Interleaved, so drift on a shared machine hits both personas alike.
            for name, client in clients.items():
                samples[name].append(timed(client, path, params))
    out: dict[str, Any] = {"requests": len(requests) * rounds, "first_page_sizes": sizes}
    for name, values in samples.items():
        out[name] = {
            "p50_ms": round(statistics.median(values), 3),
            "mean_ms": round(statistics.fmean(values), 3),
            "p90_ms": round(statistics.quantiles(values, n=10)[-1], 3),
        }
    out["ratio_p50"] = round(out["outsider"]["p50_ms"] / out["admin"]["p50_ms"], 3)
    out["ratio_mean"] = round(out["outsider"]["mean_ms"] / out["admin"]["mean_ms"], 3)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--fanout", type=int, default=10)
    parser.add_argument("--restricted", type=float, default=0.10, help="share of pages with a read restriction")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sample", type=int, default=40, help="parents sampled for the children listings")
    parser.add_argument("--database-url", default="", help="default: SQLite in a temporary directory")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    database_url, scratch = "", ""
    if args.database_url:
        database_url, scratch = scratch_database(args.database_url)
    try:
        with tempfile.TemporaryDirectory(prefix="lf-bench-") as tmp:
            settings = Settings(
                data_dir=Path(tmp), database_url=database_url, admin_email=ADMIN_EMAIL, admin_token=ADMIN_TOKEN
            )
            world = seed(settings, args.pages, args.fanout, args.restricted, rng)
            print(
                f"seeded {world['pages']} pages, {world['restricted']} restricted, "
                f"{world['hidden_from_outsider']} hidden from the outsider ({world['seed_seconds']} s)",
                flush=True,
            )
            process, url = start_server(settings)
            try:
                results = measure(url, world, args, rng)
            finally:
                process.terminate()
                process.wait(timeout=20)
    finally:
        if scratch:
            drop_database(args.database_url, scratch)
    dialect = "postgresql" if args.database_url.startswith("postgresql") else "sqlite"
    report = {
        "benchmark": "visibility",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": dialect,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "pages": world["pages"],
        "fanout": args.fanout,
        "restricted": world["restricted"],
        "hidden_from_outsider": world["hidden_from_outsider"],
        "rounds": args.rounds,
        "target_ratio": 1.5,
        "scenarios": results,
    }
    print(f"\n{'scenario':<34} {'admin p50':>10} {'outsider p50':>13} {'ratio':>7}")
    for name, r in results.items():
        print(f"{name:<34} {r['admin']['p50_ms']:>8.2f}ms {r['outsider']['p50_ms']:>11.2f}ms {r['ratio_p50']:>7.2f}")
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"visibility-{dialect}-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    worst = max(r["ratio_p50"] for r in results.values())
    print(f"worst outsider/admin ratio: {worst:.2f} (target <= 1.5)")
    return 0


def measure(url: str, world: dict[str, Any], args: argparse.Namespace, rng: random.Random) -> dict[str, Any]:
    api = "/wiki/rest/api"
    clients = {
        "admin": httpx.Client(base_url=url + api, auth=(ADMIN_EMAIL, ADMIN_TOKEN), timeout=60),
        "outsider": httpx.Client(base_url=url + api, auth=world["outsider"], timeout=60),
    }
    parents = rng.sample(world["visible_parents"], min(args.sample, len(world["visible_parents"])))
    mixed = rng.sample(world["mixed_parents"], min(args.sample, len(world["mixed_parents"])))
    scenarios: dict[str, list[tuple[str, dict[str, Any]]]] = {
        "children (any parent)": [(f"/content/{p}/child/page", {"limit": 25}) for p in parents],
        "children (parents with hidden kids)": [(f"/content/{p}/child/page", {"limit": 25}) for p in mixed],
        "space content, first page": [(f"/space/{SPACE_KEY}/content/page", {"limit": 25})] * 10,
        "space content, start=1000": [(f"/space/{SPACE_KEY}/content/page", {"limit": 25, "start": 1000})] * 10,
        "content list by space": [("/content", {"spaceKey": SPACE_KEY, "type": "page", "limit": 100})] * 10,
        "descendants of a root": [(f"/content/{r}/descendant/page", {"limit": 25}) for r in world["roots"][:10]],
    }
    probe = clients["admin"].get("/search", params={"cql": f"space = {SPACE_KEY}"})
    if probe.status_code == 200:
        scenarios["search space = BENCH"] = [("/search", {"cql": f"space = {SPACE_KEY} and type = page"})] * 10
        scenarios["search text ~ page"] = [("/search", {"cql": f'space = {SPACE_KEY} and text ~ "page"'})] * 10
    else:
        print("search is not served on this branch: skipped", flush=True)
    try:
        return {name: run_scenario(clients, reqs, args.rounds) for name, reqs in scenarios.items() if reqs}
    finally:
        for client in clients.values():
            client.close()


if __name__ == "__main__":
    raise SystemExit(main())
