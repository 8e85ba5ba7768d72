"""Serving with Uvicorn, hardened against slow and oversized requests.

Uvicorn's default HTTP parser accepts request headers of any size and waits for them forever, so
a client can hold connections open by sending a header a byte at a time (slowloris) or make the
server buffer megabytes of header. ``GuardedH11Protocol`` uses the h11 parser, which refuses
request heads over ``MAX_HEAD_BYTES`` with a 400, and closes any connection whose request head is
not complete within the header timeout. The request log is the app's own (``app.observability``),
so Uvicorn's access log, which would record raw client addresses and private links, is off.

An idle keep-alive connection is held for ``keep_alive_s`` (75 s by default), longer than the idle
timeout of the clients and proxies in front (httpx and most HTTP libraries 5 s, nginx's upstream
keep-alive 60 s, cloud load balancers 60 s): whoever reuses pooled connections must be the one
that closes them. With Uvicorn's own 5 s, a client whose idle limit is also about 5 s sends its
next request on a connection the server is closing at that moment, and gets a reset instead of
an answer.
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from app.settings import Settings

MAX_HEAD_BYTES = 16 * 1024
DEFAULT_HEADER_TIMEOUT_S = 10.0


class GuardedH11Protocol(H11Protocol):
    """h11 with a deadline for each request head (request line and headers)."""

    def __init__(self, config: uvicorn.Config, *args: Any, **kwargs: Any) -> None:
        """Read the header timeout from the Uvicorn config (``header_timeout_s``)."""
        super().__init__(config, *args, **kwargs)
        self.header_timeout = float(getattr(config, "header_timeout_s", DEFAULT_HEADER_TIMEOUT_S))
        self._head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Start the clock for the first request head."""
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        """Feed the parser; the clock stops once a whole request head has arrived."""
        if self._head_timer is None and self.conn.their_state in (h11.IDLE, h11.DONE):
            self._arm()
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        """Stop the clock."""
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._head_timer = self.loop.call_later(self.header_timeout, self._head_timed_out)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()


def config(
    settings: Settings,
    app: Any = "app.main:app",
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    reload: bool = False,
) -> uvicorn.Config:
    """The Uvicorn configuration the service runs with."""
    result = uvicorn.Config(
        app,
        host=host,
        port=port,
        workers=workers,
        reload=reload,
        proxy_headers=True,
        http=GuardedH11Protocol,
        h11_max_incomplete_event_size=MAX_HEAD_BYTES,
        access_log=False,
        timeout_keep_alive=settings.keep_alive_s,
        timeout_graceful_shutdown=10,
    )
    result.header_timeout_s = settings.header_timeout_s  # type: ignore[attr-defined]
    return result


def run(settings: Settings, **options: Any) -> None:
    """Serve until stopped (several worker processes when ``workers`` > 1)."""
    cfg = config(settings, **options)
    server = uvicorn.Server(cfg)
    if cfg.should_reload:
        from uvicorn.supervisors import ChangeReload

        ChangeReload(cfg, target=server.run, sockets=[cfg.bind_socket()]).run()
    elif cfg.workers > 1:
        from uvicorn.supervisors import Multiprocess

        Multiprocess(cfg, sockets=[cfg.bind_socket()]).run()
    else:
        server.run()
