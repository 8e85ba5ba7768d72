"""The payload cache under churn: one build per key, the previous payload while a new one builds,
compression in a worker thread, a byte bound, and a miss that never holds up a cached hit."""

from __future__ import annotations

import asyncio
import gzip
import threading

import brotli
import pytest
from _slow_compression import slow_compression

from app import cache as cache_module
from app.cache import Payload, PayloadCache

BODY = b'{"type":"FeatureCollection","features":[' + b'{"a":1},' * 400 + b'{"a":2}]}'


async def test_concurrent_misses_for_one_key_build_once() -> None:
    cache = PayloadCache()
    release = asyncio.Event()
    calls = 0

    async def build() -> bytes:
        nonlocal calls
        calls += 1
        await release.wait()
        return BODY

    waiting = [asyncio.create_task(cache.get_or_build(("k",), build, version=1)) for _ in range(8)]
    await asyncio.sleep(0)
    release.set()
    payloads = await asyncio.gather(*waiting)
    assert calls == 1
    assert {p.etag for p in payloads} == {payloads[0].etag}
    assert cache.builds == 1


async def test_previous_version_is_served_while_the_new_one_builds() -> None:
    cache = PayloadCache()

    async def old() -> bytes:
        return b"old" * 300

    first = await cache.get_or_build(("layer",), old, version=1)
    release = asyncio.Event()

    async def new() -> bytes:
        await release.wait()
        return b"new" * 300

    builder = asyncio.create_task(cache.get_or_build(("layer",), new, version=2))
    await asyncio.sleep(0)
    # Another request for version 2 while it builds: the previous payload, without waiting
    # (the bound only turns a regression into a failure instead of a hang).
    meanwhile = await asyncio.wait_for(cache.get_or_build(("layer",), new, version=2), 10)
    assert meanwhile.etag == first.etag
    assert not builder.done()
    release.set()
    fresh = await builder
    assert fresh.body == b"new" * 300
    assert (await cache.get_or_build(("layer",), new, version=2)).etag == fresh.etag
    assert cache.peek(("layer",), 1) is None  # the superseded version is dropped
    assert len(cache) == 1


async def test_a_miss_does_not_hold_up_a_cached_hit(monkeypatch: pytest.MonkeyPatch) -> None:
    """While one payload is being compressed (the slow, CPU-bound part of a miss), a request for
    a held payload is answered: compression must not run on the event loop."""
    cache = PayloadCache()

    async def quick() -> bytes:
        return BODY

    held = await cache.get_or_build(("la", 6), quick, version=1)
    slow_body = b"slow " + BODY
    compressing, release = slow_compression(monkeypatch, slow_body)

    async def slow() -> bytes:
        return slow_body

    miss = asyncio.create_task(cache.get_or_build(("schools", 11, 1010, 660), slow, version=1))
    for _ in range(1000):
        if compressing.is_set():
            break
        await asyncio.sleep(0.01)
    assert compressing.is_set()
    hit = await cache.get_or_build(("la", 6), quick, version=1)
    assert hit is held
    assert not miss.done()  # answered while the miss was still compressing
    release.set()
    assert (await miss).body == slow_body


async def test_compression_runs_in_a_worker_thread_at_moderate_levels(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    threads: list[threading.Thread] = []
    original = Payload.build

    def recording_build(body: bytes, media_type: str, headers: object = None) -> Payload:
        threads.append(threading.current_thread())
        return original(body, media_type, headers)  # type: ignore[arg-type]

    monkeypatch.setattr(cache_module.Payload, "build", staticmethod(recording_build))
    cache = PayloadCache()

    async def build() -> bytes:
        return BODY

    payload = await cache.get_or_build(("k",), build, version=3)
    assert threads and threads[0] is not threading.main_thread()
    assert gzip.decompress(payload.gzip) == BODY
    assert brotli.decompress(payload.br) == BODY
    assert payload.gzip == gzip.compress(BODY, compresslevel=6, mtime=0)
    assert payload.br == brotli.compress(BODY, quality=5)


async def test_the_cache_is_bounded_by_bytes() -> None:
    one = Payload.build(BODY, "application/json").size
    budget = one * 3 + 100  # sizes differ by a few bytes per body
    cache = PayloadCache(max_bytes=budget)
    for n in range(10):

        async def build(n: int = n) -> bytes:
            return BODY + str(n).encode()

        await cache.get_or_build(("box", n), build, version=1)
    assert cache.bytes <= budget
    assert len(cache) == 3
    assert cache.peek(("box", 9), 1) is not None  # the most recent stay
    assert cache.peek(("box", 0), 1) is None


async def test_a_failed_build_is_not_cached_and_can_be_retried() -> None:
    cache = PayloadCache()

    async def failing() -> bytes:
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError, match="database went away"):
        await cache.get_or_build(("k",), failing, version=1)

    async def working() -> bytes:
        return BODY

    assert (await cache.get_or_build(("k",), working, version=1)).body == BODY


async def test_a_cancelled_caller_lets_go_only_when_its_build_is_over() -> None:
    """The build runs on the caller's database session, which the caller closes as its
    cancellation unwinds: the build is finished (and kept) before the cancellation goes on."""
    cache = PayloadCache()
    release = asyncio.Event()

    async def build() -> bytes:
        await release.wait()
        return BODY

    caller = asyncio.create_task(cache.get_or_build(("k",), build, version=1))
    await asyncio.sleep(0.01)
    caller.cancel()
    await asyncio.sleep(0.01)
    caller.cancel()  # cancelled again while it waits for the build
    await asyncio.sleep(0.01)
    assert not caller.done()
    release.set()
    with pytest.raises(asyncio.CancelledError):
        await caller
    assert cache.peek(("k",), 1) is not None
