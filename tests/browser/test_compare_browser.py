"""The compare and similar-areas pages in Chromium: charts drawn, forms usable without scripts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser
AXE = "/static/vendor/axe-core/axe.min.js"  # served by the app: the CSP refuses inline scripts

LIVERPOOL, MANCHESTER, BLACKPOOL, KNOWSLEY = "E08000012", "E08000003", "E06000009", "E08000011"


def _serious_axe_violations(page: Any, base_url: str) -> list[dict[str, Any]]:
    """axe-core's serious and critical findings on the page."""
    page.add_script_tag(url=base_url + AXE)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v.get("impact") in ("serious", "critical")]


def test_compare_page_draws_its_charts(page: Any, base_url: str, screenshots: Path) -> None:
    areas = ",".join((LIVERPOOL, MANCHESTER, BLACKPOOL, KNOWSLEY))
    response = page.goto(f"{base_url}/compare?areas={areas}")
    assert response.status == 200
    assert page.locator("h1").inner_text() == "Compare 4 local authorities"
    charts = page.locator("svg.bar-chart")
    assert charts.count() >= 20
    first = charts.first
    box = first.bounding_box()
    assert box is not None and box["width"] > 200 and box["height"] > 100
    # Four drawn bars with a width, and England's dashed reference line.
    bars = first.locator("rect.bar-chart__bar")
    assert bars.count() == 4
    widths = [bars.nth(i).bounding_box()["width"] for i in range(4)]
    assert all(w > 1 for w in widths)
    assert first.locator("line.bar-chart__reference").count() == 1
    assert "England" in first.locator("desc").text_content()
    # Every chart is named for assistive technology.
    for i in range(charts.count()):
        chart = charts.nth(i)
        assert chart.get_attribute("role") == "img"
        assert chart.get_attribute("aria-labelledby")
    # The table beside the charts, the theme counts and the partnership lists.
    assert page.locator("table.compare-table tbody tr").count() > 20
    assert page.locator("table.compare-themes thead th[scope=colgroup]").count() == 4
    assert page.locator(".compare-partnerships__area").count() == 4
    page.screenshot(path=str(screenshots / "compare.png"), full_page=True)
    assert (screenshots / "compare.png").stat().st_size > 10_000
    assert _serious_axe_violations(page, base_url) == []


def test_choosing_areas_without_javascript(browser: Any, base_url: str) -> None:
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    try:
        page.goto(f"{base_url}/compare")
        assert "Choose 2 to 6 local authorities" in page.locator("main").inner_text()
        page.get_by_label("Liverpool", exact=True).check()
        page.get_by_label("Manchester", exact=True).check()
        page.get_by_role("button", name="Compare", exact=True).click()
        page.wait_for_load_state()
        assert page.url.endswith(f"/compare?areas={LIVERPOOL},{MANCHESTER}")
        assert page.locator("svg.bar-chart").count() >= 20
        # Add a third area through the search box.
        page.get_by_label("Add a local authority").fill("Blackpool")
        page.get_by_role("button", name="Add", exact=True).click()
        page.wait_for_load_state()
        assert page.url.endswith(f"/compare?areas={LIVERPOOL},{MANCHESTER},{BLACKPOOL}")
        assert page.locator("svg.bar-chart").first.locator("rect").count() == 3
    finally:
        context.close()


def test_similar_page_form_works_without_javascript(browser: Any, base_url: str) -> None:
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    try:
        page.goto(f"{base_url}/areas/{LIVERPOOL}/similar")
        assert page.locator("table.neighbours-table tbody tr").count() == 11
        assert page.locator("table.similar-table tbody tr").count() == 10
        form = page.locator("#similarity-form")
        for box in form.locator('input[name="indicators"]').all():
            box.uncheck()
        form.locator("#ind-attainment8").check()
        form.locator("#ind-fsm_primary_pct").check()
        form.locator("#weight-attainment8").fill("2")
        form.locator("#similar-k").fill("4")
        form.get_by_label("Only areas in North West").check()
        form.get_by_role("button", name="Find similar areas").click()
        page.wait_for_load_state()
        assert "indicators=attainment8" in page.url and "k=4" in page.url
        rows = page.locator("table.similar-table tbody tr")
        assert rows.count() == 4
        assert "North West" in page.locator("table.similar-table caption").inner_text()
        for i in range(4):
            assert rows.nth(i).locator("td").nth(1).inner_text() == "North West"
        # The neighbours table's own form goes to the comparison.
        page.get_by_role("button", name="Compare ticked areas").click()
        page.wait_for_load_state()
        assert "/compare?areas=E08000012," in page.url
        assert page.locator("svg.bar-chart").count() >= 20
    finally:
        context.close()
