"""The map's ES modules in Chromium: every one fetched at its fingerprinted URL, cached as immutable."""

from __future__ import annotations

import urllib.parse
from typing import Any

import pytest

pytestmark = pytest.mark.browser

IMMUTABLE = "public, max-age=31536000, immutable"


@pytest.mark.parametrize("path", ["/", "/embed"])
def test_every_module_comes_from_its_fingerprinted_url(page: Any, base_url: str, path: str) -> None:
    modules: list[tuple[str, str, int]] = []
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.on(
        "console",
        lambda m: errors.append(m.text) if m.type == "error" else None,
    )
    page.on(
        "response",
        lambda r: (
            modules.append((r.url, r.headers.get("cache-control", ""), r.status))
            if urllib.parse.urlsplit(r.url).path.startswith("/static/js/")
            else None
        ),
    )
    assert page.goto(base_url + path).status == 200
    page.wait_for_selector('#map[data-ready="true"]', state="attached")
    page.wait_for_load_state("networkidle")
    paths = {urllib.parse.urlsplit(url).path for url, _cc, _s in modules}
    # The map's own modules, reached only through imports, came through the import map.
    for module in ("main.js", "map/app.js", "map/legend.js", "map/layers/areas.js", "lib/api.js"):
        assert f"/static/js/{module}" in paths
    for url, cache_control, status in modules:
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
        assert len(query.get("v", [""])[0]) == 10, f"{url} is not fingerprinted"
        assert status == 200 and cache_control == IMMUTABLE, (url, status, cache_control)
    assert errors == []
