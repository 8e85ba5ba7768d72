"""Suggestions from the public, through the JSON API and the HTML forms, against real PostGIS.

Every test writes rows marked as test data (names starting "ModTest", submitters at
``@modtest.example``) and the module removes them at the end.
"""

from __future__ import annotations

import json
import re
import socket
import socketserver
import threading
from collections.abc import Callable
from typing import Any

import _moderation_helpers as shared
import httpx
import psycopg
import pytest
from _moderation_helpers import (
    HACKNEY,
    TOWER_HAMLETS,
    XSS,
    local,
    make_partnership,
    new_client,
    token_of,
    unique,
)
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from app.main import create_app
from app.services import csrf
from app.settings import Settings

# Shared fixtures, bound here so that pytest finds them for this module's tests.
served = shared.served
app = shared.app
db = shared.db
school = shared.school
quick_forms = shared.quick_forms
anon = shared.anon
web = shared.web
state = shared.state
tune = shared.tune


@pytest.fixture(scope="module")
def trust(db: psycopg.Connection[Any]) -> tuple[int, str]:
    row = db.execute("SELECT uid, name FROM trust ORDER BY uid LIMIT 1").fetchone()
    assert row is not None, "the trusts importer has not run"
    return int(row[0]), str(row[1])


def submitter(tag: str = "ann") -> dict[str, str]:
    return {"name": "Ann Tester", "email": f"{tag}@modtest.example", "organisation": "Test School"}


def api_new(name: str | None = None, **proposed: Any) -> dict[str, Any]:
    return {
        "kind": "new",
        "proposed": {
            "name": unique() if name is None else name,
            "kind": "area_based_education_partnership",
            "themes": ["maths", "leadership"],
            "summary": "Schools working together on maths.",
            "areas_served": [TOWER_HAMLETS],
            "status": "active",
            **proposed,
        },
        "submitter": submitter(),
        "evidence": "I coordinate it; see https://example.org/about",
    }


def new_form(name: str, token: str, **over: Any) -> dict[str, Any]:
    return {
        "csrf_token": token,
        "submission_kind": "new",
        "name": name,
        "kind": "area_based_education_partnership",
        "themes": ["maths", "careers"],
        "summary": "Ten schools sharing maths teaching.",
        "status": "active",
        "areas_served": [TOWER_HAMLETS],
        "submitter_name": "Ann Tester",
        "submitter_email": "form@modtest.example",
        "evidence": "I chair it",
        "action": "send",
        **over,
    }


def count_submissions(conn: psycopg.Connection[Any], name: str) -> int:
    row = conn.execute(
        "SELECT count(*) FROM submission WHERE proposed->>'name' = %s", (name,)
    ).fetchone()
    return int(row[0])  # type: ignore[index]


# --- the JSON API ---------------------------------------------------------------------------------


async def test_api_submission_is_pending_and_not_public(
    web: httpx.AsyncClient, db: psycopg.Connection[Any], school: tuple[int, str]
) -> None:
    name = unique()
    body = api_new(name, members=[{"member_type": "school", "urn": school[0], "role": "lead"}])
    r = await web.post("/api/v1/submissions", json=body)
    assert r.status_code == 201, r.text
    created = r.json()
    assert set(created) == {"reference", "status", "status_url"}
    assert re.fullmatch(r"PM-[0-9A-Z]{4}-[0-9A-Z]{4}", created["reference"])
    assert created["status"] == "pending"
    token = created["status_url"].split("token=")[1]
    assert token not in str(
        db.execute(
            "SELECT * FROM submission WHERE reference = %s", (created["reference"],)
        ).fetchone()
    )

    status = await web.get(f"/api/v1/submissions/{created['reference']}", params={"token": token})
    assert status.status_code == 200 and status.json()["status"] == "pending"
    assert status.json()["status_label"] == "Waiting for a moderator"
    wrong = await web.get(f"/api/v1/submissions/{created['reference']}", params={"token": "x" * 32})
    assert wrong.status_code == 404
    missing = await web.get(f"/api/v1/submissions/{created['reference']}")
    assert missing.status_code == 404

    stored = db.execute(
        "SELECT proposed FROM submission WHERE reference = %s", (created["reference"],)
    ).fetchone()
    assert stored is not None and stored[0]["members"][0]["name"] == school[1]
    assert (
        db.execute("SELECT count(*) FROM partnership WHERE name = %s", (name,)).fetchone()[0] == 0
    )  # type: ignore[index]
    page = await web.get(f"/submissions/{created['reference']}", params={"token": token})
    assert page.status_code == 200 and "Waiting for a moderator" in page.text
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["cache-control"] == "no-store"


async def test_api_gives_field_level_errors(web: httpx.AsyncClient) -> None:
    body = api_new(
        "",
        kind="made_up",
        themes=["astrology"],
        areas_served=["E99999999"],
        website="javascript:alert(1)",
        contact_email="nobody@",
        founded_year=1066,
        members=[
            {"member_type": "school", "urn": 999999},
            {"member_type": "trust", "trust_uid": 99999999},
            {"member_type": "charity"},
        ],
    )
    body["submitter"] = {"name": "", "email": "not-an-email"}
    body["evidence"] = ""
    r = await web.post("/api/v1/submissions", json=body)
    assert r.status_code == 422
    fields = {e["field"]: e["message"] for e in r.json()["errors"]}
    assert set(fields) == {
        "proposed.name",
        "proposed.kind",
        "proposed.themes",
        "proposed.areas_served",
        "proposed.website",
        "proposed.contact_email",
        "proposed.founded_year",
        "proposed.members.0.urn",
        "proposed.members.1.trust_uid",
        "proposed.members.2.name",
        "submitter.name",
        "submitter.email",
        "evidence",
    }
    assert "999999" in fields["proposed.members.0.urn"]


async def test_unusual_digits_and_nul_bytes_get_answers_not_server_errors(
    web: httpx.AsyncClient, db: psycopg.Connection[Any]
) -> None:
    # "²" passes str.isdigit() but int() refuses it; PostgreSQL text cannot hold NUL.
    r = await web.post(
        "/api/v1/submissions",
        json=api_new(founded_year="²²²²", members=[{"member_type": "school", "ref": "²"}]),
    )
    assert r.status_code == 422
    fields = {e["field"]: e["message"] for e in r.json()["errors"]}
    assert "4 digits" in fields["proposed.founded_year"]
    assert "6 digits" in fields["proposed.members.0.ref"]
    page = await web.get("/suggest/new")
    name = unique()
    form = new_form(name, token_of(page.text), base_version="²")
    form["members-²-name"] = "Not a row"
    r = await web.post("/suggest/new", data=form)
    assert r.status_code == 303 and count_submissions(db, name) == 1
    bad_token = new_form(unique(), "²²².forged")
    assert (await web.post("/suggest/new", data=bad_token)).status_code == 403
    assert (await web.get("/partnerships/no%00such/suggest")).status_code == 422


async def test_api_checks_the_shape_and_the_size(web: httpx.AsyncClient) -> None:
    r = await web.post(
        "/api/v1/submissions",
        json={"kind": "new", "proposed": {"name": 5, "themes": "maths", "colour": "red"}},
    )
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["errors"]}
    assert {"proposed.name", "proposed.themes", "proposed.colour"} <= fields
    bad_json = await web.post(
        "/api/v1/submissions", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert bad_json.status_code == 422
    huge = api_new(summary="x" * 70_000)
    assert (await web.post("/api/v1/submissions", json=huge)).status_code == 413
    long = api_new(summary="x" * 2001)
    r = await web.post("/api/v1/submissions", json=long)
    assert r.status_code == 422 and "2,000 characters" in r.json()["errors"][0]["message"]
    links = api_new()
    links["evidence"] = " ".join(f"https://spam{i}.example" for i in range(6))
    r = await web.post("/api/v1/submissions", json=links)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "evidence"


async def test_api_corrections_need_a_real_target_and_a_change(
    web: httpx.AsyncClient, db: psycopg.Connection[Any]
) -> None:
    current = make_partnership(db)
    same = {
        "kind": "amend",
        "partnership": current["slug"],
        "proposed": {
            "name": current["name"],
            "kind": current["kind"],
            "themes": current["themes"],
            "summary": current["summary"],
            "status": current["status"],
            "areas_served": [a["code"] for a in current["areas"]],
        },
        "submitter": submitter(),
        "evidence": "Checked it",
    }
    r = await web.post("/api/v1/submissions", json=same)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "proposed"
    unknown = {**same, "partnership": "modtest-no-such-thing"}
    r = await web.post("/api/v1/submissions", json=unknown)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "partnership"
    future = {**same, "base_version": 7, "proposed": {**same["proposed"], "summary": "New"}}
    r = await web.post("/api/v1/submissions", json=future)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "base_version"
    changed = {**same, "proposed": {**same["proposed"], "summary": "A better summary"}}
    r = await web.post("/api/v1/submissions", json=changed)
    assert r.status_code == 201
    row = db.execute(
        "SELECT base_version, partnership_id, proposed->'areas' FROM submission WHERE reference = %s",
        (r.json()["reference"],),
    ).fetchone()
    assert row is not None and row[0] == 1 and row[1] == current["id"]
    assert row[2] == [
        {"code": TOWER_HAMLETS, "name": "Tower Hamlets", "note": "(part)", "whole": False}
    ]
    partial = {
        "kind": "amend",
        "partnership": current["slug"],
        "proposed": {"summary": "Only the summary changes", "founded_year": 2015},
        "submitter": submitter(),
        "evidence": "Checked it",
    }
    r = await web.post("/api/v1/submissions", json=partial)
    assert r.status_code == 201, r.text
    stored = db.execute(
        "SELECT proposed FROM submission WHERE reference = %s", (r.json()["reference"],)
    ).fetchone()[0]  # type: ignore[index]
    assert (stored["name"], stored["themes"], stored["summary"], stored["founded_year"]) == (
        current["name"],
        current["themes"],
        "Only the summary changes",
        2015,
    )
    assert stored["areas"] == current["areas"]
    close = {
        "kind": "close",
        "partnership": current["slug"],
        "submitter": submitter(),
        "evidence": "It wound up in 2024",
    }
    r = await web.post("/api/v1/submissions", json=close)
    assert r.status_code == 201
    # The public record is untouched while suggestions wait.
    assert db.execute(
        "SELECT status, summary, version FROM partnership WHERE id = %s", (current["id"],)
    ).fetchone() == (
        "active",
        "Original summary",
        1,
    )


async def test_api_rate_limit(app: FastAPI, tune: Callable[..., None]) -> None:
    tune(submit_rate_limit=2)
    async with new_client(app) as c:
        codes = [
            (await c.post("/api/v1/submissions", json={"kind": "new"})).status_code
            for _ in range(3)
        ]
        assert codes == [422, 422, 429]
        r = await c.post("/api/v1/submissions", json=api_new())
        assert r.status_code == 429 and "try again" in r.json()["detail"]
        assert 0 < int(r.headers["retry-after"]) <= 3600
    async with new_client(app) as other:  # another address is not affected
        assert (await other.post("/api/v1/submissions", json={"kind": "new"})).status_code == 422


# --- the HTML forms -------------------------------------------------------------------------------


async def test_form_flow_new_partnership(
    web: httpx.AsyncClient, db: psycopg.Connection[Any], school: tuple[int, str]
) -> None:
    page = await web.get("/suggest/new", params={"area": TOWER_HAMLETS, "name": "ModTest draft"})
    assert page.status_code == 200
    assert re.search(rf'value="{TOWER_HAMLETS}" id="[^"]+" checked', page.text)
    assert 'value="ModTest draft"' in page.text
    assert csrf.COOKIE_NAME in web.cookies
    name = unique()
    form = new_form(
        name,
        token_of(page.text),
        **{
            "members-0-member_type": "school",
            "members-0-ref": str(school[0]),
            "members-0-role": "lead",
        },
    )
    r = await web.post("/suggest/new", data=form)
    assert r.status_code == 303, r.text[:2000]
    location = r.headers["location"]
    assert re.match(r"/submissions/PM-[0-9A-Z-]+\?token=.+&created=1$", location)
    done = await web.get(location)
    assert "Thank you: suggestion sent" in done.text and "Waiting for a moderator" in done.text
    assert count_submissions(db, name) == 1
    assert (
        db.execute("SELECT count(*) FROM partnership WHERE name = %s", (name,)).fetchone()[0] == 0
    )  # type: ignore[index]


async def test_a_form_token_sends_one_suggestion_only(
    web: httpx.AsyncClient, db: psycopg.Connection[Any]
) -> None:
    page = await web.get("/suggest/new")
    name = unique()
    token = token_of(page.text)
    invalid = await web.post("/suggest/new", data=new_form(name, token, summary="x" * 2500))
    assert invalid.status_code == 422  # a form shown again with errors keeps its token
    first = await web.post("/suggest/new", data=new_form(name, token))
    assert first.status_code == 303
    replay = await web.post("/suggest/new", data=new_form(name, token))
    assert replay.status_code == 403 and "already been sent" in replay.text
    assert count_submissions(db, name) == 1
    fresh = token_of(replay.text)
    assert fresh != token
    assert (await web.post("/suggest/new", data=new_form(name, fresh))).status_code == 303
    assert count_submissions(db, name) == 2


async def test_api_refuses_bodies_a_cross_site_page_could_send(
    web: httpx.AsyncClient, db: psycopg.Connection[Any]
) -> None:
    """Other sites can post text/plain or forms without a preflight, never application/json."""
    name = unique()
    body = json.dumps(api_new(name))
    for content_type in ("text/plain", "application/x-www-form-urlencoded", None):
        headers = {"content-type": content_type} if content_type else {}
        r = await web.post("/api/v1/submissions", content=body, headers=headers)
        assert r.status_code == 415, content_type
        assert "application/json" in r.json()["detail"]
    assert count_submissions(db, name) == 0
    ok = await web.post(
        "/api/v1/submissions",
        content=body,
        headers={"content-type": "application/json; charset=utf-8"},
    )
    assert ok.status_code == 201 and count_submissions(db, name) == 1


async def test_form_errors_keep_what_was_typed(
    web: httpx.AsyncClient, db: psycopg.Connection[Any]
) -> None:
    page = await web.get("/suggest/new")
    name = unique()
    form = new_form(
        name,
        token_of(page.text),
        kind="",
        summary="Kept <b>summary</b>",
        submitter_email="nope",
        areas_served=[TOWER_HAMLETS, HACKNEY],
        **{
            "members-0-member_type": "school",
            "members-0-ref": "999999",
            "members-0-joined_on": "2020-01-01",
            "members-1-member_type": "charity",
            "members-1-name": "Reading Friends",
        },
    )
    r = await web.post("/suggest/new", data=form)
    assert r.status_code == 422
    html = r.text
    assert 'class="error-summary"' in html
    for anchor in ("#kind", "#submitter_email", "#members-0-ref"):
        assert f'href="{anchor}"' in html
    assert 'id="kind-error"' in html and 'aria-invalid="true"' in html
    assert f'value="{name}"' in html
    assert "Kept &lt;b&gt;summary&lt;/b&gt;" in html
    assert 'value="nope"' in html and 'value="999999"' in html and 'value="2020-01-01"' in html
    assert 'value="Reading Friends"' in html
    assert re.search(rf'value="{HACKNEY}" id="[^"]+" checked', html)
    assert "<title>Error:" in html
    assert count_submissions(db, name) == 0


async def test_form_can_add_member_rows_without_javascript(web: httpx.AsyncClient) -> None:
    page = await web.get("/suggest/new")
    form = new_form("ModTest rows", token_of(page.text), action="more_members")
    form["members-0-name"] = "Typed before adding rows"
    r = await web.post("/suggest/new", data=form)
    assert r.status_code == 200
    assert 'value="Typed before adding rows"' in r.text
    assert 'name="members-5-name"' in r.text and 'name="members-6-name"' not in r.text
    assert 'class="error-summary"' not in r.text


@pytest.mark.parametrize("case", ["missing", "forged", "no_cookie"])
async def test_form_without_a_valid_csrf_token_is_refused(
    app: FastAPI, db: psycopg.Connection[Any], case: str
) -> None:
    async with new_client(app) as c:
        page = await c.get("/suggest/new")
        name = unique()
        form = new_form(name, token_of(page.text))
        if case == "missing":
            del form["csrf_token"]
        elif case == "forged":
            form["csrf_token"] = form["csrf_token"].split(".")[0] + ".0000"
        else:
            c.cookies.clear()
        r = await c.post("/suggest/new", data=form)
        assert r.status_code == 403
        assert "expired" in r.text and f'value="{name}"' in r.text  # shown again, nothing lost
        assert count_submissions(db, name) == 0


async def test_form_sent_too_quickly_is_refused(
    web: httpx.AsyncClient, db: psycopg.Connection[Any], tune: Callable[..., None]
) -> None:
    tune(form_min_fill_seconds=60)
    page = await web.get("/suggest/new")
    name = unique()
    r = await web.post("/suggest/new", data=new_form(name, token_of(page.text)))
    assert r.status_code == 403 and "quicker than we expected" in r.text
    assert count_submissions(db, name) == 0


async def test_honeypot_filled_is_refused(
    web: httpx.AsyncClient, db: psycopg.Connection[Any]
) -> None:
    page = await web.get("/suggest/new")
    assert 'class="hp-field"' in page.text
    name = unique()
    r = await web.post(
        "/suggest/new", data=new_form(name, token_of(page.text), homepage="http://spam.example")
    )
    assert r.status_code == 403
    assert count_submissions(db, name) == 0


async def test_form_rate_limit(app: FastAPI, tune: Callable[..., None]) -> None:
    tune(submit_rate_limit=1)
    async with new_client(app) as c:
        page = await c.get("/suggest/new")
        token = token_of(page.text)
        first = await c.post("/suggest/new", data=new_form(unique(), token))
        assert first.status_code == 303
        second = await c.post("/suggest/new", data=new_form("ModTest kept", token))
        assert second.status_code == 429
        assert "Too many requests" in second.text and 'value="ModTest kept"' in second.text


async def test_oversized_form_is_refused(web: httpx.AsyncClient) -> None:
    page = await web.get("/suggest/new")
    r = await web.post(
        "/suggest/new", data=new_form("ModTest big", token_of(page.text), summary="x" * 300_000)
    )
    assert r.status_code == 413


async def test_add_shows_likely_duplicates_first(
    web: httpx.AsyncClient, db: psycopg.Connection[Any]
) -> None:
    start = await web.get("/suggest", params={"area": HACKNEY})
    assert start.status_code == 200 and re.search(
        rf'<option value="{HACKNEY}" selected', start.text
    )
    # A place other tests leave alone (they add their partnerships to Tower Hamlets): the
    # local authority that the fewest partnerships serve.
    quiet = db.execute(
        "SELECT a.code FROM area a WHERE a.level = 'local_authority' ORDER BY"
        " (SELECT count(*) FROM partnership_coverage c WHERE c.area_code = a.code), a.code LIMIT 1"
    ).fetchone()
    assert quiet is not None
    place = str(quiet[0])
    existing = make_partnership(db, unique("ModTest Riverside Learning Alliance"), area=place)
    similar = await web.get("/suggest", params={"name": "Riverside Learning Aliance", "check": "1"})
    assert f'href="/partnerships/{existing["slug"]}"' in similar.text
    assert f'href="/partnerships/{existing["slug"]}/suggest"' in similar.text
    assert "None of these: add a new partnership" in similar.text
    same_place = await web.get(
        "/suggest", params={"area": place, "theme": "leadership", "check": "1"}
    )
    assert f'href="/partnerships/{existing["slug"]}"' in same_place.text
    other_theme = await web.get(
        "/suggest", params={"area": place, "theme": "early_years", "check": "1"}
    )
    assert existing["slug"] not in other_theme.text
    assert f'href="/suggest/new?area={place}&amp;theme=early_years"' in other_theme.text


async def test_correction_form_is_filled_in_with_the_current_record(
    web: httpx.AsyncClient, db: psycopg.Connection[Any]
) -> None:
    current = make_partnership(db)
    r = await web.get(f"/partnerships/{current['slug']}/suggest")
    assert r.status_code == 200
    assert f'value="{current["name"]}"' in r.text
    assert 'name="base_version" value="1"' in r.text
    assert re.search(r'value="leadership" id="[^"]+" checked', r.text)
    assert re.search(rf'value="{TOWER_HAMLETS}" id="[^"]+" checked', r.text)
    assert (await web.get("/partnerships/modtest-nothing-here/suggest")).status_code == 404


async def test_correction_through_the_form(
    web: httpx.AsyncClient, db: psycopg.Connection[Any], trust: tuple[int, str]
) -> None:
    current = make_partnership(db)
    page = await web.get(f"/partnerships/{current['slug']}/suggest")
    form = {
        "csrf_token": token_of(page.text),
        "submission_kind": "amend",
        "base_version": "1",
        "name": current["name"],
        "kind": current["kind"],
        "themes": ["leadership"],
        "summary": "Updated summary",
        "status": "active",
        "areas_served": [TOWER_HAMLETS, HACKNEY],
        "members-0-member_type": "trust",
        "members-0-ref": str(trust[0]),
        "submitter_name": "Lead",
        "submitter_email": "lead@modtest.example",
        "evidence": "Our annual report",
    }
    r = await web.post(f"/partnerships/{current['slug']}/suggest", data=form)
    assert r.status_code == 303, r.text[:1500]
    row = db.execute(
        "SELECT kind, base_version, proposed FROM submission WHERE partnership_id = %s",
        (current["id"],),
    ).fetchone()
    assert row is not None and row[0] == "amend" and row[1] == 1
    assert row[2]["members"][0]["name"] == trust[1]
    assert [a["code"] for a in row[2]["areas"]] == [TOWER_HAMLETS, HACKNEY]


async def test_landscape_suggestion(web: httpx.AsyncClient, db: psycopg.Connection[Any]) -> None:
    page = await web.get("/suggest/landscape", params={"area": "E06000001"})
    assert page.status_code == 200 and "Hartlepool" in page.text
    r = await web.post(
        "/suggest/landscape",
        data={
            "csrf_token": token_of(page.text),
            "area": "E06000001",
            "base_version": "0",
            "body": "",
            "council_role": "in_house_team",
            "submitter_name": "Officer",
            "submitter_email": "officer@modtest.example",
            "evidence": "I work there",
        },
    )
    assert (
        r.status_code == 422
        and 'href="#body"' in r.text
        and 'value="in_house_team" id="council_role" checked' in r.text
    )
    assert (await web.get("/suggest/landscape", params={"area": "E99999999"})).status_code == 404


async def test_html_in_every_field_is_shown_as_text(
    web: httpx.AsyncClient, db: psycopg.Connection[Any]
) -> None:
    body = api_new(
        f"ModTest {XSS}",
        summary=XSS,
        lead_organisation=XSS,
        members=[{"member_type": "charity", "name": XSS, "role": "member"}],
    )
    body["submitter"] = {
        "name": XSS,
        "email": "xss@modtest.example",
        "organisation": XSS,
        "role": XSS,
    }
    body["evidence"] = XSS
    r = await web.post("/api/v1/submissions", json=body)
    assert r.status_code == 201, r.text
    page = await web.get(local(r.json()["status_url"]))
    assert page.status_code == 200
    assert "<script>alert" not in page.text and "<img src=x" not in page.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text
    # A form shown again after an error escapes what was typed.
    form_page = await web.get("/suggest/new")
    again = await web.post(
        "/suggest/new", data=new_form(XSS, token_of(form_page.text), kind="", summary=XSS)
    )
    assert again.status_code == 422
    assert "<script>alert" not in again.text and "<img src=x" not in again.text


# --- optional email -------------------------------------------------------------------------------


class FakeSMTP:
    """Just enough of an SMTP server on loopback to receive messages (no TLS, no auth)."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), self._handler())
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _handler(self) -> type[socketserver.StreamRequestHandler]:
        received = self.messages

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                self.wfile.write(b"220 fake ESMTP\r\n")
                while line := self.rfile.readline():
                    verb = line.strip().split(b" ")[0].upper()
                    if verb in (b"EHLO", b"HELO"):
                        self.wfile.write(b"250 fake\r\n")
                    elif verb == b"DATA":
                        self.wfile.write(b"354 go on\r\n")
                        body = []
                        while (part := self.rfile.readline()) not in (b".\r\n", b""):
                            body.append(part.decode())
                        received.append("".join(body))
                        self.wfile.write(b"250 queued\r\n")
                    elif verb == b"QUIT":
                        self.wfile.write(b"221 bye\r\n")
                        return
                    else:
                        self.wfile.write(b"250 ok\r\n")

        return Handler

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def submit_with(config: Settings) -> str:
    app = create_app(config)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app, client=("10.9.9.9", 1))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            r = await c.post("/api/v1/submissions", json=api_new())
            assert r.status_code == 201, r.text
            return str(r.json()["reference"])


def audit_actions(conn: psycopg.Connection[Any], reference: str) -> list[str]:
    return [
        row[0]
        for row in conn.execute(
            "SELECT action FROM audit_log WHERE submission_id ="
            " (SELECT id FROM submission WHERE reference = %s) ORDER BY id",
            (reference,),
        )
    ]


async def test_emails_are_optional_and_never_block_the_record(
    settings: Settings, db: psycopg.Connection[Any]
) -> None:
    assert not settings.smtp_host  # off by default
    smtp = FakeSMTP()
    mailing = settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp.port,
            "mail_from": "map@modtest.example",
            "moderator_notify_email": "moderators@modtest.example",
        }
    )
    try:
        reference = await submit_with(mailing)
    finally:
        smtp.close()
    assert audit_actions(db, reference) == ["submitted"]
    assert len(smtp.messages) == 2
    to_submitter, to_moderators = smtp.messages
    assert reference in to_submitter and "token=" in to_submitter
    assert "To: ann@modtest.example" in to_submitter
    assert "Reply-To: ann@modtest.example" in to_moderators

    # With the mail server down the suggestion is still stored, and the failures recorded.
    reference = await submit_with(mailing.model_copy(update={"smtp_port": closed_port()}))
    assert audit_actions(db, reference) == ["submitted", "email_failed", "email_failed"]
