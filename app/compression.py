"""Compressed responses: brotli or gzip for dynamic text, precompressed files for static assets.

Cached payloads (``app/cache.py``) arrive already compressed and pass through untouched. Other
text responses (server-rendered pages, small JSON such as near-me's answers) are compressed here,
once per request, so a level below the cache's pays: brotli 4 compresses an 11 KB near-me answer
in about 0.1 ms to 2.6 KB, brotli 5 (the cache's) in 0.16 ms to 2.4 KB. Static files are
compressed once at set-up (``scripts/setup.sh`` runs :func:`precompress`); a ``.br`` or ``.gz``
sibling older than its source is ignored, so an edited file is never served stale.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import brotli
from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import FileResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COMPRESSIBLE = (
    "text/",
    "application/json",
    "application/geo+json",
    "application/javascript",
    "application/atom+xml",
    "image/svg+xml",
)
MIN_SIZE = 512
STATIC_SUFFIXES = {".js", ".css", ".svg", ".json", ".html", ".txt", ".map"}
# Levels for responses compressed per request (gzip 4: 0.06 ms and 2.7 KB for that answer).
BROTLI_QUALITY = 4
GZIP_LEVEL = 4


def choose_encoding(accept_encoding: str) -> str | None:
    """``br`` or ``gzip`` if the client accepts it (brotli first), else None."""
    offered = {part.split(";")[0].strip().lower() for part in accept_encoding.split(",")}
    if "br" in offered:
        return "br"
    if "gzip" in offered:
        return "gzip"
    return None


def compress(body: bytes, encoding: str) -> bytes:
    """The body in one encoding at the per-request levels."""
    if encoding == "br":
        return bytes(brotli.compress(body, quality=BROTLI_QUALITY))
    return gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)


class CompressionMiddleware:
    """Compress single-message text responses that are not encoded already."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Hold the start message until the body shows whether compressing is worth it."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        encoding = choose_encoding(Headers(scope=scope).get("accept-encoding", ""))
        if encoding is None:
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        passthrough = False

        async def send_compressed(message: Message) -> None:
            nonlocal start, passthrough
            if passthrough:
                await send(message)
                return
            if message["type"] == "http.response.start":
                headers = Headers(raw=message["headers"])
                media = headers.get("content-type", "")
                if "content-encoding" in headers or not media.startswith(COMPRESSIBLE):
                    passthrough = True
                    await send(message)
                else:
                    start = message
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            body: bytes = message.get("body", b"")
            if message.get("more_body", False) or len(body) < MIN_SIZE:
                # Streamed or tiny: send as it is.
                passthrough = True
                await send(start)
                await send(message)
                return
            compressed = compress(body, encoding)
            headers = MutableHeaders(scope=start)
            headers["Content-Encoding"] = encoding
            headers["Content-Length"] = str(len(compressed))
            headers.add_vary_header("Accept-Encoding")
            await send(start)
            await send({"type": "http.response.body", "body": compressed})

        await self.app(scope, receive, send_compressed)


class PrecompressedStaticFiles(StaticFiles):
    """Static files that answer with a fresh ``.br`` or ``.gz`` sibling when the client accepts it."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        """The precompressed variant if there is a fresh one, else the file as it is."""
        response = await super().get_response(path, scope)
        if not isinstance(response, FileResponse) or response.status_code != 200:
            return response
        encoding = choose_encoding(Headers(scope=scope).get("accept-encoding", ""))
        if encoding is None:
            return response
        source = Path(response.path)
        variant = source.with_name(source.name + (".br" if encoding == "br" else ".gz"))
        try:
            fresh = variant.stat().st_mtime >= source.stat().st_mtime
        except OSError:
            return response
        if not fresh:
            return response
        headers = {
            key: value
            for key, value in response.headers.items()
            if key.lower() not in {"content-length", "content-type"}
        }
        # The ETag stays the source's (as nginx's gzip_static does), so revalidation still works.
        headers["Content-Encoding"] = encoding
        headers["Vary"] = "Accept-Encoding"
        return FileResponse(variant, headers=headers, media_type=response.media_type)


def precompress(directory: Path) -> int:
    """Write ``.br`` and ``.gz`` beside every text asset under ``directory``; returns files done."""
    done = 0
    for root, _dirs, files in os.walk(directory):
        for name in files:
            source = Path(root) / name
            if source.suffix not in STATIC_SUFFIXES or source.stat().st_size < MIN_SIZE:
                continue
            body = source.read_bytes()
            for encoding, suffix in (("br", ".br"), ("gzip", ".gz")):
                target = source.with_name(name + suffix)
                if target.exists() and target.stat().st_mtime >= source.stat().st_mtime:
                    continue
                data = (
                    brotli.compress(body, quality=11)  # once, at set-up: the best ratio is free
                    if encoding == "br"
                    else gzip.compress(body, compresslevel=9, mtime=0)
                )
                target.write_bytes(data)
            done += 1
    return done
