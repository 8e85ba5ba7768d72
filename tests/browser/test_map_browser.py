"""The home map, search suggestions, permalinks, the embed view and the mini maps, in Chromium."""

from __future__ import annotations

import http.server
import math
import re
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _browser_helpers import api, la_fills, la_outline_widths

pytestmark = pytest.mark.browser

LIVERPOOL, WESTMINSTER, SHEFFIELD = "E08000012", "E09000033", "E08000019"
MERSEYSIDE = {LIVERPOOL, "E08000011", "E08000014", "E08000015"}  # and Knowsley, Sefton, Wirral
POSTCODE = "SW1A 1AA"
READY = '#map[data-ready="true"]'


# Helpers -------------------------------------------------------------------------------------


def listed_slugs(base_url: str, **filters: str) -> list[str]:
    """The slugs the API lists for the map's filters (ended partnerships left out, as on the map)."""
    query = urllib.parse.urlencode({**filters, "include_ended": "false"})
    return [
        f["properties"]["slug"] for f in api(base_url, f"/api/v1/partnerships?{query}")["features"]
    ]


def page_slugs(page: Any) -> list[str]:
    """The slugs in the list beside the map, in order."""
    return page.locator("#partnership-list > li.partnership-item").evaluate_all(
        "items => items.map(li => li.dataset.slug)"
    )


def url_params(page: Any) -> dict[str, list[str]]:
    """The current address's query parameters."""
    return urllib.parse.parse_qs(urllib.parse.urlsplit(page.url).query)


def tab_to(page: Any, selector: str, limit: int = 80, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until the focused element matches selector."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        if page.evaluate(
            "s => document.activeElement && document.activeElement.matches(s)", selector
        ):
            return
    raise AssertionError(f"{selector} not reached with the keyboard in {limit} presses")


def has_visible_focus(page: Any) -> bool:
    """The focused element shows an outline or a focus shadow."""
    return bool(
        page.evaluate(
            """() => { const s = getComputedStyle(document.activeElement);
                   return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none'; }"""
        )
    )


@pytest.fixture(scope="module")
def samples(base_url: str) -> dict[str, str]:
    """Paths of real pages: a partnership, a school and a trust from the imported data."""
    found: dict[str, str] = {}
    features = api(base_url, "/api/v1/partnerships?include_ended=false")["features"]
    if features:
        found["partnership"] = features[0]["properties"]["url"]
    near = api(base_url, "/api/v1/near?postcode=" + urllib.parse.quote(POSTCODE))
    schools = near.get("nearest_schools") or []
    if schools:
        found["school"] = f"/schools/{schools[0]['urn']}"
    trusts = [
        h
        for h in api(base_url, "/api/v1/search?q=academy%20trust")["results"]
        if h["type"] == "trust"
    ]
    trusts.sort(
        key=lambda h: not (h.get("detail") or "").startswith("Multi-academy")
    )  # several schools
    if trusts:
        found["trust"] = trusts[0]["url"]
    return found


def open_home(page: Any, base_url: str, query: str = "") -> None:
    """Load the home page and wait until the map has drawn its layers."""
    response = page.goto(f"{base_url}/{query}")
    assert response is not None and response.status == 200
    page.wait_for_selector(READY)


# The home map ---------------------------------------------------------------------------------


def test_home_map_draws_areas_markers_legend_and_list(
    page: Any, base_url: str, problems: list[str]
) -> None:
    open_home(page, base_url)
    las = api(base_url, "/api/v1/areas?level=local_authority&zoom=6")["features"]
    assert page.locator("path.pm-la").count() == len(las) > 100
    expected = listed_slugs(base_url)
    assert expected, "the partnership register is empty"
    assert page_slugs(page) == expected
    assert page.locator("#list-count").inner_text() == str(len(expected))
    assert page.locator(".pm-cluster, .pm-marker").count() > 0
    legend = page.locator(".pm-legend")
    assert "None recorded yet" in legend.inner_text()
    # Areas with none recorded are hatched, not only a lighter colour.
    counts = api(base_url, "/api/v1/areas/counts?level=local_authority")
    empty = next(f["properties"]["code"] for f in las if not counts.get(f["properties"]["code"]))
    assert (
        page.locator(f'path.pm-la[data-code="{empty}"]').get_attribute("fill") == "url(#pm-hatch)"
    )
    # Sources are credited on the map itself, and nothing failed to load.
    assert "ONS" in page.locator(".leaflet-control-attribution").inner_text()
    assert problems == []


def test_postcode_search_lists_partnerships_and_moves_the_map(
    page: Any, base_url: str, problems: list[str]
) -> None:
    open_home(page, base_url)
    before = float(url_params(page)["z"][0])
    assert before < 8  # all of England
    page.locator("#site-search").fill(POSTCODE)
    option = page.get_by_role("option", name=re.compile(f"Partnerships near {POSTCODE}"))
    option.wait_for()
    page.keyboard.press("Enter")
    page.wait_for_selector("#list-place:not([hidden])")
    near = api(base_url, "/api/v1/near?postcode=" + urllib.parse.quote(POSTCODE))
    la = near["areas"]["local_authority"]
    assert la["code"] == WESTMINSTER
    page.wait_for_function(
        "code => new URLSearchParams(location.search).get('area') === code && !document.getElementById('map').hasAttribute('aria-busy')",
        arg=la["code"],
    )
    # The list shows the partnerships serving the postcode's local authority.
    assert "serving Westminster" in page.locator("#list-heading").inner_text()
    assert page_slugs(page) == listed_slugs(base_url, area=la["code"])
    assert "is in Westminster" in page.locator("#list-status").inner_text()
    # The map moved to the postcode and pinned it; the address keeps the view.
    after = url_params(page)
    assert float(after["z"][0]) >= 10 > before
    assert abs(float(after["lat"][0]) - near["place"]["lat"]) < 0.1
    assert abs(float(after["lon"][0]) - near["place"]["lon"]) < 0.1
    assert after["pc"] == [POSTCODE]
    assert page.locator(".pm-pin").count() == 1
    near_link = page.locator("#list-place a")
    assert near_link.get_attribute("href") == "/near?postcode=" + urllib.parse.quote(POSTCODE)
    assert problems == []


def test_postcode_search_from_another_page_opens_the_near_page(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/about")
    page.locator("#site-search").fill(POSTCODE)
    page.locator("#site-search").press("Enter")
    page.wait_for_url(re.compile(r"/near\?postcode="))
    assert POSTCODE in page.locator("h1").inner_text()
    assert page.locator("main a[href^='/partnerships/']").count() > 0


def test_open_an_area_profile_from_the_map_and_the_list(
    page: Any, base_url: str, problems: list[str]
) -> None:
    open_home(page, base_url, "?lat=53.41&lon=-2.93&z=10")
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "Liverpool" in popup.inner_text()
    assert url_params(page)["sel"] == [LIVERPOOL]
    # "Show partnerships serving Liverpool" filters the list without a reload.
    popup.get_by_role("button", name="Show partnerships serving Liverpool").click()
    page.wait_for_function(
        "code => new URLSearchParams(location.search).get('area') === code", arg=LIVERPOOL
    )
    page.wait_for_function("() => !document.getElementById('map').hasAttribute('aria-busy')")
    assert page_slugs(page) == listed_slugs(base_url, area=LIVERPOOL)
    # The heading links to the area profile.
    page.locator("#list-heading a", has_text="Liverpool").click()
    page.wait_for_url(f"**/areas/{LIVERPOOL}")
    assert page.locator("h1").inner_text().strip() == "Liverpool"
    # And straight from the map's popup.
    open_home(page, base_url, f"?lat=53.41&lon=-2.93&z=10&sel={LIVERPOOL}")
    page.get_by_role("link", name="Liverpool area profile").click()
    page.wait_for_url(f"**/areas/{LIVERPOOL}")
    assert problems == []


def test_permalink_restores_view_layers_filters_colour_and_selection(
    page: Any, base_url: str, problems: list[str]
) -> None:
    query = f"?lat=53.45&lon=-2.6&z=9&layers=la,ca,partnerships&colour=idaci_score&theme=careers&national=1&sel={LIVERPOOL}"
    open_home(page, base_url, query)
    params = url_params(page)
    assert (params["lat"], params["lon"], params["z"]) == (["53.4500"], ["-2.6000"], ["9"])
    assert params["layers"] == ["la,ca,partnerships"]
    assert params["colour"] == ["idaci_score"]
    assert params["theme"] == ["careers"] and params["national"] == ["1"]
    assert params["sel"] == [LIVERPOOL]
    # Filters: the form, the list and the map agree with the address.
    assert page.locator("#filters input[name=theme][value=careers]").is_checked()
    assert page.locator("#filters input[name=national]").is_checked()
    assert page_slugs(page) == listed_slugs(base_url, theme="careers", national="true")
    # Layers: combined authorities drawn, schools not.
    cas = api(base_url, "/api/v1/areas?level=combined_authority&zoom=10")["features"]
    assert page.locator("path.pm-ca").count() == len(cas)
    assert page.locator("#map-layers input[value=ca]").is_checked()
    assert not page.locator("#map-layers input[value=schools]").is_checked()
    # Colour: the indicator is chosen and explained in the legend.
    assert page.locator("#map-colour").input_value() == "idaci_score"
    assert "IDACI" in page.locator(".pm-legend").inner_text()
    # Selection: Liverpool outlined, its popup open.
    assert la_outline_widths(page, LIVERPOOL) == {"4"}
    assert "Liverpool" in page.locator(".leaflet-popup-content").inner_text()
    assert problems == []


def test_changes_are_kept_in_the_address_and_survive_a_reload(
    page: Any, base_url: str, problems: list[str]
) -> None:
    open_home(page, base_url)
    page.locator("#filters summary").click()
    page.locator("#filters input[name=trust]").check()
    page.wait_for_function("() => new URLSearchParams(location.search).get('trust') === '1'")
    page.locator("#map-colour").select_option("population_density")
    page.wait_for_function(
        "() => new URLSearchParams(location.search).get('colour') === 'population_density'"
    )
    page.locator("#map-layers input[value=ca]").check()
    page.wait_for_function(
        "() => (new URLSearchParams(location.search).get('layers') || '').includes('ca')"
    )
    expected = listed_slugs(base_url, trust="true")
    page.wait_for_function(
        "n => document.getElementById('list-count').textContent === String(n)", arg=len(expected)
    )
    # Open a partnership from the list: its marker's popup, and the address names it.
    first = page.locator("#partnership-list > li").first
    slug = first.get_attribute("data-slug")
    first.get_by_role("button").click()
    page.wait_for_function(
        "slug => new URLSearchParams(location.search).get('p') === slug", arg=slug
    )
    name = first.locator("h3").inner_text()
    assert name in page.locator(".leaflet-popup-content").inner_text()
    share = page.locator("#share-link").input_value()
    assert share.endswith(urllib.parse.urlsplit(page.url).query)
    page.reload()
    page.wait_for_selector(READY)
    assert page.locator("#filters input[name=trust]").is_checked()
    assert page.locator("#map-colour").input_value() == "population_density"
    assert page.locator("path.pm-ca").count() > 0
    assert page_slugs(page) == expected
    assert (
        page.locator(f'#partnership-list li[data-slug="{slug}"]').get_attribute("aria-current")
        == "true"
    )
    assert url_params(page)["p"] == [slug]
    assert problems == []


# Coverage colours ----------------------------------------------------------------------------

# The map's coverage classes: upper bounds (exclusive) of the shares above 0, and their fills.
COVERAGE_FILLS = [(0.25, "#c7e9b4"), (0.5, "#7fcdbb"), (0.75, "#41b6c4"), (1.0, "#2c7fb8")]
ALL_COVERED_FILL = "#253494"


def share_text(share: float | None) -> str:
    """A 0–1 share as the map writes it: a whole percentage, never 0% or 100% unless exact."""
    if share is None:
        return "no data"
    if 0 < share < 0.005:
        return "under 1%"
    if 0.995 <= share < 1:
        return "over 99%"
    return f"{math.floor(share * 100 + 0.5)}%"


def coverage_fill(share: float | None) -> str:
    """The fill the map should give an LA with this share of its schools covered."""
    if share is None:
        return "url(#pm-dots)"
    if share == 0:
        return "url(#pm-hatch)"
    return next((colour for top, colour in COVERAGE_FILLS if share < top), ALL_COVERED_FILL)


def coverage_text(row: dict[str, Any], field: str) -> str:
    """A row's share with its counts, such as 72% (1,234 of 1,710 schools)."""
    schools = row["schools"]
    noun = "school" if schools == 1 else "schools"
    return (
        f"{share_text(row[f'{field}_share'])} ({row[f'{field}_schools']:,} of {schools:,} {noun})"
    )


def assert_coverage_fills(page: Any, coverage: dict[str, Any], field: str) -> None:
    """Every LA on the map is filled for its share (hatched for none), as /api/v1/coverage says."""
    fills = la_fills(page)
    rows = {r["code"]: r for r in coverage["local_authorities"]}
    if page.locator("#map-areas").count():  # the home page, around Liverpool: the tiles in view
        assert set(fills) >= MERSEYSIDE
    else:  # the embed view, at the national zoom: every LA
        assert len(fills) > 100
    for code, fill in fills.items():
        share = rows[code][f"{field}_share"] if code in rows else None
        assert fill == coverage_fill(share), (code, share, fill)


def assert_coverage_popup(page: Any, coverage: dict[str, Any], field: str, heading: str) -> None:
    """The open LA popup gives Liverpool's share and its combined authority's and region's totals."""
    row = next(r for r in coverage["local_authorities"] if r["code"] == LIVERPOOL)
    ca = next(
        c for c in coverage["combined_authorities"] if c["code"] == row["combined_authority_code"]
    )
    region = next(r for r in coverage["regions"] if r["code"] == row["region_code"])
    popup = page.locator(".leaflet-popup-content")
    page.wait_for_function(
        "h => (document.querySelector('.leaflet-popup-content') || {}).textContent?.includes(h)",
        arg=heading,
    )
    lines = popup.locator(".popup__coverage li").all_inner_texts()
    assert lines == [
        f"Liverpool: {coverage_text(row, field)}",
        f"{ca['name']} mayoral combined authority: {coverage_text(ca, field)}",
        f"{region['name']} region: {coverage_text(region, field)}",
    ]
    assert popup.locator('a[href="/coverage"]').count() == 1


def test_coverage_colours_fill_the_areas_explain_the_key_fill_popups_and_survive_a_reload(
    page: Any, base_url: str, problems: list[str]
) -> None:
    coverage = api(base_url, "/api/v1/coverage")
    served = "Schools in an area served by a local partnership"
    members = "Schools listed as partnership members"
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if "/api/v1/coverage" in r.url else None)
    open_home(page, base_url, "?lat=53.41&lon=-2.93&z=10")
    assert requests == []
    # Served areas: the key names and explains the measure and links to the totals.
    page.locator("#map-colour").select_option("coverage-served")
    page.wait_for_function(
        "() => new URLSearchParams(location.search).get('colour') === 'coverage-served'"
    )
    legend = page.locator(".pm-legend")
    text = legend.inner_text()
    assert "Coverage: schools in an area served by a local partnership" in text
    assert "None (hatched)" in text and "All schools (100%)" in text
    assert "Partnerships serving each local authority" not in text
    assert legend.locator('a[href="/coverage"]').inner_text() == (
        "Totals by combined authority and region"
    )
    assert_coverage_fills(page, coverage, "served")
    # An LA's popup: its share, and the totals of its combined authority and region.
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.locator(".leaflet-popup-content").wait_for()
    assert url_params(page)["sel"] == [LIVERPOOL]
    assert_coverage_popup(page, coverage, "served", served)
    # Listed members: another key, other fills, and the open popup follows.
    page.locator("#map-colour").select_option("coverage-members")
    page.wait_for_function(
        "() => new URLSearchParams(location.search).get('colour') === 'coverage-members'"
    )
    # The key folds away while an open popup would sit under it: read its text, shown or not.
    assert "Coverage: schools listed as partnership members" in (legend.text_content() or "")
    assert_coverage_fills(page, coverage, "member")
    assert_coverage_popup(page, coverage, "member", members)
    # Back to served areas: the coverage was fetched once for both.
    page.locator("#map-colour").select_option("coverage-served")
    page.wait_for_function(
        "() => new URLSearchParams(location.search).get('colour') === 'coverage-served'"
    )
    assert_coverage_fills(page, coverage, "served")
    assert len(requests) == 1
    assert "colour=coverage-served" in page.locator("#share-link").input_value()
    # The permalink brings back the colour, the key, the fills and the popup.
    page.reload()
    page.wait_for_selector(READY)
    assert page.locator("#map-colour").input_value() == "coverage-served"
    assert "Coverage: schools in an area served by a local partnership" in (
        legend.text_content() or ""
    )
    assert_coverage_fills(page, coverage, "served")
    assert_coverage_popup(page, coverage, "served", served)
    # Back to counts: the key and the fills are the partnership counts again.
    page.locator("#map-colour").select_option("count")
    page.wait_for_function("() => !new URLSearchParams(location.search).has('colour')")
    assert "Partnerships serving each local authority" in (legend.text_content() or "")
    assert page.locator(".leaflet-popup-content .popup__coverage").count() == 0
    assert problems == []


def test_embed_view_shows_coverage_when_the_parameters_ask(
    page: Any, base_url: str, problems: list[str]
) -> None:
    coverage = api(base_url, "/api/v1/coverage")
    page.goto(f"{base_url}/embed?z=6&colour=coverage-members")
    page.wait_for_selector(READY)
    legend = page.locator(".pm-legend")
    assert "Coverage: schools listed as partnership members" in (legend.text_content() or "")
    assert legend.locator('a[href="/coverage"]').count() == 1
    assert_coverage_fills(page, coverage, "member")
    assert "colour=coverage-members" in page.locator("#embed-open").get_attribute("href")
    assert problems == []


def test_a_configured_basemap_is_drawn_and_credited(page: Any, base_url: str) -> None:
    # The tile URL is a setting rendered into #map; here the page is given one on the way in.
    tile = bytes.fromhex(  # a 1×1 white PNG
        "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
        "0000000d49444154789c63f8ffff3f030008fc02fea79aa0a00000000049454e44ae426082"
    )

    def with_tiles(route: Any) -> None:
        response = route.fetch()
        body = (
            response.text()
            .replace('data-tile-url=""', 'data-tile-url="/test-tiles/{z}/{x}/{y}.png"')
            .replace('data-tile-attribution=""', 'data-tile-attribution="Test basemap"')
        )
        route.fulfill(response=response, body=body)

    page.route(f"{base_url}/", with_tiles)
    page.route("**/test-tiles/**", lambda route: route.fulfill(body=tile, content_type="image/png"))
    open_home(page, base_url)
    page.wait_for_selector("img.leaflet-tile", state="attached")
    assert "Test basemap" in page.locator(".leaflet-control-attribution").inner_text()
    assert "no-basemap" not in (page.locator("#map").get_attribute("class") or "")


def test_without_a_basemap_boundaries_sit_on_a_plain_background(page: Any, base_url: str) -> None:
    open_home(page, base_url)
    assert page.locator("img.leaflet-tile").count() == 0
    assert "no-basemap" in page.locator("#map").get_attribute("class")
    assert page.locator("path.pm-la").count() > 100


def test_empty_state_says_what_to_try(page: Any, base_url: str) -> None:
    open_home(page, base_url, "?q=zzzzqqqq")
    empty = page.locator("#list-empty")
    assert empty.is_visible()
    assert not page.locator("#partnership-list").is_visible()
    assert "No partnerships match" in empty.inner_text()
    empty.get_by_role("button", name=re.compile("Clear the name search")).click()
    page.wait_for_function("() => document.getElementById('list-empty').hidden")
    assert page_slugs(page) == listed_slugs(base_url)
    assert "q" not in url_params(page)


def test_schools_appear_only_at_close_zoom(page: Any, base_url: str) -> None:
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if "/tiles/schools/" in r.url else None)
    open_home(page, base_url, "?lat=53.41&lon=-2.93&z=9&layers=la,schools")
    assert requests == []
    assert "Zoom in further" in page.locator(".pm-legend").inner_text()
    page.locator("#map").focus()
    page.keyboard.press("+")
    page.wait_for_function("() => new URLSearchParams(location.search).get('z') === '10'")
    assert requests == []
    with page.expect_response(lambda r: "/tiles/schools/10/" in r.url) as answer:
        page.keyboard.press("+")
    assert answer.value.status == 200
    page.wait_for_function("() => new URLSearchParams(location.search).get('z') === '11'")
    assert "Academy" in page.locator(".pm-legend").inner_text()


def trust_points(base_url: str) -> list[dict[str, Any]]:
    """Every open trust's head office (the same trusts as the map's trust tiles)."""
    return api(base_url, "/api/v1/trusts?bbox=-20,46,14,60")["features"]


def lone_trust(features: list[dict[str, Any]]) -> dict[str, Any]:
    """A multi-academy trust with a head-office town and no other trust's within about 2 km."""
    points = [(f["geometry"]["coordinates"], f["properties"]) for f in features]
    for (lon, lat), props in points:
        if props["group_type"] != "Multi-academy trust" or props["school_count"] < 2:
            continue
        if not props["town"]:
            continue
        if all(
            other is props or abs(o_lon - lon) > 0.03 or abs(o_lat - lat) > 0.02
            for (o_lon, o_lat), other in points
        ):
            return {"lon": lon, "lat": lat, **props}
    raise AssertionError("no multi-academy trust stands apart from the others")


def wait_for_trusts_drawn(page: Any, n: int) -> None:
    """Wait until the map says it has drawn n trusts in view (their tiles have arrived)."""
    page.wait_for_function(
        "n => document.getElementById('map').dataset.trusts === String(n)", arg=n
    )


def test_trusts_layer_draws_tiles_opens_popups_and_is_kept_in_the_permalink(
    page: Any, base_url: str, problems: list[str]
) -> None:
    trusts = trust_points(base_url)
    assert len(trusts) > 1000, "the trust register is not imported"
    # Off by default: nothing fetched, not in the key, no list of trusts.
    requests: list[str] = []
    page.on(
        "request",
        lambda r: (
            requests.append(r.url)
            if re.match(r"/(tiles|api/v1)/trusts", urllib.parse.urlsplit(r.url).path)
            else None
        ),
    )
    open_home(page, base_url)
    box = page.locator("#map-layers input[value=trusts]")
    assert not box.is_checked()
    assert "Academy trusts" not in page.locator(".pm-legend").inner_text()
    assert page.locator("#map-trusts").is_hidden()
    assert requests == []
    # Switched on: tiles, not a GeoJSON box; every trust in England is drawn; the key explains them.
    with page.expect_response(lambda r: "/tiles/trusts/" in r.url) as answer:
        box.check()
    assert answer.value.status == 200
    page.wait_for_function(
        "() => (new URLSearchParams(location.search).get('layers') || '').includes('trusts')"
    )
    wait_for_trusts_drawn(page, len(trusts))
    assert not [u for u in requests if "/api/v1/trusts" in u]
    legend = page.locator(".pm-legend").inner_text()
    assert "Academy trusts" in legend and "Trust (square)" in legend
    assert "zoom in to see them all" not in legend  # no tile reached its cap
    assert page.locator("#map-trusts-count").inner_text() == f"{len(trusts):,}"
    assert url_params(page)["layers"] == ["la,partnerships,trusts"]
    assert "layers=la%2Cpartnerships%2Ctrusts" in page.locator("#share-link").input_value()
    # A reload restores the layer from the address.
    page.reload()
    page.wait_for_selector(READY)
    assert page.locator("#map-layers input[value=trusts]").is_checked()
    wait_for_trusts_drawn(page, len(trusts))
    # Switched off again: the list goes and the address is back to the default layers.
    page.locator("#map-layers input[value=trusts]").uncheck()
    page.wait_for_function("() => !new URLSearchParams(location.search).has('layers')")
    assert page.locator("#map-trusts").is_hidden()
    assert "Academy trusts" not in page.locator(".pm-legend").inner_text()
    assert problems == []


def test_a_trust_opens_a_popup_linking_to_the_trust_by_mouse_and_keyboard(
    page: Any, base_url: str, problems: list[str]
) -> None:
    trust = lone_trust(trust_points(base_url))
    query = f"?lat={trust['lat']:.5f}&lon={trust['lon']:.5f}&z=14&layers=la,trusts"
    open_home(page, base_url, query)
    assert url_params(page)["layers"] == ["la,trusts"]
    assert page.locator("#map-layers input[value=trusts]").is_checked()
    assert not page.locator("#map-layers input[value=partnerships]").is_checked()
    page.wait_for_function("() => Number(document.getElementById('map').dataset.trusts) >= 1")
    # The map is centred on the trust's head office: hover names it, a click opens it.
    box = page.locator("#map").bounding_box()
    middle = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.move(middle[0] - 20, middle[1])
    page.mouse.move(*middle)
    tooltip = page.locator(".leaflet-tooltip", has_text=trust["name"])
    tooltip.wait_for()
    assert f"{trust['school_count']} schools" in tooltip.inner_text()
    page.mouse.click(*middle)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    assert trust["name"] in text and "Multi-academy trust" in text
    assert f"{trust['school_count']} schools in the trust" in text
    assert f"Head office: {trust['town']}" in text
    link = popup.locator(f'a[href="/trusts/{trust["uid"]}"]')
    assert link.inner_text() == trust["name"]
    assert "No local authority here" not in text
    page.locator(".leaflet-popup-close-button").click()
    page.wait_for_selector(".leaflet-popup", state="detached")
    # From the keyboard: the list of trusts on the map; Enter opens one with focus on the link,
    # Escape closes it and gives focus back to the button.
    page.locator("#map-trusts summary").focus()
    page.keyboard.press("Enter")
    button = page.locator(f'#map-trusts-list button[data-uid="{trust["uid"]}"]')
    assert button.inner_text().startswith(f"{trust['name']} (multi-academy trust")
    button.focus()
    assert has_visible_focus(page)
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.closest('.leaflet-popup') !== null")
    assert page.evaluate("() => document.activeElement.getAttribute('href')") == (
        f"/trusts/{trust['uid']}"
    )
    page.keyboard.press("Escape")
    page.wait_for_function(
        "uid => document.activeElement.dataset.uid === uid", arg=str(trust["uid"])
    )
    page.wait_for_selector(".leaflet-popup", state="detached")
    # The link leads to the trust's page.
    page.keyboard.press("Enter")
    popup.locator(f'a[href="/trusts/{trust["uid"]}"]').click()
    page.wait_for_url(f"**/trusts/{trust['uid']}")
    assert problems == []


def test_a_capped_trust_tile_says_to_zoom_in(page: Any, base_url: str) -> None:
    def capped(route: Any) -> None:
        response = route.fetch()
        route.fulfill(response=response, headers={**response.headers, "x-tile-capped": "true"})

    page.route("**/tiles/trusts/**", capped)
    open_home(page, base_url, "?layers=la,trusts")
    page.wait_for_function("() => document.getElementById('map').dataset.trustsCapped === 'true'")
    message = "Not every trust here is drawn at this zoom: zoom in to see them all."
    assert message in page.locator(".pm-legend").inner_text()
    assert message in (page.locator("#map-trusts-note").text_content() or "")


def test_embed_view_shows_trusts_when_the_parameters_ask(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/embed?z=6&layers=partnerships,trusts")
    page.wait_for_selector(READY)
    page.wait_for_function("() => Number(document.getElementById('map').dataset.trusts) > 1000")
    assert "Academy trusts" in page.locator(".pm-legend").inner_text()
    assert "layers=partnerships%2Ctrusts" in page.locator("#embed-open").get_attribute("href")


def test_filters_and_list_work_without_javascript(browser: Any, base_url: str) -> None:
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    try:
        page.goto(f"{base_url}/")
        assert page_slugs(page) == listed_slugs(base_url)
        page.locator("#filters summary").click()
        page.get_by_label("Careers", exact=True).check()
        page.get_by_role("button", name="Apply filters").click()
        page.wait_for_url(re.compile(r"theme=careers"))
        assert page_slugs(page) == listed_slugs(base_url, theme="careers")
        assert page.locator("#map-toolbar").is_hidden()
    finally:
        context.close()


# Keyboard only --------------------------------------------------------------------------------


def test_keyboard_only_search_filters_and_list(
    page: Any, base_url: str, problems: list[str]
) -> None:
    open_home(page, base_url)
    search = page.locator("#site-search")
    tab_to(page, "#site-search")
    assert has_visible_focus(page)
    page.keyboard.type("liverpool")
    page.locator("#site-search[aria-expanded=true]").wait_for()
    options = page.get_by_role("option")
    assert options.count() >= 2
    page.keyboard.press("ArrowDown")
    first_id = options.nth(0).get_attribute("id")
    assert search.get_attribute("aria-activedescendant") == first_id
    assert options.nth(0).get_attribute("aria-selected") == "true"
    page.keyboard.press("ArrowDown")
    assert search.get_attribute("aria-activedescendant") == options.nth(1).get_attribute("id")
    assert options.nth(0).get_attribute("aria-selected") == "false"
    page.keyboard.press("Escape")
    assert search.get_attribute("aria-expanded") == "false"
    assert page.locator("#site-search ~ [role=listbox]").is_hidden()

    # Open the filters and tick the first theme with the keyboard.
    tab_to(page, "#filters summary")
    assert has_visible_focus(page)
    page.keyboard.press("Enter")
    tab_to(page, "#filters input[name=theme]")
    theme = page.evaluate("() => document.activeElement.value")
    page.keyboard.press("Space")
    expected = listed_slugs(base_url, theme=theme)
    page.wait_for_function(
        "n => document.getElementById('list-count').textContent === String(n)", arg=len(expected)
    )
    assert page_slugs(page) == expected
    assert f"{len(expected)} partnership" in page.locator("#list-status").inner_text()
    assert url_params(page)["theme"] == [theme]

    # From the list: show a partnership on the map, read its popup, come back, open its page.
    tab_to(page, "#partnership-list button.show-on-map")
    assert has_visible_focus(page)
    slug = page.evaluate("() => document.activeElement.dataset.show")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.closest('.leaflet-popup') !== null")
    assert (
        page.evaluate("() => document.activeElement.getAttribute('href')")
        == f"/partnerships/{slug}"
    )
    page.keyboard.press("Escape")
    page.wait_for_function("slug => document.activeElement.dataset.show === slug", arg=slug)
    page.wait_for_selector(".leaflet-popup", state="detached")
    tab_to(page, f'#partnership-list li[data-slug="{slug}"] h3 a', backwards=True, limit=3)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/partnerships/{slug}")
    assert problems == []


def test_keyboard_can_reach_and_open_a_map_marker(page: Any, base_url: str) -> None:
    # Zoomed in on one small area, so single (unclustered) markers are in reach.
    open_home(page, base_url, f"?lat=51.5115&lon=-0.1635&z=12&area={WESTMINSTER}")
    page.locator("#map").focus()
    tab_to(page, ".leaflet-marker-icon.pm-marker", limit=20)
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.closest('.leaflet-popup') !== null")
    assert page.locator(".leaflet-popup-content a[href^='/partnerships/']").count() == 1
    page.keyboard.press("Escape")
    page.wait_for_function("() => document.activeElement.classList.contains('pm-marker')")


def test_keyboard_zoom_into_a_cluster_keeps_focus_on_the_map(page: Any, base_url: str) -> None:
    open_home(page, base_url)
    start = url_params(page)["z"][0]
    page.locator("#map").focus()
    tab_to(page, ".leaflet-marker-icon.pm-cluster", limit=10)
    name = page.evaluate("() => document.activeElement.textContent")
    assert re.search(r"\d+ partnerships, mostly .+; press Enter to zoom in", name)
    page.keyboard.press("Enter")
    page.wait_for_function("z => new URLSearchParams(location.search).get('z') !== z", arg=start)
    page.wait_for_function("() => document.activeElement.classList.contains('leaflet-marker-icon')")


# Embed ----------------------------------------------------------------------------------------


def test_embed_view_is_framable_noindex_and_reads_the_same_parameters(
    page: Any, base_url: str
) -> None:
    query = "lat=53.0000&lon=-1.5000&z=7&national=1"
    response = page.goto(f"{base_url}/embed?{query}")
    assert response is not None and response.status == 200
    headers = response.headers
    assert "x-frame-options" not in headers
    assert "frame-ancestors *" in headers["content-security-policy"]
    assert page.locator('meta[name="robots"]').get_attribute("content") == "noindex"
    page.wait_for_selector(READY)
    assert page.locator(".site-header, #partnership-list, #filters").count() == 0
    assert page.locator(".leaflet-control-attribution").is_visible()
    assert "ONS" in page.locator(".leaflet-control-attribution").inner_text()
    open_link = page.get_by_role("link", name=re.compile("Open in Partnerships Map"))
    href = open_link.get_attribute("href")
    assert href.startswith("/?") and "national=1" in href and "z=7" in href
    assert url_params(page)["z"] == ["7"]
    # National programmes were asked for, so their diamonds or clusters are on the map.
    assert page.locator(".pm-marker--national, .pm-cluster--national").count() > 0


@pytest.fixture()
def partner_site(base_url: str) -> Iterator[str]:
    """Another website (another origin on loopback) whose page frames the embed view."""
    body = (
        "<!doctype html><html lang=en><title>A partner's page</title>"
        f'<iframe title="Education partnerships" src="{base_url}/embed?z=6" width="640" height="480"></iframe>'
    ).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    thread.join(timeout=5)


def test_embed_view_loads_inside_another_sites_frame(page: Any, partner_site: str) -> None:
    page.goto(partner_site)
    frame = page.frame_locator("iframe")
    frame.locator(READY).wait_for()
    assert frame.locator(".leaflet-control-attribution").is_visible()


# Mini maps and screenshots --------------------------------------------------------------------


def test_mini_map_draws_an_area_boundary(page: Any, base_url: str, problems: list[str]) -> None:
    page.goto(f"{base_url}/areas/{SHEFFIELD}")
    page.wait_for_selector(".mini-map .leaflet-overlay-pane path", state="attached")
    path = page.locator(".mini-map .leaflet-overlay-pane path").first
    box = path.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 100
    assert problems == []


PAGES = {
    "home": "/",
    "near": "/near?postcode=SW1A%201AA",
    "area": f"/areas/{SHEFFIELD}",
    "partnership": None,
    "school": None,
    "trust": None,
    "about": "/about",
    "embed": "/embed",
}


@pytest.mark.parametrize("name", list(PAGES))
def test_screenshot_of_main_page(
    page: Any, base_url: str, screenshots: Path, samples: dict[str, str], name: str
) -> None:
    path = PAGES[name] or samples.get(name)
    assert path, f"no {name} in the imported data to show"
    response = page.goto(base_url + path)
    assert response is not None and response.status == 200
    if page.locator("#map").count():
        page.wait_for_selector(READY)
    if page.locator(".mini-map").count():
        page.wait_for_selector(
            ".mini-map .leaflet-overlay-pane > *, .mini-map__empty", state="attached"
        )
    target = screenshots / f"{name}.png"
    page.screenshot(path=str(target), full_page=name not in ("home", "embed"))
    assert target.stat().st_size > 10_000


def test_screenshot_of_home_on_a_phone(browser: Any, base_url: str, screenshots: Path) -> None:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    try:
        page.goto(f"{base_url}/")
        page.wait_for_selector(READY)
        box = page.locator("#map").bounding_box()
        assert box is not None and box["width"] <= 390 and box["height"] > 300
        # The list stays usable under the map; nothing is wider than the screen.
        assert page.locator("#partnership-list").is_visible()
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
        target = screenshots / "mobile-home.png"
        page.screenshot(path=str(target))
        assert target.stat().st_size > 10_000
    finally:
        context.close()
