"""Real `localfluence serve` processes for the fault tests: started, killed with SIGKILL, restarted."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ADMIN = ("admin@example.com", "fault-test-admin-token")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServerProcess:
    def __init__(self, data_dir: Path, database_url: str, **settings: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "LOCALFLUENCE_ADMIN_EMAIL": ADMIN[0],
            "LOCALFLUENCE_ADMIN_TOKEN": ADMIN[1],
            "LOCALFLUENCE_BASE_URL": self.url,
            **{f"LOCALFLUENCE_{k.upper()}": v for k, v in settings.items()},
        }
        args = [sys.executable, "-m", "localfluence", "serve", "--port", str(self.port), "--data-dir", str(data_dir)]
        if database_url:
            args += ["--database-url", database_url]
        self.process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(self.url + "/status", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if self.process.poll() is not None:
                raise RuntimeError(self.process.stderr.read().decode() if self.process.stderr else "exited")
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.05)
        self.api = httpx.Client(base_url=self.url + "/wiki/rest/api", auth=ADMIN, timeout=30)
        self.admin = httpx.Client(base_url=self.url + "/_localfluence", auth=ADMIN, timeout=30)

    def kill(self) -> None:
        """kill -9: no shutdown, no commit of whatever is in flight."""
        self.api.close()
        self.admin.close()
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(10)
        if self.process.stderr:
            self.process.stderr.close()

    stop = kill
