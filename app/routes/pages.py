"""Server-rendered pages. Each works without JavaScript; the map enhances the home page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.db import SessionDep
from app.errors import AppError, InvalidInput
from app.services import (
    areas,
    catalogue,
    landscape,
    nearby,
    partnerships,
    schools,
    search,
    similarity,
)
from app.services.gaps import gap_analysis
from app.services.payloads import cached
from app.templating import render

router = APIRouter(include_in_schema=False)
HTML = "text/html; charset=utf-8"
PAGE_CACHE_CONTROL = "public, max-age=60"


def _flag(value: str | None) -> bool:
    return value in ("1", "true", "on", "yes")


@router.get("/", response_class=HTMLResponse)
async def home(
    request: Request,
    session: SessionDep,
    theme: Annotated[list[str] | None, Query()] = None,
    kind: Annotated[list[str] | None, Query()] = None,
    national: str | None = None,
    trust: str | None = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    area: Annotated[str | None, Query(max_length=9)] = None,
) -> Response:
    """The map, its filters and the list of partnerships it shows (the list works alone).

    Without filters (the first visit, and any map permalink) the page is the same for everyone,
    so it is rendered once per data version; filtered lists are rendered for each request.
    """
    if not (theme or kind or national or trust or q or area):

        async def build() -> bytes:
            return bytes((await _home(request, session)).body)

        payload = await cached(session, request.app.state.cache, ("page:home",), build, HTML)
        return payload.respond(request, cache_control=PAGE_CACHE_CONTROL)
    return await _home(request, session, theme, kind, national, trust, q, area)


async def _home(
    request: Request,
    session: SessionDep,
    theme: list[str] | None = None,
    kind: list[str] | None = None,
    national: str | None = None,
    trust: str | None = None,
    q: str | None = None,
    area: str | None = None,
) -> HTMLResponse:
    """The map, its filters and the list of partnerships it shows (the list works alone)."""
    known = await catalogue.vocabulary(session)
    kinds, themes = known.kinds, known.themes
    errors: list[str] = []
    try:
        filters = await partnerships.make_filters(
            session,
            theme=",".join(theme or []),
            kind=",".join(kind or []),
            national=_flag(national),
            trust_only=_flag(trust),
            include_ended=False,
            q=q,
            area=area or None,
        )
    except AppError as exc:
        errors.append(exc.detail)
        filters = await partnerships.make_filters(session, include_ended=False)
    items = await partnerships.listing(session, filters)
    selected_area = await catalogue.area(session, filters.area) if filters.area else None
    indicators = await catalogue.indicators(session)
    return render(
        request,
        "index.html",
        {
            "nav": "map",
            "kinds": kinds,
            "themes": themes,
            "filters": filters,
            "items": items,
            "errors": errors,
            "selected_area": selected_area,
            "indicators": indicators,
            "collaboration_forms": landscape.FORM_LABELS,
            "filter_q": q or "",
        },
    )


@router.get("/embed", response_class=HTMLResponse)
async def embed(request: Request, session: SessionDep) -> HTMLResponse:
    """A bare map view for partners' websites: framable, not indexed."""
    known = await catalogue.vocabulary(session)
    kinds, themes = known.kinds, known.themes
    response = render(request, "embed.html", {"kinds": kinds, "themes": themes})
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@router.get("/search", response_class=HTMLResponse)
async def search_page(
    request: Request, session: SessionDep, q: Annotated[str | None, Query(max_length=200)] = None
) -> Response:
    """Go straight to an identified place, or show the matches to choose from."""
    if q is None or not q.strip():
        return render(request, "search.html", {"q": "", "result": None})
    try:
        result = await search.search(session, q)
    except InvalidInput as exc:
        return render(request, "search.html", {"q": q, "result": None, "error": exc.detail}, 422)
    if result.redirect:
        return RedirectResponse(result.redirect, status_code=303)
    if len(result.hits) == 1 and result.hits[0].name.lower() == result.query.lower():
        return RedirectResponse(result.hits[0].url, status_code=303)
    return render(request, "search.html", {"q": q, "result": result})


@router.get("/near", response_class=HTMLResponse)
async def near_page(
    request: Request,
    session: SessionDep,
    postcode: Annotated[str | None, Query(max_length=10)] = None,
    urn: int | None = None,
    lat: float | None = None,
    lon: float | None = None,
) -> HTMLResponse:
    """Near-me result for a postcode, school or clicked point."""
    result = await nearby.find(session, postcode=postcode, urn=urn, lon=lon, lat=lat)
    return render(request, "near.html", {"r": result, "nav": "map"})


@router.get("/areas", response_class=HTMLResponse)
async def area_index(
    request: Request,
    session: SessionDep,
    region: Annotated[str | None, Query(max_length=60)] = None,
    role: Annotated[str | None, Query(max_length=40)] = None,
    form: Annotated[str | None, Query(max_length=40)] = None,
    sort: Annotated[str | None, Query(max_length=30)] = None,
    order: Annotated[str | None, Query(max_length=4)] = None,
) -> HTMLResponse:
    """The all-England table (one row per LA, filterable and sortable), then the combined
    authorities and regions."""
    table = await landscape.table_view(
        session, region=region, role=role, form=form, sort=sort, order=order
    )
    return render(
        request,
        "areas.html",
        {
            "nav": "areas",
            "t": table,
            "landscape_labels": {"roles": landscape.ROLE_LABELS, "forms": landscape.FORM_LABELS},
            "cas": await catalogue.areas_of_level(session, "combined_authority"),
            "regions": await catalogue.areas_of_level(session, "region"),
        },
    )


async def _landscape_panel(
    session: SessionDep, profile: dict[str, Any]
) -> landscape.LandscapePanel | None:
    """An LA's or district's landscape panel (a district shows its county's); None otherwise."""
    area = profile["area"]
    if area["level"] not in ("local_authority", "district"):
        return None
    county = (area["parent_code"], area["parent_name"]) if area["parent_code"] else None
    return await landscape.panel(session, area["code"], county)


@router.get("/areas/{code}", response_class=HTMLResponse)
async def area_page(request: Request, session: SessionDep, code: str) -> Response:
    """The area profile: the same for every reader, so rendered once per data version."""

    async def build() -> bytes:
        profile = await areas.profile(session, code)
        context: dict[str, Any] = {"p": profile, "nav": "areas", "gaps": None, "neighbours": None}
        context["landscape"] = await _landscape_panel(session, profile)
        if profile["area"]["level"] == "local_authority":
            la = profile["area"]["code"]
            context["neighbours"] = await similarity.dfe_neighbours(session, la)
            context["roles"] = await landscape.roles(
                session, [la, *(n.area.code for n in context["neighbours"].neighbours)]
            )
            context["gaps"] = await gap_analysis(session, la)
        return bytes(render(request, "area.html", context).body)

    key = ("page:area", code.strip().upper())
    payload = await cached(session, request.app.state.cache, key, build, HTML)
    return payload.respond(request, cache_control=PAGE_CACHE_CONTROL)


@router.get("/areas/{code}/brief", response_class=HTMLResponse)
async def area_brief(request: Request, session: SessionDep, code: str) -> HTMLResponse:
    """A one-page printable brief of an area."""
    profile = await areas.profile(session, code)
    context = {"p": profile, "landscape": await _landscape_panel(session, profile)}
    return render(request, "brief.html", context)


@router.get("/partnerships/{slug}", response_class=HTMLResponse)
async def partnership_page(request: Request, session: SessionDep, slug: str) -> HTMLResponse:
    """One partnership, its areas on a small map, its source and a correction link."""
    record = await partnerships.detail(session, slug)
    membership = await landscape.membership(session, record["id"])
    return render(
        request, "partnership.html", {"p": record, "nav": "map", "membership": membership}
    )


@router.get("/schools/{urn}", response_class=HTMLResponse)
async def school_page(request: Request, session: SessionDep, urn: int) -> HTMLResponse:
    """A school: where it is, partnerships it is in or near, its trust's schools."""
    page = await schools.school_page(session, urn)
    return render(request, "school.html", page | {"nav": "map"})


@router.get("/trusts/{uid}", response_class=HTMLResponse)
async def trust_page(request: Request, session: SessionDep, uid: int) -> HTMLResponse:
    """A trust: its schools on a map and their partnerships."""
    page = await schools.trust_page(session, uid)
    page |= await landscape.trust_context(session, uid)
    return render(request, "trust.html", page | {"nav": "map"})


@router.get("/coverage", response_class=HTMLResponse)
async def coverage_page(request: Request, session: SessionDep) -> HTMLResponse:
    """Share of each LA's schools in a partnership, with totals by combined authority and region."""
    result = await areas.coverage(session)
    return render(
        request,
        "coverage.html",
        {
            "nav": "coverage",
            "rows": result["local_authorities"],
            "ca_totals": result["combined_authorities"],
            "region_totals": result["regions"],
        },
    )


@router.get("/about", response_class=HTMLResponse)
async def about_page(request: Request, session: SessionDep) -> HTMLResponse:
    """Sources, vintages, licences and attribution."""
    return render(
        request,
        "about.html",
        {
            "nav": "about",
            "datasets": await catalogue.datasets(session),
            "indicators": await catalogue.indicators(session),
        },
    )
