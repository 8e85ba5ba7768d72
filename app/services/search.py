"""Search: guess what was typed from its shape (as GIAS does), then find it.

A full postcode, an outcode, a URN (6 digits), a LAESTAB (7 digits, or 3/4 with a slash), a GSS
code or a trust UID goes straight to its place; anything else is looked up by name across areas,
partnerships, trusts and schools.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from app.codes import GSS_CODE
from app.errors import InvalidInput
from app.postcodes import normalise_outcode, normalise_postcode, normalise_sector
from app.queries import areas as area_q
from app.queries import places as place_q
from app.queries import schools as school_q

MAX_QUERY_LENGTH = 100
GSS = re.compile(GSS_CODE.pattern, re.IGNORECASE)
URN = re.compile(r"^\d{6}$")
LAESTAB = re.compile(r"^(\d{3})\s*/?\s*(\d{4})$")
UID = re.compile(r"^\d{1,5}$")


@dataclass(frozen=True)
class Hit:
    """One search result: what it is, its identifier, its name and a line of detail."""

    type: str
    id: str
    name: str
    detail: str
    url: str


@dataclass
class SearchResult:
    """Either a single place to go to (``redirect``) or candidates to choose from."""

    query: str
    guess: str
    redirect: str | None = None
    hits: list[Hit] = field(default_factory=list)


def url_for(kind: str, ident: str) -> str:
    """The page of a search hit."""
    return {
        "area": f"/areas/{ident}",
        "partnership": f"/partnerships/{ident}",
        "trust": f"/trusts/{ident}",
        "school": f"/schools/{ident}",
        "postcode": f"/near?postcode={ident.replace(' ', '+')}",
        "outcode": f"/near?postcode={ident}",
    }[kind]


def clean_query(q: str) -> str:
    """Trim and validate the text typed."""
    q = " ".join(q.split())
    if not q:
        raise InvalidInput("Type a postcode, school name or URN, area, partnership or trust.")
    if len(q) > MAX_QUERY_LENGTH:
        raise InvalidInput(f"Search text is too long (at most {MAX_QUERY_LENGTH} characters).")
    return q


def guess_identifier(q: str) -> tuple[str, str] | None:
    """What an identifier-shaped query is: ('postcode', 'SW1A 1AA'), ('urn', '100000')…"""
    if postcode := normalise_postcode(q):
        return "postcode", postcode
    if GSS.match(q):
        return "gss", q.upper()
    if URN.match(q):
        return "urn", q
    if m := LAESTAB.match(q):
        return "laestab", m.group(1) + m.group(2)
    if outcode := normalise_outcode(q):
        return "outcode", outcode
    if sector := normalise_sector(q):
        return "sector", sector
    if UID.match(q):
        return "uid", q
    return None


async def search(session: AsyncSession, raw: str, limit: int = 10) -> SearchResult:
    """Resolve an identifier directly, else return name matches (a single exact match redirects)."""
    q = clean_query(raw)
    guess = guess_identifier(q)
    if guess:
        kind, value = guess
        result = await _resolve_identifier(session, q, kind, value)
        if result:
            return result
    if len(q) < 2:
        return SearchResult(q, "name")
    found = await place_q.search_names(session, q, limit)
    hits = [Hit(r.type, r.id, r.name, r.detail or "", url_for(r.type, r.id)) for r in found]
    return SearchResult(q, "name", hits=hits)


async def _resolve_identifier(
    session: AsyncSession, q: str, kind: str, value: str
) -> SearchResult | None:
    if kind == "postcode":
        if await place_q.postcode_point(session, value):
            return SearchResult(q, kind, redirect=url_for("postcode", value))
        return SearchResult(q, kind)
    if kind == "outcode":
        if await place_q.outcode_point(session, value) or await place_q.outcode_group_point(
            session, value
        ):
            return SearchResult(q, kind, redirect=url_for("outcode", value))
        return None  # an outcode-shaped word that is no district: fall back to names
    if kind == "sector":
        if await place_q.sector_point(session, value):
            return SearchResult(q, kind, redirect=url_for("postcode", value))
        return SearchResult(q, kind)
    if kind == "gss":
        if await area_q.area(session, value):
            return SearchResult(q, kind, redirect=url_for("area", value))
        return SearchResult(q, kind)
    if kind == "urn":
        if await school_q.school(session, int(value)):
            return SearchResult(q, kind, redirect=url_for("school", value))
        return SearchResult(q, kind)
    if kind == "laestab":
        urn = await school_q.school_by_laestab(session, int(value))
        if urn is not None:
            return SearchResult(q, kind, redirect=url_for("school", str(urn)))
        return SearchResult(q, kind)
    if kind == "uid" and await school_q.trust(session, int(value)):
        return SearchResult(q, kind, redirect=url_for("trust", value))
    return None
