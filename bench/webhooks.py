"""Event-write overhead on page updates and webhook delivery latency.

    PYTHONPATH=src python bench/webhooks.py [--updates 300] [--rate 100] [--seconds 5] [--clients 4]
        [--database-url URL] [--only updates|events]

First, delivery alone: events written straight into the outbox at --rate (see delivery_only).
Then starts `localfluence serve` in a child process (SQLite in a temporary directory unless a URL is
given) and a webhook receiver in this process, both on 127.0.0.1, then measures:
  updates/s   sequential PUT /content/{id} page updates: with no webhook registered (each update
              still writes its outbox event row) and with a webhook for every event (the event row
              plus a delivery row, and the worker posting concurrently);
  latency     page updates paced at --rate per second for --seconds (open loop, spread over
              --clients threads, each updating its own page); for each, the time from the PUT's
              response (the transaction has committed by then) to the receiver getting the
              page_updated webhook: p50, p99, max.
Server CPU per update (from /proc, µs) is reported for each phase: it is less affected by other
load on the machine than rates are. Client, server and receiver share the machine's cores."""

from __future__ import annotations

import argparse
import itertools
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

TOKEN = "bench-admin-token"
EMAIL = "admin@example.com"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(data_dir: Path, port: int, database_url: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "LOCALFLUENCE_ADMIN_TOKEN": TOKEN, "LOCALFLUENCE_ADMIN_EMAIL": EMAIL}
    args = [sys.executable, "-m", "localfluence", "serve", "--port", str(port), "--data-dir", str(data_dir)]
    if database_url:
        args += ["--database-url", database_url]
    process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/status", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("server did not start")
        time.sleep(0.05)


class Receiver:
    def __init__(self) -> None:
        self.arrivals: dict[tuple[int, int], float] = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as real receivers do

            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                at = time.monotonic()
                if body.get("eventType") == "page_updated":
                    receiver.arrivals.setdefault((int(body["page"]["id"]), body["page"]["version"]), at)
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def updates_per_second(api: httpx.Client, space: str, count: int) -> float:
    page = api.post("/content", json={"type": "page", "title": f"bench {time.time()}", "space": {"key": space}}).json()
    started = time.perf_counter()
    for n in range(2, count + 2):
        response = api.put(
            f"/content/{page['id']}", json={"type": "page", "title": page["title"], "version": {"number": n}}
        )
        assert response.status_code == 200, response.text
    return count / (time.perf_counter() - started)


def latency(api: httpx.Client, receiver: Receiver, pid: int, space: str, args: argparse.Namespace) -> None:
    pages = [
        api.post("/content", json={"type": "page", "title": f"latency {n}", "space": {"key": space}}).json()
        for n in range(args.clients)
    ]
    committed: dict[tuple[int, int], float] = {}
    total = int(args.rate * args.seconds)
    start = time.monotonic() + 0.2
    cpu = cpu_seconds(pid)

    def client(n: int) -> None:
        page = pages[n]
        with httpx.Client(base_url=str(api.base_url), auth=api.auth, timeout=30) as own:
            for i, number in zip(range(n, total, args.clients), itertools.count(2), strict=False):
                pause = start + i / args.rate - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
                body = {"type": "page", "title": page["title"], "version": {"number": number}}
                response = own.put(f"/content/{page['id']}", json=body)
                assert response.status_code == 200, response.text
                committed[(int(page["id"]), number)] = time.monotonic()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    achieved = total / (time.monotonic() - start)
    deadline = time.monotonic() + 30
    while len([k for k in committed if k in receiver.arrivals]) < total and time.monotonic() < deadline:
        time.sleep(0.05)
    used = (cpu_seconds(pid) - cpu) / total * 1e6
    latencies = sorted((receiver.arrivals[k] - t) * 1000 for k, t in committed.items() if k in receiver.arrivals)
    lost = total - len(latencies)
    p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]  # noqa: E731
    print(
        f"delivery latency at {achieved:.0f} updates/s ({total} events, {args.clients} clients): "
        f"p50 {p(0.5):.1f} ms  p99 {p(0.99):.1f} ms  max {latencies[-1]:.1f} ms  missing {lost}"
    )
    print(f"(mean {statistics.mean(latencies):.1f} ms; server CPU {used:.0f} µs per update + delivery)")


RECEIVER = """
import json, sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
arrivals = {}
class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        self.rfile.read(int(self.headers["content-length"]))
        arrivals.setdefault(self.headers["X-Atlassian-Webhook-Identifier"], time.monotonic())
        self.send_response(204); self.send_header("Content-Length", "0"); self.end_headers()
    def do_GET(self):
        body = json.dumps(arrivals).encode()
        self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args): pass
server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
server.daemon_threads = True
server.serve_forever()
"""


def delivery_threads_cpu() -> float:
    """CPU seconds of this process's delivery threads (the worker and its posters), from /proc."""
    total = 0.0
    for thread in threading.enumerate():
        if thread.name.startswith(("localfluence-worker", "localfluence-webhook")) and thread.native_id:
            try:
                fields = Path(f"/proc/self/task/{thread.native_id}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def delivery_only(args: argparse.Namespace, tmp: Path) -> None:
    """Events recorded straight into the outbox at --rate, each in its own committed transaction,
    by a server's runtime in this process (no HTTP write in front of them, so the rate does not
    depend on what a page update costs); the receiver is a child process. Latency is from the
    commit of an event to the receiver getting it."""
    from localfluence.app import create_app
    from localfluence.config import Settings
    from localfluence.db.session import transaction
    from localfluence.events.record import record
    from localfluence.models import Webhook
    from localfluence.tasks.worker import write

    port = free_port()
    receiver = subprocess.Popen([sys.executable, "-c", RECEIVER, str(port)])
    database = args.database_url or f"sqlite:///{tmp / 'events.db'}"
    app = create_app(Settings(data_dir=tmp, database_url=database, admin_email=EMAIL, admin_token=TOKEN))
    runtime = app.state.runtime
    try:
        with transaction(runtime.sessions) as session:
            url = f"http://127.0.0.1:{port}/hook"
            session.add(Webhook(name="bench", url=url, events='["*"]', secret="bench", created_at=datetime.now(UTC)))
        deadline = time.monotonic() + 10
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "receiver did not start"
                time.sleep(0.05)
        content = {"id": 1, "type": "page", "status": "current", "title": "bench", "spaceKey": "BENCH"}
        committed: dict[str, float] = {}
        total = int(args.rate * args.seconds)
        pid = os.getpid()
        cpu = cpu_seconds(pid)
        delivering = delivery_threads_cpu()
        start = time.monotonic()
        for i in range(total):
            pause = start + i / args.rate - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            with transaction(runtime.sessions) as session:
                write(session)
                event_id = str(record(session, "page_updated", {"content": {**content, "version": i + 2}}).id)
            committed[event_id] = time.monotonic()
        achieved = total / (time.monotonic() - start)
        deadline = time.monotonic() + 30
        while True:
            arrivals = httpx.get(f"http://127.0.0.1:{port}/", timeout=10).json()
            if len(arrivals) >= total or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        used = (cpu_seconds(pid) - cpu) / total * 1e6
        delivering = (delivery_threads_cpu() - delivering) / total * 1e6
        latencies = sorted((arrivals[k] - t) * 1000 for k, t in committed.items() if k in arrivals)
        p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]  # noqa: E731
        print(
            f"delivery latency, events written at {achieved:.0f}/s ({total} events, outbox only): "
            f"p50 {p(0.5):.1f} ms  p99 {p(0.99):.1f} ms  max {latencies[-1]:.1f} ms  missing {total - len(latencies)}"
        )
        print(
            f"(mean {statistics.mean(latencies):.1f} ms; CPU per event: {used:.0f} µs in all, "
            f"{delivering:.0f} µs of it in the delivery worker and posters)"
        )
    finally:
        runtime.close()
        receiver.kill()
        receiver.wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--updates", type=int, default=300)
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--database-url", default="")
    parser.add_argument(
        "--only", choices=("updates", "events"), default=None, help="only the page-update or the outbox-event phases"
    )
    args = parser.parse_args()
    if args.only != "updates":
        with tempfile.TemporaryDirectory(prefix="lf-bench-webhooks-") as tmp:
            delivery_only(args, Path(tmp))
    if args.only == "events":
        return
    with tempfile.TemporaryDirectory(prefix="lf-bench-webhooks-") as tmp:
        port = free_port()
        process = start_server(Path(tmp), port, args.database_url)
        try:
            base = f"http://127.0.0.1:{port}"
            api = httpx.Client(base_url=base + "/wiki/rest/api", auth=(EMAIL, TOKEN), timeout=30)
            admin = httpx.Client(base_url=base + "/_localfluence", auth=(EMAIL, TOKEN), timeout=30)
            space = "BW" + str(port)
            api.post("/space", json={"key": space, "name": "bench"})
            updates_per_second(api, space, 50)  # warm-up
            cpu = cpu_seconds(process.pid)
            without = updates_per_second(api, space, args.updates)
            cpu_without = (cpu_seconds(process.pid) - cpu) / args.updates * 1e6
            receiver = Receiver()
            admin.post("/webhooks", json={"url": receiver.url, "events": ["*"], "secret": "bench"}).raise_for_status()
            cpu = cpu_seconds(process.pid)
            with_hook = updates_per_second(api, space, args.updates)
            time.sleep(0.5)  # the last deliveries' CPU counts too
            cpu_with = (cpu_seconds(process.pid) - cpu) / args.updates * 1e6
            print(
                f"page updates/s  no webhook: {without:7.1f}   with a webhook for every event: {with_hook:7.1f}"
                f"   ({(1 - with_hook / without) * 100:+.1f}% cost)"
            )
            print(
                f"server CPU per update  no webhook: {cpu_without:6.0f} µs   with a webhook: {cpu_with:6.0f} µs"
                f"   (+{cpu_with - cpu_without:.0f} µs for the event's delivery row and its POST)"
            )
            latency(api, receiver, process.pid, space, args)
            api.close()
            admin.close()
        finally:
            process.kill()
            process.wait()


if __name__ == "__main__":
    main()
