"""The benchmark command: seed, start localfluence and a bare baseline, drive bounded load with wrk
over loopback, print one table and write JSON results.

    .venv/bin/python -m bench.run                       # SQLite, 10k pages
    .venv/bin/python -m bench.run --pages 100000
    .venv/bin/python -m bench.run --scaling --pages 3000    # 1 vs 2 workers on GET content by id
    scripts/pg-throwaway run -- .venv/bin/python -m bench.run --db postgresql

Ratios compare each scenario with the baseline variant of the same shape, measured in this run.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import psutil
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
ADMIN_EMAIL = "admin@example.com"
ADMIN_TOKEN = "bench-admin-token"
console = Console()


@dataclass
class Result:
    scenario: str
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    cpu_us_per_request: float
    errors: int
    baseline: str = ""
    ratio: float | None = None
    transfer_mb_s: float = 0.0  # response bytes wrk read per second (MB = 2**20 bytes)
    note: str = ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def cpu_seconds(proc: psutil.Process) -> float:
    total = 0.0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


WRK_DONE = """
done = function(summary, latency, requests)
  io.write(string.format('WRKJSON {"requests":%d,"duration_us":%d,"bytes":%d,"p50":%d,"p99":%d,' ..
    '"status":%d,"connect":%d,"read":%d,"timeout":%d}\\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(99),
    summary.errors.status, summary.errors.connect, summary.errors.read, summary.errors.timeout))
end
"""


def lua_paths(paths: list[str]) -> str:
    items = ",".join(json.dumps(p) for p in paths)
    return f"""
local paths = {{{items}}}
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1])
end
"""


# wrk.format(method, path, headers, body) replaces wrk.headers (the -H Authorization) with the table
# it is given, so each JSON request carries a copy of wrk.headers plus its Content-Type.
LUA_JSON_HEADERS = """
json_headers = function()
  local h = {}
  for k, v in pairs(wrk.headers) do h[k] = v end
  h["Content-Type"] = "application/json"
  return h
end
"""


def lua_create(space_key: str, parent_id: int) -> str:
    return f"""
local nthreads = 0
local counter = 0
setup = function(thread) nthreads = nthreads + 1; thread:set("tid", nthreads) end
-- Seeded per run and thread: titles must not repeat those of an earlier run on the same data.
init = function(args) math.randomseed(os.time() * 16 + tid) end
request = function()
  counter = counter + 1
  local body = '{{"type":"page","space":{{"key":"{space_key}"}},"ancestors":[{{"id":"{parent_id}"}}],' ..
    '"title":"bench ' .. tostring(tid) .. '-' .. tostring(counter) .. '-' .. tostring(math.random(1e9)) .. '",' ..
    '"body":{{"storage":{{"value":"<p>Created by the benchmark</p>","representation":"storage"}}}}}}'
  return wrk.format("POST", "/wiki/rest/api/content", json_headers(), body)
end
"""


def lua_update(ids_by_thread: list[list[int]]) -> str:
    tables = ",".join("{" + ",".join(str(i) for i in ids) + "}" for ids in ids_by_thread)
    return f"""
local pools = {{{tables}}}
local nthreads = 0
setup = function(thread) nthreads = nthreads + 1; thread:set("tid", nthreads) end
local n = 0
local versions = {{}}
request = function()
  local pool = pools[tid]
  n = n + 1
  local id = pool[(n % #pool) + 1]
  local v = (versions[id] or 1) + 1
  versions[id] = v
  local body = '{{"type":"page","title":"bench update ' .. id .. '","version":{{"number":' .. v .. '}},' ..
    '"body":{{"storage":{{"value":"<p>Updated ' .. v .. '</p>","representation":"storage"}}}}}}'
  return wrk.format("PUT", "/wiki/rest/api/content/" .. id, json_headers(), body)
end
"""


def lua_post(path: str) -> str:
    return f"""
request = function()
  return wrk.format("POST", "{path}", json_headers(), "{{}}")
end
"""


def run_wrk(base: str, script: str, *, auth: bool, connections: int, duration: int, threads: int,
            proc: psutil.Process, midway: Callable[[], None] | None = None) -> tuple[dict, float]:
    """wrk's summary (plus "wrk_cpu_s", the load generator's own CPU) and the server's CPU seconds.
    `midway` runs halfway through the run (to look at the server under load)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(LUA_JSON_HEADERS + script + WRK_DONE)
        path = fh.name
    args = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "-s", path]
    if auth:
        token = base64.b64encode(f"{ADMIN_EMAIL}:{ADMIN_TOKEN}".encode()).decode()
        args += ["-H", f"Authorization: Basic {token}"]
    before = cpu_seconds(proc)
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wrk = subprocess.Popen([*args, base], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if midway is not None:
        time.sleep(duration / 2)
        midway()
    stdout, stderr = wrk.communicate(timeout=duration + 60)
    cpu = cpu_seconds(proc) - before
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # wrk is the only child reaped meanwhile
    wrk_cpu = (children.ru_utime - children_before.ru_utime) + (children.ru_stime - children_before.ru_stime)
    os.unlink(path)
    if os.environ.get("BENCH_DEBUG"):
        console.print(stdout, stderr)
    line = next((ln for ln in stdout.splitlines() if ln.startswith("WRKJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk failed: {stdout}\n{stderr}")
    return {**json.loads(line[len("WRKJSON "):]), "wrk_cpu_s": wrk_cpu}, cpu


def summarize(name: str, stats: dict, cpu: float) -> Result:
    seconds = stats["duration_us"] / 1e6
    n = max(stats["requests"], 1)
    return Result(
        scenario=name,
        requests_per_s=round(stats["requests"] / seconds, 1),
        p50_ms=round(stats["p50"] / 1000, 2),
        p99_ms=round(stats["p99"] / 1000, 2),
        cpu_us_per_request=round(cpu / n * 1e6, 1),
        errors=stats["status"] + stats["connect"] + stats["read"] + stats["timeout"],
        transfer_mb_s=round(stats.get("bytes", 0) / seconds / 2**20, 1),
    )


def start(cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(cmd, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True)


def stop(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)


# How long the server may take, after a scenario, to answer the requests still in flight.
DRAIN_SECONDS = 120
GET_BY_ID = "/wiki/rest/api/content/{}?expand=body.storage,version,space"
# What --scenarios can name (the baselines always run).
SCENARIOS = (
    "get content by id",
    "get page (v2)",
    "list content by space",
    "children of a 1000-child page",
    "cql search mix",
    "create page",
    "update page",
    "attachment download 1 MB",
)


def cql_mix(data: Any, rng: random.Random, count: int = 500) -> list[str]:
    """GET /search paths cycling through bench/search.py's five query kinds, with words, labels,
    spaces and ancestors drawn from the seeded data."""
    from bench.dataset import WORDS

    ancestors = data.ancestor_ids or data.page_ids
    kinds: list[Callable[[], str]] = [
        lambda: f'text ~ "{rng.choice(WORDS)}"',
        lambda: f'title ~ "{rng.choice(WORDS)}" ORDER BY lastmodified desc',
        lambda: f'label = "{rng.choice(data.label_names)}"',
        lambda: f'space = "{rng.choice(data.space_keys)}" AND type = page',
        lambda: f"ancestor = {rng.choice(ancestors)}",
    ]
    return [f"/wiki/rest/api/search?cql={quote(kinds[i % len(kinds)]())}&limit=25" for i in range(count)]


def tcp_connections(process: psutil.Process) -> list:  # type: ignore[type-arg]
    try:
        return getattr(process, "net_connections", process.connections)(kind="tcp")
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return []


def established(process: psutil.Process, port: int) -> int:
    return sum(1 for c in tcp_connections(process) if c.status == psutil.CONN_ESTABLISHED and c.laddr.port == port)


def listens(process: psutil.Process, port: int) -> bool:
    return any(c.status == psutil.CONN_LISTEN and c.laddr.port == port for c in tcp_connections(process))


def cpu_seconds_of(process: psutil.Process) -> float:
    try:
        t = process.cpu_times()
    except psutil.NoSuchProcess:
        return 0.0
    return t.user + t.system


def count_connections(processes: list[psutil.Process], port: int, into: list[int]) -> None:
    into.extend(established(p, port) for p in processes)


def database_processes(database_url: str) -> list[psutil.Process]:
    """PostgreSQL's postmaster listening on the URL's port ([] for SQLite); cpu_seconds() adds its
    backends."""
    if not database_url.startswith("postgresql"):
        return []
    from sqlalchemy.engine import make_url

    port = make_url(database_url).port or 5432
    for p in psutil.process_iter(["name"]):
        if p.info["name"] == "postgres" and listens(p, port):
            return [p]
    return []


def machine_busy_seconds() -> float:
    t = psutil.cpu_times()
    return sum(t) - t.idle - getattr(t, "iowait", 0.0)


# How each variant starts: `serve` with 1 and 2 workers, and what `serve --workers 2` ran before
# cli/workers.py (uvicorn's supervisor, every worker on one shared socket), for comparison.
SCALING_VARIANTS = {
    "1": ["localfluence", "serve", "--workers", "1"],
    "2": ["localfluence", "serve", "--workers", "2"],
    "2 shared": ["uvicorn", "localfluence.app:create_app_from_env", "--factory", "--workers", "2", "--loop",
                 "asyncio", "--log-level", "warning", "--no-access-log"],
}


def scaling(env: dict[str, str], sample: list[int], data_dir: Path, *, duration: int, connections: int,
            db: str, pages: int) -> None:
    """GET content by id with 1, 2 and 2 "shared" workers, then in reverse order (which cancels a
    drift in the machine's other load), and the factors 2 workers give over 1. Per run: the
    server's CPU, PostgreSQL's, wrk's (the load generator shares the cores), everything else the
    machine ran meanwhile, and how the connections and the CPU were spread over the workers."""
    script = lua_paths([GET_BY_ID.format(i) for i in sample])
    database = database_processes(env["LOCALFLUENCE_DATABASE_URL"])
    # All variants start (and warm up) first, so the measured runs follow each other without gaps:
    # the machine's other load changes less between them.
    servers: dict[str, tuple[subprocess.Popen[bytes], int]] = {}
    rows = []
    try:
        for variant, command in SCALING_VARIANTS.items():
            port = free_port()
            servers[variant] = (start([sys.executable, "-m", *command, "--port", str(port)], env,
                                      data_dir / f"server-{len(servers)}.log"), port)
        for lf, port in servers.values():
            wait_ready(f"http://127.0.0.1:{port}/status")
            time.sleep(1)  # every worker up (a listening socket queues connections until its worker serves)
            # Warm every worker (first requests fill per-process caches), unmeasured.
            run_wrk(f"http://127.0.0.1:{port}", script, auth=True, connections=connections, duration=1, threads=2,
                    proc=psutil.Process(lf.pid))
        for variant in (*SCALING_VARIANTS, *reversed(SCALING_VARIANTS)):
            lf, port = servers[variant]
            proc = psutil.Process(lf.pid)
            serving = [p for p in [proc, *proc.children(recursive=True)] if p.pid == lf.pid or
                       "spawn_main" in " ".join(p.cmdline())]
            spread: list[int] = []
            console.print(f"[dim]running get content by id, {variant} worker(s)…[/dim]")
            busy, wall = machine_busy_seconds(), time.monotonic()
            db_cpu = sum(cpu_seconds(p) for p in database)
            per_worker = [cpu_seconds_of(p) for p in serving]
            stats, cpu = run_wrk(f"http://127.0.0.1:{port}", script, auth=True, connections=connections,
                                 duration=duration, threads=2, proc=proc,
                                 midway=partial(count_connections, serving, port, spread))
            per_worker = [cpu_seconds_of(p) - before for p, before in zip(serving, per_worker, strict=True)]
            db_cpu = sum(cpu_seconds(p) for p in database) - db_cpu
            busy, wall = machine_busy_seconds() - busy, time.monotonic() - wall
            result = summarize("get content by id", stats, cpu)
            rows.append({"workers": variant, **asdict(result), "server_cores": round(cpu / wall, 2),
                         "wrk_cores": round(stats["wrk_cpu_s"] / wall, 2),
                         "database_cores": round(db_cpu / wall, 2),
                         "other_cores": round(max(0.0, busy - cpu - db_cpu - stats["wrk_cpu_s"]) / wall, 2),
                         "connections_per_worker": [n for n in spread if n],
                         "cpu_share_per_worker": [round(c / cpu, 2) for c in per_worker if c > 0.05 * cpu]})
    finally:
        for lf, _ in servers.values():
            stop(lf)

    def rate(variant: str) -> float:
        return sum(r["requests_per_s"] for r in rows if r["workers"] == variant)

    factors = {variant: round(rate(variant) / rate("1"), 2) for variant in SCALING_VARIANTS if variant != "1"}
    table = Table(title=f"localfluence workers scaling — {db}, {pages} pages, {connections} connections, "
                        f"{duration}s each, {os.cpu_count()} cores")
    for col in ("workers", "req/s", "p50 ms", "p99 ms", "CPU µs/req", "errors", "server cores", "database cores",
                "wrk cores", "other cores", "connections per worker", "CPU per worker"):
        table.add_column(col, justify="right")
    for r in rows:
        table.add_row(r["workers"], f"{r['requests_per_s']:,.0f}", f"{r['p50_ms']}", f"{r['p99_ms']}",
                      f"{r['cpu_us_per_request']:,.0f}", str(r["errors"]), f"{r['server_cores']:.2f}",
                      f"{r['database_cores']:.2f}", f"{r['wrk_cores']:.2f}", f"{r['other_cores']:.2f}",
                      "/".join(str(n) for n in r["connections_per_worker"]),
                      "/".join(f"{c:.0%}" for c in r["cpu_share_per_worker"]))
    wide = Console(width=max(console.width, 160))
    wide.print(table)
    wide.print(f"2 workers / 1 worker: [bold]{factors['2']:.2f}x[/bold] (issue #10 wants >= 1.5); with uvicorn's own "
               f"supervisor and one shared socket: {factors['2 shared']:.2f}x. 'other cores': what the machine ran "
               "besides the server, its database and wrk; above ~0.1 the server did not have the cores to itself and "
               "the factors understate.")
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"scaling-{db}-{pages}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps({"db": db, "pages": pages, "connections": connections, "duration": duration,
                               "factors": factors, "runs": rows}, indent=2))
    console.print(f"results written to {out}")


def bench_arguments(doc: str | None) -> argparse.ArgumentParser:
    """The options every benchmark command that seeds and serves takes."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--database-url", default=os.environ.get("LOCALFLUENCE_TEST_DATABASE_URL", ""))
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--spaces", type=int, default=0, help="default: pages / 1000, at least 10")
    parser.add_argument("--duration", type=int, default=10, help="seconds per scenario (capped at 60)")
    parser.add_argument("--connections", type=int, default=64, help="capped at 256")
    parser.add_argument("--workers", type=int, default=1)
    return parser


@dataclass
class Seeded:
    data_dir: Path
    database_url: str
    blob_dir: Path
    data: Any  # bench.dataset's Dataset
    seed_seconds: float
    duration: int  # the caps applied
    connections: int


def seed_dataset(args: argparse.Namespace, prefix: str, database: str) -> Seeded:
    """A fresh data dir (and database, on PostgreSQL) seeded through the app's own code, in this
    process, before any server starts."""
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    data_dir = Path(tempfile.mkdtemp(prefix=prefix))
    if args.db == "postgresql":
        if not args.database_url:
            sys.exit("--db postgresql needs --database-url or LOCALFLUENCE_TEST_DATABASE_URL (scripts/pg-throwaway)")
        database_url = args.database_url
    else:
        database_url = f"sqlite:///{data_dir / 'bench.db'}"
    os.environ.update(LOCALFLUENCE_ADMIN_TOKEN=ADMIN_TOKEN, LOCALFLUENCE_ADMIN_EMAIL=ADMIN_EMAIL)
    sys.path.insert(0, str(ROOT / "src"))
    from bench.dataset import seed
    from localfluence.app import create_app
    from localfluence.config import Settings

    if args.db == "postgresql":
        from tests.server import fresh_postgres_database

        database_url = fresh_postgres_database(database_url, database)
    settings = Settings(data_dir=data_dir, database_url=database_url)
    app = create_app(settings)
    started = time.monotonic()
    data = seed(app.state.runtime.sessions, pages=args.pages, spaces=args.spaces or max(10, args.pages // 1000))
    seed_seconds = time.monotonic() - started
    app.state.runtime.engine.dispose()
    return Seeded(data_dir, database_url, settings.resolved_blob_dir(), data, seed_seconds,
                  duration=max(1, min(args.duration, 60)), connections=max(1, min(args.connections, 256)))


def main() -> None:
    parser = bench_arguments(__doc__)
    parser.add_argument("--scenarios", default="",
                        help="comma-separated subset of: " + ", ".join(f"'{s}'" for s in SCENARIOS))
    parser.add_argument("--scaling", action="store_true",
                        help="only GET content by id, with 1 and 2 workers (6 runs), and the factor 2 workers give")
    args = parser.parse_args()
    wanted = {s.strip() for s in args.scenarios.split(",") if s.strip()}
    if unknown := wanted - set(SCENARIOS):
        parser.error(f"unknown scenario(s): {', '.join(sorted(unknown))}; known: {', '.join(SCENARIOS)}")
    seeded = seed_dataset(args, "localfluence-bench-", "localfluence_bench")
    data_dir, database_url, data = seeded.data_dir, seeded.database_url, seeded.data
    duration, connections, seed_seconds = seeded.duration, seeded.connections, seeded.seed_seconds

    env = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + str(ROOT),
           "LOCALFLUENCE_DATA_DIR": str(data_dir), "LOCALFLUENCE_DATABASE_URL": database_url,
           "BASELINE_DATABASE_URL": database_url, "BASELINE_BLOB_DIR": str(seeded.blob_dir)}
    if args.scaling:
        try:
            scaling(env, random.Random(7).sample(data.page_ids, min(5000, len(data.page_ids))), data_dir,
                    duration=duration, connections=connections, db=args.db, pages=args.pages)
        finally:
            shutil.rmtree(data_dir, ignore_errors=True)
        return
    lf_port, base_port = free_port(), free_port()
    lf = start([sys.executable, "-m", "localfluence", "serve", "--port", str(lf_port), "--workers", str(args.workers)],
               env, data_dir / "server.log")
    bare = start([sys.executable, "-m", "uvicorn", "bench.baseline:app", "--port", str(base_port), "--log-level",
                  "warning", "--no-access-log"], env, data_dir / "baseline.log")
    results: list[Result] = []
    try:
        lf_url, base_url = f"http://127.0.0.1:{lf_port}", f"http://127.0.0.1:{base_port}"
        wait_ready(lf_url + "/status")
        wait_ready(base_url + f"/row/{data.page_ids[0]}")
        lf_proc, base_proc = psutil.Process(lf.pid), psutil.Process(bare.pid)
        rng = random.Random(7)
        sample = rng.sample(data.page_ids, min(5000, len(data.page_ids)))

        stalled: list[str] = []  # the scenario after which a server stopped answering

        def run(name: str, base: str, script: str, proc: psutil.Process, auth: bool, baseline: str = "") -> None:
            if wanted and name not in wanted and not name.startswith("baseline"):
                return
            if stalled:
                results.append(Result(name, 0, 0, 0, 0, 0, baseline, note=f"not run: no answer after {stalled[0]}"))
                return
            console.print(f"[dim]running {name}…[/dim]")
            stats, cpu = run_wrk(base, script, auth=auth, connections=connections, duration=duration,
                                 threads=2, proc=proc)
            result = summarize(name, stats, cpu)
            result.baseline = baseline
            results.append(result)
            # A server that hangs under a scenario must not pass for a slow one, nor spoil the next.
            # Requests wrk had in flight when it stopped still run (each worker does its database
            # work inline on its event loop): wait for that backlog to drain, and say how long it took.
            started = time.monotonic()
            try:
                httpx.get(base + ("/status" if base == lf_url else f"/row/{data.page_ids[0]}"), timeout=DRAIN_SECONDS)
            except httpx.HTTPError:
                result.note = f"server stopped answering (nothing within {DRAIN_SECONDS} s)"
                stalled.append(name)
                console.print(f"[red]{name}: the server stopped answering; later scenarios are skipped[/red]")
                return
            drained = time.monotonic() - started
            if drained > 1:
                result.note = f"backlog drained {drained:.1f} s after the run"

        run("baseline: row read", base_url, lua_paths([f"/row/{i}" for i in sample]), base_proc, False)
        run("baseline: 25-row page", base_url, lua_paths([f"/rows/{i}" for i in sample]), base_proc, False)
        run("baseline: insert", base_url, lua_post("/insert"), base_proc, False)
        large = data.large_attachments
        run("baseline: 1 MB file", base_url, lua_paths([f"/file/{a.id}" for a in large]), base_proc, False)
        run("get content by id", lf_url,
            lua_paths([GET_BY_ID.format(i) for i in sample]),
            lf_proc, True, "baseline: row read")
        run("get page (v2)", lf_url,
            lua_paths([f"/wiki/api/v2/pages/{i}?body-format=storage" for i in sample]),
            lf_proc, True, "baseline: row read")
        run("list content by space", lf_url,
            lua_paths([f"/wiki/rest/api/content?spaceKey={k}&limit=25&expand=version&start={s}"
                       for k in data.space_keys for s in (0, 25, 50)]),
            lf_proc, True, "baseline: 25-row page")
        run("children of a 1000-child page", lf_url,
            lua_paths([f"/wiki/rest/api/content/{data.wide_parent_id}/child/page?limit=25&start={s}"
                       for s in range(0, 1000, 25)]),
            lf_proc, True, "baseline: 25-row page")
        run("cql search mix", lf_url, lua_paths(cql_mix(data, random.Random(11))), lf_proc, True,
            "baseline: 25-row page")
        run("create page", lf_url, lua_create(data.wide_space_key, data.wide_parent_id), lf_proc, True,
            "baseline: insert")
        # wrk builds one request per thread before it starts sending, so the first page of each pool
        # skips a version; a pool larger than one run's updates never comes back to it (409s).
        update_pool = data.page_ids[1000:21000] if len(data.page_ids) >= 3000 else data.page_ids
        run("update page", lf_url, lua_update([update_pool[0::2], update_pool[1::2]]), lf_proc, True,
            "baseline: insert")
        # The direct download URL (_links.download): .../child/attachment/{id}/download answers a
        # 302 to it, which wrk would count as the whole answer. Last: with more concurrent downloads
        # than the database pool has connections, the server has been seen to stop answering (each
        # download keeps its connection across the blob reads' thread hops), spoiling what follows.
        run("attachment download 1 MB", lf_url, lua_paths([a.download for a in large]), lf_proc, True,
            "baseline: 1 MB file")
        rss = sum(p.memory_info().rss for p in [lf_proc, *lf_proc.children(recursive=True)])
    finally:
        stop(lf)
        stop(bare)
    by_name = {r.scenario: r for r in results}
    for r in results:
        base = by_name.get(r.baseline)
        if base is not None and base.requests_per_s and not r.note.startswith("not run"):
            r.ratio = round(r.requests_per_s / base.requests_per_s, 2)
    table = Table(title=f"localfluence bench — {args.db}, {args.pages} pages, {connections} connections, "
                        f"{args.workers} worker(s), {duration}s each (seeded in {seed_seconds:.0f}s)")
    for col in ("scenario", "req/s", "p50 ms", "p99 ms", "CPU µs/req", "errors", "MB/s", "ratio"):
        table.add_column(col, justify="left" if col == "scenario" else "right")
    for r in results:
        table.add_row(r.scenario, f"{r.requests_per_s:,.0f}", f"{r.p50_ms}", f"{r.p99_ms}",
                      f"{r.cpu_us_per_request:,.0f}", str(r.errors), f"{r.transfer_mb_s:,.0f}",
                      "" if r.ratio is None else f"{r.ratio:.2f}")
    wide = Console(width=max(console.width, 120))
    wide.print(table)
    for r in results:
        if r.note:
            console.print(f"[red]{r.scenario}: {r.note}[/red]")
    console.print(f"server RSS after the run: {rss / 2**20:.0f} MB")
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"run-{args.db}-{args.pages}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps({"db": args.db, "pages": args.pages, "connections": connections,
                               "workers": args.workers, "duration": duration, "server_rss_bytes": rss,
                               "results": [asdict(r) for r in results]}, indent=2))
    console.print(f"results written to {out}")
    shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
