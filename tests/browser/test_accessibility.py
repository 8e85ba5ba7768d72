"""axe-core on every main page: no serious or critical violations, with the map in several states."""

from __future__ import annotations

import urllib.parse
import urllib.request
from typing import Any

import pytest
from _browser_helpers import api, axe_violations

pytestmark = pytest.mark.browser

READY = '#map[data-ready="true"]'


def sample_path(base_url: str, kind: str) -> str | None:
    """A real partnership, school or trust page from the imported data."""
    if kind == "partnership":
        features = api(base_url, "/api/v1/partnerships?include_ended=false")["features"]
        return features[0]["properties"]["url"] if features else None
    if kind == "school":
        near = api(base_url, "/api/v1/near?postcode=" + urllib.parse.quote("SW1A 1AA"))
        schools = near.get("nearest_schools") or []
        return f"/schools/{schools[0]['urn']}" if schools else None
    trusts = [
        h
        for h in api(base_url, "/api/v1/search?q=academy%20trust")["results"]
        if h["type"] == "trust"
    ]
    trusts.sort(
        key=lambda h: not (h.get("detail") or "").startswith("Multi-academy")
    )  # several schools
    return trusts[0]["url"] if trusts else None


def settle(page: Any) -> None:
    """Wait until the page's maps have drawn."""
    if page.locator("#map").count():
        page.wait_for_selector(READY)
    if page.locator(".mini-map").count():
        page.wait_for_selector(
            ".mini-map .leaflet-overlay-pane > *, .mini-map__empty", state="attached"
        )


def describe(violations: list[dict[str, Any]]) -> str:
    """Violations in a readable form for the assertion message."""
    lines = []
    for v in violations:
        targets = "; ".join(" ".join(n["target"]) for n in v["nodes"][:5])
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} — {targets}")
    return "\n".join(lines)


PAGES = [
    "/",
    "/near?postcode=SW1A%201AA",
    "/areas/E08000019",
    "partnership",
    "school",
    "trust",
    "/about",
    "/coverage",
    "/search?q=academy",
    "/embed?z=6",
]


@pytest.mark.parametrize("target", PAGES)
def test_page_has_no_serious_accessibility_violations(
    page: Any, base_url: str, target: str
) -> None:
    path = target if target.startswith("/") else sample_path(base_url, target)
    assert path, f"no {target} in the imported data to check"
    response = page.goto(base_url + path)
    assert response is not None and response.status == 200
    settle(page)
    violations = axe_violations(page)
    assert violations == [], describe(violations)


def test_map_states_have_no_serious_accessibility_violations(page: Any, base_url: str) -> None:
    # Indicator colours, every layer, an area's popup open and a postcode pinned.
    query = "?lat=53.41&lon=-2.93&z=11&layers=la,ca,partnerships,schools&colour=idaci_score&sel=E08000012&national=1"
    page.goto(base_url + "/" + query)
    settle(page)
    page.locator(".leaflet-popup-content").wait_for()
    # Contrast is measured once the popup has faded in, not halfway.
    page.wait_for_function(
        "() => getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'"
    )
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    # Coverage colours, with an area's popup giving its share and its region's.
    page.goto(
        base_url
        + "/?lat=53.41&lon=-2.93&z=10&layers=la,ca,partnerships&colour=coverage-served&sel=E08000012"
    )
    settle(page)
    page.locator(".leaflet-popup-content .popup__coverage").wait_for()
    page.wait_for_function(
        "() => getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'"
    )
    assert page.locator(".pm-legend a[href='/coverage']").count() == 1
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    # Academy trusts shown with the partnerships, a trust's popup opened from the keyboard.
    page.goto(base_url + "/?lat=51.51&lon=-0.12&z=12&layers=la,partnerships,trusts")
    settle(page)
    page.locator("#map-trusts summary").click()
    page.locator("#map-trusts-list button").first.focus()
    page.keyboard.press("Enter")
    page.locator(".leaflet-popup-content a[href^='/trusts/']").wait_for()
    # Leaflet fades popups in; check the colours once it is opaque.
    page.wait_for_function(
        "() => getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'"
    )
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    # The search suggestions open, an option highlighted.
    page.locator("#site-search").fill("liverpool")
    page.locator("#site-search[aria-expanded=true]").wait_for()
    page.keyboard.press("ArrowDown")
    violations = axe_violations(page)
    assert violations == [], describe(violations)
    # The empty state, with its suggestions of what to try.
    page.goto(base_url + "/?q=zzzzqqqq")
    settle(page)
    assert page.locator("#list-empty").is_visible()
    violations = axe_violations(page)
    assert violations == [], describe(violations)


def test_home_on_a_phone_has_no_serious_accessibility_violations(
    browser: Any, base_url: str
) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    try:
        page.goto(base_url + "/")
        settle(page)
        violations = axe_violations(page)
        assert violations == [], describe(violations)
    finally:
        context.close()
