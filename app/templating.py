"""Jinja2 set-up: the template folder, fingerprinted static URLs and site-wide values."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from app.glossary import for_pages, glossary
from app.settings import PROJECT_ROOT, Settings

STATIC = PROJECT_ROOT / "static"


@lru_cache(maxsize=256)
def static_url(path: str) -> str:
    """``/static/<path>?v=<content hash>`` so browsers may cache assets for a year."""
    file = STATIC / path
    digest = hashlib.sha256(file.read_bytes()).hexdigest()[:10] if file.exists() else "0"
    return f"/static/{path}?v={digest}"


def format_value(value: float | int | None, unit: str = "") -> str:
    """A statistic for display: thousands separators, one decimal for shares and rates."""
    if value is None:
        return "–"
    if unit in ("%", "percent"):
        return f"{value:,.1f}%"
    if isinstance(value, int) or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.1f}" if abs(value) >= 10 else f"{value:,.2f}"


def format_share(value: float | None) -> str:
    """A 0–1 share as a percentage."""
    return "–" if value is None else f"{value * 100:.0f}%"


def make_templates(settings: Settings) -> Jinja2Templates:
    """Templates with autoescaping on and the helpers every page uses."""
    templates = Jinja2Templates(directory=PROJECT_ROOT / "templates")
    templates.env.globals.update(
        static_url=static_url,
        tile_url=settings.tile_url,
        tile_attribution=settings.tile_attribution,
        glossary_terms=for_pages(),
        glossary=glossary,
    )
    templates.env.filters.update(num=format_value, share=format_share)
    return templates


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    status: int = 200,
    *,
    no_store: bool = False,
) -> HTMLResponse:
    """Render a page with the app's templates; ``no_store`` for personal or fast-changing pages."""
    response: HTMLResponse = request.app.state.templates.TemplateResponse(
        request, template, context, status_code=status
    )
    if no_store:
        response.headers["Cache-Control"] = "no-store"
    return response
