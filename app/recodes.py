"""Areas recoded in 2025 answer under either code.

Barnsley and Sheffield were given new ONS codes in 2025 (``app.codes.RECODED_2025``); the
boundaries, and so every page and API path of the service, use the codes of 2023-24. A GET or
HEAD for a path naming a 2025 code (``/areas/E08000039``, ``/api/v1/areas/E08000039/similar``,
``/downloads/areas/E08000039/partnerships.csv``) is redirected permanently (308) to the same path
with the code the data holds, so a link made from a newer source reaches the area and every area
keeps one permalink.
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.types import ASGIApp, Receive, Scope, Send

from app.codes import RECODED_2025

# Path segments after which an area code stands.
_AREA_PREFIXES = ("/areas/", "/api/v1/areas/", "/downloads/areas/")


def stored_path(path: str) -> str | None:
    """``path`` with a 2025 area code replaced by the stored one, or None if it names none."""
    for prefix in _AREA_PREFIXES:
        if path.startswith(prefix):
            code, sep, rest = path[len(prefix) :].partition("/")
            stored = RECODED_2025.get(code.upper())
            if stored is not None:
                return f"{prefix}{stored}{sep}{rest}"
    return None


class RecodedAreaRedirect:
    """Redirect a GET or HEAD for a 2025 area code to the path with the stored code."""

    def __init__(self, app: ASGIApp) -> None:
        """Wrap ``app``."""
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer 308 for a recoded area's path; pass everything else on."""
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            target = stored_path(scope["path"])
            if target is not None:
                query = scope.get("query_string", b"")
                location = quote(target) + ("?" + query.decode("latin-1") if query else "")
                await send(
                    {
                        "type": "http.response.start",
                        "status": 308,
                        "headers": [
                            (b"location", location.encode("latin-1")),
                            (b"content-length", b"0"),
                            (b"cache-control", b"public, max-age=86400"),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": b""})
                return
        await self.app(scope, receive, send)
