"""uvicorn's httptools protocol, with a response's status line and headers sent in the same socket
write as the body that follows them.

uvicorn writes the head of a response when the app sends http.response.start and the body when it
sends http.response.body: two send() calls, two TCP segments, for every response, though our
responses send both at once. A send on a TCP socket is most of what the server spends on a small
answer (/status: a fifth of its CPU). Here the head waits for the next write and goes out with it;
if no body write follows within the same event-loop step (a streamed answer whose first chunk is
still coming), it goes out alone at the next step, so a client never waits longer for the head than
before. The bytes on the wire are the same.
"""

from __future__ import annotations

import asyncio
from typing import Any

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle

    AVAILABLE = True
except ImportError:  # pragma: no cover - httptools not installed: uvicorn picks h11
    AVAILABLE = False

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


if AVAILABLE:

    class OneWriteProtocol(HttpToolsProtocol):
        def _start_asgi_task(self, cycle: RequestResponseCycle, app: Any) -> None:
            # Every cycle starts here, a pipelined one when its turn comes; the app runs later.
            cycle.transport = HeldHead(cycle.transport, self.loop)  # type: ignore[assignment]
            super()._start_asgi_task(cycle, app)
