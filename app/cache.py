"""Payload cache: finished response bodies with precompressed variants and a strong ETag.

Bodies are keyed by (resource, parameters) and the data version they were built from, so a new
import or an approved change (which bumps the data version) makes the affected bodies stale.
Three rules keep a cache miss from stalling the server:

* compression runs once per body, in a worker thread, at moderate levels (gzip 6, brotli 5:
  brotli 11 costs seconds on a national layer for a few per cent fewer bytes);
* one build per key at a time: concurrent requests for a payload being built wait for that build
  rather than starting their own;
* while a payload for a new data version builds, other requests get the previous version's payload
  at once (it was correct a moment ago, and carries its own ETag).

The cache is bounded by bytes (body plus both compressed forms), least recently used first out.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import hashlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field

import brotli
from starlette.requests import Request
from starlette.responses import Response

CACHE_CONTROL = "public, max-age=60, stale-while-revalidate=86400"
GZIP_LEVEL = 6
BROTLI_QUALITY = 5
MIN_COMPRESS = 512  # below this, compression costs more than it saves


@dataclass(frozen=True)
class Payload:
    """A response body in identity, gzip and brotli forms, with its ETag and media type."""

    body: bytes
    gzip: bytes
    br: bytes
    etag: str
    media_type: str
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def size(self) -> int:
        """Bytes held in memory for this payload."""
        return len(self.body) + len(self.gzip) + len(self.br) + 200

    @classmethod
    def build(
        cls, body: bytes, media_type: str, headers: Mapping[str, str] | None = None
    ) -> Payload:
        """Compress the body once and fingerprint it (CPU-bound: call it off the event loop)."""
        digest = hashlib.blake2b(body, digest_size=16).hexdigest()
        small = len(body) < MIN_COMPRESS
        return cls(
            body=body,
            gzip=body if small else gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0),
            br=body if small else brotli.compress(body, quality=BROTLI_QUALITY),
            etag=f'"{digest}"',
            media_type=media_type,
            headers=dict(headers or {}),
        )

    def respond(self, request: Request, cache_control: str = CACHE_CONTROL) -> Response:
        """A 304 when the client has this version, else the best encoding the client accepts."""
        trace = payload_trace.get()
        if trace is not None:
            trace.responded.append((self, cache_control))
        headers = {
            "ETag": self.etag,
            "Cache-Control": cache_control,
            "Vary": "Accept-Encoding",
            **self.headers,
        }
        if self.etag in _etags(request.headers.get("if-none-match", "")):
            return Response(status_code=304, headers=headers)
        accepted = request.headers.get("accept-encoding", "")
        if "br" in accepted and self.br is not self.body and len(self.br) < len(self.body):
            headers["Content-Encoding"] = "br"
            return Response(self.br, media_type=self.media_type, headers=headers)
        if "gzip" in accepted and self.gzip is not self.body:
            headers["Content-Encoding"] = "gzip"
            return Response(self.gzip, media_type=self.media_type, headers=headers)
        return Response(self.body, media_type=self.media_type, headers=headers)


async def _finished(task: asyncio.Task[Payload]) -> None:
    """Wait until ``task`` is done, however often the waiting task is cancelled meanwhile."""
    while not task.done():
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait({task})


def _etags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


Key = tuple[object, ...]
Built = bytes | tuple[bytes, Mapping[str, str]]


@dataclass
class PayloadTrace:
    """What one request did with the payload cache: the fast lane (``app/fastlane.py``) learns
    from it which payload a URL maps to."""

    looked_up: list[tuple[Key, tuple[str, ...] | None, Payload]]
    responded: list[tuple[Payload, str]]


payload_trace: ContextVar[PayloadTrace | None] = ContextVar("payload_trace", default=None)


def note_lookup(key: Key, sources: Iterable[str] | None, payload: Payload) -> None:
    """Record, for the fast lane, that this request's payload for ``key`` is built from ``sources``."""
    trace = payload_trace.get()
    if trace is not None:
        trace.looked_up.append((key, None if sources is None else tuple(sources), payload))


class PayloadCache:
    """A byte-bounded in-process LRU of payloads, one per app process, with single-flight builds."""

    def __init__(self, max_bytes: int = 128 * 1024 * 1024) -> None:
        self._entries: OrderedDict[tuple[Key, int], Payload] = OrderedDict()
        self._latest: dict[Key, int] = {}  # key -> newest version held
        self._building: dict[tuple[Key, int], asyncio.Task[Payload]] = {}
        self._max_bytes = max_bytes
        self.bytes = 0
        self.builds = 0  # payloads built since start (a figure for tests and the benchmark)

    def __len__(self) -> int:
        return len(self._entries)

    def peek(self, key: Key, version: int) -> Payload | None:
        """The payload for ``key`` at ``version`` if held, without building."""
        return self._entries.get((key, version))

    def hit(self, key: Key, version: int) -> Payload | None:
        """The payload for ``key`` at ``version`` if held, marked as recently used."""
        full = (key, version)
        payload = self._entries.get(full)
        if payload is not None:
            self._entries.move_to_end(full)
        return payload

    def newest(self, key: Key) -> Payload | None:
        """The newest payload held for ``key``, whatever its version (for stale-if-error)."""
        held = self._latest.get(key)
        return None if held is None else self._entries.get((key, held))

    async def get_or_build(
        self,
        key: Key,
        build: Callable[[], Awaitable[Built]],
        media_type: str = "application/json",
        version: int = 0,
    ) -> Payload:
        """The payload for ``key`` at ``version``: held, being built, the previous one, or new.

        ``build`` returns the body, or the body and extra response headers. The request that
        starts a build waits for it; a concurrent request for the same key waits for the same build,
        unless an older version is held, which it gets at once.
        """
        full = (key, version)
        payload = self._entries.get(full)
        if payload is not None:
            self._entries.move_to_end(full)
            return payload
        task = self._building.get(full)
        if task is not None:
            previous = self._previous(key, version)
            if previous is not None:
                return previous
            return await asyncio.shield(task)
        task = asyncio.create_task(self._build(full, build, media_type))
        self._building[full] = task
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            # The build runs on this caller's database session, which the caller closes as
            # the cancellation unwinds it (a request whose client left, the start-up build at
            # shutdown). Were the caller to let go at once, the build would go on with the
            # closed session, which begins again on a pooled connection nobody ever returns. So
            # the build is finished first (and kept for the next request), then the
            # cancellation goes on.
            await _finished(task)
            raise

    def _previous(self, key: Key, version: int) -> Payload | None:
        held = self._latest.get(key)
        if held is None or held > version:
            return None
        return self._entries.get((key, held))

    async def _build(
        self, full: tuple[Key, int], build: Callable[[], Awaitable[Built]], media_type: str
    ) -> Payload:
        try:
            built = await build()
            body, headers = built if isinstance(built, tuple) else (built, None)
            payload = await asyncio.to_thread(Payload.build, body, media_type, headers)
            self.builds += 1
            self._store(full, payload)
            return payload
        finally:
            self._building.pop(full, None)

    def _store(self, full: tuple[Key, int], payload: Payload) -> None:
        key, version = full
        held = self._latest.get(key)
        if held is not None and held > version:
            return  # a newer version arrived while this one was building
        if held is not None and held != version:
            self._drop((key, held))  # the older version is never asked for again
        self._entries[full] = payload
        self._latest[key] = version
        self.bytes += payload.size
        while self.bytes > self._max_bytes and len(self._entries) > 1:
            oldest = next(iter(self._entries))
            self._drop(oldest)

    def _drop(self, full: tuple[Key, int]) -> None:
        payload = self._entries.pop(full, None)
        if payload is None:
            return
        self.bytes -= payload.size
        if self._latest.get(full[0]) == full[1]:
            del self._latest[full[0]]
