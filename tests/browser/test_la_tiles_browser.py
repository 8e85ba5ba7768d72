"""Local authorities from vector tiles from zoom 8: no finer GeoJSON band, same colours and clicks."""

from __future__ import annotations

import urllib.parse
import urllib.request
from typing import Any

import pytest
from _browser_helpers import api, la_fills, la_outline_widths

pytestmark = pytest.mark.browser

READY = '#map[data-ready="true"]'
LIVERPOOL = "E08000012"
# Liverpool, Wigan, Warrington, Halton, St Helens, Knowsley and Manchester: in view at 53.45, -2.6, z9.
AROUND_WARRINGTON = {
    LIVERPOOL,
    "E08000010",
    "E06000007",
    "E06000006",
    "E08000013",
    "E08000011",
    "E08000003",
}
LA_BUDGET_BYTES = 75 * 1024  # the LA layer's weight at any zoom, compressed
COUNT_FILLS = [(1, "#c7e9b4"), (2, "#7fcdbb"), (4, "#41b6c4"), (9, "#2c7fb8")]


def count_fill(n: int) -> str:
    """The fill the map gives an LA with n partnerships (hatched for none)."""
    if n == 0:
        return "url(#pm-hatch)"
    return next((colour for top, colour in COUNT_FILLS if n <= top), "#253494")


def is_la_request(url: str) -> bool:
    """A request for the LA layer: the GeoJSON endpoint or its tiles."""
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qs(parts.query)
    geojson = parts.path == "/api/v1/areas" and query.get("level") == ["local_authority"]
    return geojson or parts.path.startswith("/tiles/local_authority/")


def watch_la_requests(page: Any) -> list[Any]:
    """Every LA-layer request the page makes from now on."""
    seen: list[Any] = []
    page.on("requestfinished", lambda r: seen.append(r) if is_la_request(r.url) else None)
    return seen


def geojson_zooms(requests: list[Any]) -> list[str]:
    """The zoom of each LA GeoJSON request."""
    return [
        urllib.parse.parse_qs(urllib.parse.urlsplit(r.url).query)["zoom"][0]
        for r in requests
        if urllib.parse.urlsplit(r.url).path == "/api/v1/areas"
    ]


def tile_zooms(requests: list[Any]) -> set[int]:
    """The zooms of the LA tiles requested."""
    return {
        int(urllib.parse.urlsplit(r.url).path.split("/")[3]) for r in requests if "/tiles/" in r.url
    }


def test_from_zoom_8_the_las_come_from_tiles_and_keep_their_colours(
    page: Any, base_url: str
) -> None:
    requests = watch_la_requests(page)
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.goto(f"{base_url}/?lat=53.45&lon=-2.6&z=9")
    page.wait_for_selector(READY)
    assert tile_zooms(requests) == {9}
    assert geojson_zooms(requests) == ["6"]  # the national layer only: names, counts, bounds
    assert all(r.response().status == 200 for r in requests)
    # Each LA in view is drawn from the tiles, filled for its partnership count.
    counts = api(base_url, "/api/v1/areas/counts?level=local_authority")
    fills = la_fills(page)
    assert set(fills) >= AROUND_WARRINGTON
    for code, fill in fills.items():
        assert fill == count_fill(counts.get(code, 0)), (code, fill)
    # Zooming in asks for finer tiles, never for a finer GeoJSON band.
    page.locator("#map").focus()
    for zoom in ("10", "11"):
        page.keyboard.press("+")
        page.wait_for_function("z => new URLSearchParams(location.search).get('z') === z", arg=zoom)
        page.wait_for_load_state("networkidle")
    assert tile_zooms(requests) >= {9, 10, 11}
    assert geojson_zooms(requests) == ["6"]
    # Back out past zoom 8, the national layer is drawn again without fetching anything more.
    before = len(requests)
    page.goto(f"{base_url}/?lat=52.8&lon=-1.5&z=8")
    page.wait_for_selector(READY)
    page.locator("#map").focus()
    page.keyboard.press("-")
    page.wait_for_function("() => new URLSearchParams(location.search).get('z') === '7'")
    page.wait_for_load_state("networkidle")
    las = api(base_url, "/api/v1/areas?level=local_authority&zoom=6")["features"]
    page.wait_for_function(
        "n => document.querySelectorAll('path.pm-la').length === n", arg=len(las)
    )
    assert geojson_zooms(requests[before:]) == ["6"]  # this page's one national layer
    assert errors == []


def test_a_tiled_la_shows_its_name_on_hover_and_opens_its_popup_on_click(
    page: Any, base_url: str
) -> None:
    counts = api(base_url, "/api/v1/areas/counts?level=local_authority")
    page.goto(f"{base_url}/?lat=53.41&lon=-2.93&z=10")
    page.wait_for_selector(READY)
    box = page.locator("#map").bounding_box()
    middle = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.move(middle[0] - 5, middle[1])
    page.mouse.move(*middle)
    tooltip = page.locator(".leaflet-tooltip")
    tooltip.wait_for()
    n = counts.get(LIVERPOOL, 0)
    assert tooltip.inner_text() == f"Liverpool: {n} partnership{'' if n == 1 else 's'}"
    page.mouse.click(*middle)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "Liverpool" in popup.inner_text()
    assert "No local authority here" not in popup.inner_text()
    assert la_outline_widths(page, LIVERPOOL) == {"4"}
    # Another colouring restyles the tiles already drawn.
    page.locator("#map-colour").select_option("council_role")
    page.wait_for_function(
        "code => [...document.querySelectorAll(`path.pm-la[data-code='${code}']`)]"
        ".every(p => p.getAttribute('stroke-width') === '4') && "
        "[...document.querySelectorAll('path.pm-la')].some(p => p.getAttribute('fill') === '#0072b2')",
        arg=LIVERPOOL,
    )


@pytest.mark.parametrize(
    "view", ["?lat=52.8&lon=-1.5&z=7", "?lat=52.5&lon=-1.5&z=8", "?lat=51.5&lon=-0.1&z=10"]
)
def test_the_la_layer_stays_within_its_weight_at_every_zoom(
    browser: Any, base_url: str, view: str
) -> None:
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    try:
        requests = watch_la_requests(page)
        page.goto(f"{base_url}/{view}", wait_until="commit")
        page.wait_for_selector(READY, state="attached")
        page.wait_for_load_state("networkidle")
        weights = [r.sizes()["responseBodySize"] for r in requests]  # as sent: compressed
        assert weights
        assert sum(weights) <= LA_BUDGET_BYTES, (view, sum(weights), len(weights))
    finally:
        context.close()
