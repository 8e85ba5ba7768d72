"""Data access for the public pages and API: runs SQL, returns rows or finished bytes.

Hot read paths live in ``app/queries/sql/*.sql`` (each with a header saying what it does and which index
it relies on); short lookups are written here. No FastAPI here, and no policy: services decide.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import RowMapping, TextClause, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.codes import ENGLAND

SQL_DIR = Path(__file__).parent / "sql"


@cache
def sql(name: str) -> TextClause:
    """The named query from ``app/queries/sql/<name>.sql``, parsed once."""
    return text((SQL_DIR / f"{name}.sql").read_text())


async def rows(session: AsyncSession, query: TextClause | str, **params: Any) -> list[RowMapping]:
    """Every row as a mapping."""
    stmt = text(query) if isinstance(query, str) else query
    return list((await session.execute(stmt, params)).mappings().all())


async def one(session: AsyncSession, query: TextClause | str, **params: Any) -> RowMapping | None:
    """The first row, or None."""
    stmt = text(query) if isinstance(query, str) else query
    return (await session.execute(stmt, params)).mappings().first()


async def scalar(session: AsyncSession, query: TextClause | str, **params: Any) -> Any:
    """The first column of the first row."""
    stmt = text(query) if isinstance(query, str) else query
    return (await session.execute(stmt, params)).scalar()


# Areas -------------------------------------------------------------------------------------


async def area_layer(session: AsyncSession, level: str, band: int, digits: int) -> bytes:
    """A level's areas as a GeoJSON FeatureCollection, assembled in PostGIS."""
    body = await scalar(session, sql("area_layer"), level=level, band=band, digits=digits)
    return str(body).encode()


async def area(session: AsyncSession, code: str) -> RowMapping | None:
    """One area with its parents' names."""
    return await one(
        session,
        """
        SELECT a.code, a.name, a.level, a.la_number, a.is_mayoral, a.is_district, a.area_km2,
               a.parent_code, p.name AS parent_name,
               a.combined_authority_code, ca.name AS combined_authority_name,
               ca.is_mayoral AS combined_authority_is_mayoral,
               a.region_code, r.name AS region_name,
               ST_X(a.centroid) AS lon, ST_Y(a.centroid) AS lat,
               ST_XMin(a.geom) AS xmin, ST_YMin(a.geom) AS ymin,
               ST_XMax(a.geom) AS xmax, ST_YMax(a.geom) AS ymax,
               d.source AS boundary_source, d.vintage AS boundary_vintage
        FROM area a
        LEFT JOIN area p ON p.code = a.parent_code
        LEFT JOIN area ca ON ca.code = a.combined_authority_code
        LEFT JOIN area r ON r.code = a.region_code
        LEFT JOIN dataset d ON d.id = a.dataset_id
        WHERE a.code = :code
        """,
        code=code,
    )


async def area_list(session: AsyncSession, level: str) -> list[RowMapping]:
    """Every area of a level, by name, with its region."""
    return await rows(
        session,
        """
        SELECT a.code, a.name, a.level, a.la_number, a.is_mayoral, r.name AS region_name
        FROM area a LEFT JOIN area r ON r.code = a.region_code
        WHERE a.level = :level ORDER BY a.name
        """,
        level=level,
    )


async def child_areas(session: AsyncSession, code: str) -> list[RowMapping]:
    """The areas directly below an area: districts of a county, LAs of a CA or region."""
    return await rows(
        session,
        """
        SELECT code, name, level FROM area
        WHERE (parent_code = :code)
           OR (level = 'local_authority' AND (combined_authority_code = :code OR region_code = :code))
        ORDER BY name
        """,
        code=code,
    )


async def area_geojson(session: AsyncSession, code: str, band: int) -> bytes:
    """One area's boundary (generalised for ``band``) as a GeoJSON Feature."""
    body = await scalar(
        session,
        """
        SELECT ST_AsGeoJSON(f.*, 'geom', 5) FROM (
            SELECT a.code, a.name, a.level, coalesce(g.geom, a.geom) AS geom
            FROM area a LEFT JOIN area_generalised g ON g.area_code = a.code AND g.zoom_band = :band
            WHERE a.code = :code) f
        """,
        code=code,
        band=band,
    )
    return str(body).encode() if body else b""


async def area_counts(session: AsyncSession, **filters: Any) -> list[RowMapping]:
    """Filtered partnership counts per area of a level."""
    return await rows(session, sql("area_counts"), **filters)


async def areas_at_point(session: AsyncSession, lon: float, lat: float) -> list[RowMapping]:
    """The areas (one per level) containing a point."""
    return await rows(session, sql("areas_at_point"), lon=lon, lat=lat)


async def nearest_area(
    session: AsyncSession, lon: float, lat: float, level: str, max_m: float
) -> RowMapping | None:
    """The nearest area of a level within ``max_m`` metres."""
    return await one(session, sql("nearest_area"), lon=lon, lat=lat, level=level, max_m=max_m)


async def area_school_stats(session: AsyncSession, code: str, level: str) -> list[RowMapping]:
    """Schools in an area by phase: how many, how many academies, how many of those are in an
    academy trust (a multi- or single-academy trust: never a foundation trust or a sponsor, so
    never more than the academies), and how many academies' trusts are not recorded."""
    column = {"local_authority": "la_code", "district": "district_code"}.get(level)
    if column is None:  # combined authority, region or England: through the LA
        where = (
            "s.la_code IN (SELECT code FROM area WHERE level = 'local_authority'"
            " AND (combined_authority_code = :code OR region_code = :code OR :code = :england))"
        )
        if level == "combined_authority":
            where = (
                "s.district_code IN (SELECT code FROM area WHERE combined_authority_code = :code)"
                " OR s.la_code IN (SELECT code FROM area WHERE combined_authority_code = :code"
                " AND level = 'local_authority')"
            )
    else:
        where = f"s.{column} = :code"
    return await rows(
        session,
        f"""
        SELECT coalesce(s.phase, 'Not recorded') AS phase, count(*) AS schools,
               count(*) FILTER (WHERE s.is_academy AND t.group_type IN
                   ('Multi-academy trust', 'Single-academy trust', 'Secure single-academy trust'))
                   AS in_trust,
               count(*) FILTER (WHERE s.is_academy) AS academies,
               count(*) FILTER (WHERE s.is_academy AND s.trust_uid IS NULL) AS trust_unknown
        FROM school s LEFT JOIN trust t ON t.uid = s.trust_uid WHERE {where}
        GROUP BY 1 ORDER BY 2 DESC
        """,
        code=code,
        england=ENGLAND,
    )


async def area_trust_count(session: AsyncSession, code: str, level: str) -> int:
    """Distinct trusts with a school in an LA or district."""
    column = "district_code" if level == "district" else "la_code"
    return int(
        await scalar(
            session,
            f"SELECT count(DISTINCT trust_uid) FROM school WHERE {column} = :code",
            code=code,
        )
        or 0
    )


async def area_indicators(
    session: AsyncSession, code: str, region_code: str | None
) -> list[RowMapping]:
    """Each indicator's latest value for the area beside England's and the region's."""
    return await rows(
        session,
        """
        WITH latest AS (
            SELECT DISTINCT ON (ai.indicator_code) ai.indicator_code, ai.period, ai.value
            FROM area_indicator ai WHERE ai.area_code = :code
            ORDER BY ai.indicator_code, ai.period DESC
        )
        SELECT i.code, i.label, i.unit, i.polarity, i.source, i.topic, l.period, l.value,
               (SELECT value FROM area_indicator e WHERE e.area_code = :england
                  AND e.indicator_code = i.code AND e.period = l.period) AS england,
               (SELECT value FROM area_indicator r WHERE r.area_code = :region
                  AND r.indicator_code = i.code AND r.period = l.period) AS region
        FROM indicator i JOIN latest l ON l.indicator_code = i.code
        ORDER BY i.topic, i.label
        """,
        code=code,
        region=region_code,
        england=ENGLAND,
    )


async def indicator_values(session: AsyncSession, indicator: str) -> list[RowMapping]:
    """An indicator's latest value for every LA (for colouring the map)."""
    return await rows(
        session,
        """
        SELECT DISTINCT ON (ai.area_code) ai.area_code AS code, ai.value, ai.period
        FROM area_indicator ai JOIN area a ON a.code = ai.area_code
        WHERE ai.indicator_code = :indicator AND a.level = 'local_authority'
        ORDER BY ai.area_code, ai.period DESC
        """,
        indicator=indicator,
    )


async def indicator(session: AsyncSession, code: str) -> RowMapping | None:
    """One indicator's metadata."""
    return await one(
        session,
        "SELECT code, label, unit, polarity, source, period, topic FROM indicator WHERE code = :code",
        code=code,
    )


async def indicators(session: AsyncSession) -> list[RowMapping]:
    """Every indicator's metadata."""
    return await rows(
        session,
        "SELECT code, label, unit, polarity, source, period, topic, description,"
        " in_default_similarity FROM indicator ORDER BY topic, label",
    )


async def landscape(session: AsyncSession, code: str) -> RowMapping | None:
    """The local landscape of an area (register row or moderated change), with its provenance."""
    return await one(
        session,
        "SELECT body, council_role, provider_name, provider_url, collaboration_forms,"
        " source_url, source_title, source_date, confidence, checked_on, version, updated_at"
        " FROM area_landscape WHERE area_code = :code",
        code=code,
    )


async def dfe_neighbours(session: AsyncSession, code: str) -> list[RowMapping]:
    """An LA's DfE statistical neighbours in rank order."""
    return await rows(
        session,
        """
        SELECT n.rank, n.neighbour_code AS code, a.name, n.closeness
        FROM statistical_neighbour n JOIN area a ON a.code = n.neighbour_code
        WHERE n.area_code = :code ORDER BY n.rank
        """,
        code=code,
    )


# Partnerships ------------------------------------------------------------------------------


async def partnership_list(session: AsyncSession, **filters: Any) -> list[RowMapping]:
    """Partnerships after filters, with a display point."""
    return await rows(session, sql("partnership_list"), **filters)


async def partnership(session: AsyncSession, slug: str) -> RowMapping | None:
    """One partnership with its kind's label."""
    return await one(
        session,
        """
        SELECT p.*, k.label AS kind_label, k.is_national, k.description AS kind_description,
               k.network_size, k.network_size_approx, k.network_size_source,
               (SELECT count(*) FROM partnership o
                 WHERE o.kind = p.kind AND o.currency <> 'ended') AS network_recorded,
               (SELECT count(*) FROM partnership o
                 WHERE o.kind = p.kind AND o.currency = 'current') AS network_current,
               CAST(substring(COALESCE(NULLIF(p.status_evidence_date, ''), p.source_date)
                              FROM '^([0-9]{4})') AS integer) AS evidence_year,
               d.source AS dataset_source, d.vintage AS dataset_vintage
        FROM partnership p
        JOIN partnership_kind k ON k.code = p.kind
        LEFT JOIN dataset d ON d.id = p.dataset_id
        WHERE p.slug = :slug
        """,
        slug=slug,
    )


async def partnership_themes(session: AsyncSession, partnership_id: int) -> list[RowMapping]:
    """A partnership's themes with labels."""
    return await rows(
        session,
        "SELECT t.code, t.label FROM partnership_theme pt JOIN theme t ON t.code = pt.theme_code"
        " WHERE pt.partnership_id = :id ORDER BY t.label",
        id=partnership_id,
    )


async def partnership_areas(session: AsyncSession, partnership_id: int) -> list[RowMapping]:
    """The areas a partnership names, in the source's order, with the note ('part')."""
    return await rows(
        session,
        "SELECT a.code, a.name, a.level, pa.note, pa.whole FROM partnership_area pa"
        " JOIN area a ON a.code = pa.area_code WHERE pa.partnership_id = :id ORDER BY pa.position",
        id=partnership_id,
    )


async def partnership_areas_geojson(session: AsyncSession, partnership_id: int) -> bytes:
    """The areas a partnership serves as a GeoJSON FeatureCollection (band 10)."""
    body = await scalar(
        session,
        """
        SELECT '{"type":"FeatureCollection","features":['
               || coalesce(string_agg(ST_AsGeoJSON(f.*, 'geom', 5), ','), '') || ']}'
        FROM (SELECT a.code, a.name, coalesce(g.geom, a.geom) AS geom
              FROM partnership_area pa JOIN area a ON a.code = pa.area_code
              LEFT JOIN area_generalised g ON g.area_code = a.code AND g.zoom_band = 10
              WHERE pa.partnership_id = :id) f
        """,
        id=partnership_id,
    )
    return str(body).encode()


async def partnership_members(session: AsyncSession, partnership_id: int) -> list[RowMapping]:
    """A partnership's members, current first."""
    return await rows(
        session,
        """
        SELECT m.member_type, m.name, m.urn, m.trust_uid, m.area_code, m.role, m.joined_on,
               m.left_on, s.name AS school_current_name, t.name AS trust_current_name
        FROM partnership_member m
        LEFT JOIN school s ON s.urn = m.urn
        LEFT JOIN trust t ON t.uid = m.trust_uid
        WHERE m.partnership_id = :id
        ORDER BY m.left_on IS NOT NULL, m.member_type, m.name
        """,
        id=partnership_id,
    )


async def partnership_trusts(session: AsyncSession, partnership_id: int) -> list[RowMapping]:
    """Academy trusts a partnership involves, and how that is known."""
    return await rows(
        session,
        "SELECT l.trust_uid AS uid, t.name, string_agg(DISTINCT l.via, '; ') AS via"
        " FROM partnership_trust_link l JOIN trust t ON t.uid = l.trust_uid"
        " WHERE l.partnership_id = :id GROUP BY l.trust_uid, t.name ORDER BY t.name",
        id=partnership_id,
    )


async def partnerships_for_trust_schools(
    session: AsyncSession, trust_uid: int, exclude_urn: int | None = None
) -> list[RowMapping]:
    """Partnerships the trust itself or its schools belong to, with the schools involved."""
    return await rows(
        session,
        """
        SELECT p.slug, p.name, k.label AS kind_label, k.is_national, p.status,
               string_agg(DISTINCT coalesce(s.name, 'the trust itself'), '; ') AS via
        FROM partnership_member m
        JOIN partnership p ON p.id = m.partnership_id
        JOIN partnership_kind k ON k.code = p.kind
        LEFT JOIN school s ON s.urn = m.urn
        WHERE m.left_on IS NULL
          AND ((m.member_type = 'trust' AND m.trust_uid = :uid)
               OR (m.member_type = 'school' AND s.trust_uid = :uid
                   AND s.urn IS DISTINCT FROM CAST(:exclude AS integer)))
        GROUP BY p.id, k.label, k.is_national
        ORDER BY p.name
        """,
        uid=trust_uid,
        exclude=exclude_urn,
    )


async def partnerships_near_members(
    session: AsyncSession, x: float, y: float, radius_m: float, limit: int
) -> list[RowMapping]:
    """Partnerships with a member school near a point."""
    return await rows(
        session, sql("partnerships_near_members"), x=x, y=y, radius_m=radius_m, limit=limit
    )


# Schools and trusts ------------------------------------------------------------------------


async def schools_in_bbox(
    session: AsyncSession, xmin: float, ymin: float, xmax: float, ymax: float, limit: int
) -> bytes:
    """Schools in a box as GeoJSON, at most ``limit``."""
    body = await scalar(
        session, sql("schools_in_bbox"), xmin=xmin, ymin=ymin, xmax=xmax, ymax=ymax, limit=limit
    )
    return str(body).encode()


async def trusts_in_bbox(
    session: AsyncSession, xmin: float, ymin: float, xmax: float, ymax: float, limit: int
) -> bytes:
    """Open academy trusts' head offices in a box as GeoJSON, at most ``limit``."""
    body = await scalar(
        session, sql("trusts_in_bbox"), xmin=xmin, ymin=ymin, xmax=xmax, ymax=ymax, limit=limit
    )
    return str(body).encode()


async def school(session: AsyncSession, urn: int) -> RowMapping | None:
    """One school with its areas and trust."""
    return await one(
        session,
        """
        SELECT s.urn, s.name, s.laestab, s.town, s.postcode, s.open_date, s.phase, s.school_type,
               s.status, s.is_academy, s.fsm_pct, s.pupils, s.predecessor_urn, s.provenance,
               s.la_code, la.name AS la_name, s.district_code, d.name AS district_name,
               la.combined_authority_code, ca.name AS combined_authority_name,
               la.region_code, r.name AS region_name,
               s.trust_uid, t.name AS trust_name, t.group_type AS trust_type,
               ST_X(s.geom) AS lon, ST_Y(s.geom) AS lat, ST_X(s.geom_bng) AS x, ST_Y(s.geom_bng) AS y
        FROM school s
        LEFT JOIN area la ON la.code = s.la_code
        LEFT JOIN area d ON d.code = s.district_code
        LEFT JOIN area ca ON ca.code = la.combined_authority_code
        LEFT JOIN area r ON r.code = la.region_code
        LEFT JOIN trust t ON t.uid = s.trust_uid
        WHERE s.urn = :urn
        """,
        urn=urn,
    )


async def school_by_laestab(session: AsyncSession, laestab: int) -> RowMapping | None:
    """The school with this LA-establishment number."""
    return await one(session, "SELECT urn FROM school WHERE laestab = :n LIMIT 1", n=laestab)


async def school_partnerships(session: AsyncSession, urn: int) -> list[RowMapping]:
    """Partnerships a school is a listed member of."""
    return await rows(
        session,
        """
        SELECT p.slug, p.name, k.label AS kind_label, k.is_national, p.status, p.currency,
               CAST(substring(COALESCE(NULLIF(p.status_evidence_date, ''), p.source_date)
                              FROM '^([0-9]{4})') AS integer) AS evidence_year,
               m.role, m.joined_on, m.left_on
        FROM partnership_member m
        JOIN partnership p ON p.id = m.partnership_id
        JOIN partnership_kind k ON k.code = p.kind
        WHERE m.member_type = 'school' AND m.urn = :urn
        ORDER BY m.left_on IS NOT NULL, p.name
        """,
        urn=urn,
    )


async def trust(session: AsyncSession, uid: int) -> RowMapping | None:
    """One trust with its head-office area."""
    return await one(
        session,
        """
        SELECT t.uid, t.group_id, t.name, t.group_type, t.status, t.companies_house_number,
               t.ukprn, t.open_date, t.closed_date, t.town, t.postcode, t.la_code,
               la.name AS la_name, ST_X(t.geom) AS lon, ST_Y(t.geom) AS lat,
               d.source AS dataset_source, d.vintage AS dataset_vintage
        FROM trust t
        LEFT JOIN area la ON la.code = t.la_code
        LEFT JOIN dataset d ON d.id = t.dataset_id
        WHERE t.uid = :uid
        """,
        uid=uid,
    )


async def trust_schools(session: AsyncSession, uid: int) -> list[RowMapping]:
    """A trust's schools with their locations."""
    return await rows(
        session,
        """
        SELECT s.urn, s.name, s.phase, s.town, s.la_code, la.name AS la_name,
               ST_X(s.geom) AS lon, ST_Y(s.geom) AS lat
        FROM school s LEFT JOIN area la ON la.code = s.la_code
        WHERE s.trust_uid = :uid ORDER BY s.name
        """,
        uid=uid,
    )


async def nearest_schools(
    session: AsyncSession, x: float, y: float, limit: int, exclude_urn: int | None = None
) -> list[RowMapping]:
    """The schools nearest a British National Grid point."""
    return await rows(
        session, sql("nearest_schools"), x=x, y=y, limit=limit, exclude_urn=exclude_urn
    )


# Places ------------------------------------------------------------------------------------


async def postcode_point(session: AsyncSession, postcode: str) -> RowMapping | None:
    """A unit postcode's point in both reference systems."""
    return await one(
        session,
        "SELECT postcode, ST_X(geom_bng) AS x, ST_Y(geom_bng) AS y,"
        " ST_X(ST_Transform(geom_bng, 4326)) AS lon, ST_Y(ST_Transform(geom_bng, 4326)) AS lat"
        " FROM postcode WHERE postcode = :pc",
        pc=postcode,
    )


async def outcode_point(session: AsyncSession, outcode: str) -> RowMapping | None:
    """A postcode district's centroid."""
    return await one(
        session,
        "SELECT outcode, town, postcode_count, ST_X(geom_bng) AS x, ST_Y(geom_bng) AS y,"
        " ST_X(geom) AS lon, ST_Y(geom) AS lat FROM outcode WHERE outcode = :oc",
        oc=outcode,
    )


async def outcode_group_point(session: AsyncSession, prefix: str) -> RowMapping | None:
    """The centre of the districts an old outcode was split into ('EC1' -> EC1A, EC1M…)."""
    return await one(
        session,
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


async def sector_point(session: AsyncSession, sector: str) -> RowMapping | None:
    """The centre of a postcode sector's live postcodes ('SW1A 1')."""
    upper = sector[:-1] + chr(ord(sector[-1]) + 1)
    return await one(
        session,
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


async def to_bng(session: AsyncSession, lon: float, lat: float) -> tuple[float, float]:
    """A WGS84 point in British National Grid metres."""
    row = await one(
        session,
        "SELECT ST_X(p) AS x, ST_Y(p) AS y FROM"
        " ST_Transform(ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), 27700) AS p",
        lon=lon,
        lat=lat,
    )
    assert row is not None
    return float(row["x"]), float(row["y"])


async def search_names(session: AsyncSession, q: str, limit: int) -> list[RowMapping]:
    """Areas, partnerships, trusts and schools whose names match, best first."""
    return await rows(session, sql("search_names"), q=q, limit=limit)


# Provenance --------------------------------------------------------------------------------


async def datasets(session: AsyncSession) -> list[RowMapping]:
    """The newest import of each source, for the About page."""
    return await rows(
        session,
        """
        SELECT DISTINCT ON (name) name, source, vintage, licence, row_count, imported_at, id
        FROM dataset WHERE name <> 'moderation' ORDER BY name, id DESC
        """,
    )


async def coverage(session: AsyncSession) -> list[RowMapping]:
    """Per LA: schools, schools listed as partnership members, schools in a served area."""
    return await rows(session, sql("coverage"))


async def trust_schools_geojson(session: AsyncSession, uid: int) -> bytes:
    """A trust's schools as a GeoJSON FeatureCollection of points."""
    body = await scalar(
        session,
        """
        SELECT '{"type":"FeatureCollection","features":['
               || coalesce(string_agg(ST_AsGeoJSON(f.*, 'geom', 5), ','), '') || ']}'
        FROM (SELECT urn, name, phase, geom FROM school
              WHERE trust_uid = :uid AND geom IS NOT NULL ORDER BY urn) f
        """,
        uid=uid,
    )
    return str(body).encode()
