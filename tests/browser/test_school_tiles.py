"""Schools on the home map come as vector tiles: no per-box GeoJSON, and a school opens on click."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest

pytestmark = pytest.mark.browser


def nearest_school(base_url: str, lat: float, lon: float) -> dict[str, Any]:
    """The imported school nearest a point, from the running app."""
    with urllib.request.urlopen(f"{base_url}/api/v1/near?lat={lat}&lon={lon}", timeout=30) as r:
        schools: list[dict[str, Any]] = json.loads(r.read())["nearest_schools"]
    return schools[0]


def test_schools_are_drawn_from_vector_tiles_and_open_on_click(page: Any, base_url: str) -> None:
    school = nearest_school(base_url, 53.381, -1.470)  # central Sheffield
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda err: errors.append(str(err)))
    query = f"?lat={school['lat']:.5f}&lon={school['lon']:.5f}&z=15&layers=la,schools"
    assert page.goto(f"{base_url}/{query}").status == 200
    page.wait_for_selector("#map[data-ready=true]")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#map canvas')].some((c) => c.width > 0)"
    )
    page.wait_for_load_state("networkidle")
    # 512-pixel tiles from one zoom level up.
    tile_requests = [u for u in requests if "/tiles/schools/14/" in u]
    assert tile_requests, "the schools layer asked for no tiles"
    assert not [u for u in requests if "/api/v1/schools" in u]
    # The map is centred on the school, so a click in the middle of the map lands on it.
    box = page.locator("#map").bounding_box()
    # The schools' canvas lets the pointer through to the area shapes beneath it.
    beneath = page.evaluate(
        f"() => document.elementFromPoint({box['x'] + box['width'] / 2}, "
        f"{box['y'] + box['height'] / 2}).tagName"
    )
    assert beneath.lower() == "path"
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert school["name"] in popup.inner_text()
    assert popup.locator(f'a[href="/schools/{school["urn"]}"]').count() == 1
    assert errors == []
