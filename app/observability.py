"""Request logs, request ids, hostile-input screening and the catch-all error handler.

``RequestContextMiddleware`` is the outermost layer of the app (a plain ASGI middleware):

- every request gets an id (``X-Request-ID``, kept from the client when it is well formed) and,
  when it ends, one JSON log line: method, path, query with secrets redacted, status, duration and
  a keyed hash of the client address (never the address itself, never a private token);
- a NUL byte in the path or query string is refused with a 422 before any route sees it
  (PostgreSQL text cannot hold NUL, and no identifier contains one);
- an exception nothing else handled is logged once with its traceback and answered with the
  site's error page (or JSON for the API), with the security headers, instead of a bare 500.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
import re
import sys
import time
from typing import Any
from urllib.parse import parse_qsl, urlencode

import orjson
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.db import is_unavailable
from app.errors import error_response, unavailable_response
from app.middleware import apply_security_headers
from app.services.hashing import hash_ip

log = logging.getLogger("app.request")
REDACTED_PARAMS = frozenset({"token", "csrf_token", "password", "email", "key"})
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
# Parameter names that may carry a secret, as they can appear in a raw query string.
_MAY_HOLD_SECRET = re.compile("|".join(sorted(REDACTED_PARAMS)), re.IGNORECASE)
_STANDARD_ATTRS = frozenset(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, extra fields and any traceback."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON line."""
        entry: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


def configure_logging(level: int = logging.INFO) -> None:
    """Send the app's loggers to stderr as JSON lines (once per process)."""
    root = logging.getLogger("app")
    if any(getattr(h, "_partnerships_json", False) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler._partnerships_json = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    root.propagate = False


def redact_query(query: str) -> str:
    """The query string with the values of secret-bearing parameters replaced."""
    if not query:
        return ""
    if _MAY_HOLD_SECRET.search(query) is None:
        # Most requests repeat a few query strings (map layers, tiles): reuse their log form.
        return _logged_query(query)
    return _redacted(query)


@functools.lru_cache(maxsize=2048)
def _logged_query(query: str) -> str:
    return _redacted(query)


def _redacted(query: str) -> str:
    pairs = parse_qsl(query, keep_blank_values=True)
    return urlencode(
        [(k, "[redacted]" if k.lower() in REDACTED_PARAMS else v[:200]) for k, v in pairs]
    )


@functools.lru_cache(maxsize=4096)
def _client_hash(secret: str, address: str) -> str:
    """The logged form of a client address (a keyed hash); readers come back, so it is kept."""
    return hash_ip(secret, address)[:12]


def _has_nul(scope: Scope) -> bool:
    query: bytes = scope.get("query_string", b"")
    return "\x00" in scope.get("path", "") or b"\x00" in query or b"%00" in query.lower()


class RequestContextMiddleware:
    """Request id, JSON access log, NUL screening and the catch-all handler (see module doc)."""

    def __init__(self, app: ASGIApp) -> None:
        """Wrap ``app``."""
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one HTTP request; other scopes pass straight through."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = dict(scope.get("headers") or [])
        given = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _REQUEST_ID.fullmatch(given) else os.urandom(8).hex()
        scope.setdefault("state", {})["request_id"] = request_id
        status = 0
        response_started = False

        async def send_wrapper(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = int(message["status"])
                response_started = True
                MutableHeaders(scope=message)["X-Request-ID"] = request_id
            await send(message)

        try:
            if _has_nul(scope):
                request = Request(scope, receive)
                response = error_response(
                    request,
                    422,
                    "Invalid request: the address contains a NUL character",
                    [{"field": "", "message": "NUL characters are not allowed"}],
                )
                apply_security_headers(request.url.path, request.url.scheme, response.headers)
                await response(scope, receive, send_wrapper)
            else:
                await self.app(scope, receive, send_wrapper)
        except Exception as exc:
            if response_started:
                log.exception("error after the response started", extra={"request_id": request_id})
                raise
            request = Request(scope, receive)
            if is_unavailable(exc):
                log.warning(
                    "database unavailable: %s", type(exc).__name__, extra={"request_id": request_id}
                )
                response = unavailable_response(request)
            else:
                log.exception("unhandled error", extra={"request_id": request_id})
                response = error_response(
                    request,
                    500,
                    "Something went wrong on our side. It has been logged; please try again later.",
                    [],
                )
                response.headers["Cache-Control"] = "no-store"
            apply_security_headers(request.url.path, request.url.scheme, response.headers)
            await response(scope, receive, send_wrapper)
        finally:
            self._log(scope, request_id, status, started)

    @staticmethod
    def _log(scope: Scope, request_id: str, status: int, started: float) -> None:
        app = scope.get("app")
        settings = getattr(getattr(app, "state", None), "settings", None)
        client = scope.get("client")
        client_hash = _client_hash(settings.secret_key, client[0]) if settings and client else None
        log.info(
            "request",
            extra={
                "request_id": request_id,
                "method": scope.get("method"),
                "path": scope.get("path", "")[:300].replace("\x00", "\\0"),
                "query": redact_query(scope.get("query_string", b"").decode("latin-1")),
                "status": status,
                "ms": round((time.perf_counter() - started) * 1000, 1),
                "client": client_hash,
            },
        )
