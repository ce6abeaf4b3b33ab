"""`serve --workers N`: N worker processes, each accepting on a listening socket of its own.

uvicorn's own supervisor hands every worker one shared socket. An asyncio worker accepts all the
connections pending on it at once, so when a client opens its connections together (wrk, a proxy
filling its keep-alive pool) the worker that wakes first can take nearly all of them, and keeps
them: with wrk's 64 keep-alive connections we saw 61 and 3, and 64 and 0 (the split depends on
which worker happens to be idle when they arrive). On Linux, sockets bound to one address with
SO_REUSEPORT each have their own accept queue and the kernel spreads new connections over them (by
a hash of the client's address and port), so each worker here gets its own.

The supervisor binds the sockets and keeps them open: a worker that dies leaves its socket
listening, and the connections the kernel sends there wait in its queue for the replacement, which
serves the same socket; none is refused. Otherwise it supervises as uvicorn's does: a worker that
dies or stops answering pings is replaced; a worker that fails at startup (uvicorn's exit status
3: the app, the database or the settings are broken, and a restart would fail the same way) stops
the server; SIGINT/SIGTERM stop the workers gracefully (a second one kills them); SIGHUP restarts
the workers one after another, each replacement serving before its predecessor stops.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.context import SpawnProcess

import uvicorn

log = logging.getLogger("uvicorn.error")
spawn = multiprocessing.get_context("spawn")

STARTUP_FAILURE = 3  # uvicorn.config.STARTUP_FAILURE: the worker never got to serve
PING_TIMEOUT = 5.0  # seconds a worker may take to answer before it counts as hung (uvicorn's default)
READY_TIMEOUT = 120.0  # seconds a SIGHUP replacement may take to start serving
CHECK_EVERY = 0.5


def spreads_connections() -> bool:
    """Whether the kernel balances connections over SO_REUSEPORT sockets (Linux; BSDs and macOS
    give them all to one socket)."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def listening_sockets(host: str, port: int, count: int, backlog: int) -> list[socket.socket]:
    """`count` sockets listening on (host, port), the kernel spreading connections over them.

    Raises OSError when the address is taken. A probe without SO_REUSEPORT checks that first:
    another server that also set SO_REUSEPORT (the same program started twice) would otherwise
    be joined silently and share its connections with us."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))
        port = probe.getsockname()[1]  # port 0: the one the kernel chose, for all the sockets
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            # IPPROTO_TCP named, not left 0: asyncio sets TCP_NODELAY on the connections a socket
            # accepts only when its proto says TCP. Without it Nagle holds each response's body
            # (uvicorn writes headers and body separately) until the client's delayed ACK: ~40 ms
            # per request, which capped two workers at 64 connections / 44 ms, below one worker.
            sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind((host, port))
            # Listening before the worker starts: connections queue for it instead of being refused.
            sock.listen(backlog)
    except OSError:
        for sock in sockets:
            sock.close()
        raise
    return sockets


def _answer_pings(conn: Connection, server: uvicorn.Server) -> None:
    try:
        while True:
            conn.recv()
            conn.send(server.started)
    except (EOFError, OSError):  # the supervisor is gone
        pass


def _run_worker(config: uvicorn.Config, sock: socket.socket, health: Connection) -> None:
    """The worker process: one uvicorn server on its own socket."""
    config.configure_logging()
    server = uvicorn.Server(config)
    threading.Thread(target=_answer_pings, args=(health, server), name="supervisor-ping", daemon=True).start()
    server.run(sockets=[sock])


@dataclass
class Worker:
    process: SpawnProcess
    health: Connection
    pinged: bool = False  # a ping is waiting for its answer
    answered: bool = False  # the worker has answered once: its ping thread runs

    def answer(self, timeout: float) -> bool | None:
        """The worker's answer to a ping: whether it serves; None when it did not answer in time."""
        try:
            if not self.pinged:
                self.health.send(b"ping")
                self.pinged = True
            if self.health.poll(timeout):
                self.pinged, self.answered = False, True
                return bool(self.health.recv())
        except (EOFError, OSError):
            pass
        return None

    def hung(self) -> bool:
        """Whether a worker that answered before no longer does. A worker still starting (spawning an
        interpreter on a busy machine can take seconds) is not timed until its first answer."""
        if not self.answered:
            self.answer(0)
            return False
        return self.answer(PING_TIMEOUT) is None

    def terminate(self) -> None:
        if self.process.exitcode is None:
            self.process.terminate()

    def kill(self) -> None:
        if self.process.exitcode is None:
            self.process.kill()
        self.process.join()
        self.health.close()


class Supervisor:
    def __init__(self, config: uvicorn.Config, sockets: list[socket.socket]) -> None:
        self.config = config
        self.sockets = sockets
        self.workers: list[Worker] = []
        self.wake = threading.Event()
        self.signals: list[int] = []
        self.failed = False

    def start(self, index: int) -> Worker:
        ours, theirs = spawn.Pipe()
        process = spawn.Process(
            target=_run_worker, args=(self.config, self.sockets[index], theirs), name=f"localfluence-worker-{index}"
        )
        process.start()
        theirs.close()  # the child has its copy; ours now reads EOF when the child is gone
        return Worker(process, ours)

    def _signalled(self, signum: int, frame: object) -> None:
        self.signals.append(signum)
        self.wake.set()

    def run(self) -> None:
        """Serve until SIGINT or SIGTERM. Exits with status 3 when a worker failed at startup."""
        previous = {sig: signal.signal(sig, self._signalled) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
        try:
            self.workers = [self.start(i) for i in range(len(self.sockets))]
            while self._handle_signals():
                self._keep_alive()
                self.wake.wait(CHECK_EVERY)
                self.wake.clear()
            self._stop_all()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            for sock in self.sockets:
                sock.close()
        if self.failed:
            sys.exit(STARTUP_FAILURE)

    def _handle_signals(self) -> bool:
        """False once the server is to stop."""
        while self.signals:
            sig = self.signals.pop(0)
            if sig == signal.SIGHUP:
                self._restart_all()
            else:
                log.info("Received %s, stopping the workers", signal.Signals(sig).name)
                return False
        return not self.failed

    def _keep_alive(self) -> None:
        for index, worker in enumerate(self.workers):
            if self.signals or self.failed:
                return
            if worker.process.is_alive() and not worker.hung():
                continue
            worker.kill()  # dead, or hung
            if self.signals:  # SIGINT to the process group reached the workers first: no replacement
                return
            if worker.process.exitcode == STARTUP_FAILURE:
                log.error("Worker [%s] failed to start; stopping the server", worker.process.pid)
                self.failed = True
                return
            log.warning("Worker [%s] died (exit %s); starting another", worker.process.pid, worker.process.exitcode)
            self.workers[index] = self.start(index)

    def _restart_all(self) -> None:
        log.info("Received SIGHUP, restarting the workers")
        for index, old in enumerate(self.workers):
            new = self.start(index)
            deadline = time.monotonic() + READY_TIMEOUT
            while not new.answer(1.0):
                if not new.process.is_alive() or time.monotonic() > deadline or self._stopping():
                    new.kill()
                    log.error("Replacement worker [%s] did not start; keeping [%s]", new.process.pid, old.process.pid)
                    return
                time.sleep(0.1)
            old.terminate()
            old.process.join()
            old.health.close()
            self.workers[index] = new

    def _stopping(self) -> bool:
        return any(sig != signal.SIGHUP for sig in self.signals)

    def _stop_all(self) -> None:
        """Graceful: each worker finishes its requests and its app shuts down. Another SIGINT or
        SIGTERM while waiting kills the workers left."""
        self.signals.clear()
        for worker in self.workers:
            worker.terminate()
        for worker in self.workers:
            while worker.process.is_alive():
                if self._stopping():
                    log.warning("Received another signal, killing the workers")
                    for left in self.workers:
                        left.kill()
                    return
                worker.process.join(CHECK_EVERY)
            worker.health.close()


def serve_workers(config: uvicorn.Config, workers: int) -> None:
    """Run `workers` uvicorn servers, each on its own SO_REUSEPORT socket, under a supervisor."""
    try:
        sockets = listening_sockets(config.host, config.port, workers, config.backlog)
    except OSError as exc:
        log.error("%s (%s:%s)", exc, config.host, config.port)
        sys.exit(STARTUP_FAILURE)
    Supervisor(config, sockets).run()
