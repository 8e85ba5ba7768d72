"""Data access for places: postcodes, outcodes, sectors and name search."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.queries import sql, typed_one, typed_rows


@dataclass(frozen=True, slots=True)
class PostcodePoint:
    """A unit postcode's point in British National Grid metres and in WGS84 degrees."""

    postcode: str
    x: float
    y: float
    lon: float
    lat: float


@dataclass(frozen=True, slots=True)
class NameMatch:
    """An area, partnership, trust or school whose name matches a search, with its score."""

    type: str
    id: str
    name: str
    detail: str | None
    score: float


@dataclass(frozen=True, slots=True)
class OutcodePoint:
    """A postcode district's centroid, its post town and how many live postcodes it has."""

    outcode: str
    town: str | None
    postcode_count: int
    x: float
    y: float
    lon: float
    lat: float


@dataclass(frozen=True, slots=True)
class CentrePoint:
    """The centre of several postcodes: an old outcode's districts (``members``) or a sector's
    live postcodes (``postcodes``, their number)."""

    x: float
    y: float
    lon: float
    lat: float
    members: str | None = None
    postcodes: int | None = None


async def postcode_point(session: AsyncSession, postcode: str) -> PostcodePoint | None:
    """A unit postcode's point in both reference systems."""
    return await typed_one(
        session,
        PostcodePoint,
        "SELECT postcode, ST_X(geom_bng) AS x, ST_Y(geom_bng) AS y,"
        " ST_X(ST_Transform(geom_bng, 4326)) AS lon, ST_Y(ST_Transform(geom_bng, 4326)) AS lat"
        " FROM postcode WHERE postcode = :pc",
        pc=postcode,
    )


async def outcode_point(session: AsyncSession, outcode: str) -> OutcodePoint | None:
    """A postcode district's centroid."""
    return await typed_one(
        session,
        OutcodePoint,
        "SELECT outcode, town, postcode_count, ST_X(geom_bng) AS x, ST_Y(geom_bng) AS y,"
        " ST_X(geom) AS lon, ST_Y(geom) AS lat FROM outcode WHERE outcode = :oc",
        oc=outcode,
    )


async def outcode_group_point(session: AsyncSession, prefix: str) -> CentrePoint | None:
    """The centre of the districts an old outcode was split into ('EC1' -> EC1A, EC1M…)."""
    return await typed_one(
        session,
        CentrePoint,
        """
        WITH parts AS (
            SELECT outcode, postcode_count, geom_bng FROM outcode
            WHERE outcode ~ ('^' || :prefix || '[A-Z]$')
        ), centre AS (
            SELECT ST_SetSRID(ST_MakePoint(
                       sum(ST_X(geom_bng) * postcode_count) / sum(postcode_count),
                       sum(ST_Y(geom_bng) * postcode_count) / sum(postcode_count)), 27700) AS p,
                   string_agg(outcode, ', ' ORDER BY outcode) AS members
            FROM parts HAVING count(*) > 0
        )
        SELECT members, ST_X(p) AS x, ST_Y(p) AS y,
               ST_X(ST_Transform(p, 4326)) AS lon, ST_Y(ST_Transform(p, 4326)) AS lat
        FROM centre
        """,
        prefix=prefix,
    )


async def sector_point(session: AsyncSession, sector: str) -> CentrePoint | None:
    """The centre of a postcode sector's live postcodes ('SW1A 1')."""
    upper = sector[:-1] + chr(ord(sector[-1]) + 1)
    return await typed_one(
        session,
        CentrePoint,
        """
        SELECT count(*) AS postcodes, avg(ST_X(geom_bng)) AS x, avg(ST_Y(geom_bng)) AS y,
               ST_X(ST_Transform(ST_SetSRID(ST_MakePoint(avg(ST_X(geom_bng)), avg(ST_Y(geom_bng))), 27700), 4326)) AS lon,
               ST_Y(ST_Transform(ST_SetSRID(ST_MakePoint(avg(ST_X(geom_bng)), avg(ST_Y(geom_bng))), 27700), 4326)) AS lat
        FROM postcode
        WHERE postcode >= :low AND postcode < :high AND postcode LIKE :pattern
        HAVING count(*) > 0
        """,
        low=sector,
        high=upper,
        pattern=sector + "%",
    )


async def search_names(session: AsyncSession, q: str, limit: int) -> list[NameMatch]:
    """Areas, partnerships, trusts and schools whose names match, best first."""
    return await typed_rows(session, NameMatch, sql("search_names"), q=q, limit=limit)
