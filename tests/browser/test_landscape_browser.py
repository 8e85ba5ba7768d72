"""The local landscape in Chromium: the map coloured by council role with its key and popups,
the form-of-collaboration filter, and screenshots of the area page, the map and /areas."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from _browser_helpers import la_fills

pytestmark = pytest.mark.browser

READY = '#map[data-ready="true"]'
ROLE_FILLS = {
    "in_house_team": "#0072b2",
    "traded_company": "#e69f00",
    "commissioned_partnership": "#009e73",
    "little_or_none": "#cc79a7",
}
BARNET = "E09000003"


# Barnet, Brent, Camden, Ealing, Harrow and Westminster: in view at the map's London zoom.
NORTH_WEST_LONDON = {"E09000003", "E09000005", "E09000007", "E09000009", "E09000015", "E09000033"}


def landscape(base_url: str) -> dict[str, dict[str, Any]]:
    """/api/v1/landscape's rows by code."""
    with urllib.request.urlopen(f"{base_url}/api/v1/landscape", timeout=30) as response:
        body = json.loads(response.read())
    return {r["code"]: r for r in body["local_authorities"]}


def test_map_colours_las_by_council_role_with_a_key_and_popups(
    page: Any, base_url: str, problems: list[str], screenshots: Path
) -> None:
    rows = landscape(base_url)
    page.goto(f"{base_url}/?colour=council_role&layers=la&lat=51.55&lon=-0.2&z=9.5")
    page.wait_for_selector(READY)
    page.wait_for_function(
        "() => [...document.querySelectorAll('path.pm-la')].some(p => p.getAttribute('fill') === '#0072b2')"
    )
    fills = la_fills(page)
    assert set(fills) >= NORTH_WEST_LONDON  # drawn from the tiles in view
    for code, fill in fills.items():
        role = rows[code]["council_role"] if code in rows else None
        assert fill == ROLE_FILLS.get(role or "", "url(#pm-hatch)"), (code, role, fill)
    legend = page.locator(".pm-legend").inner_text()
    assert "Council’s school-improvement role" in legend and "Not known (hatched)" in legend
    page.screenshot(path=str(screenshots / "landscape-map-london-1440.png"))
    # Clicking an LA shows its role and provider.
    page.locator(f'path.pm-la[data-code="{BARNET}"]').first.click(force=True)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    assert "Council’s school-improvement role: Traded company" in text
    assert rows[BARNET]["provider_name"] in text
    # The form filter pales the councils without that form, and is kept in the address.
    page.locator("#map-form").select_option("trust_led_partnership")
    page.wait_for_function("() => new URLSearchParams(location.search).get('form')")
    fills = la_fills(page)
    with_form = {c for c, r in rows.items() if "trust_led_partnership" in r["collaboration_forms"]}
    for code, fill in fills.items():
        assert (fill == "#f3f2f1") == (code not in with_form), (code, fill)
    assert problems == []


@pytest.mark.parametrize("width", [375, 1440])
def test_screenshots_of_the_area_page_map_and_table(
    browser: Any, base_url: str, screenshots: Path, width: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{base_url}/areas/{BARNET}")
        assert page.locator("#landscape-heading").is_visible()
        page.screenshot(path=str(screenshots / f"landscape-area-{width}.png"))
        page.goto(f"{base_url}/areas")
        assert page.locator("#landscape-table tbody tr").count() == 153
        page.screenshot(path=str(screenshots / f"landscape-areas-{width}.png"))
        page.goto(f"{base_url}/?colour=council_role")
        page.wait_for_selector(READY)
        page.screenshot(path=str(screenshots / f"landscape-map-{width}.png"))
    finally:
        context.close()


def test_an_la_popup_gives_its_council_role_whatever_the_colours(
    page: Any, base_url: str, problems: list[str]
) -> None:
    rows = landscape(base_url)
    page.goto(f"{base_url}/?layers=la&lat=51.55&lon=-0.2&z=9.5")
    page.wait_for_selector(READY)
    page.locator(f'path.pm-la[data-code="{BARNET}"]').first.click(force=True)
    page.wait_for_function(
        "() => (document.querySelector('.leaflet-popup-content') || {}).textContent"
        "?.includes('school-improvement role')"
    )
    text = page.locator(".leaflet-popup-content").inner_text()
    assert "Council’s school-improvement role: Traded company" in text
    assert rows[BARNET]["provider_name"] in text
    # The key may fold away from the popup; its heading is still the partnership count.
    assert "Partnerships serving each local authority" in (
        page.locator(".pm-legend").text_content() or ""
    )
    assert problems == []
