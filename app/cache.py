"""Payload cache: finished response bodies with precompressed variants and a strong ETag.

Bodies are keyed by (resource, parameters, data version), so a new import or an approved change
(which bumps the data version) makes every cached body stale at once. Compression happens once,
when a body is built, never per request.
"""

from __future__ import annotations

import gzip
import hashlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import brotli
from starlette.requests import Request
from starlette.responses import Response

CACHE_CONTROL = "public, max-age=60, stale-while-revalidate=86400"


@dataclass(frozen=True)
class Payload:
    """A response body in identity, gzip and brotli forms, with its ETag and media type."""

    body: bytes
    gzip: bytes
    br: bytes
    etag: str
    media_type: str

    @classmethod
    def build(cls, body: bytes, media_type: str) -> Payload:
        """Compress the body once and fingerprint it."""
        digest = hashlib.blake2b(body, digest_size=16).hexdigest()
        return cls(
            body=body,
            gzip=gzip.compress(body, compresslevel=9, mtime=0),
            br=brotli.compress(body, quality=11) if len(body) > 1024 else body,
            etag=f'"{digest}"',
            media_type=media_type,
        )

    def respond(self, request: Request, cache_control: str = CACHE_CONTROL) -> Response:
        """A 304 when the client has this version, else the best encoding the client accepts."""
        headers = {"ETag": self.etag, "Cache-Control": cache_control, "Vary": "Accept-Encoding"}
        if self.etag in _etags(request.headers.get("if-none-match", "")):
            return Response(status_code=304, headers=headers)
        accepted = request.headers.get("accept-encoding", "")
        if "br" in accepted and self.br is not self.body and len(self.br) < len(self.body):
            headers["Content-Encoding"] = "br"
            return Response(self.br, media_type=self.media_type, headers=headers)
        if "gzip" in accepted:
            headers["Content-Encoding"] = "gzip"
            return Response(self.gzip, media_type=self.media_type, headers=headers)
        return Response(self.body, media_type=self.media_type, headers=headers)


def _etags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


class PayloadCache:
    """A bounded in-process LRU of payloads; one per app process."""

    def __init__(self, max_entries: int = 512) -> None:
        self._entries: OrderedDict[tuple[object, ...], Payload] = OrderedDict()
        self._max = max_entries

    async def get_or_build(
        self,
        key: tuple[object, ...],
        build: Callable[[], Awaitable[bytes]],
        media_type: str = "application/json",
    ) -> Payload:
        """The cached payload for ``key``, building and storing it on a miss."""
        payload = self._entries.get(key)
        if payload is not None:
            self._entries.move_to_end(key)
            return payload
        payload = Payload.build(await build(), media_type)
        self._entries[key] = payload
        if len(self._entries) > self._max:
            self._entries.popitem(last=False)
        return payload
