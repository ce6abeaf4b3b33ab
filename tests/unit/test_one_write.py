"""cli/onewrite.py: a response's head and body leave in one socket write; the bytes are uvicorn's."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from localfluence.cli.onewrite import CONTINUE, OneWriteProtocol


class FakeTransport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:  # type: ignore[override]
        self.writes.append(bytes(data))

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 5000), "sockname": ("127.0.0.1", 8090)}.get(name, default)

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


async def whole(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"5")]})
    await send({"type": "http.response.body", "body": b"hello"})


async def streamed(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": [(b"transfer-encoding", b"chunked")]})
    await asyncio.sleep(0.01)  # the first chunk is not ready yet
    await send({"type": "http.response.body", "body": b"one", "more_body": True})
    await send({"type": "http.response.body", "body": b"two"})


async def reads_body(scope: Any, receive: Any, send: Any) -> None:
    message = await receive()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"3")]})
    await send({"type": "http.response.body", "body": message["body"][:3]})


def connect(protocol_class: type, app: Any, keep_alive: float = 5) -> tuple[Any, FakeTransport]:
    config = uvicorn.Config(
        app, lifespan="off", log_level="warning", access_log=False, proxy_headers=False, timeout_keep_alive=keep_alive
    )
    protocol = protocol_class(config=config, server_state=ServerState(), app_state={}, _loop=asyncio.get_running_loop())
    transport = FakeTransport()
    protocol.connection_made(transport)
    return protocol, transport


async def answered(protocol: Any, request: bytes) -> None:
    protocol.data_received(request)
    for _ in range(100):
        await asyncio.sleep(0.001)
        if not protocol.tasks:
            break
    await asyncio.sleep(0)  # a held head's flush


async def exchange(protocol_class: type, app: Any, *requests: bytes) -> FakeTransport:
    protocol, transport = connect(protocol_class, app)
    for request in requests:
        await answered(protocol, request)
    protocol.connection_lost(None)
    return transport


GET = b"GET / HTTP/1.1\r\nHost: example\r\n\r\n"


@pytest.mark.parametrize("app", [whole, streamed, reads_body])
def test_same_bytes_as_uvicorn(app: Any) -> None:
    request = b"POST / HTTP/1.1\r\nHost: example\r\nContent-Length: 4\r\n\r\nbody"
    ours = asyncio.run(exchange(OneWriteProtocol, app, request, request))
    theirs = asyncio.run(exchange(HttpToolsProtocol, app, request, request))

    def undated(writes: list[bytes]) -> bytes:
        # The date header is the only difference two runs may have.
        return b"".join(line for line in b"".join(writes).split(b"\r\n") if not line.startswith(b"date: "))

    assert undated(ours.writes) == undated(theirs.writes)


def test_head_and_body_in_one_write() -> None:
    transport = asyncio.run(exchange(OneWriteProtocol, whole, GET, GET))
    assert len(transport.writes) == 2  # one per response
    for write in transport.writes:
        assert write.startswith(b"HTTP/1.1 200 OK\r\n") and write.endswith(b"\r\n\r\nhello")


def test_head_does_not_wait_for_a_late_body() -> None:
    transport = asyncio.run(exchange(OneWriteProtocol, streamed, GET))
    assert transport.writes[0].startswith(b"HTTP/1.1 200 OK\r\n") and transport.writes[0].endswith(b"\r\n\r\n")
    assert b"".join(transport.writes[1:]) == b"3\r\none\r\n3\r\ntwo\r\n0\r\n\r\n"


def test_head_request_gets_its_head() -> None:
    transport = asyncio.run(exchange(OneWriteProtocol, whole, b"HEAD / HTTP/1.1\r\nHost: example\r\n\r\n"))
    assert len(transport.writes) == 1 and transport.writes[0].endswith(b"content-length: 5\r\n\r\n")


def test_continue_is_not_held() -> None:
    request = b"POST / HTTP/1.1\r\nHost: example\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\nbody"
    transport = asyncio.run(exchange(OneWriteProtocol, reads_body, request))
    assert transport.writes[0] == CONTINUE
    assert transport.writes[1].startswith(b"HTTP/1.1 200 OK\r\n") and transport.writes[1].endswith(b"bod")


def test_idle_connection_closes_after_the_keep_alive_timeout() -> None:
    async def run() -> None:
        protocol, transport = connect(OneWriteProtocol, whole, keep_alive=0.3)
        for _ in range(3):  # busy well past one timeout, never idle for a whole one
            await answered(protocol, GET)
            await asyncio.sleep(0.15)
            assert not transport.closed
        await asyncio.sleep(0.5)
        assert transport.closed
        assert protocol.timeout_keep_alive_task is None

    asyncio.run(run())


def test_connection_is_not_closed_while_a_request_is_in() -> None:
    calls = []

    async def slow(scope: Any, receive: Any, send: Any) -> None:
        calls.append(scope)
        if len(calls) == 2:
            await asyncio.sleep(0.4)
        await whole(scope, receive, send)

    async def run() -> None:
        protocol, transport = connect(OneWriteProtocol, slow, keep_alive=0.2)
        await answered(protocol, GET)  # leaves the one timer armed
        protocol.data_received(GET)  # due during this slow answer
        await asyncio.sleep(0.5)
        assert not transport.closed and len(transport.writes) == 2
        await asyncio.sleep(0.4)
        assert transport.closed

    asyncio.run(run())
