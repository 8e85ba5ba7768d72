"""JSON and GeoJSON API (``/api/v1``) and the bulk downloads."""

from __future__ import annotations

import re
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from app import api_models as m
from app.cache import Payload, PayloadCache
from app.db import SessionDep
from app.errors import InvalidInput
from app.services import areas, basemap, nearby, partnerships, schools, search

router = APIRouter()
v1 = APIRouter(prefix="/api/v1", tags=["api"])

GEOJSON = "application/geo+json"
COUNTS_SCHEMA = {
    "type": "object",
    "additionalProperties": {"type": "integer"},
    "description": "Partnerships serving each area, by GSS code",
}
Level = Annotated[str, Query(description="region, combined_authority, local_authority or district")]
Zoom = Annotated[int, Query(ge=0, le=22, description="Map zoom; picks the generalisation band")]
Theme = Annotated[str | None, Query(description="Theme codes, comma-separated")]
Kind = Annotated[str | None, Query(description="Kind codes, comma-separated")]
National = Annotated[
    bool, Query(description="Include national programmes (hubs, opportunity areas…)")
]
TrustOnly = Annotated[
    bool, Query(alias="trust", description="Only partnerships involving an academy trust")
]


_NUMBER = r"\s*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?\s*"
BOX_FORMAT = f"^{_NUMBER},{_NUMBER},{_NUMBER},{_NUMBER}$"
_BOX = re.compile(BOX_FORMAT)
# The format is declared (and checked here); order, range and size are checked by the services.
RequiredBox = Annotated[
    str,
    Query(
        description=(
            "min lon,min lat,max lon,max lat in degrees: -180 ≤ min lon < max lon ≤ 180,"
            " -90 ≤ min lat < max lat ≤ 90, at most 4 square degrees"
        ),
        json_schema_extra={"pattern": BOX_FORMAT},
    ),
]


def _box(bbox: str) -> tuple[float, float, float, float]:
    if bbox and not _BOX.match(bbox):
        raise InvalidInput("bbox must be four numbers: min lon, min lat, max lon, max lat.")
    box = partnerships.parse_bbox(bbox)
    if box is None:
        raise InvalidInput("bbox is required: min lon,min lat,max lon,max lat.")
    return box


def _cache(request: Request) -> PayloadCache:
    cache: PayloadCache = request.app.state.cache
    return cache


# FastAPI tries routes in the order they are declared, each try costing microseconds: the two
# busiest answers that no cache holds (near-me, search) come first.
@v1.get("/near", response_model=m.NearResult)
async def near(
    session: SessionDep,
    postcode: Annotated[
        str | None,
        Query(max_length=10, description="A postcode, sector (SW1A 1) or district (EC1, CH41)"),
    ] = None,
    urn: int | None = None,
    lat: Annotated[float | None, Query(ge=-90, le=90)] = None,
    lon: Annotated[float | None, Query(ge=-180, le=180)] = None,
) -> Response:
    """Areas containing a postcode, school or point; partnerships serving it or near it; nearest schools."""
    # The body is written by PostgreSQL in the response model's form (a test holds it to the
    # model), so it is sent as it is rather than parsed and validated again.
    body = await nearby.find_json(session, postcode=postcode, urn=urn, lon=lon, lat=lat)
    return Response(body, media_type="application/json")


@v1.get("/search", response_model=m.SearchResult)
async def search_api(
    session: SessionDep, q: Annotated[str, Query(max_length=100)]
) -> dict[str, Any]:
    """Guess the identifier from its shape, or match names; suggestions for the search box."""
    result = await search.search(session, q)
    return {
        "query": result.query,
        "guess": result.guess,
        "redirect": result.redirect,
        "results": [asdict(h) for h in result.hits],
    }


@v1.get("/areas", response_class=Response, responses={200: {"content": {GEOJSON: {}}}})
async def area_layer(
    request: Request, session: SessionDep, level: Level = "local_authority", zoom: Zoom = 6
) -> Response:
    """Boundaries of every area of a level, generalised for the zoom, with partnership counts.

    A national layer stops at the detail that keeps it under 75 KB: local authorities at zoom 8,
    districts at zoom 6 (a closer zoom gets that). Closer views read the vector tiles
    (``/tiles/{level}/{z}/{x}/{y}.mvt``), one area's boundary ``/api/v1/areas/{code}/boundary``.
    """
    payload = await areas.layer(session, _cache(request), level, zoom)
    return payload.respond(request)


@v1.get("/basemap/labels", response_class=Response, responses={200: {"content": {GEOJSON: {}}}})
async def basemap_labels(request: Request, session: SessionDep, zoom: Zoom = 6) -> Response:
    """Place names for the offline basemap at a zoom: local authorities, districts, towns.

    Points with ``n`` (name), ``k`` (``la``, ``district`` or ``town``), ``r`` (rank: the larger
    wins when labels collide; a town's number of schools) and ``z`` (first zoom drawn).
    """
    payload = await basemap.labels(session, _cache(request), zoom)
    return payload.respond(request)


@v1.get("/basemap/land", response_class=Response, responses={200: {"content": {GEOJSON: {}}}})
async def basemap_land(request: Request, session: SessionDep, zoom: Zoom = 6) -> Response:
    """England's outline, generalised for the zoom: the offline basemap's coast and borders."""
    payload = await basemap.land(session, _cache(request), zoom)
    return payload.respond(request)


@v1.get(
    "/areas/counts",
    responses={200: {"content": {"application/json": {"schema": COUNTS_SCHEMA}}}},
)
async def area_counts(
    request: Request,
    session: SessionDep,
    level: Level = "local_authority",
    theme: Theme = None,
    kind: Kind = None,
    national: National = False,
    trust_only: TrustOnly = False,
) -> Response:
    """Partnerships serving each area after the map's filters: {code: count}."""
    filters = await partnerships.make_filters(
        session,
        theme=theme,
        kind=kind,
        national=national,
        trust_only=trust_only,
        include_ended=False,
    )
    payload = await areas.counts(session, _cache(request), level, filters)
    return payload.respond(request)


@v1.get("/areas/{code}", response_model=m.AreaProfile)
async def area_detail(
    session: SessionDep, code: Annotated[str, Path(max_length=9)]
) -> dict[str, Any]:
    """One area: parents, partnerships, schools by phase, indicators and DfE neighbours."""
    profile = await areas.profile(session, code)
    profile["landscape"] = asdict(profile["landscape"]) if profile["landscape"] else None
    for key in ("local", "national"):
        profile[key] = [_partnership_summary(p) for p in profile[key]]
    return profile


@v1.get(
    "/areas/{code}/boundary", response_class=Response, responses={200: {"content": {GEOJSON: {}}}}
)
async def area_boundary(
    request: Request, session: SessionDep, code: Annotated[str, Path(max_length=9)], zoom: Zoom = 12
) -> Response:
    """One area's boundary as a GeoJSON Feature; from zoom 11 the full imported boundary."""
    payload = await areas.boundary(session, _cache(request), code, zoom)
    return payload.respond(request)


@v1.get("/indicators/{code}/values", responses={200: {"model": m.IndicatorValues}})
async def indicator_values(
    request: Request, session: SessionDep, code: Annotated[str, Path(max_length=64)]
) -> Response:
    """An indicator's latest value for every local authority, with its source and period."""
    payload = await areas.indicator_values(session, _cache(request), code)
    return payload.respond(request)


@v1.get("/coverage", responses={200: {"model": m.Coverage}})
async def coverage(request: Request, session: SessionDep) -> Response:
    """Share of each LA's schools in a partnership (listed members; in a served area), with
    totals by combined authority and region."""
    payload = await areas.coverage_payload(session, _cache(request))
    return payload.respond(request)


@v1.get("/vocabulary", response_model=m.Vocabulary)
async def vocabulary(session: SessionDep) -> dict[str, Any]:
    """Partnership kinds (with the national flag) and themes, with labels."""
    return await partnerships.vocabulary(session)


@v1.get("/partnerships", response_class=Response, responses={200: {"content": {GEOJSON: {}}}})
async def partnership_list(
    request: Request,
    session: SessionDep,
    area: Annotated[
        str | None, Query(max_length=9, description="GSS code of an area served")
    ] = None,
    theme: Theme = None,
    kind: Kind = None,
    national: National = False,
    trust_only: TrustOnly = False,
    include_ended: bool = True,
    q: Annotated[str | None, Query(max_length=100)] = None,
    bbox: Annotated[str | None, Query(description="min lon,min lat,max lon,max lat")] = None,
) -> Response:
    """Partnerships as GeoJSON points (the centre of the areas they serve), local ones first."""
    filters = await partnerships.make_filters(
        session,
        area=area,
        theme=theme,
        kind=kind,
        national=national,
        trust_only=trust_only,
        include_ended=include_ended,
        q=q,
        bbox=bbox,
    )
    payload = await partnerships.geojson_payload(session, _cache(request), filters)
    return payload.respond(request)


@v1.get("/partnerships/{slug}", response_model=m.PartnershipDetail)
async def partnership_detail(
    session: SessionDep, slug: Annotated[str, Path(max_length=200)]
) -> dict[str, Any]:
    """One partnership: kind, themes, areas served, members, trusts, source."""
    return await partnerships.detail(session, slug)


@v1.get(
    "/partnerships/{slug}/areas",
    response_class=Response,
    responses={200: {"content": {GEOJSON: {}}}},
)
async def partnership_areas(
    request: Request, session: SessionDep, slug: Annotated[str, Path(max_length=200)]
) -> Response:
    """The areas a partnership serves, as GeoJSON."""
    payload = await partnerships.areas_payload(session, _cache(request), slug)
    return payload.respond(request)


@v1.get("/schools", response_class=Response, responses={200: {"content": {GEOJSON: {}}}})
async def school_points(request: Request, session: SessionDep, bbox: RequiredBox) -> Response:
    """Schools inside a bounding box as GeoJSON points (at most 5,000; at most 4 square degrees)."""
    payload = await schools.schools_payload(session, _cache(request), _box(bbox))
    return payload.respond(request)


@v1.get("/schools/{urn}", response_model=m.SchoolPage)
async def school_detail(session: SessionDep, urn: Annotated[int, Path()]) -> dict[str, Any]:
    """One school: where it is, its areas, trust, partnerships it is in, and nearby ones."""
    page = await schools.school_page(session, urn)
    near = page.pop("near")
    if near is not None:
        page["serving"] = [_partnership_summary(p) for p in near.serving]
        page["near_members"] = near.near_members
        page["trust_partnerships"] = near.trust_partnerships
        page["nearest_schools"] = near.nearest_schools
    return page


@v1.get("/trusts", response_class=Response, responses={200: {"content": {GEOJSON: {}}}})
async def trust_points(request: Request, session: SessionDep, bbox: RequiredBox) -> Response:
    """Open academy trusts' head offices inside a bounding box, with school counts (GeoJSON)."""
    payload = await schools.trusts_payload(session, _cache(request), _box(bbox))
    return payload.respond(request)


@v1.get("/trusts/{uid}", response_model=m.TrustPage)
async def trust_detail(session: SessionDep, uid: Annotated[int, Path()]) -> dict[str, Any]:
    """One trust: head office, schools and the partnerships they belong to."""
    return await schools.trust_page(session, uid)


@v1.get(
    "/trusts/{uid}/schools", response_class=Response, responses={200: {"content": {GEOJSON: {}}}}
)
async def trust_school_points(
    request: Request, session: SessionDep, uid: Annotated[int, Path()]
) -> Response:
    """A trust's schools as GeoJSON points."""
    payload = await schools.trust_schools_payload(session, _cache(request), uid)
    return payload.respond(request)


def _partnership_summary(p: dict[str, Any]) -> dict[str, Any]:
    keep = (
        "slug",
        "name",
        "kind",
        "kind_label",
        "is_national",
        "status",
        "currency",
        "evidence_year",
        "area_whole",
        "area_reach",
        "themes",
        "area_codes",
        "area_names",
        "lead_organisation",
        "website",
        "source_date",
        "checked_on",
    )
    return {k: p.get(k) for k in keep} | {"url": f"/partnerships/{p['slug']}"}


async def _download(
    request: Request, session: SessionDep, fmt: str, area: str | None = None
) -> Payload:
    base = request.app.state.settings.public_base_url.rstrip("/")
    return await partnerships.download_payload(session, _cache(request), fmt, base, area)


@router.get(
    "/downloads/partnerships.csv",
    tags=["downloads"],
    response_class=Response,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
async def download_csv(request: Request, session: SessionDep) -> Response:
    """Every partnership as CSV (lists ';'-separated)."""
    response = (await _download(request, session, "csv")).respond(request)
    response.headers["Content-Disposition"] = 'attachment; filename="partnerships.csv"'
    return response


@router.get(
    "/downloads/partnerships.geojson",
    tags=["downloads"],
    response_class=Response,
    responses={200: {"content": {GEOJSON: {}}}},
)
async def download_geojson(request: Request, session: SessionDep) -> Response:
    """Every partnership as GeoJSON points."""
    response = (await _download(request, session, "geojson")).respond(request)
    response.headers["Content-Disposition"] = 'attachment; filename="partnerships.geojson"'
    return response


@router.get(
    "/downloads/areas/{code}/partnerships.csv",
    tags=["downloads"],
    response_class=Response,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
async def download_area_csv(request: Request, session: SessionDep, code: str) -> Response:
    """The partnerships serving one area (not ended) as CSV, with whole or part of each area."""
    response = (await _download(request, session, "csv", code)).respond(request)
    name = f"partnerships-{code.strip().upper()}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.get(
    "/downloads/areas/{code}/partnerships.geojson",
    tags=["downloads"],
    response_class=Response,
    responses={200: {"content": {GEOJSON: {}}}},
)
async def download_area_geojson(request: Request, session: SessionDep, code: str) -> Response:
    """The partnerships serving one area (not ended) as GeoJSON points inside the area."""
    response = (await _download(request, session, "geojson", code)).respond(request)
    name = f"partnerships-{code.strip().upper()}.geojson"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


router.include_router(v1)
