"""Areas: the map layers (cached per data version), filtered counts, and the area profile."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from app.cache import Payload, PayloadCache
from app.errors import InvalidInput, NotFound
from app.queries import areas as area_q
from app.queries import indicators as indicator_q
from app.queries import provenance as provenance_q
from app.services.partnerships import Filters, listing
from app.services.payloads import GEOJSON, cached
from app.services.versions import BOUNDARIES, STATISTICS

LEVELS = ("region", "combined_authority", "local_authority", "district")
LEVEL_LABELS = {
    "country": "Country",
    "region": "Region",
    "combined_authority": "Combined authority",
    "local_authority": "Local authority",
    "district": "District",
}
# Up to zoom -> (stored generalisation band, decimal places in the GeoJSON); band 10 beyond.
# Three decimals (about 110 m north to south) are finer than a pixel up to zoom 8 (about 380 m
# in England); five are beyond, for single boundaries drawn close.
ZOOM_BANDS = ((6, 6, 3), (8, 8, 3), (10, 10, 5))
# The most detailed band of each level's national layer, so each stays under 75 KB gzipped:
# LAs 69 KB at band 8 (band 10, at five decimals, over 140 KB), districts 40 KB at band 6 (100 KB
# at band 8), combined authorities 40 KB and regions 28 KB at band 10. A closer view of LAs or
# districts draws the vector tiles (``/tiles/local_authority/…``, ``/tiles/district/…``); one
# area's own boundary keeps every band (``boundary_band``).
NATIONAL_MAX_BAND = {"local_authority": 8, "district": 6, "combined_authority": 10, "region": 10}


def band_for_zoom(zoom: int) -> tuple[int, int]:
    """The generalisation band and coordinate precision for a map zoom level."""
    if not 0 <= zoom <= 22:
        raise InvalidInput("zoom must be between 0 and 22.")
    return next(((b, d) for upto, b, d in ZOOM_BANDS if zoom <= upto), ZOOM_BANDS[-1][1:])


FULL_GEOMETRY = 0  # no stored band has this number: queries fall back to area.geom


def boundary_band(zoom: int) -> int:
    """The band for a single area's boundary: generalised up to zoom 10, full beyond.

    One area at full detail is small; the national layers stay generalised at every zoom.
    """
    band, _ = band_for_zoom(zoom)
    return FULL_GEOMETRY if zoom > 10 else band


async def layer(session: AsyncSession, cache: PayloadCache, level: str, zoom: int) -> Payload:
    """A level's boundaries as GeoJSON for a zoom, from the cache when the data is unchanged."""
    if level not in LEVELS:
        raise InvalidInput(f"level must be one of: {', '.join(LEVELS)}.")
    band, digits = band_for_zoom(min(zoom, NATIONAL_MAX_BAND[level]))  # a band is its top zoom

    async def build() -> bytes:
        return await area_q.area_layer(session, level, band, digits)

    return await cached(session, cache, ("areas", level, band), build, GEOJSON)


async def prebuild_layers(session: AsyncSession, cache: PayloadCache) -> int:
    """Build the national boundary layers for every zoom band, so no visitor waits for them."""
    built = 0
    for level in ("local_authority", "combined_authority", "region"):
        for upto, _band, _digits in ZOOM_BANDS:
            await layer(session, cache, level, upto)
            built += 1
    return built


async def counts(
    session: AsyncSession, cache: PayloadCache, level: str, filters: Filters
) -> Payload:
    """Partnership counts per area after filters, as JSON {code: n}."""
    if level not in LEVELS:
        raise InvalidInput(f"level must be one of: {', '.join(LEVELS)}.")

    async def build() -> bytes:
        params = filters.params()
        for key in ("area", "q", "xmin", "ymin", "xmax", "ymax"):
            params.pop(key)
        rows = await area_q.area_counts(session, level=level, **params)
        return orjson.dumps({r.code: r.n for r in rows})

    return await cached(session, cache, ("counts", level, filters.cache_key()), build)


async def indicator_values(session: AsyncSession, cache: PayloadCache, code: str) -> Payload:
    """An indicator's latest value for every LA, with its metadata, for colouring the map."""
    meta = await indicator_q.indicator(session, code)
    if meta is None:
        raise NotFound(f"Unknown indicator {code}. See /api/v1/indicators.")

    async def build() -> bytes:
        values = await indicator_q.indicator_values(session, code)
        return orjson.dumps(
            {"indicator": asdict(meta), "values": {r.code: r.value for r in values}}
        )

    return await cached(session, cache, ("indicator", code), build, scope=STATISTICS)


async def boundary(session: AsyncSession, cache: PayloadCache, code: str, zoom: int) -> Payload:
    """One area's boundary as a GeoJSON Feature; from zoom 11 the full imported boundary."""
    band = boundary_band(zoom)
    area = await profile_header(session, code)

    async def build() -> bytes:
        return await area_q.area_geojson(session, area["code"], band)

    return await cached(
        session, cache, ("boundary", area["code"], band), build, GEOJSON, BOUNDARIES
    )


async def coverage_payload(session: AsyncSession, cache: PayloadCache) -> Payload:
    """``coverage`` as cached JSON."""

    async def build() -> bytes:
        return orjson.dumps(await coverage(session))

    return await cached(session, cache, ("coverage",), build)


async def coverage(session: AsyncSession) -> dict[str, Any]:
    """Per LA, and totalled by combined authority and region: schools listed as partnership
    members, and schools in an area wholly served by a current local partnership, or only by
    unconfirmed ones (shown apart)."""
    rows = [asdict(r) for r in await provenance_q.coverage(session)]
    totals: dict[str, dict[str, dict[str, Any]]] = {"combined_authority": {}, "region": {}}
    for row in rows:
        row["member_share"] = row["member_schools"] / row["schools"] if row["schools"] else None
        row["served_share"] = row["served_schools"] / row["schools"] if row["schools"] else None
        row["served_unconfirmed_share"] = (
            row["served_unconfirmed_schools"] / row["schools"] if row["schools"] else None
        )
        for level, key, name_key in (
            ("combined_authority", "combined_authority_code", "combined_authority_name"),
            ("region", "region_code", "region_name"),
        ):
            if not row[key]:
                continue
            total = totals[level].setdefault(
                row[key],
                {
                    "code": row[key],
                    "name": row[name_key],
                    "las": 0,
                    "schools": 0,
                    "member_schools": 0,
                    "served_schools": 0,
                    "served_unconfirmed_schools": 0,
                    "is_mayoral": row["is_mayoral"] if level == "combined_authority" else None,
                },
            )
            total["las"] += 1
            for k in ("schools", "member_schools", "served_schools", "served_unconfirmed_schools"):
                total[k] += row[k]
    for level_totals in totals.values():
        for t in level_totals.values():
            t["member_share"] = t["member_schools"] / t["schools"] if t["schools"] else None
            t["served_share"] = t["served_schools"] / t["schools"] if t["schools"] else None
            t["served_unconfirmed_share"] = (
                t["served_unconfirmed_schools"] / t["schools"] if t["schools"] else None
            )
    return {
        "local_authorities": rows,
        "combined_authorities": sorted(
            totals["combined_authority"].values(), key=lambda t: t["name"]
        ),
        "regions": sorted(totals["region"].values(), key=lambda t: t["name"]),
    }


async def profile_header(session: AsyncSession, code: str) -> dict[str, Any]:
    """An area's own row (code, name, level, parents), or NotFound."""
    row = await area_q.area(session, code.strip().upper())
    if row is None:
        raise NotFound(f"No area with code {code.strip().upper()}.")
    return asdict(row) | {"level_label": LEVEL_LABELS[row.level]}


async def profile(session: AsyncSession, code: str) -> dict[str, Any]:
    """Everything the area profile shows: parents, partnerships, schools, indicators, neighbours."""
    area = await profile_header(session, code)
    code = area["code"]
    partnerships = await listing(session, Filters(area=code, national=True))
    phases = [asdict(p) for p in await area_q.area_school_stats(session, code, area["level"])]
    total = sum(p["schools"] for p in phases)
    in_trust = sum(p["in_trust"] for p in phases)
    return {
        "area": area,
        "children": [asdict(c) for c in await area_q.child_areas(session, code)],
        "local": [p for p in partnerships if not p["is_national"]],
        "national": [p for p in partnerships if p["is_national"]],
        "phases": phases,
        "school_total": total,
        "in_trust_share": (in_trust / total) if total else None,
        "academy_share": (sum(p["academies"] for p in phases) / total) if total else None,
        "trust_count": await area_q.area_trust_count(session, code, area["level"])
        if area["level"] in ("local_authority", "district")
        else None,
        "indicators": [
            asdict(i) for i in await indicator_q.area_indicators(session, code, area["region_code"])
        ],
        "neighbours": [asdict(n) for n in await area_q.dfe_neighbours(session, code)],
        "landscape": await area_q.landscape(session, code),
    }
