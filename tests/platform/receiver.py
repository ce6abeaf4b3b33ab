"""A webhook receiver on 127.0.0.1 for tests: records what arrives, dedupes by event id, and can
be told to fail or to stop answering."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    event_id: str
    retry: str
    signature: str
    raw: bytes
    at: float

    @property
    def body(self) -> dict[str, Any]:
        return json.loads(self.raw)


@dataclass
class Receiver:
    secret: str = "s3cret"
    # How many requests to answer with 500 before accepting.
    fail_next: int = 0
    received: list[Received] = field(default_factory=list)
    unique: dict[str, Received] = field(default_factory=dict)
    _cond: threading.Condition = field(default_factory=threading.Condition)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/hook"

    def start(self, port: int = 0) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                raw = self.rfile.read(int(self.headers.get("content-length", "0")))
                with receiver._cond:
                    if receiver.fail_next > 0:
                        receiver.fail_next -= 1
                        self.send_response(500)
                        self.end_headers()
                        return
                    item = Received(
                        self.headers.get("X-Atlassian-Webhook-Identifier", ""),
                        self.headers.get("X-Atlassian-Webhook-Retry", ""),
                        self.headers.get("X-Hub-Signature", ""),
                        raw,
                        time.time(),
                    )
                    receiver.received.append(item)
                    receiver.unique.setdefault(item.event_id, item)
                    receiver._cond.notify_all()
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def valid(self, item: Received) -> bool:
        expected = "sha256=" + hmac.new(self.secret.encode(), item.raw, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, item.signature)

    def wait_for(self, predicate: Any, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        with self._cond:
            while not predicate(self):
                left = deadline - time.monotonic()
                assert left > 0, f"timed out; received {[r.body.get('eventType') for r in self.received]}"
                self._cond.wait(left)

    def of_type(self, event_type: str) -> list[dict[str, Any]]:
        return [r.body for r in self.unique.values() if r.body.get("eventType") == event_type]
