"""Cached payloads answered before routing: the fast lane for map layers, tiles and API lists.

A cached hit costs little of its own (a dictionary look-up and a response), but reaching it runs
the whole framework: route matching over every route, dependency injection (a database session
that a hit never uses), parameter validation. For the national layer that was most of the time
per request. So the first time a URL is answered with a cached payload, the lane learns which
payload (cache key and the data sources it is built from) that URL maps to; later requests for
the same URL, while that payload is held at the current data version, are answered here with the
same ``Payload.respond`` the route would have called: the same body, encoding, ETag, 304 and
headers. Anything else (a miss, a new data version being built, the version not known in
memory, any other URL) goes through the routes as before.

The lane learns only from a GET under ``/api/`` or ``/tiles/`` that ran exactly one cached look-up
and answered with exactly that payload's usual response (the status and headers ``respond``
gives), so a route that adds anything of its own to a cached payload (a cookie, a download
name) is never short-cut. Validation is not skipped: a URL
is only learned after its route accepted it, and the same URL always maps to the same key. The
table of learned URLs is bounded.
"""

from __future__ import annotations

from collections import OrderedDict

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.cache import CACHE_CONTROL, Key, PayloadTrace, payload_trace

PREFIXES = ("/api/", "/tiles/")
MAX_URLS = 4096


class FastLaneMiddleware:
    """Answer a learned URL from the payload cache when its payload is held at the current version."""

    def __init__(self, app: ASGIApp, max_urls: int = MAX_URLS) -> None:
        """Wrap ``app``; remember at most ``max_urls`` URLs."""
        self.app = app
        self.max_urls = max_urls
        self.urls: OrderedDict[tuple[str, bytes], tuple[Key, tuple[str, ...] | None]] = (
            OrderedDict()
        )
        self.hits = 0  # requests answered here (a figure for tests and the benchmark)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve a learned URL's held payload, else run the app and learn from what it did."""
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or not scope["path"].startswith(PREFIXES)
        ):
            await self.app(scope, receive, send)
            return
        url = (scope["path"], scope.get("query_string", b""))
        learned = self.urls.get(url)
        if learned is not None and await self._serve(learned, scope, receive, send):
            return
        seen = PayloadTrace([], [])
        token = payload_trace.set(seen)
        sent: Message | None = None

        async def watch(message: Message) -> None:
            nonlocal sent
            if message["type"] == "http.response.start":
                # a copy: the outer middleware add their headers to the message in place
                sent = {"status": message["status"], "headers": list(message.get("headers", []))}
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            payload_trace.reset(token)
        if sent is not None and _plain(seen, sent, scope):
            key, sources, _payload = seen.looked_up[0]
            self.urls[url] = (key, sources)
            self.urls.move_to_end(url)
            while len(self.urls) > self.max_urls:
                self.urls.popitem(last=False)

    async def _serve(
        self,
        learned: tuple[Key, tuple[str, ...] | None],
        scope: Scope,
        receive: Receive,
        send: Send,
    ) -> bool:
        state = scope["app"].state
        versions = getattr(state, "data_versions", None)
        key, sources = learned
        version = versions.current(sources) if versions is not None else None
        if version is None:  # not listening: the route reads the version from the database
            return False
        payload = state.cache.hit(key, version)
        if payload is None:
            return False
        self.hits += 1
        await payload.respond(Request(scope))(scope, receive, send)
        return True


def _plain(seen: PayloadTrace, sent: Message, scope: Scope) -> bool:
    """One cached look-up, answered with exactly that payload's usual response: the same status
    and headers as ``respond`` gives (so nothing was added after it, no cookie, no download name)."""
    if len(seen.looked_up) != 1 or len(seen.responded) != 1:
        return False
    payload, cache_control = seen.responded[0]
    if payload is not seen.looked_up[0][2] or cache_control != CACHE_CONTROL:
        return False
    usual = payload.respond(Request(scope))
    return int(sent["status"]) == usual.status_code and sorted(sent.get("headers", [])) == sorted(
        usual.raw_headers
    )
