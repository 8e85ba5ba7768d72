"""The interactive API documentation (Swagger UI), served from this site's own files.

FastAPI's default page loads Swagger UI from a CDN and starts it with an inline script; the
content security policy allows neither, so the page would be blank. Here both the library
(copied from npm by ``scripts/vendor_assets.py``) and its start-up script are local files.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from app.templating import static_url

router = APIRouter(include_in_schema=False)


@router.get("/docs", response_class=HTMLResponse)
async def api_docs() -> HTMLResponse:
    """Swagger UI for ``/openapi.json``."""
    return HTMLResponse(
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        "<title>Partnerships Map API</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<link rel="stylesheet" href="{static_url("vendor/swagger-ui-dist/swagger-ui.css")}">'
        f'<link rel="icon" href="{static_url("favicon.svg")}">'
        "</head><body>"
        '<div id="swagger-ui"></div>'
        f'<script src="{static_url("vendor/swagger-ui-dist/swagger-ui-bundle.js")}"></script>'
        f'<script src="{static_url("js/api-docs.js")}"></script>'
        "</body></html>"
    )
