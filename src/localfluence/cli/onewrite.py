"""uvicorn's httptools protocol, with a response's status line and headers sent in the same socket
write as the body that follows them, and one keep-alive timer per connection instead of one per
response.

uvicorn writes the head of a response when the app sends http.response.start and the body when it
sends http.response.body: two send() calls, two TCP segments, for every response, though our
responses send both at once. A send on a TCP socket is most of what the server spends on a small
answer (/status: a fifth of its CPU). Here the head waits for the next write and goes out with it;
if no body write follows within the same event-loop step (a streamed answer whose first chunk is
still coming), it goes out alone at the next step, so a client never waits longer for the head than
before. The bytes on the wire are the same.

uvicorn closes a keep-alive connection left idle for timeout_keep_alive seconds by arming a timer
when each response completes and cancelling it when the next request's bytes arrive: a timer
handle made, pushed on the loop's heap and cancelled per request. Here the connection notes when it
went idle; its one timer, when it fires, closes the connection if it has been idle the whole
timeout, and otherwise re-arms for the time left (or, while a request is in, is re-armed when that
request's response completes). Connections close at the same moment as before.
"""

from __future__ import annotations

import asyncio
from typing import Any

import uvicorn

# The uvicorn releases whose HttpToolsProtocol internals this subclass was written against and
# tested with (on_response_complete is copied from 0.54). Any other: uvicorn's own protocol.
TESTED_UVICORN = ("0.54.",)

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle

    IMPORTED = True
except ImportError:  # pragma: no cover - httptools not installed: uvicorn picks h11
    IMPORTED = False
AVAILABLE = IMPORTED and uvicorn.__version__.startswith(TESTED_UVICORN)

# The interim answer RequestResponseCycle.receive writes before reading a body: never held.
CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
# Bodies from this size on are written after the head rather than copied behind it.
JOIN_BELOW = 64 * 1024


class HeldHead:
    """The connection's transport as one request/response cycle sees it: the cycle's first write
    (the head of its response) is held until its next write or the next event-loop step."""

    __slots__ = ("transport", "loop", "held", "first")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self.transport = transport
        self.loop = loop
        self.held: bytes | None = None
        self.first = True

    def write(self, data: bytes) -> None:
        if self.first and data != CONTINUE:
            self.first = False
            self.held = data
            self.loop.call_soon(self.flush)
            return
        held = self.held
        if held is not None:
            self.held = None
            if len(data) < JOIN_BELOW:
                data = held + data
            else:
                self.transport.write(held)
        self.transport.write(data)

    def flush(self) -> None:
        held = self.held
        if held is not None:
            self.held = None
            self.transport.write(held)

    def close(self) -> None:
        self.flush()
        self.transport.close()

    def __getattr__(self, name: str) -> Any:
        # is_closing, get_extra_info, pause_reading...: the transport's own.
        return getattr(self.transport, name)


if IMPORTED:

    class OneWriteProtocol(HttpToolsProtocol):
        # When the connection last went idle (its response complete, no request in); None while busy.
        idle_since: float | None = None

        def _start_asgi_task(self, cycle: RequestResponseCycle, app: Any) -> None:
            # Every cycle starts here, a pipelined one when its turn comes; the app runs later.
            cycle.transport = HeldHead(cycle.transport, self.loop)  # type: ignore[assignment]
            super()._start_asgi_task(cycle, app)

        # Keep-alive: uvicorn 0.54's on_response_complete, arming the connection's one timer only
        # when none is armed.
        def on_response_complete(self) -> None:
            self.server_state.total_requests += 1
            if self.transport.is_closing():
                return
            self.idle_since = None
            self.flow.resume_reading()
            if self.pipeline:
                cycle, app = self.pipeline.pop()
                self._start_asgi_task(cycle, app)
                return
            self.idle_since = self.loop.time()
            if self.timeout_keep_alive_task is None:
                self.timeout_keep_alive_task = self.loop.call_later(self.timeout_keep_alive, self._keep_alive_due)

        def _unset_keepalive_if_required(self) -> None:
            # Bytes of a request arrived: busy. The timer stays; it finds the connection busy.
            self.idle_since = None

        def connection_lost(self, exc: Exception | None) -> None:
            super().connection_lost(exc)
            timer = self.timeout_keep_alive_task
            if timer is not None:
                timer.cancel()
                self.timeout_keep_alive_task = None

        def _keep_alive_due(self) -> None:
            self.timeout_keep_alive_task = None
            idle_since = self.idle_since
            if idle_since is None:
                return  # busy: on_response_complete arms the timer again
            left = idle_since + self.timeout_keep_alive - self.loop.time()
            if left > 0:
                self.timeout_keep_alive_task = self.loop.call_later(left, self._keep_alive_due)
                return
            self.timeout_keep_alive_handler()
