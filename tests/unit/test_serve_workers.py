"""cli/workers.py without a database: the sockets it listens on, and a worker that cannot start."""

from __future__ import annotations

import socket

import pytest
import uvicorn

from localfluence.cli.workers import STARTUP_FAILURE, Supervisor, listening_sockets, spreads_connections

pytestmark = pytest.mark.skipif(not spreads_connections(), reason="SO_REUSEPORT balancing is Linux's")


def test_each_worker_gets_a_socket_and_connections_are_spread_over_them() -> None:
    sockets = listening_sockets("127.0.0.1", 0, 2, 128)
    clients = []
    try:
        port = sockets[0].getsockname()[1]
        assert {s.getsockname()[1] for s in sockets} == {port}
        clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(64)]
        accepted = []
        for sock in sockets:
            sock.setblocking(False)
            n = 0
            while True:
                try:
                    sock.accept()[0].close()
                except BlockingIOError:
                    break
                n += 1
            accepted.append(n)
    finally:
        for s in [*sockets, *clients]:
            s.close()
    assert sum(accepted) == 64
    assert min(accepted) >= 16, accepted  # a hash per connection: fewer is a 1-in-25,000 chance


def test_an_address_in_use_is_refused_even_when_its_sockets_share_with_reuseport() -> None:
    # The same server started twice on one port must fail, not silently split the connections.
    first = listening_sockets("127.0.0.1", 0, 2, 16)
    try:
        with pytest.raises(OSError):
            listening_sockets("127.0.0.1", first[0].getsockname()[1], 2, 16)
    finally:
        for s in first:
            s.close()
    with socket.socket() as plain:
        plain.bind(("127.0.0.1", 0))
        plain.listen()
        with pytest.raises(OSError):
            listening_sockets("127.0.0.1", plain.getsockname()[1], 2, 16)


def test_a_worker_that_fails_at_startup_stops_the_server() -> None:
    # Restarting a worker whose app cannot even be imported would fail the same way, forever.
    config = uvicorn.Config("tests.unit.no_such_module:app", log_level="critical", workers=2)
    sockets = listening_sockets("127.0.0.1", 0, 2, 16)
    with pytest.raises(SystemExit) as exit_:
        Supervisor(config, sockets).run()
    assert exit_.value.code == STARTUP_FAILURE
    assert all(s.fileno() == -1 for s in sockets)


def test_connections_accepted_by_a_worker_send_without_delay() -> None:
    # asyncio turns Nagle off (TCP_NODELAY) only on connections accepted by a socket whose proto
    # is TCP; a socket made with proto 0 left every response's body waiting ~40 ms for an ACK.
    import asyncio

    sockets = listening_sockets("127.0.0.1", 0, 1, 16)
    nodelay: list[int] = []

    async def main() -> None:
        def accepted(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            nodelay.append(writer.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(accepted, sock=sockets[0])
        async with server:
            _, writer = await asyncio.open_connection(*sockets[0].getsockname()[:2])
            while not nodelay:
                await asyncio.sleep(0.01)
            writer.close()

    try:
        asyncio.run(asyncio.wait_for(main(), 10))
    finally:
        sockets[0].close()
    assert nodelay and nodelay[0] != 0
