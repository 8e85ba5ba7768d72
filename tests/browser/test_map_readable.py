"""A map people can read, in Chromium: place names, phones, the keyboard and shared links."""

from __future__ import annotations

import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest
from _browser_helpers import PASSWORD, api, axe_violations, la_outline_widths, sign_in

from app.services import accounts
from app.settings import Settings

pytestmark = pytest.mark.browser

READY = '#map[data-ready="true"]'
LEEDS = "E08000035"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1440, "height": 900}


# Helpers -------------------------------------------------------------------------------------


def real_paths(base_url: str) -> dict[str, str]:
    """A real partnership and school from the imported data."""
    partnership = api(base_url, "/api/v1/partnerships?include_ended=false")["features"][0]
    near = api(base_url, "/api/v1/near?postcode=" + urllib.parse.quote("LS1 4DY"))
    return {
        "partnership": partnership["properties"]["url"],
        "school": f"/schools/{near['nearest_schools'][0]['urn']}",
    }


def settle(page: Any) -> None:
    """Wait until the page's map has drawn and its place names have been placed."""
    if page.locator("#map").count():
        page.wait_for_selector(READY)
        # Two frames: the names are placed on the frame after the markers settle.
        page.evaluate(
            "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
        )
    if page.locator(".mini-map").count():
        page.wait_for_selector(
            ".mini-map .leaflet-overlay-pane > *, .mini-map__empty", state="attached"
        )


def drawn_labels(page: Any) -> list[dict[str, Any]]:
    """The place names on the map now: name, kind and box in map pixels."""
    page.wait_for_selector('canvas.pm-places:not([data-labels="0"])', state="attached")
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    labels: list[dict[str, Any]] = page.evaluate(
        "() => document.querySelector('canvas.pm-places').pmLabels"
    )
    return labels


def marker_boxes(page: Any) -> list[dict[str, float]]:
    """The boxes of the markers and clusters in view, in map pixels."""
    boxes: list[dict[str, float]] = page.evaluate(
        """() => { const o = document.getElementById('map').getBoundingClientRect();
             return [...document.querySelectorAll('.leaflet-marker-pane .leaflet-marker-icon')]
               .map(n => n.getBoundingClientRect()).filter(r => r.width && r.height)
               .map(r => ({x1: r.left - o.left, y1: r.top - o.top, x2: r.right - o.left, y2: r.bottom - o.top})); }"""
    )
    return boxes


def overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    """Two boxes share some area."""
    return a["x1"] < b["x2"] and b["x1"] < a["x2"] and a["y1"] < b["y2"] and b["y1"] < a["y2"]


def describe(violations: list[dict[str, Any]]) -> str:
    """axe violations in a readable form."""
    return "\n".join(
        f"[{v['impact']}] {v['id']}: " + "; ".join(" ".join(n["target"]) for n in v["nodes"][:4])
        for v in violations
    )


@pytest.fixture(scope="module")
def moderator(settings: Settings, tables_restored: None) -> str:
    """A moderator account for the moderation pages (gone when the module's tables are put back)."""
    email = f"readable-{uuid.uuid4().hex[:6]}@modtest.example"
    accounts.create_moderator(settings, email, PASSWORD)
    return email


# Place names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "query", "kind", "place"),
    [
        ("national", "", "la", None),
        ("county", "?lat=53.75&lon=-1.6&z=9", "district", None),
        ("town", "?lat=53.80&lon=-1.55&z=11", "town", "Leeds"),
        ("close", "?lat=53.80&lon=-1.55&z=14&layers=la,partnerships,schools", "school", None),
    ],
)
def test_place_names_are_drawn_clear_of_markers(
    browser: Any,
    base_url: str,
    screenshots: Path,
    name: str,
    query: str,
    kind: str,
    place: str | None,
) -> None:
    for label, viewport in (("1440", DESKTOP), ("375", PHONE)):
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        try:
            page.goto(base_url + "/" + query)
            settle(page)
            labels = drawn_labels(page)
            kinds = {item["kind"] for item in labels}
            if label == "1440":
                assert kind in kinds, f"no {kind} names at {name} zoom: {kinds}"
                if place:
                    assert place in {item["name"] for item in labels}
            else:
                assert labels, f"no place names at {name} zoom on a phone"
            markers = marker_boxes(page)
            for item in labels:
                hits = [m for m in markers if overlap(item["box"], m)]
                assert not hits, f"{item['name']} is drawn under a marker"
            for i, a in enumerate(labels):
                for b in labels[i + 1 :]:
                    assert not overlap(a["box"], b["box"]), f"{a['name']} overlaps {b['name']}"
            page.locator("#map").scroll_into_view_if_needed()
            page.screenshot(path=str(screenshots / f"home-{name}-{label}.png"))
        finally:
            context.close()


# Phones --------------------------------------------------------------------------------------

PAGE_TEMPLATES = [
    "/",
    "/embed?z=6",
    "/near?postcode=SW1A%201AA",
    "/areas",
    "/areas/E08000019",
    "/areas/E08000019/similar",
    "/areas/E08000019/brief",
    "partnership",
    "partnership/history",
    "partnership/suggest",
    "school",
    "/trusts/16102",
    "/coverage",
    "/about",
    "/search?q=academy",
    "/compare?areas=E08000019,E08000012,E08000035",
    "/compare",
    "/suggest",
    "/suggest/new",
    "/suggest?name=Leeds%20Learning&check=1",
    "/moderate/login",
    "/no-such-page",
    "moderate",
]


def resolve(base_url: str, target: str) -> str:
    """A page template's real path."""
    if target.startswith("/"):
        return target
    paths = real_paths(base_url)
    if target.startswith("partnership"):
        rest = target.removeprefix("partnership")
        return paths["partnership"] + rest
    return paths.get(target, "/" + target)


def test_no_page_scrolls_sideways_on_a_phone(browser: Any, base_url: str, moderator: str) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    wide: list[str] = []
    try:
        for target in PAGE_TEMPLATES:
            if target == "moderate":
                sign_in(page, base_url, moderator)
                path = "/moderate"
            else:
                path = resolve(base_url, target)
                page.goto(base_url + path)
            settle(page)
            scroll, client = page.evaluate(
                "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
            )
            if scroll > client:
                wide.append(f"{path}: {scroll} > {client}")
    finally:
        context.close()
    assert wide == []


def test_on_a_phone_the_answer_and_list_come_before_the_map(browser: Any, base_url: str) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto(base_url + "/?pc=LS1%204DY")
        settle(page)
        page.locator("#list-place").wait_for()
        tops = page.evaluate(
            """() => ['#list-place', '#partnership-list', '#map'].map(
                 s => document.querySelector(s).getBoundingClientRect().top + scrollY)"""
        )
        assert tops[0] < tops[1] < tops[2]
        assert "Leeds" in page.locator("#list-place").inner_text()
        # The list scrolls in its own box, so the map is near, and it is a named region.
        assert (
            page.evaluate("() => document.querySelector('#map').getBoundingClientRect().top")
            < 2 * PHONE["height"]
        )
    finally:
        context.close()


def test_wide_tables_scroll_in_focusable_labelled_regions(browser: Any, base_url: str) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True)
    page = context.new_page()
    try:
        page.goto(base_url + "/compare?areas=E08000019,E08000012,E08000035")
        regions = page.locator(".table-scroll[role=region]")
        assert regions.count() >= 2
        for i in range(regions.count()):
            region = regions.nth(i)
            assert region.get_attribute("tabindex") == "0"
            assert "scrolls sideways" in (region.get_attribute("aria-label") or "")
        first = regions.first
        first.focus()
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        # The browser may animate the scroll: wait for it to move rather than read it at once.
        first.evaluate(
            "el => new Promise((done, fail) => { const t0 = performance.now();"
            " (function check() { if (el.scrollLeft > 0) done(); else if (performance.now() - t0"
            " > 5000) fail(new Error('the region did not scroll')); else"
            " requestAnimationFrame(check); })(); })"
        )
        assert first.evaluate("el => el.scrollLeft") > 0
    finally:
        context.close()


# Keyboard ------------------------------------------------------------------------------------


def test_skip_to_map_and_controls_before_map_before_list(page: Any, base_url: str) -> None:
    page.goto(base_url + "/")
    settle(page)
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent") == "Skip to the map"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "map"
    # From the top: the filters, the map's controls, the map, then the list.
    page.goto(base_url + "/")
    settle(page)
    seen: list[str] = []
    for _ in range(60):
        page.keyboard.press("Tab")
        where = page.evaluate(
            """() => { const a = document.activeElement;
                 if (a.id === 'map-colour') return 'controls';
                 if (a.id === 'map') return 'map';
                 if (a.closest('#partnership-list')) return 'list';
                 return ''; }"""
        )
        if where and where not in seen:
            seen.append(where)
        if where == "map":
            break
    assert seen == ["controls", "map"], seen
    order = page.evaluate(
        """() => { const map = document.getElementById('map'), list = document.getElementById('partnership-list');
             return Boolean(map.compareDocumentPosition(list) & Node.DOCUMENT_POSITION_FOLLOWING); }"""
    )
    assert order


def test_local_authorities_are_operable_from_the_keyboard(page: Any, base_url: str) -> None:
    page.goto(base_url + "/?lat=53.80&lon=-1.55&z=9")
    settle(page)
    summary = page.locator("#map-areas summary")
    summary.focus()
    page.keyboard.press("Enter")
    button = page.locator(f'#map-areas-list button[data-code="{LEEDS}"]')
    assert "Leeds" in button.inner_text()
    button.focus()
    page.keyboard.press("Enter")
    page.locator(".leaflet-popup-content").wait_for()
    assert page.evaluate(
        "() => document.querySelector('.leaflet-popup-content').contains(document.activeElement)"
    )
    assert f"sel={LEEDS}" in page.url
    assert la_outline_widths(page, LEEDS) == {"4"}
    assert (
        page.locator(f'#map-areas-list button[data-code="{LEEDS}"]').get_attribute("aria-pressed")
        == "true"
    )
    page.keyboard.press("Escape")
    page.locator(".leaflet-popup").wait_for(state="detached")
    assert page.evaluate("() => document.activeElement.dataset.code") == LEEDS


def test_the_key_never_covers_an_open_popup(page: Any, base_url: str) -> None:
    page.set_viewport_size(DESKTOP)
    # Areas along the top and right of the national view, where the key sits.
    folded = 0
    for code in ("E06000057", "E10000020", "E10000029", "E06000047", "E10000016"):
        # Each from the national view: an earlier popup's pan may have moved an area out of view.
        page.goto(base_url + "/")
        settle(page)
        page.locator("#map-areas summary").click()
        page.locator(f'#map-areas-list button[data-code="{code}"]').click()
        page.locator(".leaflet-popup-content").wait_for()
        page.wait_for_function(
            "() => getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'"
        )
        page.evaluate("() => new Promise(r => setTimeout(r, 300))")  # after the pan settles
        state = page.evaluate(
            """() => { const key = document.querySelector('.pm-legend');
                 const a = document.querySelector('.leaflet-popup').getBoundingClientRect();
                 const b = key.getBoundingClientRect();
                 const hit = a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
                 return {open: key.open, hit}; }"""
        )
        assert not (state["open"] and state["hit"]), f"the key covers the popup of {code}"
        folded += not state["open"]
        page.keyboard.press("Escape")
        page.locator(".leaflet-popup").wait_for(state="detached")
        assert page.evaluate("() => document.querySelector('.pm-legend').open")
    assert folded >= 1  # at least one of these popups met the key, and the key made way


# Shared links --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/embed"])
def test_a_shared_link_restores_schools_and_the_area_outline_cold(
    browser: Any, base_url: str, path: str
) -> None:
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    try:
        page.goto(
            f"{base_url}{path}?lat=53.80&lon=-1.55&z=13&layers=la,partnerships,schools&sel={LEEDS}"
        )
        settle(page)
        page.wait_for_selector("#map[data-schools]", state="attached")
        assert int(page.locator("#map").get_attribute("data-schools") or 0) > 0
        assert la_outline_widths(page, LEEDS) == {"4"}
        assert (
            page.locator("#map-layers input[value=schools]").count() == 0
            or page.locator("#map-layers input[value=schools]").is_checked()
        )
    finally:
        context.close()


def test_show_on_the_map_outlines_the_area(page: Any, base_url: str) -> None:
    page.goto(base_url + f"/areas/{LEEDS}")
    page.locator("a", has_text="Show on the map").first.click()
    settle(page)
    assert la_outline_widths(page, LEEDS) == {"4"}
    assert f"sel={LEEDS}" in page.url
    share = page.locator("#share-link").input_value()
    code = page.locator("#embed-code").input_value()
    assert f"sel={LEEDS}" in share and f"sel={LEEDS}" in code


def test_a_shared_link_restores_layers_colour_and_filters(browser: Any, base_url: str) -> None:
    query = "?layers=la,ca,trusts&colour=idaci_score&theme=careers&national=1&trust=1"
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    try:
        page.goto(base_url + "/" + query)
        settle(page)
        layers = page.evaluate(
            "() => [...document.querySelectorAll('#map-layers input:checked')].map(i => i.value)"
        )
        assert layers == ["la", "ca", "trusts"]
        assert page.locator("#map-colour").input_value() == "idaci_score"
        assert page.locator("input[name=theme][value=careers]").is_checked()
        assert page.locator("input[name=national]").is_checked()
        assert page.locator("input[name=trust]").is_checked()
        assert page.locator("path.pm-ca").count() > 0
        page.wait_for_function("() => Number(document.getElementById('map').dataset.trusts) > 0")
        shared = page.locator("#share-link").input_value()
        for part in (
            "layers=la%2Cca%2Ctrusts",
            "colour=idaci_score",
            "theme=careers",
            "national=1",
        ):
            assert part in shared
    finally:
        context.close()


# Accessibility at both widths ------------------------------------------------------------------

AXE_PAGES = [
    "/",
    "/near?postcode=SW1A%201AA",
    "/areas/E08000019",
    "partnership",
    "school",
    "/compare?areas=E08000019,E08000012,E08000035",
    "/moderate/login",
    "/about",
    "/embed?z=6",
    "/areas",
    "/areas/E08000019/similar",
    "/coverage",
    "/search?q=academy",
    "/suggest",
    "/suggest/new",
    "/trusts/16102",
    "/compare",
    "/no-such-page",
]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375", "1440"])
def test_no_serious_accessibility_violations_at_both_widths(
    browser: Any, base_url: str, screenshots: Path, viewport: dict[str, int]
) -> None:
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    problems: list[str] = []
    try:
        for target in AXE_PAGES:
            path = resolve(base_url, target)
            page.goto(base_url + path)
            settle(page)
            violations = axe_violations(page)
            if violations:
                problems.append(f"{path}:\n{describe(violations)}")
            name = target.strip("/").split("?")[0].replace("/", "-") or "home"
            page.screenshot(path=str(screenshots / f"page-{name}-{viewport['width']}.png"))
    finally:
        context.close()
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375", "1440"])
def test_the_moderation_queue_has_no_serious_accessibility_violations(
    browser: Any, base_url: str, moderator: str, screenshots: Path, viewport: dict[str, int]
) -> None:
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    try:
        sign_in(page, base_url, moderator)
        violations = axe_violations(page)
        assert violations == [], describe(violations)
        page.screenshot(path=str(screenshots / f"page-moderate-{viewport['width']}.png"))
    finally:
        context.close()


def test_abbreviations_are_spelt_out_on_first_use(page: Any, base_url: str) -> None:
    page.goto(base_url + "/search?q=LCEP")
    abbr = page.locator("main abbr", has_text="LCEP")
    assert abbr.count() == 1  # the first use only
    assert abbr.get_attribute("title") == "Local Cultural Education Partnership"
    assert "LCEP (Local Cultural Education Partnership)" in page.locator("main").inner_text()
    # Well-known names get the tooltip without the words in brackets.
    page.goto(base_url + "/areas/E08000019")
    dfe = page.locator("main abbr", has_text="DfE").first
    assert dfe.get_attribute("title") == "Department for Education"
    assert "DfE (Department" not in page.locator("main").inner_text()
