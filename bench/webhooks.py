"""Event-write overhead on page updates and webhook delivery latency.

    PYTHONPATH=src python bench/webhooks.py [--updates 300] [--rate 100] [--seconds 5] [--database-url URL]

Starts `localfluence serve` in a child process (SQLite in a temporary directory unless a URL is
given) and a webhook receiver in this process, both on 127.0.0.1, then measures:
  updates/s   sequential PUT /content/{id} page updates: with no webhook registered (each update
              still writes its outbox event row) and with a webhook for every event (the event row
              plus a delivery row, and the worker posting concurrently);
  latency     page updates paced at --rate per second for --seconds; for each, the time from the
              PUT's response (the transaction has committed by then) to the receiver getting the
              page_updated webhook: p50, p99, max.
Client, server and receiver share the machine's cores."""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
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
            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                at = time.monotonic()
                if body.get("eventType") == "page_updated":
                    receiver.arrivals.setdefault((int(body["page"]["id"]), body["page"]["version"]), at)
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"


def updates_per_second(api: httpx.Client, space: str, count: int) -> float:
    page = api.post("/content", json={"type": "page", "title": f"bench {time.time()}", "space": {"key": space}}).json()
    started = time.perf_counter()
    for n in range(2, count + 2):
        response = api.put(
            f"/content/{page['id']}", json={"type": "page", "title": page["title"], "version": {"number": n}}
        )
        assert response.status_code == 200, response.text
    return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--updates", type=int, default=300)
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
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
            without = updates_per_second(api, space, args.updates)
            receiver = Receiver()
            admin.post("/webhooks", json={"url": receiver.url, "events": ["*"], "secret": "bench"}).raise_for_status()
            with_hook = updates_per_second(api, space, args.updates)
            print(
                f"page updates/s  no webhook: {without:7.1f}   with a webhook for every event: {with_hook:7.1f}"
                f"   ({(1 - with_hook / without) * 100:+.1f}% cost)"
            )

            page = api.post("/content", json={"type": "page", "title": "latency", "space": {"key": space}}).json()
            committed: dict[tuple[int, int], float] = {}
            interval = 1 / args.rate
            total = int(args.rate * args.seconds)
            start = time.monotonic()
            for i in range(total):
                due = start + i * interval
                pause = due - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
                number = i + 2
                body = {"type": "page", "title": "latency", "version": {"number": number}}
                response = api.put(f"/content/{page['id']}", json=body)
                assert response.status_code == 200, response.text
                committed[(int(page["id"]), number)] = time.monotonic()
            achieved = total / (time.monotonic() - start)
            deadline = time.monotonic() + 30
            while len([k for k in committed if k in receiver.arrivals]) < total and time.monotonic() < deadline:
                time.sleep(0.05)
            latencies = sorted(
                (receiver.arrivals[k] - t) * 1000 for k, t in committed.items() if k in receiver.arrivals
            )
            lost = total - len(latencies)
            p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]  # noqa: E731
            print(
                f"delivery latency at {achieved:.0f} updates/s ({total} events): p50 {p(0.5):.1f} ms  "
                f"p99 {p(0.99):.1f} ms  max {latencies[-1]:.1f} ms  missing {lost}"
            )
            print(f"(mean {statistics.mean(latencies):.1f} ms)")
            api.close()
            admin.close()
        finally:
            process.kill()
            process.wait()


if __name__ == "__main__":
    main()
