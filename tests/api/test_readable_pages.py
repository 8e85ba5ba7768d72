"""Small things readers noticed: the sign-in page, duplicate suggestions and the glossary."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import psycopg
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import make_async_engine
from app.glossary import GLOSSARY
from app.services.submission_store import MAX_DUPLICATES, likely_duplicates
from app.settings import Settings

BIRMINGHAM = "E08000025"


@pytest.fixture()
async def session(database: str, settings: Settings) -> AsyncIterator[AsyncSession]:
    """A database session for calling services directly (reads only)."""
    engine = make_async_engine(settings)
    async with AsyncSession(engine) as s:
        yield s
    await engine.dispose()


def listed(html: str) -> list[str]:
    """The partnership slugs in the "Is it one of these?" list, in order."""
    block = html.split("data-duplicates", 1)[1].split("</ul>", 1)[0]
    return re.findall(r'<h3><a href="/partnerships/([^"]+)">', block)


async def test_a_fresh_sign_in_page_has_no_error_box(client: httpx.AsyncClient) -> None:
    fresh = await client.get("/moderate/login")
    assert fresh.status_code == 200
    assert "error-summary" not in fresh.text
    # Sent to sign in from a moderation page: told why, still without an error box.
    sent = await client.get("/moderate")
    assert sent.status_code == 401
    assert "error-summary" not in sent.text and "Error:" not in sent.text
    assert "Sign in as a moderator to see this page." in sent.text
    # A wrong password is an error.
    wrong = await client.post(
        "/moderate/login", data={"email": "nobody@example.org", "password": "x"}
    )
    assert "error-summary" in wrong.text


async def test_duplicates_rank_the_same_name_and_area_first_and_are_capped(
    client: httpx.AsyncClient, conn: psycopg.Connection[Any]
) -> None:
    serving = conn.execute(
        "SELECT count(DISTINCT partnership_id) FROM partnership_coverage WHERE area_code = %s",
        (BIRMINGHAM,),
    ).fetchone()
    assert serving is not None and serving[0] > MAX_DUPLICATES
    page = await client.get(
        "/suggest",
        params={"name": "Birmingham Education Partnership", "area": BIRMINGHAM, "check": "1"},
    )
    slugs = listed(page.text)
    bep = conn.execute(
        "SELECT slug FROM partnership WHERE name = 'Birmingham Education Partnership (BEP)'"
    ).fetchone()
    assert bep is not None and slugs[0] == bep[0]
    assert len(slugs) <= MAX_DUPLICATES
    # Only an area: the partnerships serving it, no more than the cap.
    by_area = listed((await client.get("/suggest", params={"area": BIRMINGHAM, "check": "1"})).text)
    assert len(by_area) == MAX_DUPLICATES


async def test_generic_words_alone_do_not_make_a_duplicate(
    session: AsyncSession, conn: psycopg.Connection[Any]
) -> None:
    # "Schools partnership" names abound; another town's is not a duplicate of this one.
    others = conn.execute(
        "SELECT name FROM partnership WHERE name ILIKE '%schools partnership%'"
    ).fetchall()
    assert len(others) >= 2
    found = await likely_duplicates(session, "Zennor Schools Partnership", None, None)
    assert found == []
    typo = await likely_duplicates(session, "Birmingham Educaton Partnership", None, None)
    assert typo and typo[0]["name"] == "Birmingham Education Partnership (BEP)"


async def test_the_same_website_is_a_likely_duplicate(
    session: AsyncSession, conn: psycopg.Connection[Any]
) -> None:
    row = conn.execute(
        "SELECT name, website FROM partnership WHERE name = 'Birmingham Education Partnership (BEP)'"
    ).fetchone()
    assert row is not None and row[1]
    name, website = row
    host = re.sub(r"^https?://(www\.)?", "", website).rstrip("/")
    found = await likely_duplicates(session, "Brum Ed", None, None, f"https://www.{host}/")
    assert [d["name"] for d in found][:1] == [name]
    assert found[0]["same_website"] is True


async def test_about_lists_the_glossary_and_pages_carry_it(client: httpx.AsyncClient) -> None:
    about = (await client.get("/about")).text
    for term in ("EIA", "PEIA", "TSH", "LCEP"):
        assert f'id="glossary-{term.lower()}"' in about
        assert GLOSSARY[term] in about
    home = (await client.get("/")).text
    assert 'id="glossary-terms"' in home and "Local Cultural Education Partnership" in home
