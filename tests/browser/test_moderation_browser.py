"""The suggestion form and the moderation queue in headless Chromium.

Rows the tests write go to the session's scratch copy of the database (tests/conftest.py), and
the tables the app writes are put back as they were after the last test (``tables_restored``);
the session's settings turn off the minimum fill time and the rate limits.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import psycopg
import pytest
from _browser_helpers import PASSWORD, axe_violations, sign_in

from app.services import accounts
from app.settings import Settings

pytestmark = pytest.mark.browser

XSS = '<script>alert("x")</script>"><img src=x onerror=alert(1)>'


@pytest.fixture(scope="module")
def db(database: str, tables_restored: None) -> Iterator[psycopg.Connection[Any]]:
    """An autocommit connection to the session's copy; what the module writes is put back."""
    with psycopg.connect(database, autocommit=True) as conn:
        yield conn


@pytest.fixture(scope="module")
def moderator(settings: Settings, db: psycopg.Connection[Any]) -> str:
    email = f"browser-{uuid.uuid4().hex[:6]}@modtest.example"
    accounts.create_moderator(settings, email, PASSWORD)
    return email


def suggest(base_url: str, body: dict[str, Any]) -> dict[str, Any]:
    r = httpx.post(f"{base_url}/api/v1/submissions", json=body)
    assert r.status_code == 201, r.text
    result: dict[str, Any] = r.json()
    return result


def local(base_url: str, url: str) -> str:
    """The same path and query on the test server."""
    parts = urlsplit(url)
    return f"{base_url}{parts.path}?{parts.query}"


def test_suggest_form_in_the_browser(
    page: Any, base_url: str, db: psycopg.Connection[Any], screenshots: Path
) -> None:
    page.goto(f"{base_url}/suggest?area=E09000030")
    name = f"ModTest Browser {uuid.uuid4().hex[:6]}"
    page.fill("#name", name)
    page.click("form.suggest-start button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#results").is_visible()
    page.click("a.button[href^='/suggest/new']")
    page.wait_for_url(re.compile(r"/suggest/new"))
    assert page.input_value("#name") == name
    assert page.is_checked("#area-list input[value=E09000030]")
    page.screenshot(path=str(screenshots / "suggest-form.png"), full_page=False)

    # The search box (added by the script) narrows the long list of areas.
    search = page.locator("#area-search")
    assert search.is_visible()
    search.fill("hackn")
    assert page.locator("#area-list input[value=E09000012]").is_visible()
    assert not page.locator("#area-list input[value=E08000025]").is_visible()
    assert page.locator("#area-list input[value=E09000030]").is_visible()  # ticked ones stay
    page.check("#area-list input[value=E09000012]")

    # "Add another member" adds a row in place.
    rows = page.locator("[data-member-row]").count()
    page.click("[data-add-member]")
    assert page.locator("[data-member-row]").count() == rows + 1
    assert "area=E09000030" in page.url  # no page load: the row was added in place
    page.select_option(f"#members-{rows}-member_type", "charity")
    page.fill(f"#members-{rows}-name", "Reading Friends")

    page.fill("#summary", "Typed before the error")
    page.click("button[value=send]")
    page.wait_for_load_state()
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    assert page.input_value("#summary") == "Typed before the error"
    assert page.is_checked("#area-list input[value=E09000012]")
    assert page.input_value(f"#members-{rows}-name") == "Reading Friends"
    page.screenshot(path=str(screenshots / "suggest-error-summary.png"), full_page=False)
    assert axe_violations(page) == []
    summary.locator("a[href='#kind']").click()
    assert page.evaluate("document.activeElement.id") == "kind"

    page.select_option("#kind", "area_based_education_partnership")
    page.check("#themes")
    page.fill("#submitter_name", "Browser Tester")
    page.fill("#submitter_email", "browser@modtest.example")
    page.fill("#evidence", "I run it")
    page.click("button[value=send]")
    page.wait_for_url(re.compile(r"/submissions/PM-"))
    assert page.locator(".panel-confirm").is_visible()
    reference = page.locator(".reference").inner_text()
    row = db.execute(
        "SELECT status, proposed->'members'->0->>'name' FROM submission WHERE reference = %s",
        (reference,),
    ).fetchone()
    assert row == ("pending", "Reading Friends")
    page.screenshot(path=str(screenshots / "suggest-confirmation.png"), full_page=False)


def test_queue_and_diff_in_the_browser(
    page: Any, base_url: str, db: psycopg.Connection[Any], moderator: str, screenshots: Path
) -> None:
    name = f"ModTest Queue {uuid.uuid4().hex[:6]}"
    created = suggest(
        base_url,
        {
            "kind": "new",
            "proposed": {
                "name": name,
                "kind": "maths_hub",
                "themes": ["maths", "teacher_development"],
                "summary": "A maths hub for the borough",
                "areas_served": ["E09000012"],
                "members": [{"member_type": "other", "name": "Borough Maths Network"}],
            },
            "submitter": {"name": "Queue Tester", "email": "queue@modtest.example"},
            "evidence": "https://example.org/maths-hub",
        },
    )
    reference = created["reference"]
    sign_in(page, base_url, moderator)
    row = page.locator(f"tr[data-reference='{reference}']")
    assert row.is_visible()
    page.screenshot(path=str(screenshots / "moderation-queue.png"), full_page=False)
    assert axe_violations(page) == []
    row.locator("a").click()
    page.wait_for_url(re.compile(reference))
    assert page.locator("table.diff .diff-added").count() >= 3
    page.screenshot(path=str(screenshots / "moderation-diff.png"), full_page=True)
    assert axe_violations(page) == []
    page.locator("form[data-action=approve] button[type=submit]").click()
    page.wait_for_url(re.compile("done=approved"))
    assert page.locator("[data-status=approved]").is_visible()
    slug = db.execute(
        "SELECT p.slug FROM partnership p JOIN submission s ON s.partnership_id = p.id"
        " WHERE s.reference = %s",
        (reference,),
    ).fetchone()
    assert slug is not None
    page.goto(f"{base_url}/partnerships/{slug[0]}")
    assert page.locator("h1").inner_text() == name
    status = httpx.get(local(base_url, created["status_url"]))
    assert status.status_code == 200 and "Approved" in status.text


def test_html_in_a_suggestion_never_runs(page: Any, base_url: str, moderator: str) -> None:
    created = suggest(
        base_url,
        {
            "kind": "new",
            "proposed": {
                "name": f"ModTest {XSS}",
                "kind": "other",
                "summary": XSS,
                "lead_organisation": XSS,
                "areas_served": ["E09000012"],
                "members": [{"member_type": "other", "name": XSS}],
            },
            "submitter": {"name": XSS, "email": "xss@modtest.example", "organisation": XSS},
            "evidence": XSS,
        },
    )
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(local(base_url, created["status_url"]))
    sign_in(page, base_url, moderator)
    page.goto(f"{base_url}/moderate/submissions/{created['reference']}")
    assert XSS in page.locator("h1").inner_text()
    page.goto(f"{base_url}/moderate/submissions/{created['reference']}/edit")
    assert page.input_value("#name") == f"ModTest {XSS}"
    assert page.evaluate("document.querySelectorAll('img[src=x]').length") == 0
    assert dialogs == []
