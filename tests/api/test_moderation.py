"""Moderation against real PostGIS: sign-in, the queue, decisions, conflicts, history, feed.

Rows the tests write are marked as test data (slugs "modtest-…", emails "@modtest.example")
and removed at the end of the module.
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator, Callable
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
from psycopg.types.json import Jsonb
from rich.console import Console
from typer.testing import CliRunner

from app.cli import cli
from app.errors import Conflict
from app.ingest import landscape as landscape_import
from app.ingest.base import Context, Summary
from app.services import accounts, moderation
from app.services.snapshots import partnership_snapshot
from app.settings import Settings

PASSWORD = "correct horse battery staple"
BIRMINGHAM = "E08000025"
HARTLEPOOL = "E06000001"


# Shared fixtures, bound here so that pytest finds them for this module's tests.
served = shared.served
app = shared.app
state = shared.state
db = shared.db
school = shared.school
quick_forms = shared.quick_forms
tune = shared.tune
anon = shared.anon


def submitter(tag: str = "sam") -> dict[str, str]:
    return {"name": "Sam Submitter", "email": f"{tag}@modtest.example", "organisation": "A school"}


def proposal(record: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A whole proposed record in the API's shape: the record with some fields changed."""
    result = {
        "name": record["name"],
        "kind": record["kind"],
        "themes": list(record["themes"]),
        "summary": record["summary"],
        "lead_organisation": record.get("lead_organisation"),
        "website": record.get("website"),
        "contact_email": record.get("contact_email"),
        "founded_year": record.get("founded_year"),
        "status": record["status"],
        "areas_served": [a["code"] for a in record["areas"]],
        "members": [
            {k: m[k] for k in ("member_type", "urn", "trust_uid", "area_code", "name", "role")}
            for m in record["members"]
        ],
    }
    result.update(changes)
    return result


async def submit(client: httpx.AsyncClient, body: dict[str, Any]) -> tuple[str, str]:
    r = await client.post("/api/v1/submissions", json=body)
    assert r.status_code == 201, r.text
    created = r.json()
    return created["reference"], local(created["status_url"])


async def submit_amend(
    client: httpx.AsyncClient, record: dict[str, Any], tag: str = "sam", **changes: Any
) -> tuple[str, str]:
    return await submit(
        client,
        {
            "kind": "amend",
            "partnership": record["slug"],
            "base_version": record["version"],
            "proposed": proposal(record, **changes),
            "submitter": submitter(tag),
            "evidence": "Our website says so",
        },
    )


def new_body(name: str, **changes: Any) -> dict[str, Any]:
    return {
        "kind": "new",
        "proposed": {
            "name": name,
            "kind": "area_based_education_partnership",
            "themes": ["maths"],
            "summary": "Maths across the borough",
            "areas_served": [HACKNEY],
            "status": "active",
            **changes,
        },
        "submitter": submitter(),
        "evidence": "https://example.org/maths",
    }


@pytest.fixture(scope="module")
def moderators(settings: Settings, db: psycopg.Connection[Any]) -> tuple[str, str]:
    first, second = (f"{n}-{uuid.uuid4().hex[:6]}@modtest.example" for n in ("alice", "bob"))
    assert accounts.create_moderator(settings, first, PASSWORD) is True
    assert accounts.create_moderator(settings, second, PASSWORD) is True
    return first, second


async def sign_in(client: httpx.AsyncClient, email: str) -> httpx.AsyncClient:
    page = await client.get("/moderate/login")
    r = await client.post(
        "/moderate/login",
        data={
            "csrf_token": token_of(page.text),
            "email": email,
            "password": PASSWORD,
            "next": "/moderate",
        },
    )
    assert r.status_code == 303, r.text[:1000]
    return client


@pytest.fixture()
async def alice(app: Any, moderators: tuple[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    async with new_client(app) as client:
        yield await sign_in(client, moderators[0])


@pytest.fixture()
async def bob(app: Any, moderators: tuple[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    async with new_client(app) as client:
        yield await sign_in(client, moderators[1])


async def csrf_for(client: httpx.AsyncClient) -> str:
    return token_of((await client.get("/moderate")).text)


async def act(
    client: httpx.AsyncClient, reference: str, action: str, **data: Any
) -> httpx.Response:
    token = await csrf_for(client)
    return await client.post(
        f"/moderate/submissions/{reference}/{action}", data={"csrf_token": token, **data}
    )


def record_of(conn: psycopg.Connection[Any], slug: str) -> dict[str, Any]:
    row = conn.execute("SELECT id FROM partnership WHERE slug = %s", (slug,)).fetchone()
    assert row is not None
    return partnership_snapshot(conn, row[0])


def status_of(conn: psycopg.Connection[Any], reference: str) -> str:
    row = conn.execute(
        "SELECT status FROM submission WHERE reference = %s", (reference,)
    ).fetchone()
    assert row is not None
    return str(row[0])


def data_version(conn: psycopg.Connection[Any]) -> int:
    return int(conn.execute("SELECT max(id) FROM dataset").fetchone()[0])  # type: ignore[index]


# --- access control -----------------------------------------------------------------------------


async def test_anonymous_requests_to_moderation_are_refused(
    anon: httpx.AsyncClient, db: psycopg.Connection[Any]
) -> None:
    record = make_partnership(db)
    reference, _ = await submit_amend(anon, record, summary="Changed")
    for path in (
        "/moderate",
        f"/moderate/submissions/{reference}",
        f"/moderate/submissions/{reference}/edit",
    ):
        r = await anon.get(path)
        assert r.status_code == 401, path
        assert 'action="/moderate/login"' in r.text and "sam@modtest.example" not in r.text
    for path in (
        f"/moderate/submissions/{reference}/approve",
        f"/moderate/submissions/{reference}/reject",
        f"/moderate/submissions/{reference}/needs-info",
        f"/moderate/partnerships/{record['slug']}/revert",
        "/moderate/logout",
    ):
        r = await anon.post(path, data={"note": "x", "to_version": "1", "expected_version": "1"})
        assert r.status_code == 401, path
    r = await anon.post(
        f"/moderate/submissions/{reference}/approve", headers={"accept": "application/json"}
    )
    assert r.status_code == 401 and r.json()["detail"].startswith("Sign in")
    assert status_of(db, reference) == "pending"
    assert record_of(db, record["slug"])["summary"] == "Original summary"


async def test_moderator_posts_without_csrf_are_refused(
    anon: httpx.AsyncClient, alice: httpx.AsyncClient, db: psycopg.Connection[Any]
) -> None:
    record = make_partnership(db)
    reference, _ = await submit_amend(anon, record, summary="Changed")
    for action in ("approve", "reject", "needs-info"):
        r = await alice.post(f"/moderate/submissions/{reference}/{action}", data={"note": "x"})
        assert r.status_code == 403, action
        r = await alice.post(
            f"/moderate/submissions/{reference}/{action}", data={"note": "x", "csrf_token": "guess"}
        )
        assert r.status_code == 403, action
    r = await alice.post(
        f"/moderate/partnerships/{record['slug']}/revert",
        data={"to_version": "1", "expected_version": "1"},
    )
    assert r.status_code == 403
    assert status_of(db, reference) == "pending"
    assert record_of(db, record["slug"])["version"] == 1


async def test_session_cookie_flags_and_logout(app: Any, moderators: tuple[str, str]) -> None:
    async with new_client(app, https=True) as secure:
        page = await secure.get("/moderate/login")
        r = await secure.post(
            "/moderate/login",
            data={
                "csrf_token": token_of(page.text),
                "email": moderators[0].upper(),
                "password": PASSWORD,
            },
        )
        assert r.status_code == 303 and r.headers["location"] == "/moderate"
        cookie = r.headers["set-cookie"].lower()
        assert cookie.startswith(accounts.SESSION_COOKIE)
        assert "httponly" in cookie and "samesite=lax" in cookie and "secure" in cookie
    async with new_client(app) as client:
        await sign_in(client, moderators[0])
        queue = await client.get("/moderate")
        assert queue.status_code == 200 and moderators[0] in queue.text
        assert (
            "secure"
            not in (await client.get("/moderate/login")).headers.get("set-cookie", "").lower()
        )
        r = await client.post("/moderate/logout", data={"csrf_token": token_of(queue.text)})
        assert r.status_code == 303
        assert (await client.get("/moderate")).status_code == 401


async def test_wrong_password_and_lockout(
    app: Any, settings: Settings, db: psycopg.Connection[Any], tune: Callable[..., None]
) -> None:
    tune(login_lockout_failures=3, login_lockout_minutes=7)
    email = f"locked-{uuid.uuid4().hex[:6]}@modtest.example"
    accounts.create_moderator(settings, email, PASSWORD)
    async with new_client(app) as c:
        token = token_of((await c.get("/moderate/login")).text)
        codes = []
        for _ in range(3):
            r = await c.post(
                "/moderate/login",
                data={"csrf_token": token, "email": email, "password": "wrong password!"},
            )
            codes.append(r.status_code)
        assert codes == [401] * 3
        assert "not right" in r.text
        right = await c.post(
            "/moderate/login", data={"csrf_token": token, "email": email, "password": PASSWORD}
        )
        assert right.status_code == 429 and "Too many failed sign-in attempts" in right.text
        assert "Try again in 7 minutes" in right.text
        assert accounts.SESSION_COOKIE not in c.cookies
        # Resetting the password from the command line unlocks the account.
        assert accounts.create_moderator(settings, email, PASSWORD) is False
        again = await c.post(
            "/moderate/login", data={"csrf_token": token, "email": email, "password": PASSWORD}
        )
        assert again.status_code == 303
        missing = await c.post("/moderate/login", data={"email": email, "password": PASSWORD})
        assert missing.status_code == 403


async def test_strangers_cannot_lock_a_moderator_out(
    app: Any, settings: Settings, db: psycopg.Connection[Any]
) -> None:
    """Failures from other addresses lock those addresses out, never the moderator's own."""
    email = f"target-{uuid.uuid4().hex[:6]}@modtest.example"
    accounts.create_moderator(settings, email, PASSWORD)
    for _ in range(3):  # three strangers, each past the limit
        async with new_client(app) as stranger:
            token = token_of((await stranger.get("/moderate/login")).text)
            codes = [
                (
                    await stranger.post(
                        "/moderate/login",
                        data={"csrf_token": token, "email": email, "password": "guess guess!"},
                    )
                ).status_code
                for _ in range(settings.login_lockout_failures + 1)
            ]
            assert codes == [401] * settings.login_lockout_failures + [429]
    async with new_client(app) as owner:
        token = token_of((await owner.get("/moderate/login")).text)
        r = await owner.post(
            "/moderate/login", data={"csrf_token": token, "email": email, "password": PASSWORD}
        )
        assert r.status_code == 303, r.text
        assert accounts.SESSION_COOKIE in owner.cookies
    refused = db.execute(
        "SELECT count(*) FROM audit_log a JOIN moderator m ON m.id = a.moderator_id"
        " WHERE m.email = %s AND a.action = 'login_refused_locked'",
        (email,),
    ).fetchone()
    assert refused == (3,)


async def test_login_is_rate_limited_per_address(app: Any, tune: Callable[..., None]) -> None:
    tune(login_rate_limit=3)
    async with new_client(app) as c:
        token = token_of((await c.get("/moderate/login")).text)
        codes = [
            (
                await c.post(
                    "/moderate/login",
                    data={
                        "csrf_token": token,
                        "email": f"n{i}-{uuid.uuid4().hex[:6]}@modtest.example",
                        "password": "x" * 12,
                    },
                )
            ).status_code
            for i in range(4)
        ]
        assert codes == [401, 401, 401, 429]


def test_command_line_creates_and_resets_moderators(
    settings: Settings, db: psycopg.Connection[Any]
) -> None:
    email = f"cli-{uuid.uuid4().hex[:6]}@modtest.example"
    runner = CliRunner()
    created = runner.invoke(
        cli, ["moderator", "create", email, "--password-stdin"], input=f"{PASSWORD}\n"
    )
    assert created.exit_code == 0, created.output
    stored = db.execute("SELECT password_hash FROM moderator WHERE email = %s", (email,)).fetchone()
    assert stored is not None and stored[0].startswith("$argon2id$") and PASSWORD not in stored[0]
    again = runner.invoke(
        cli, ["moderator", "create", email, "--password-stdin"], input="another long password\n"
    )
    assert again.exit_code == 0 and "updated" in again.output
    assert (
        db.execute("SELECT password_hash FROM moderator WHERE email = %s", (email,)).fetchone()
        != stored
    )
    short = runner.invoke(cli, ["moderator", "create", email, "--password-stdin"], input="short\n")
    assert short.exit_code == 1
    with pytest.raises(accounts.AccountError, match="not a valid email address"):
        accounts.create_moderator(settings, "not an email", PASSWORD)


async def test_every_refused_sign_in_costs_one_password_check(
    app: Any, settings: Settings, db: psycopg.Connection[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A locked or disabled account answers after the same work as an unknown address."""
    checks: list[str] = []
    real_verify = accounts._verify

    def counting_verify(password_hash: str, password: str) -> bool:
        checks.append(password_hash)
        return real_verify(password_hash, password)

    monkeypatch.setattr(accounts, "_verify", counting_verify)
    locked, disabled = (f"{n}-{uuid.uuid4().hex[:6]}@modtest.example" for n in ("lk", "off"))
    for email in (locked, disabled):
        accounts.create_moderator(settings, email, PASSWORD)
    db.execute(
        "UPDATE moderator SET locked_until = now() + interval '1 hour' WHERE email = %s", (locked,)
    )
    db.execute("UPDATE moderator SET is_active = false WHERE email = %s", (disabled,))
    async with new_client(app) as c:
        token = token_of((await c.get("/moderate/login")).text)
        for email, status in (
            (f"nobody-{uuid.uuid4().hex[:6]}@modtest.example", 401),
            (locked, 429),
            (disabled, 401),
        ):
            checks.clear()
            r = await c.post(
                "/moderate/login", data={"csrf_token": token, "email": email, "password": PASSWORD}
            )
            assert r.status_code == status, email
            assert len(checks) == 1, email


async def test_unusual_digits_and_nul_bytes_get_answers_not_server_errors(
    anon: httpx.AsyncClient, alice: httpx.AsyncClient, db: psycopg.Connection[Any]
) -> None:
    # "²" passes str.isdigit() but int() refuses it; PostgreSQL text cannot hold NUL.
    token = token_of((await anon.get("/moderate/login")).text)
    r = await anon.post(
        "/moderate/login", data={"csrf_token": "²²².forged", "email": "a@b.org", "password": "x"}
    )
    assert r.status_code == 403
    r = await anon.post(
        "/moderate/login",
        data={"csrf_token": token, "email": "no\x00body@modtest.example", "password": "x"},
    )
    assert r.status_code == 401
    # A NUL byte in the address is refused before any route sees it.
    assert (await anon.get("/partnerships/no%00such/history")).status_code == 422
    assert (await anon.get("/feeds/changes.atom", params={"area": "E0\x00"})).status_code == 422
    assert (await anon.get("/feeds/changes.atom", params={"theme": "x\x00"})).status_code == 422
    assert (await alice.get("/moderate", params={"area": "E0\x00"})).status_code == 422
    record = make_partnership(db)
    moderator_token = await csrf_for(alice)
    for to_version in ("²", "9" * 30):
        r = await alice.post(
            f"/moderate/partnerships/{record['slug']}/revert",
            data={"csrf_token": moderator_token, "to_version": to_version, "expected_version": "1"},
        )
        assert r.status_code == 422, to_version
    r = await alice.post(
        "/moderate/partnerships/no%00such/revert",
        data={"csrf_token": moderator_token, "to_version": "1", "expected_version": "2"},
    )
    assert r.status_code == 422
    # A base version that is not a number is ignored, as a blank one is: the suggestion's own.
    reference, _ = await submit_amend(anon, record, summary="Unusual digits")
    assert (await act(alice, reference, "approve", base_version="²")).status_code == 303
    assert record_of(db, record["slug"])["summary"] == "Unusual digits"


# --- decisions ------------------------------------------------------------------------------------


async def test_new_partnership_is_public_only_after_approval(
    anon: httpx.AsyncClient, alice: httpx.AsyncClient, db: psycopg.Connection[Any]
) -> None:
    name = unique()
    slug = name.lower().replace(" ", "-")
    reference, status_url = await submit(anon, new_body(name))
    assert (await anon.get(f"/partnerships/{slug}")).status_code == 404
    queue = await alice.get("/moderate")
    assert reference in queue.text
    review = await alice.get(f"/moderate/submissions/{reference}")
    assert (
        review.status_code == 200 and name in review.text and "sam@modtest.example" in review.text
    )
    before = data_version(db)

    r = await act(alice, reference, "approve", note="Thanks")
    assert r.status_code == 303 and r.headers["location"].endswith("done=approved")
    assert data_version(db) > before
    page = await anon.get(f"/partnerships/{slug}")
    assert page.status_code == 200 and name in page.text
    record = record_of(db, slug)
    assert record["version"] == 1 and record["themes"] == ["maths"]
    assert [a["code"] for a in record["areas"]] == [HACKNEY]
    revision = db.execute(
        "SELECT r.version, r.moderator_id IS NOT NULL, s.reference, r.snapshot->>'name'"
        " FROM revision r JOIN submission s ON s.id = r.submission_id WHERE r.partnership_id = %s",
        (record["id"],),
    ).fetchall()
    assert revision == [(1, True, reference, name)]
    status = await anon.get(status_url)
    assert (
        "Approved" in status.text
        and "Thanks" in status.text
        and f"/partnerships/{slug}" in status.text
    )
    audit = [
        r[0]
        for r in db.execute(
            "SELECT action FROM audit_log WHERE submission_id = (SELECT id FROM submission WHERE reference = %s) ORDER BY id",
            (reference,),
        )
    ]
    assert audit == ["submitted", "approved"]
    again = await act(alice, reference, "approve")
    assert again.status_code == 409 and "already been decided" in again.text


async def test_correction_is_public_at_once_after_approval(
    anon: httpx.AsyncClient,
    alice: httpx.AsyncClient,
    db: psycopg.Connection[Any],
    school: tuple[int, str],
) -> None:
    record = make_partnership(db)
    new_name = unique()
    reference, _ = await submit_amend(
        anon,
        record,
        name=new_name,
        themes=["leadership", "maths"],
        areas_served=[TOWER_HAMLETS, HACKNEY],
        members=[{"member_type": "school", "urn": school[0], "role": "lead"}],
    )
    public = await anon.get(f"/partnerships/{record['slug']}")
    assert record["name"] in public.text and new_name not in public.text
    review = await alice.get(f"/moderate/submissions/{reference}")
    assert 'class="diff-added"' in review.text and 'class="diff-removed"' in review.text
    assert "School improvement" in review.text and school[1] in review.text
    r = await act(alice, reference, "approve")
    assert r.status_code == 303
    after = record_of(db, record["slug"])
    assert after["name"] == new_name and after["version"] == 2
    assert after["themes"] == ["leadership", "maths"]
    assert after["areas"][0] == {
        "code": TOWER_HAMLETS,
        "name": "Tower Hamlets",
        "note": "(part)",
        "whole": False,
    }
    assert after["members"][0]["name"] == school[1] and after["members"][0]["role"] == "lead"
    public = await anon.get(f"/partnerships/{record['slug']}")
    assert new_name in public.text and school[1] in public.text
    history = await anon.get(f"/partnerships/{record['slug']}/history")
    assert "Version 2" in history.text and "corrected from a suggestion" in history.text
    assert "Name, Themes, Areas served, Members" in history.text


async def test_closure(
    anon: httpx.AsyncClient, alice: httpx.AsyncClient, db: psycopg.Connection[Any]
) -> None:
    record = make_partnership(db)
    reference, _ = await submit(
        anon,
        {
            "kind": "close",
            "partnership": record["slug"],
            "submitter": submitter(),
            "evidence": "Wound up",
        },
    )
    assert (await act(alice, reference, "approve")).status_code == 303
    after = record_of(db, record["slug"])
    assert after["status"] == "ended" and after["version"] == 2 and after["name"] == record["name"]


async def test_reject_needs_a_reason_the_submitter_sees(
    anon: httpx.AsyncClient, alice: httpx.AsyncClient, db: psycopg.Connection[Any]
) -> None:
    record = make_partnership(db)
    reference, status_url = await submit_amend(anon, record, summary="Spam")
    r = await act(alice, reference, "reject", decision="rejected", note="  ")
    assert r.status_code == 422 and 'href="#note"' in r.text
    assert status_of(db, reference) == "pending"
    r = await act(
        alice,
        reference,
        "reject",
        decision="rejected",
        note="No evidence for this",
        private_note="looks like spam",
    )
    assert r.status_code == 303
    assert status_of(db, reference) == "rejected"
    page = await anon.get(status_url)
    assert "Not accepted" in page.text and "No evidence for this" in page.text
    assert "looks like spam" not in page.text
    api = await anon.get(status_url.replace("/submissions/", "/api/v1/submissions/"))
    assert (
        api.json()["status"] == "rejected"
        and api.json()["moderator_note"] == "No evidence for this"
    )
    assert record_of(db, record["slug"])["summary"] == "Original summary"
    late = await act(alice, reference, "approve")
    assert late.status_code == 409 and record_of(db, record["slug"])["version"] == 1


async def test_needs_info_then_resubmit_without_retyping(
    anon: httpx.AsyncClient, alice: httpx.AsyncClient, db: psycopg.Connection[Any]
) -> None:
    record = make_partnership(db)
    reference, status_url = await submit_amend(
        anon, record, summary="Vague summary", website="example.org"
    )
    r = await act(
        alice, reference, "needs-info", decision="needs_info", note="Which schools are members?"
    )
    assert r.status_code == 303 and status_of(db, reference) == "needs_info"
    page = await anon.get(status_url)
    assert "More information needed" in page.text and "Which schools are members?" in page.text
    assert "Vague summary" in page.text and 'value="https://example.org"' in page.text
    assert 'value="sam@modtest.example"' in page.text
    token = local(status_url).split("token=")[1]
    form = {
        "csrf_token": token_of(page.text),
        "token": token,
        "name": record["name"],
        "kind": record["kind"],
        "themes": record["themes"],
        "summary": "Clear summary naming the member schools",
        "status": "active",
        "areas_served": [TOWER_HAMLETS],
        "website": "https://example.org",
        "submitter_name": "Sam Submitter",
        "submitter_email": "sam@modtest.example",
        "evidence": "Our website says so",
        "action": "send",
    }
    bad = await anon.post(
        f"/submissions/{reference}/resubmit", data={**form, "summary": "x" * 2500}
    )
    assert bad.status_code == 422 and 'href="#summary"' in bad.text
    assert status_of(db, reference) == "needs_info"
    r = await anon.post(f"/submissions/{reference}/resubmit", data=form)
    assert r.status_code == 303 and "resubmitted=1" in r.headers["location"]
    assert status_of(db, reference) == "pending"
    assert (await anon.post(f"/submissions/{reference}/resubmit", data=form)).status_code == 409
    assert (await act(alice, reference, "approve")).status_code == 303
    assert record_of(db, record["slug"])["summary"] == "Clear summary naming the member schools"
    actions = [
        r[0]
        for r in db.execute(
            "SELECT action FROM audit_log WHERE submission_id = (SELECT id FROM submission WHERE reference = %s) ORDER BY id",
            (reference,),
        )
    ]
    assert actions == ["submitted", "needs_info", "resubmitted", "approved"]


async def test_stale_proposal_is_a_conflict_then_a_merge(
    anon: httpx.AsyncClient, alice: httpx.AsyncClient, db: psycopg.Connection[Any]
) -> None:
    record = make_partnership(db)
    first, _ = await submit_amend(anon, record, summary="Summary from the first suggestion")
    renamed = unique()
    second, _ = await submit_amend(anon, record, name=renamed)
    assert (await act(alice, first, "approve")).status_code == 303
    stale = await act(alice, second, "approve", base_version="1")
    assert stale.status_code == 409
    assert "has changed since this suggestion was made" in stale.text
    after_first = record_of(db, record["slug"])
    assert after_first["version"] == 2 and after_first["name"] == record["name"]
    assert after_first["summary"] == "Summary from the first suggestion"
    assert status_of(db, second) == "pending"

    review = await alice.get(f"/moderate/submissions/{second}")
    assert "data-conflict" in review.text and "What changed since" in review.text
    edit = await alice.get(f"/moderate/submissions/{second}/edit", params={"rebase": "1"})
    assert f'value="{renamed}"' in edit.text
    assert "Summary from the first suggestion" in edit.text
    assert 'name="base_version" value="2"' in edit.text
    form = {
        "csrf_token": token_of(edit.text),
        "edited": "1",
        "rebase": "1",
        "base_version": "2",
        "name": renamed,
        "kind": record["kind"],
        "themes": record["themes"],
        "summary": "Summary from the first suggestion",
        "status": "active",
        "areas_served": [TOWER_HAMLETS],
        "action": "approve",
    }
    r = await alice.post(f"/moderate/submissions/{second}/approve", data=form)
    assert r.status_code == 303, r.text[:2000]
    final = record_of(db, record["slug"])
    assert final["version"] == 3 and final["name"] == renamed
    assert final["summary"] == "Summary from the first suggestion"
    assert final["areas"][0]["note"] == "(part)"


async def test_a_hand_made_base_version_cannot_overwrite_a_newer_change(
    anon: httpx.AsyncClient, alice: httpx.AsyncClient, db: psycopg.Connection[Any]
) -> None:
    """The check compares with the suggestion's own base, whatever the request claims."""
    record = make_partnership(db)
    first, _ = await submit_amend(anon, record, summary="Summary that must survive")
    second, _ = await submit_amend(anon, record, name=unique())
    assert (await act(alice, first, "approve")).status_code == 303
    for claimed in ("2", "999"):
        forged = await act(alice, second, "approve", base_version=claimed)
        assert forged.status_code == 409, claimed
        assert "has changed since this suggestion was made" in forged.text
    after = record_of(db, record["slug"])
    assert after["version"] == 2 and after["summary"] == "Summary that must survive"
    assert after["name"] == record["name"]
    assert status_of(db, second) == "pending"


async def test_two_moderators_approving_at_once_lose_nothing(
    anon: httpx.AsyncClient,
    alice: httpx.AsyncClient,
    bob: httpx.AsyncClient,
    db: psycopg.Connection[Any],
) -> None:
    record = make_partnership(db)
    one, _ = await submit_amend(anon, record, summary="Alice's summary")
    two, _ = await submit_amend(anon, record, themes=[*record["themes"], "maths"])
    tokens = await csrf_for(alice), await csrf_for(bob)
    results = await asyncio.gather(
        alice.post(f"/moderate/submissions/{one}/approve", data={"csrf_token": tokens[0]}),
        bob.post(f"/moderate/submissions/{two}/approve", data={"csrf_token": tokens[1]}),
    )
    codes = sorted(r.status_code for r in results)
    assert codes == [303, 409]
    loser_client, loser = (bob, two) if results[1].status_code == 409 else (alice, one)
    assert status_of(db, loser) == "pending"
    edit = await loser_client.get(f"/moderate/submissions/{loser}/edit", params={"rebase": "1"})
    merged = {
        "csrf_token": token_of(edit.text),
        "edited": "1",
        "rebase": "1",
        "base_version": "2",
        "name": record["name"],
        "kind": record["kind"],
        "themes": sorted([*record["themes"], "maths"]),
        "summary": "Alice's summary",
        "status": "active",
        "areas_served": [TOWER_HAMLETS],
    }
    assert "Alice&#39;s summary" in edit.text and re.search(
        r'value="maths" id="[^"]+" checked', edit.text
    )
    r = await loser_client.post(f"/moderate/submissions/{loser}/approve", data=merged)
    assert r.status_code == 303
    final = record_of(db, record["slug"])
    assert final["version"] == 3
    assert final["summary"] == "Alice's summary" and "maths" in final["themes"]
    versions = [
        r[0]
        for r in db.execute(
            "SELECT version FROM revision WHERE partnership_id = %s ORDER BY version",
            (record["id"],),
        )
    ]
    assert versions == [1, 2, 3]


async def test_concurrent_service_calls_on_one_record(
    state: Any, anon: httpx.AsyncClient, db: psycopg.Connection[Any], moderators: tuple[str, str]
) -> None:
    record = make_partnership(db)
    refs = [(await submit_amend(anon, record, summary=f"Summary {i}"))[0] for i in range(2)]
    ids = [
        db.execute("SELECT id FROM moderator WHERE email = %s", (m,)).fetchone()[0]
        for m in moderators
    ]  # type: ignore[index]
    maker = state.sessionmaker
    settings = state.settings

    async def approve(ref: str, moderator_id: int, email: str) -> str:
        async with maker() as session:
            try:
                await moderation.approve(
                    session, settings, accounts.ModeratorIdentity(moderator_id, email, "t"), ref
                )
            except Conflict:
                return "conflict"
            return "approved"

    outcome = await asyncio.gather(
        approve(refs[0], ids[0], moderators[0]), approve(refs[1], ids[1], moderators[1])
    )
    assert sorted(outcome) == ["approved", "conflict"]
    assert record_of(db, record["slug"])["version"] == 2


async def test_failed_approval_leaves_everything_unchanged(
    state: Any,
    anon: httpx.AsyncClient,
    alice: httpx.AsyncClient,
    db: psycopg.Connection[Any],
    moderators: tuple[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    record = make_partnership(db)
    reference, _ = await submit_amend(anon, record, name=unique(), themes=["maths"])
    before = (record_of(db, record["slug"]), data_version(db))

    async def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(moderation, "write_revision", broken)
    moderator_id = db.execute(
        "SELECT id FROM moderator WHERE email = %s", (moderators[0],)
    ).fetchone()[0]  # type: ignore[index]
    async with state.sessionmaker() as session:
        with pytest.raises(RuntimeError, match="disk full"):
            await moderation.approve(
                session,
                state.settings,
                accounts.ModeratorIdentity(moderator_id, moderators[0], "t"),
                reference,
            )
    monkeypatch.undo()
    assert (record_of(db, record["slug"]), data_version(db)) == before
    assert status_of(db, reference) == "pending"
    assert db.execute(
        "SELECT count(*) FROM revision WHERE partnership_id = %s", (record["id"],)
    ).fetchone() == (1,)

    # A proposal the database refuses (a theme since withdrawn) is a conflict, and changes nothing.
    db.execute(
        "UPDATE submission SET proposed = jsonb_set(proposed, '{themes}', '[\"withdrawn_theme\"]')"
        " WHERE reference = %s",
        (reference,),
    )
    r = await act(alice, reference, "approve")
    assert r.status_code == 409 and "database refused it" in r.text
    assert (record_of(db, record["slug"]), data_version(db)) == before
    assert status_of(db, reference) == "pending"


async def test_an_approval_queued_behind_an_import_gets_a_503_and_changes_nothing(
    state: Any,
    anon: httpx.AsyncClient,
    alice: httpx.AsyncClient,
    db: psycopg.Connection[Any],
    database: str,
) -> None:
    """An import holds the stored views' stale flags until it commits; an approval that needs one
    waits for the lock timeout, then is told to retry (not that the database refused it)."""
    record = make_partnership(db)
    reference, _ = await submit_amend(anon, record, name=unique())
    before = (record_of(db, record["slug"]), data_version(db))
    with psycopg.connect(database) as importing:  # an import's open transaction
        importing.execute("INSERT INTO member_school_point_stale DEFAULT VALUES")
        importing.execute("INSERT INTO partnership_served_area_stale DEFAULT VALUES")
        r = await act(alice, reference, "approve")
        importing.rollback()
    assert r.status_code == 503, r.text
    assert "retry-after" in r.headers
    assert (record_of(db, record["slug"]), data_version(db)) == before
    assert status_of(db, reference) == "pending"


async def test_moderator_can_edit_before_approving(
    anon: httpx.AsyncClient, alice: httpx.AsyncClient, db: psycopg.Connection[Any]
) -> None:
    typo = unique()
    reference, _ = await submit(anon, new_body(typo))
    edit = await alice.get(f"/moderate/submissions/{reference}/edit")
    assert edit.status_code == 200 and f'value="{typo}"' in edit.text
    fixed = f"{typo} Fixed"
    form = {
        "csrf_token": token_of(edit.text),
        "edited": "1",
        "base_version": "0",
        "name": fixed,
        "kind": "area_based_education_partnership",
        "themes": ["maths"],
        "summary": "Edited by the moderator",
        "status": "active",
        "areas_served": [],
    }
    r = await alice.post(f"/moderate/submissions/{reference}/approve", data=form)
    assert (
        r.status_code == 422 and 'href="#areas_served"' in r.text and f'value="{fixed}"' in r.text
    )
    r = await alice.post(
        f"/moderate/submissions/{reference}/approve", data={**form, "areas_served": [HACKNEY]}
    )
    assert r.status_code == 303
    slug = typo.lower().replace(" ", "-") + "-fixed"
    assert record_of(db, slug)["summary"] == "Edited by the moderator"
    original = db.execute(
        "SELECT proposed->>'name' FROM submission WHERE reference = %s", (reference,)
    ).fetchone()
    assert original == (typo,)


async def test_moderators_cannot_approve_their_own_suggestions(
    anon: httpx.AsyncClient,
    alice: httpx.AsyncClient,
    db: psycopg.Connection[Any],
    moderators: tuple[str, str],
) -> None:
    body = new_body(unique())
    body["submitter"] = {"name": "Alice", "email": moderators[0]}
    reference, _ = await submit(anon, body)
    r = await act(alice, reference, "approve")
    assert r.status_code == 403 and status_of(db, reference) == "pending"
    db.execute("UPDATE submission SET status = 'rejected' WHERE reference = %s", (reference,))


async def test_revert_to_an_earlier_revision(
    anon: httpx.AsyncClient, alice: httpx.AsyncClient, db: psycopg.Connection[Any]
) -> None:
    record = make_partnership(db)
    reference, _ = await submit_amend(anon, record, name=unique(), summary="Vandalised")
    assert (await act(alice, reference, "approve")).status_code == 303
    history = await alice.get(f"/partnerships/{record['slug']}/history")
    assert "Restore version 1" in history.text
    token = token_of(history.text)
    r = await alice.post(
        f"/moderate/partnerships/{record['slug']}/revert",
        data={"csrf_token": token, "to_version": "1", "expected_version": "2"},
    )
    assert r.status_code == 303 and r.headers["location"].endswith("reverted=1")
    after = record_of(db, record["slug"])
    assert after["version"] == 3
    assert (after["name"], after["summary"], after["themes"]) == (
        record["name"],
        "Original summary",
        record["themes"],
    )
    change = db.execute(
        "SELECT change, moderator_id IS NOT NULL FROM revision WHERE partnership_id = %s AND version = 3",
        (record["id"],),
    ).fetchone()
    assert change == ("reverted to version 1", True)
    stale = await alice.post(
        f"/moderate/partnerships/{record['slug']}/revert",
        data={"csrf_token": token, "to_version": "1", "expected_version": "2"},
    )
    assert stale.status_code == 303 and stale.headers["location"].endswith("error=stale")
    assert record_of(db, record["slug"])["version"] == 3
    public = await anon.get(f"/partnerships/{record['slug']}/history")
    assert "Version 3" in public.text and "reverted to version 1" in public.text
    assert "@modtest.example" not in public.text and "Restore version" not in public.text
    moderator_view = await alice.get(f"/partnerships/{record['slug']}/history")
    assert "@modtest.example" in moderator_view.text and reference in moderator_view.text


async def test_revert_the_database_refuses_is_not_called_stale(
    alice: httpx.AsyncClient, db: psycopg.Connection[Any]
) -> None:
    record = make_partnership(db)
    broken = {**record, "version": 5, "areas": [{"code": "E99999999", "name": "Gone"}]}
    db.execute(
        "INSERT INTO revision (partnership_id, version, snapshot, change)"
        " VALUES (%s, 5, %s, 'seed import')",
        (record["id"], Jsonb(broken)),
    )
    r = await alice.post(
        f"/moderate/partnerships/{record['slug']}/revert",
        data={"csrf_token": await csrf_for(alice), "to_version": "5", "expected_version": "1"},
    )
    assert r.status_code == 303 and r.headers["location"].endswith("error=refused")
    assert record_of(db, record["slug"]) == record
    page = await alice.get(r.headers["location"])
    assert "could not be restored" in page.text and "changed meanwhile" not in page.text


async def test_evidence_link_without_a_scheme_becomes_an_absolute_source(
    anon: httpx.AsyncClient, alice: httpx.AsyncClient, db: psycopg.Connection[Any]
) -> None:
    body = new_body(unique())
    body["evidence"] = "See www.example.org/maths-hub for the list of schools"
    reference, _ = await submit(anon, body)
    assert (await act(alice, reference, "approve")).status_code == 303
    row = db.execute(
        "SELECT p.slug, p.source_url FROM partnership p JOIN submission s"
        " ON s.partnership_id = p.id WHERE s.reference = %s",
        (reference,),
    ).fetchone()
    assert row is not None and row[1] == "https://www.example.org/maths-hub"
    page = await anon.get(f"/partnerships/{row[0]}")
    assert 'href="https://www.example.org/maths-hub"' in page.text


def seed_landscape(settings: Settings, code: str) -> dict[str, str]:
    """The landscape register's own row for an area, read here from the source file."""
    path = settings.geodata_dir / "landscape" / "council_landscape.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return next(r for r in csv.DictReader(handle) if r["area_code"] == code)


def reimport_landscape(database: str, settings: Settings) -> Summary:
    """Run the landscape import on its own connection, report, then roll it back."""
    with psycopg.connect(database) as conn:
        dataset = conn.execute("SELECT max(id) FROM dataset WHERE name = 'landscape'").fetchone()
        assert dataset is not None and dataset[0] is not None, "the landscape import has not run"
        ctx = Context(
            settings.geodata_dir, conn, dataset[0], Console(file=io.StringIO()), quiet=True
        )
        landscape_import.load(ctx)
        conn.rollback()
    return ctx.summary


async def test_landscape_change_survives_reimport_and_can_be_reverted(
    anon: httpx.AsyncClient,
    alice: httpx.AsyncClient,
    db: psycopg.Connection[Any],
    database: str,
    settings: Settings,
) -> None:
    seed = seed_landscape(settings, HARTLEPOOL)
    version = db.execute(
        "SELECT version FROM area_landscape WHERE area_code = %s", (HARTLEPOOL,)
    ).fetchone()
    assert version is not None, "the landscape register gives Hartlepool a record"
    body = "ModTest: schools here work through a borough-wide partnership."
    reference, _ = await submit(
        anon,
        {
            "kind": "landscape",
            "area": HARTLEPOOL,
            "base_version": version[0],
            "proposed": {"body": body, "council_role": "commissioned_partnership"},
            "submitter": submitter(),
            "evidence": "Council website",
        },
    )
    review = await alice.get(f"/moderate/submissions/{reference}")
    assert "Hartlepool" in review.text and body in review.text
    assert (await act(alice, reference, "approve")).status_code == 303
    row = db.execute(
        "SELECT body, council_role, provider_name, version FROM area_landscape"
        " WHERE area_code = %s",
        (HARTLEPOOL,),
    ).fetchone()
    # The suggestion changed the text and role; the provider it did not touch stays.
    assert row == (body, "commissioned_partnership", seed["provider_name"], version[0] + 1)
    area = await anon.get(f"/areas/{HARTLEPOOL}")
    assert body in area.text and "changed through a moderated suggestion" in area.text
    assert "Commissioned partnership" in area.text
    feed = await anon.get("/feeds/changes.atom", params={"area": HARTLEPOOL})
    assert body in feed.text

    summary = reimport_landscape(database, settings)
    assert any(
        item.endswith(f": {HARTLEPOOL}")
        for item in summary.unmatched[landscape_import.KEPT_MODERATED]
    )
    assert db.execute(
        "SELECT body FROM area_landscape WHERE area_code = %s", (HARTLEPOOL,)
    ).fetchone() == (body,)

    history = await alice.get(f"/areas/{HARTLEPOOL}/landscape/history")
    assert f"Restore version {version[0]}" in history.text and "seed import" in history.text
    r = await alice.post(
        f"/moderate/areas/{HARTLEPOOL}/landscape/revert",
        data={
            "csrf_token": token_of(history.text),
            "to_version": str(version[0]),
            "expected_version": str(version[0] + 1),
        },
    )
    assert r.status_code == 303 and r.headers["location"].endswith(f"reverted={version[0]}")
    after = db.execute(
        "SELECT body, council_role, provider_name, version FROM area_landscape"
        " WHERE area_code = %s",
        (HARTLEPOOL,),
    ).fetchone()
    assert after == (
        seed["summary"],
        seed["council_role"],
        seed["provider_name"],
        version[0] + 2,
    )
    change = db.execute(
        "SELECT change, moderator_id IS NOT NULL FROM revision"
        " WHERE area_code = %s AND partnership_id IS NULL AND version = %s",
        (HARTLEPOOL, version[0] + 2),
    ).fetchone()
    assert change == (f"reverted to version {version[0]}", True)
    stale = await alice.post(
        f"/moderate/areas/{HARTLEPOOL}/landscape/revert",
        data={
            "csrf_token": token_of(history.text),
            "to_version": str(version[0]),
            "expected_version": str(version[0] + 1),
        },
    )
    assert stale.status_code == 303 and stale.headers["location"].endswith("error=stale")


async def test_landscape_suggestion_can_change_provider_and_forms(
    anon: httpx.AsyncClient, alice: httpx.AsyncClient, db: psycopg.Connection[Any]
) -> None:
    code = "E06000004"  # Stockton-on-Tees
    version = db.execute(
        "SELECT version FROM area_landscape WHERE area_code = %s", (code,)
    ).fetchone()
    assert version is not None
    body = {
        "kind": "landscape",
        "area": code,
        "base_version": version[0],
        "proposed": {
            "body": "ModTest: a new school-led partnership does the council's improvement work.",
            "council_role": "commissioned_partnership",
            "provider_name": "ModTest Learning Partnership",
            "provider_url": "www.example.org/learning",
            "collaboration_forms": ["area_based_partnership", "headteacher_association"],
        },
        "submitter": submitter(),
        "evidence": "Council report, 2026",
    }
    bad = await anon.post(
        "/api/v1/submissions",
        json={**body, "proposed": {**body["proposed"], "collaboration_forms": ["guesswork"]}},
    )
    assert bad.status_code == 422 and "forms of collaboration" in bad.text
    reference, _ = await submit(anon, body)
    assert (await act(alice, reference, "approve")).status_code == 303
    row = db.execute(
        "SELECT council_role, provider_name, provider_url, collaboration_forms, version"
        " FROM area_landscape WHERE area_code = %s",
        (code,),
    ).fetchone()
    assert row == (
        "commissioned_partnership",
        "ModTest Learning Partnership",
        "https://www.example.org/learning",
        ["area_based_partnership", "headteacher_association"],
        version[0] + 1,
    )
    page = await anon.get(f"/areas/{code}")
    assert 'href="https://www.example.org/learning"' in page.text
    assert "Headteacher association" in page.text
    form = await anon.get("/suggest/landscape", params={"area": code})
    assert 'value="ModTest Learning Partnership"' in form.text
    assert (
        'value="headteacher_association" id="collaboration_forms-headteacher_association" checked'
        in form.text
    )


async def test_queue_filters_oldest_first_with_counts(
    anon: httpx.AsyncClient, alice: httpx.AsyncClient, db: psycopg.Connection[Any]
) -> None:
    record = make_partnership(db)
    older, _ = await submit(anon, new_body(unique()))
    newer, _ = await submit_amend(anon, record, summary="Queue test")
    queue = await alice.get("/moderate", params={"status": "pending"})
    assert queue.text.index(older) < queue.text.index(newer)
    assert re.search(r'data-count="pending">\d+<', queue.text)
    only_new = await alice.get("/moderate", params={"status": "pending", "kind": "new"})
    assert older in only_new.text and newer not in only_new.text
    hackney = await alice.get("/moderate", params={"status": "pending", "area": HACKNEY})
    assert older in hackney.text and newer not in hackney.text
    tower = await alice.get("/moderate", params={"status": "pending", "area": TOWER_HAMLETS})
    assert newer in tower.text and older not in tower.text
    rejected = await alice.get("/moderate", params={"status": "rejected"})
    assert older not in rejected.text


async def test_feed_of_approved_changes(
    anon: httpx.AsyncClient, alice: httpx.AsyncClient, db: psycopg.Connection[Any]
) -> None:
    record = make_partnership(db)
    name = f"ModTest {XSS} {uuid.uuid4().hex[:6]}"
    reference, _ = await submit_amend(anon, record, name=name, themes=["maths"])
    assert (await act(alice, reference, "approve")).status_code == 303
    feed = await anon.get("/feeds/changes.atom")
    assert feed.status_code == 200 and feed.headers["content-type"].startswith(
        "application/atom+xml"
    )
    assert feed.headers["etag"]
    assert (
        await anon.get("/feeds/changes.atom", headers={"if-none-match": feed.headers["etag"]})
    ).status_code == 304
    assert b"<script>" not in feed.content and b"<img src" not in feed.content
    root = ET.fromstring(feed.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    titles = [e.findtext("a:title", namespaces=ns) for e in root.findall("a:entry", ns)]
    assert f"{name}: corrected from a suggestion" in titles
    entry = next(
        e
        for e in root.findall("a:entry", ns)
        if e.findtext("a:title", namespaces=ns).startswith(name)
    )
    summary = entry.findtext("a:summary", namespaces=ns) or ""
    assert "Themes added: Maths" in summary and "Themes removed" in summary
    assert "seed import" not in feed.text
    for params, present in (
        ({"area": TOWER_HAMLETS}, True),
        ({"area": "E12000007"}, True),  # London contains Tower Hamlets
        ({"area": BIRMINGHAM}, False),
        ({"theme": "maths"}, True),
        ({"theme": "early_years"}, False),
    ):
        r = await anon.get("/feeds/changes.atom", params=params)
        assert r.status_code == 200
        titles = [
            e.findtext("a:title", namespaces=ns)
            for e in ET.fromstring(r.content).findall("a:entry", ns)
        ]
        assert (f"{name}: corrected from a suggestion" in titles) is present, params
    assert (await anon.get("/feeds/changes.atom", params={"area": "E99999999"})).status_code == 404
    assert (await anon.get("/feeds/changes.atom", params={"theme": "nonsense"})).status_code == 404


async def test_html_in_submissions_is_inert_for_moderators(
    anon: httpx.AsyncClient, alice: httpx.AsyncClient, db: psycopg.Connection[Any]
) -> None:
    body = new_body(
        f"ModTest {XSS}",
        summary=XSS,
        lead_organisation=XSS,
        members=[{"member_type": "other", "name": XSS}],
    )
    body["submitter"] = {
        "name": XSS,
        "email": "xss@modtest.example",
        "organisation": XSS,
        "role": XSS,
    }
    body["evidence"] = XSS
    reference, status_url = await submit(anon, body)
    pages = [
        await alice.get("/moderate"),
        await alice.get(f"/moderate/submissions/{reference}"),
        await alice.get(f"/moderate/submissions/{reference}/edit"),
    ]
    assert (await act(alice, reference, "approve")).status_code == 303
    slug = db.execute(
        "SELECT p.slug FROM partnership p JOIN submission s ON s.partnership_id = p.id WHERE s.reference = %s",
        (reference,),
    ).fetchone()[0]  # type: ignore[index]
    pages += [
        await anon.get(status_url),
        await anon.get(f"/partnerships/{slug}/history"),
        await anon.get(f"/partnerships/{slug}"),
    ]
    for page in pages:
        assert page.status_code == 200, page.url
        assert "<script>alert" not in page.text and "<img src=x" not in page.text, page.url
    assert "&lt;script&gt;" in pages[1].text


def dated_record(conn: psycopg.Connection[Any]) -> dict[str, Any]:
    """A record whose content carries a 2019 source and a register check date, as version 1."""
    return make_partnership(conn, dated=True)


def provenance_of(conn: psycopg.Connection[Any], pid: int) -> tuple[Any, ...]:
    row = conn.execute(
        "SELECT source_date, checked_on::text, last_verified, verified_by_id, moderated_at,"
        " currency FROM partnership WHERE id = %s",
        (pid,),
    ).fetchone()
    assert row is not None
    return tuple(row)


async def test_approval_records_who_verified_and_revert_restores_the_content_dates(
    anon: httpx.AsyncClient, alice: httpx.AsyncClient, db: psycopg.Connection[Any]
) -> None:
    record = dated_record(db)
    source, checked, verified, by, moderated, currency = provenance_of(db, record["id"])
    assert (source, checked, verified, by, moderated) == (
        "2019-03-01",
        "2026-11-23",
        None,
        None,
        None,
    )
    assert currency == "unconfirmed"
    page = await anon.get(f"/partnerships/{record['slug']}")
    assert "source dated 2019-03-01" in page.text and "checked 23 November 2026" in page.text
    assert (
        "Unconfirmed since 2019" in page.text and "updated by a moderated change" not in page.text
    )

    reference, _ = await submit_amend(anon, record, summary="Corrected summary")
    assert (await act(alice, reference, "approve")).status_code == 303
    alice_id = db.execute(
        "SELECT moderator_id FROM submission WHERE reference = %s", (reference,)
    ).fetchone()[0]  # type: ignore[index]
    _, _, verified, by, moderated, currency = provenance_of(db, record["id"])
    assert verified == dt.date.today() and by == alice_id and moderated is not None
    assert currency == "current"
    page = await anon.get(f"/partnerships/{record['slug']}")
    assert "Verified by a moderator" in page.text and "updated by a moderated change" in page.text

    history = await alice.get(f"/partnerships/{record['slug']}/history")
    r = await alice.post(
        f"/moderate/partnerships/{record['slug']}/revert",
        data={"csrf_token": token_of(history.text), "to_version": "1", "expected_version": "2"},
    )
    assert r.status_code == 303
    source, checked, verified, by, _, currency = provenance_of(db, record["id"])
    # The 2019 content comes back with its own dates, not "verified today".
    assert (source, checked, verified, by, currency) == (
        "2019-03-01",
        "2026-11-23",
        None,
        None,
        "unconfirmed",
    )


async def test_a_moderator_confirms_a_record_is_still_running_in_one_step(
    anon: httpx.AsyncClient, alice: httpx.AsyncClient, db: psycopg.Connection[Any]
) -> None:
    record = dated_record(db)
    public = await anon.get(f"/partnerships/{record['slug']}/history")
    assert "Confirm still running" not in public.text
    history = await alice.get(f"/partnerships/{record['slug']}/history")
    assert "Confirm still running" in history.text
    token = token_of(history.text)
    missing_note = await alice.post(
        f"/moderate/partnerships/{record['slug']}/confirm",
        data={"csrf_token": token, "expected_version": "1", "note": " "},
    )
    assert missing_note.status_code == 422
    r = await alice.post(
        f"/moderate/partnerships/{record['slug']}/confirm",
        data={"csrf_token": token, "expected_version": "1", "note": "Spoke to the coordinator"},
    )
    assert r.status_code == 303 and r.headers["location"].endswith("confirmed=1")
    source, checked, verified, by, moderated, currency = provenance_of(db, record["id"])
    assert source == "2019-03-01"  # the source is unchanged; the check is new
    assert checked == dt.date.today().isoformat() and verified == dt.date.today()
    assert by is not None and moderated is not None and currency == "current"
    change = db.execute(
        "SELECT change FROM revision WHERE partnership_id = %s AND version = 2", (record["id"],)
    ).fetchone()
    assert change == ("confirmed still running: Spoke to the coordinator",)
    page = await anon.get(f"/partnerships/{record['slug']}")
    assert "Spoke to the coordinator" in page.text and ">Current<" in page.text
    stale = await alice.post(
        f"/moderate/partnerships/{record['slug']}/confirm",
        data={"csrf_token": token, "expected_version": "1", "note": "Again"},
    )
    assert stale.headers["location"].endswith("error=stale")
