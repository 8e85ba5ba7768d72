"""Response headers every page gets: security headers, and long caching for fingerprinted assets."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response

CSP = (
    "default-src 'self'; img-src 'self' data: https:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; connect-src 'self'; frame-ancestors 'self'; base-uri 'self'; "
    "form-action 'self'"
)
HSTS = "max-age=31536000; includeSubDomains"


def apply_security_headers(path: str, scheme: str, headers: MutableHeaders) -> None:
    """Set CSP, framing, nosniff, referrer policy and (over HTTPS) HSTS, keeping any already set.

    Used by the middleware for every response and by the catch-all error handler, whose 500s
    are made outside it.
    """
    csp = CSP
    if path.startswith("/embed"):
        csp = CSP.replace("frame-ancestors 'self'", "frame-ancestors *")
    else:
        headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    headers.setdefault("Content-Security-Policy", csp)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if scheme == "https":
        headers.setdefault("Strict-Transport-Security", HSTS)


class SecurityHeadersMiddleware(BaseHTTPMiddleware):
    """Adds CSP, nosniff and referrer policy; embed views may be framed by other sites."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        """Set the headers on the way out."""
        response = await call_next(request)
        path = request.url.path
        apply_security_headers(path, request.url.scheme, response.headers)
        if path.startswith("/static/") and request.query_params.get("v"):
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response
