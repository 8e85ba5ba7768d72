"""Jinja2 set-up: the template folder, fingerprinted static URLs and site-wide values."""

from __future__ import annotations

import base64
import hashlib
import json
from functools import lru_cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from app.glossary import for_pages, glossary
from app.maplabels import map_labels
from app.services.currency import currency_label, currency_title
from app.settings import PROJECT_ROOT, Settings

STATIC = PROJECT_ROOT / "static"


@lru_cache(maxsize=256)
def static_url(path: str) -> str:
    """``/static/<path>?v=<content hash>`` so browsers may cache assets for a year."""
    file = STATIC / path
    digest = hashlib.sha256(file.read_bytes()).hexdigest()[:10] if file.exists() else "0"
    return f"/static/{path}?v={digest}"


MODULES = "js"  # the folder of ES modules under static/, every one reachable through the import map


@lru_cache(maxsize=1)
def import_map_json() -> str:
    """The import map: each ES module's plain URL mapped to its fingerprinted one.

    Modules import each other by relative path (``./lib/dom.js``); the browser resolves that to
    ``/static/js/lib/dom.js`` and the map turns it into ``/static/js/lib/dom.js?v=<hash>``, which is
    served with an immutable cache header. Computed once per process, like ``static_url``.
    """
    root = STATIC / MODULES
    imports = {
        f"/static/{path}": static_url(path)
        for path in sorted(p.relative_to(STATIC).as_posix() for p in root.rglob("*.js"))
    }
    return json.dumps({"imports": imports}, separators=(",", ":"), sort_keys=True)


@lru_cache(maxsize=1)
def import_map_csp_source() -> str:
    """The CSP source (``'sha256-…'``) that lets the inline import map run under ``script-src``."""
    digest = hashlib.sha256(import_map_json().encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def import_map() -> str:
    """The ``<script type="importmap">`` element (HTML: templates mark it ``|safe``); it must
    come before any module script."""
    return f'<script type="importmap">{import_map_json()}</script>'


@lru_cache(maxsize=8)
def module_preloads(*entries: str) -> str:
    """``<link rel="modulepreload">`` for each module under the given folders or files of static/js.

    The map's modules import one another; preloading them all at once saves the round trips of
    discovering the imports one level at a time. HTML: templates mark it ``|safe``. Computed
    once per process and set of entries, like the import map (the files do not change under a
    running process).
    """
    root = STATIC / MODULES
    paths: list[str] = []
    for entry in entries:
        target = root / entry
        found = sorted(target.rglob("*.js")) if target.is_dir() else [target]
        paths.extend(p.relative_to(STATIC).as_posix() for p in found)
    return "".join(f'<link rel="modulepreload" href="{static_url(p)}">' for p in paths)


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
        import_map=import_map,
        map_labels=map_labels,
        currency_words=currency_label,
        currency_title=currency_title,
        module_preloads=module_preloads,
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
