"""Helpers shared by the browser tests: the app's JSON, axe-core checks, the LAs drawn on the map."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

PASSWORD = "correct horse battery staple"  # the moderator accounts the browser tests make

AXE_URL = "/static/vendor/axe-core/axe.min.js"


def api(base_url: str, path: str) -> Any:
    """GET a JSON document from the running app."""
    with urllib.request.urlopen(base_url + path, timeout=30) as response:
        return json.loads(response.read())


def axe_violations(
    pg: object, impacts: tuple[str, ...] = ("serious", "critical")
) -> list[dict[str, object]]:
    """Run axe-core on the page; return violations of the given impacts."""
    # Loaded from the app itself: the content security policy refuses inline scripts.
    pg.add_script_tag(url=AXE_URL)  # type: ignore[attr-defined]
    result = pg.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")  # type: ignore[attr-defined]
    return [v for v in result["violations"] if v.get("impact") in impacts]


# Local authorities on the map ---------------------------------------------------------------
# From zoom 8 the LAs come as vector tiles, so one LA may be drawn as several paths (one per tile
# it crosses); below it, as one GeoJSON path each. These read every path of an LA.


def la_outline_widths(pg: object, code: str) -> set[str]:
    """The stroke widths of every path drawn for an LA (``{"4"}`` when it is the selected one)."""
    widths: list[str] = pg.locator(f'path.pm-la[data-code="{code}"]').evaluate_all(  # type: ignore[attr-defined]
        "paths => paths.map(p => p.getAttribute('stroke-width'))"
    )
    return set(widths)


def la_fills(pg: object) -> dict[str, str]:
    """Each drawn LA's fill, by code (waiting until some are drawn); fails if two paths of one LA
    are filled differently."""
    # A tile's paths are named by LA code just after the tile draws them, so read them in one go
    # at a moment when every path drawn so far is named.
    pairs: list[list[str]] = pg.wait_for_function(  # type: ignore[attr-defined]
        """() => {
            const paths = [...document.querySelectorAll('path.pm-la')];
            return paths.length > 0 && paths.every(p => p.dataset.code)
                && paths.map(p => [p.dataset.code, p.getAttribute('fill')]);
        }"""
    ).json_value()
    fills: dict[str, str] = {}
    for code, fill in pairs:
        assert fills.setdefault(code, fill) == fill, (code, fills[code], fill)
    return fills


def sign_in(page: Any, base_url: str, email: str) -> None:
    """Sign in as a moderator."""
    page.goto(f"{base_url}/moderate/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/moderate")
