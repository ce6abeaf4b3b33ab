"""A pool whose checkouts never block an event loop thread for long.

Request handlers check connections out on the event loop thread (api.request_context). If the
pool is exhausted there, waiting cannot help much: the connections that requests on this loop
hold come back only when the loop runs, and the loop is the thread that waits. SQLAlchemy's
QueuePool would block it for the whole pool timeout (30 s), for every waiting request in turn:
the server stops answering. So on a thread with a running event loop a checkout waits at most
LOOP_CHECKOUT_SECONDS (long enough for a connection a worker thread holds for a short
transaction to come back), then raises sqlalchemy.exc.TimeoutError, which the app answers with
503 and Retry-After. After one such timeout, later checkouts on an event loop thread do not wait
at all until a connection is returned: the requests queued behind the first one answer 503 at
once instead of stalling the loop a timeout each, and the loop gets to run the work that returns
connections. Other threads (the task worker, threadpool work) keep the pool's own timeout.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.pool import ConnectionPoolEntry, QueuePool

LOOP_CHECKOUT_SECONDS = 0.5


def on_event_loop_thread() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


class LoopGuardedQueuePool(QueuePool):
    """QueuePool reads self._timeout on each checkout (and in its timeout message) in the
    checking-out thread: answering per thread there is thread-safe and needs no copy of
    QueuePool._do_get. The starved flag is a plain attribute: a race costs at most one wait
    more or less."""

    _normal_timeout: float
    loop_timeout: float = LOOP_CHECKOUT_SECONDS
    starved: bool = False  # an event loop checkout timed out and no connection came back since

    @property  # type: ignore[override]
    def _timeout(self) -> float:
        if on_event_loop_thread():
            return 0.0 if self.starved else min(self.loop_timeout, self._normal_timeout)
        return self._normal_timeout

    @_timeout.setter
    def _timeout(self, value: float) -> None:
        self._normal_timeout = value

    def _do_get(self) -> ConnectionPoolEntry:
        try:
            return super()._do_get()
        except PoolTimeout:
            if on_event_loop_thread():
                self.starved = True
            raise

    def _do_return_conn(self, record: ConnectionPoolEntry) -> None:
        super()._do_return_conn(record)
        self.starved = False

    def recreate(self) -> QueuePool:
        # QueuePool.recreate passes self._timeout on: the pool's own, wherever it is called.
        pool: Any = super().recreate()
        pool._timeout = self._normal_timeout
        pool.loop_timeout = self.loop_timeout
        return pool  # type: ignore[no-any-return]
