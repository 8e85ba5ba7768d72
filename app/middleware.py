"""Response headers every page gets: security headers, and long caching for fingerprinted assets.

Plain ASGI middleware (not ``BaseHTTPMiddleware``, which runs each response through an extra
task and memory stream): it only edits the headers of ``http.response.start``.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.templating import import_map_csp_source

# Scripts come from this site only; the one inline script, the import map, is allowed by its hash.
CSP = (
    "default-src 'self'; img-src 'self' data: https:; style-src 'self' 'unsafe-inline'; "
    f"script-src 'self' {import_map_csp_source()}; connect-src 'self'; frame-ancestors 'self'; "
    "base-uri 'self'; form-action 'self'"
)
HSTS = "max-age=31536000; includeSubDomains"
EMBED_CSP = CSP.replace("frame-ancestors 'self'", "frame-ancestors *")
IMMUTABLE = "public, max-age=31536000, immutable"
# Scripts and stylesheets are not documents: a content policy, framing rule or referrer policy on
# them does nothing, and would be sent again with each of the map's modules on a first visit.
SUBRESOURCES = (".js", ".css")


def apply_security_headers(path: str, scheme: str, headers: MutableHeaders) -> None:
    """Set CSP, framing, nosniff, referrer policy and (over HTTPS) HSTS, keeping any already set.

    Used by the middleware for every response and by the catch-all error handler, whose 500s
    are made outside it.
    """
    if path.startswith("/static/") and path.endswith(SUBRESOURCES):
        headers.setdefault("X-Content-Type-Options", "nosniff")
        if scheme == "https":
            headers.setdefault("Strict-Transport-Security", HSTS)
        return
    embed = path.startswith("/embed")
    if not embed:
        headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    headers.setdefault("Content-Security-Policy", EMBED_CSP if embed else CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if scheme == "https":
        headers.setdefault("Strict-Transport-Security", HSTS)


class SecurityHeadersMiddleware:
    """Adds CSP, nosniff and referrer policy; embed views may be framed by other sites."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Set the headers on the way out."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        scheme: str = scope.get("scheme", "http")
        fingerprinted = path.startswith("/static/") and b"v=" in scope.get("query_string", b"")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                apply_security_headers(path, scheme, headers)
                if fingerprinted and message["status"] == 200:
                    headers["Cache-Control"] = IMMUTABLE
            await send(message)

        await self.app(scope, receive, send_with_headers)
