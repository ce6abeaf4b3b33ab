"""`serve --workers 2` on the suite's database: concurrent writers spread over both worker
processes never surface "database is locked" (SQLite) or any other server error to a client."""

from __future__ import annotations

import base64
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.server import ADMIN_EMAIL, ADMIN_TOKEN, database_for_worker

ROOT = Path(__file__).resolve().parents[2]
AUTH = {"Authorization": "Basic " + base64.b64encode(f"{ADMIN_EMAIL}:{ADMIN_TOKEN}".encode()).decode()}
WRITERS = 8
ROUNDS = 12


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data_dir = tmp_path_factory.mktemp("workers")
    port = _free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "src"),
        "LOCALFLUENCE_ADMIN_EMAIL": ADMIN_EMAIL,
        "LOCALFLUENCE_ADMIN_TOKEN": ADMIN_TOKEN,
    }
    url = database_for_worker(data_dir)
    args = [sys.executable, "-m", "localfluence", "serve", "--port", str(port), "--workers", "2"]
    args += ["--data-dir", str(data_dir)] + (["--database-url", url] if url else [])
    with (data_dir / "server.log").open("wb") as log:
        proc = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, (data_dir / "server.log").read_text()
            try:
                if httpx.get(base + "/status", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "serve --workers 2 did not come up"
            time.sleep(0.2)
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


def test_concurrent_writers_across_two_workers_never_see_a_locked_database(two_workers: str) -> None:
    key = "WK" + uuid.uuid4().hex[:6].upper()
    with httpx.Client(base_url=two_workers + "/wiki/rest/api", headers=AUTH, timeout=60) as admin:
        assert admin.post("/space", json={"key": key, "name": f"Workers {key}"}).status_code == 200

    def writer(n: int) -> list[tuple[str, int, str]]:
        # A fresh connection per request, so the kernel spreads them over both workers.
        seen = []
        for i in range(ROUNDS):
            with httpx.Client(base_url=two_workers + "/wiki/rest/api", headers=AUTH, timeout=60) as c:
                r = c.post(
                    "/content",
                    json={
                        "type": "page",
                        "title": f"w{n} r{i}",
                        "space": {"key": key},
                        "body": {"storage": {"value": f"<p>{n}/{i}</p>", "representation": "storage"}},
                    },
                )
                seen.append(("create", r.status_code, r.text[:200]))
                if r.status_code != 200:
                    continue
                page = r.json()["id"]
                r = c.put(
                    f"/content/{page}",
                    json={
                        "type": "page",
                        "title": f"w{n} r{i}",
                        "version": {"number": 2},
                        "body": {"storage": {"value": f"<p>{n}/{i} again</p>", "representation": "storage"}},
                    },
                )
                seen.append(("update", r.status_code, r.text[:200]))
                # A read that writes (a view is recorded): begins as a reader, then needs the write lock.
                r = c.get(f"/content/{page}", params={"trigger": "viewed"})
                seen.append(("view", r.status_code, r.text[:200]))
        return seen

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        outcomes = [o for batch in pool.map(writer, range(WRITERS)) for o in batch]
    failures = [o for o in outcomes if o[1] != 200]
    assert not failures, failures[:5]
    assert len(outcomes) == WRITERS * ROUNDS * 3
