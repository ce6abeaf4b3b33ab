"""Server start to first answered request, for a new process.

    .venv/bin/python -m bench.start            # 5 runs each
    .venv/bin/python -m bench.start --runs 10

Measured, each as wall time and the process's CPU time until GET /status answers 200:
- serve: `localfluence serve` on an existing (already migrated) data dir;
- exec: `localfluence exec` (a fresh temporary data dir from the schema template);
- phases: in one new process, importing localfluence.app, create_app(), and the first request
  through the ASGI app (no sockets), CPU milliseconds each;
- in-process: localfluence.testing.start_server() until GET /status answers, as the pytest plugin
  starts its server: first in a process that has imported only httpx and localfluence.testing
  (the app's imports included), then again in the same process.

Bytecode caches are allowed here (PYTHONDONTWRITEBYTECODE is dropped from the children's
environment): an installed package has them, and compiling the sources is not start-up work.
"""

from __future__ import annotations

import argparse
import os
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

ROOT = Path(__file__).resolve().parent.parent

PHASES = r"""
import asyncio, resource, time
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return (r.ru_utime + r.ru_stime) * 1000
c0, t0 = cpu(), time.perf_counter()
import localfluence.app as appmod
c1, t1 = cpu(), time.perf_counter()
from pathlib import Path
from localfluence.config import Settings
app = appmod.create_app(Settings(data_dir=Path(DATA), worker=False), prepare=False)
c2, t2 = cpu(), time.perf_counter()
sent = []
async def call():
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
             "scheme": "http", "path": "/status", "raw_path": b"/status", "root_path": "",
             "query_string": b"", "headers": [(b"host", b"127.0.0.1")], "client": ("127.0.0.1", 1),
             "server": ("127.0.0.1", 80)}
    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}
    async def send(message):
        sent.append(message)
    await app(scope, receive, send)
asyncio.run(call())
c3, t3 = cpu(), time.perf_counter()
assert sent[0]["status"] == 200, sent
print(f"{c1 - c0:.0f} {c2 - c1:.0f} {c3 - c2:.0f} {(t1 - t0) * 1000:.0f} {(t2 - t1) * 1000:.0f} {(t3 - t2) * 1000:.0f}")
"""


IN_PROCESS = r"""
import time
import httpx
from localfluence.testing.server import start_server
out = []
for _ in range(2):
    started = time.perf_counter()
    server = start_server()
    httpx.get(server.url + "/status").raise_for_status()
    out.append((time.perf_counter() - started) * 1000)
    server.stop()
print(" ".join(f"{v:.0f}" for v in out))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["LOCALFLUENCE_ADMIN_TOKEN"] = "bench-token"
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    return env


def until_answered(command: list[str], port: int) -> tuple[float, float]:
    import psutil

    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "localfluence", *command],
        env=child_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        with httpx.Client(timeout=1) as client:
            while True:
                try:
                    if client.get(f"http://127.0.0.1:{port}/status").status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if proc.poll() is not None:
                    raise RuntimeError(f"the server exited: {command}")
                time.sleep(0.003)
        wall = (time.perf_counter() - started) * 1000
        times = psutil.Process(proc.pid).cpu_times()
        return wall, (times.user + times.system) * 1000
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def summary(values: list[float]) -> str:
    return f"p50 {statistics.median(values):6.0f}   min {min(values):6.0f}   max {max(values):6.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="bench-start-"))
    try:
        # An existing data dir: migrated, admin created (and every bytecode cache written) once.
        subprocess.run(
            [sys.executable, "-m", "localfluence", "migrate", "--data-dir", str(data)],
            env=child_env(),
            check=True,
            capture_output=True,
        )
        until_answered(["serve", "--port", str(port := free_port()), "--data-dir", str(data)], port)
        results: dict[str, tuple[list[float], list[float]]] = {"serve": ([], []), "exec": ([], [])}
        phases: list[list[float]] = [[] for _ in range(6)]
        in_process: list[list[float]] = [[], []]
        for _ in range(args.runs):
            port = free_port()
            wall, cpu = until_answered(["serve", "--port", str(port), "--data-dir", str(data)], port)
            results["serve"][0].append(wall)
            results["serve"][1].append(cpu)
            port = free_port()
            sleeper = [sys.executable, "-c", "import time; time.sleep(60)"]
            wall, cpu = until_answered(["exec", "--port", str(port), "-q", "--", *sleeper], port)
            results["exec"][0].append(wall)
            results["exec"][1].append(cpu)
            out = subprocess.run(
                [sys.executable, "-c", f"DATA = {str(data)!r}\n" + PHASES],
                env=child_env(),
                check=True,
                capture_output=True,
                text=True,
            ).stdout.split()
            for i, value in enumerate(out):
                phases[i].append(float(value))
            out = subprocess.run(
                [sys.executable, "-c", IN_PROCESS], env=child_env(), check=True, capture_output=True, text=True
            ).stdout.split()
            in_process[0].append(float(out[0]))
            in_process[1].append(float(out[1]))
        load = os.getloadavg()[0]
        print(f"start to first answer, {args.runs} runs, ms (load average {load:.1f} on {os.cpu_count()} cores)")
        for how, (wall, cpu) in results.items():
            print(f"  {how:6} wall  {summary(wall)}")
            print(f"  {how:6} CPU   {summary(cpu)}")
        names = ("import localfluence.app", "create_app()", "first request (ASGI)")
        print("phases of one process, ms:")
        for i, name in enumerate(names):
            print(f"  {name:24} CPU  {summary(phases[i])}   wall p50 {statistics.median(phases[i + 3]):5.0f}")
        print("start_server() to first answer, wall ms:")
        print(f"  first in a new process   {summary(in_process[0])}")
        print(f"  again in that process    {summary(in_process[1])}")
    finally:
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
