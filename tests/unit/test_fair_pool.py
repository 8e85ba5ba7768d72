"""The app's connection pool serves waiters in the order they came, and loses no connection."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.util.concurrency import greenlet_spawn
from sqlalchemy.util.queue import Empty

from app.pool import FairAsyncQueue


async def _take(queue: FairAsyncQueue[str], timeout: float = 5) -> str:
    return await greenlet_spawn(queue.get, True, timeout)


async def test_a_returned_connection_goes_to_the_longest_waiter() -> None:
    queue: FairAsyncQueue[str] = FairAsyncQueue(maxsize=2)
    first = asyncio.create_task(_take(queue))
    await asyncio.sleep(0)
    second = asyncio.create_task(_take(queue))
    await asyncio.sleep(0)
    queue.put_nowait("a")
    # A request arriving now, before the first waiter has run, does not take it.
    with pytest.raises(Empty, match=r"^$"):
        queue.get(block=False)
    queue.put_nowait("b")
    assert await first == "a"
    assert await second == "b"
    assert queue.empty()


async def test_an_item_is_taken_at_once_when_no_one_waits() -> None:
    queue: FairAsyncQueue[str] = FairAsyncQueue(maxsize=2)
    queue.put_nowait("a")
    assert await _take(queue) == "a"


async def test_a_waiter_that_times_out_leaves_later_items_in_the_queue() -> None:
    queue: FairAsyncQueue[str] = FairAsyncQueue(maxsize=1)
    with pytest.raises(Empty, match=r"^$"):
        await _take(queue, timeout=0.01)
    queue.put_nowait("a")
    assert queue.qsize() == 1
    assert await _take(queue) == "a"


async def test_a_cancelled_waiter_passes_on_what_it_was_handed() -> None:
    queue: FairAsyncQueue[str] = FairAsyncQueue(maxsize=1)
    cancelled = asyncio.create_task(_take(queue))
    await asyncio.sleep(0)
    queue.put_nowait("a")  # handed to the waiter, which is cancelled before it runs
    cancelled.cancel()
    with pytest.raises(asyncio.CancelledError, match=r"^$"):
        await cancelled
    assert await _take(queue) == "a"
