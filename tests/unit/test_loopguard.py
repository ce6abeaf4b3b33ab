"""db/loopguard.py: checkouts on an event loop thread give up quickly; other threads wait as usual."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy.exc import TimeoutError as PoolTimeout

from localfluence.db.engine import make_engine
from localfluence.db.loopguard import LoopGuardedQueuePool


def _pool(timeout: float = 30) -> LoopGuardedQueuePool:
    pool = LoopGuardedQueuePool(lambda: sqlite3.connect(":memory:"), pool_size=1, max_overflow=0, timeout=timeout)
    pool.loop_timeout = 0.2
    return pool


def test_the_engines_use_it(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        assert isinstance(engine.pool, LoopGuardedQueuePool)
        assert engine.pool.timeout() == 30
    finally:
        engine.dispose()
    assert isinstance(make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none").pool, LoopGuardedQueuePool)


def test_a_checkout_on_an_event_loop_thread_gives_up_after_the_loop_timeout() -> None:
    pool = _pool()
    held = pool.connect()

    async def checkout() -> float:
        assert pool.timeout() == 0.2
        started = time.monotonic()
        with pytest.raises(PoolTimeout, match="timeout 0.20"):
            pool.connect()
        return time.monotonic() - started

    try:
        waited = asyncio.run(checkout())
    finally:
        held.close()
    assert 0.15 < waited < 5


def test_after_a_loop_timeout_loop_checkouts_fail_at_once_until_a_connection_returns() -> None:
    pool = _pool()
    held = pool.connect()

    async def checkouts() -> list[float]:
        waits = []
        for _ in range(3):
            started = time.monotonic()
            with pytest.raises(PoolTimeout):
                pool.connect()
            waits.append(time.monotonic() - started)
        return waits

    first, *rest = asyncio.run(checkouts())
    assert first >= 0.15
    assert all(wait < 0.1 for wait in rest)
    held.close()

    async def checkout() -> None:
        pool.connect().close()

    asyncio.run(checkout())
    assert not pool.starved
    held = pool.connect()
    assert asyncio.run(checkouts())[0] >= 0.15  # a new episode waits once again
    held.close()


def test_other_threads_keep_the_pools_own_timeout() -> None:
    pool = _pool(timeout=0.6)
    held = pool.connect()
    seen: list[float] = []
    thread = threading.Thread(target=lambda: seen.append(pool.timeout()))
    thread.start()
    thread.join()
    assert seen == [0.6]
    started = time.monotonic()
    with pytest.raises(PoolTimeout, match="timeout 0.60"):
        pool.connect()
    assert time.monotonic() - started >= 0.5
    held.close()


def test_the_loop_timeout_is_never_longer_than_the_pools_own() -> None:
    pool = _pool(timeout=0.05)

    async def timeout() -> float:
        return pool.timeout()

    assert asyncio.run(timeout()) == 0.05


def test_a_recreated_pool_keeps_both_timeouts() -> None:
    pool = _pool(timeout=7)

    async def recreate() -> LoopGuardedQueuePool:
        return pool.recreate()  # type: ignore[return-value]

    again = asyncio.run(recreate())
    assert isinstance(again, LoopGuardedQueuePool)
    assert again.timeout() == 7
    assert again.loop_timeout == 0.2
