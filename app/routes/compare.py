"""Similar areas and comparison: the pages and their ``/api/v1`` endpoints.

Pages: ``/compare`` (the chooser when fewer than two areas are given), ``/compare.csv`` and
``/areas/{code}/similar``. API: ``/api/v1/areas/{code}/similar``, ``/api/v1/areas/{code}/gaps``,
``/api/v1/compare`` and ``/api/v1/indicators``. Routes parse and validate; services decide.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.api_models import Comparison, GapAnalysis, IndicatorList, SimilarAreas
from app.db import SessionDep
from app.errors import AppError, InvalidInput
from app.services import compare as comparing
from app.services import (
    gaps,
    landscape,
    similarity,
    similarity_data,
    similarity_maths,
    similarity_shapes,
)
from app.services.payloads import cached
from app.templating import render

router = APIRouter()
pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["similar areas"])

AreaCode = Annotated[str, Path(max_length=12, description="ONS GSS code of an upper-tier LA")]
# What is accepted, declared: each value once (``_codes``), comma-separated codes with spaces and
# empty parts ignored; fewer than 2 or more than 6 different codes, or codes that are not
# upper-tier LAs, are refused by the service with a message saying which.
_CODE_LIST = r"^\s*([Ee][0-9]{8})?\s*(,\s*([Ee][0-9]{8})?\s*)*$"
Areas = Annotated[
    list[str],
    Query(
        description="2 to 6 upper-tier LA codes, comma-separated (or the parameter repeated)",
        min_length=1,
        max_length=comparing.MAX_AREAS,
        json_schema_extra={"uniqueItems": True, "items": {"type": "string", "pattern": _CODE_LIST}},
    ),
]
Method = Annotated[
    Literal["dfe", "indicators"],
    Query(description="dfe: DfE statistical neighbours; indicators: the tunable similarity"),
]
IndicatorCodes = Annotated[
    str | None,
    Query(max_length=2000, description="Indicator codes, comma-separated (default set if none)"),
]
Weights = Annotated[
    str | None,
    Query(max_length=2000, description="One weight per indicator, comma-separated, each ≥ 0"),
]
K = Annotated[int, Query(description="How many similar LAs, 1-50")]
SameRegion = Annotated[
    str | None, Query(description="true: only LAs in the same region (default false)")
]
TRUE = frozenset({"1", "true", "yes", "on"})
FALSE = frozenset({"", "0", "false", "no", "off"})


# Parsing ------------------------------------------------------------------------------------


def parse_flag(value: str | None, name: str) -> bool:
    """'true', '1', 'on' -> True; '', 'false', '0', absent -> False; anything else is refused."""
    text = (value or "").strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise InvalidInput(
        f"{name} must be true or false (got {value!r}).",
        [{"field": name, "message": "true or false"}],
    )


def parse_list(values: Sequence[str | None]) -> list[str]:
    """'a,b' and repeated values as one list, blanks dropped, order kept."""
    return [p.strip() for v in values for p in (v or "").split(",") if p.strip()]


def parse_weights(values: Sequence[str]) -> list[float]:
    """Weights as numbers; InvalidInput naming the first one that is not a number."""
    weights = []
    for text in values:
        try:
            weight = float(text)
        except ValueError:
            raise InvalidInput(
                f"Weights must be numbers (got {text!r}).",
                [{"field": "weights", "message": f"not a number: {text}"}],
            ) from None
        if not math.isfinite(weight):
            raise InvalidInput(
                f"Weights must be finite numbers (got {text!r}).",
                [{"field": "weights", "message": f"not finite: {text}"}],
            )
        weights.append(weight)
    return weights


def _json(data: Any) -> bytes:
    return orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS)


async def _cached(
    request: Request,
    session: SessionDep,
    key: tuple[object, ...],
    build: Callable[[], Awaitable[bytes]],
    media_type: str = "application/json",
) -> Response:
    """A payload from the app's cache, keyed by the data version as well as ``key``."""
    payload = await cached(session, request.app.state.cache, key, build, media_type)
    response: Response = payload.respond(request)
    return response


# API ----------------------------------------------------------------------------------------


@api.get(
    "/areas/{code}/similar",
    response_class=Response,
    responses={200: {"model": SimilarAreas, "content": {"application/json": {}}}},
)
async def similar_api(
    request: Request,
    session: SessionDep,
    code: AreaCode,
    method: Method = "dfe",
    indicators: IndicatorCodes = None,
    weights: Weights = None,
    k: K = similarity_maths.DEFAULT_K,
    same_region: SameRegion = None,
) -> Response:
    """Areas similar to an upper-tier LA, in rank order.

    ``method=dfe`` gives DfE's statistical neighbours with their closeness band;
    ``method=indicators`` standardises the chosen indicators across the 153 LAs and ranks LAs by
    weighted Euclidean distance, with each indicator's contribution and any missing values.
    Each neighbour carries the number of current partnerships serving it.
    """
    chosen = parse_list([indicators])
    given = parse_weights(parse_list([weights]))
    region_only = parse_flag(same_region, "same_region")
    similarity_maths.check_k(k)
    if method == "dfe" and (chosen or given):
        raise InvalidInput(
            "indicators and weights apply to method=indicators only.",
            [{"field": "method", "message": "use method=indicators"}],
        )
    area = code.strip().upper()

    async def build() -> bytes:
        if method == "dfe":
            dfe = await similarity.dfe_neighbours(session, area, k, region_only)
            return _json(dfe.as_json())
        result = await similarity.similar_by_indicators(
            session, area, chosen, given, k, region_only
        )
        return _json(result.as_json())

    key = ("similar", area, method, tuple(chosen), tuple(given), k, region_only)
    return await _cached(request, session, key, build)


@api.get(
    "/areas/{code}/gaps",
    response_class=Response,
    responses={200: {"model": GapAnalysis, "content": {"application/json": {}}}},
)
async def gaps_api(
    request: Request,
    session: SessionDep,
    code: AreaCode,
    neighbours: Annotated[str | None, Query(max_length=2000)] = None,
) -> Response:
    """What an LA's similar areas (DfE's neighbours, or the comma-separated ``neighbours`` the
    reader chose) have that it has no record of: local choices as gaps, national programmes as
    context."""
    area = code.strip().upper()
    chosen = parse_list([neighbours]) if neighbours else None

    async def build() -> bytes:
        return _json((await gaps.gap_analysis(session, area, chosen)).as_json())

    return await _cached(request, session, ("gaps", area, tuple(chosen or ())), build)


def _codes(values: list[str]) -> list[str]:
    """The codes of ``areas``: each parameter value once, as declared, then 2 to 6 codes."""
    if len(set(values)) < len(values):
        raise InvalidInput(
            "Give each value of areas once.", [{"field": "areas", "message": "repeated value"}]
        )
    codes = comparing.parse_codes(values)
    comparing.check_count(codes)
    return codes


@api.get(
    "/compare",
    response_class=Response,
    responses={200: {"model": Comparison, "content": {"application/json": {}}}},
)
async def compare_api(request: Request, session: SessionDep, areas: Areas) -> Response:
    """2-6 upper-tier LAs side by side: indicators with region and England, partnerships."""
    codes = _codes(areas)

    async def build() -> bytes:
        return _json((await comparing.compare(session, codes)).as_json())

    return await _cached(request, session, ("compare", tuple(codes)), build)


@api.get(
    "/indicators",
    response_class=Response,
    responses={200: {"model": IndicatorList, "content": {"application/json": {}}}},
)
async def indicators_api(request: Request, session: SessionDep) -> Response:
    """Every indicator: label, unit, polarity, source, period, default-set flag, LA coverage."""

    async def build() -> bytes:
        return _json({"indicators": await similarity.indicator_list(session)})

    return await _cached(request, session, ("indicators",), build)


# Pages --------------------------------------------------------------------------------------


@pages.get("/compare.csv", response_class=Response)
async def compare_csv(request: Request, session: SessionDep, areas: Areas) -> Response:
    """The comparison's indicator table as CSV."""
    codes = _codes(areas)

    async def build() -> bytes:
        return comparing.to_csv(await comparing.compare(session, codes)).encode()

    response = await _cached(
        request, session, ("compare.csv", tuple(codes)), build, "text/csv; charset=utf-8"
    )
    filename = "compare-" + "-".join(codes) + ".csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@pages.get("/compare", response_class=HTMLResponse)
async def compare_page(
    request: Request,
    session: SessionDep,
    areas: Annotated[list[str] | None, Query()] = None,
    add: Annotated[str | None, Query(max_length=100)] = None,
    remove: Annotated[str | None, Query(max_length=12)] = None,
) -> Response:
    """Compare 2-6 LAs; with fewer, or a search to resolve, the chooser."""
    areas = areas or []
    codes = comparing.parse_codes(areas)
    if remove:
        codes = [c for c in codes if c != remove.strip().upper()]
    query = (add or "").strip()

    def page(
        matrix: similarity_shapes.Matrix, context: dict[str, Any], status: int = 200
    ) -> HTMLResponse:
        context = {"nav": "compare", **context, "all_las": comparing.all_las(matrix)}
        return render(request, "compare.html", context, status=status)

    if query:
        matrix = await similarity_data.load_matrix(session)
        matches = comparing.find_las(matrix, query)
        if len(matches) != 1:
            error = (
                f"More than one local authority matches “{query}”: choose one."
                if matches
                else f"No local authority matches “{query}”. Try another spelling or its code."
            )
            chooser = await comparing.chooser(session, codes, query, matrix)
            return page(
                matrix,
                {"chooser": chooser, "error": error, "query": query},
                status=200 if matches else 404,
            )
        if matches[0].code not in codes:
            codes.append(matches[0].code)
    canonical = ",".join(codes)
    if query or remove or (areas and areas != [canonical]):
        return RedirectResponse(comparing.compare_path(codes) if codes else "/compare", 303)
    matrix = await similarity_data.load_matrix(session)
    if len(codes) < comparing.MIN_AREAS:
        return page(matrix, {"chooser": await comparing.chooser(session, codes, matrix=matrix)})
    try:
        comparison = await comparing.compare(session, codes, matrix)
    except AppError as exc:
        chooser = await comparing.chooser(session, codes, matrix=matrix)
        return page(matrix, {"chooser": chooser, "error": exc.detail}, status=exc.status_code)
    roles = await landscape.roles(session, [a.code for a in comparison.areas])
    return page(matrix, {"c": comparison, "roles": roles})


@pages.get("/areas/{code}/similar", response_class=HTMLResponse)
async def similar_page(
    request: Request,
    session: SessionDep,
    code: AreaCode,
    indicators: Annotated[list[str] | None, Query()] = None,
    weights: Annotated[str | None, Query(max_length=2000)] = None,
    k: Annotated[str | None, Query(max_length=4)] = None,
    same_region: Annotated[str | None, Query(max_length=8)] = None,
) -> HTMLResponse:
    """Both ways of finding similar areas, the LAIT-style benchmark and the gap analysis."""
    matrix = await similarity_data.load_matrix(session)
    dfe = await similarity.dfe_neighbours(session, code, matrix=matrix)
    area = dfe.area
    chosen = parse_list(indicators or [])
    tuned = bool(chosen or (weights and weights.strip()) or (k and k.strip()) or same_region)
    errors: list[str] = []
    result = None
    k_value = similarity_maths.DEFAULT_K
    region_only = False
    given: list[float] = []
    try:
        region_only = parse_flag(same_region, "same_region")
        if k and k.strip():
            try:
                k_value = int(k)
            except ValueError:
                raise InvalidInput(f"k must be a whole number (got {k!r}).") from None
        given = _form_weights(request, chosen, weights)
        result = await similarity.similar_by_indicators(
            session, area.code, chosen, given, k_value, region_only, matrix
        )
    except InvalidInput as exc:
        errors.append(exc.detail)
    weight_of = dict(zip(chosen, given, strict=False)) if given else {}
    selected = set(chosen) if chosen else set(matrix.default_indicators)
    context = {
        "nav": "areas",
        "area": area,
        "neighbours": dfe,
        "benchmark": await similarity.benchmark(session, area.code, matrix),
        "result": result,
        "errors": errors,
        "matrix": matrix,
        "selected": selected,
        "weight_of": weight_of,
        "k": k_value,
        "k_range": (similarity_maths.MIN_K, similarity_maths.MAX_K),
        "same_region": region_only,
        "gaps": await gaps.gap_analysis(
            session,
            area.code,
            # The similar set the reader chose: the tuned one once they tuned it, else DfE's.
            [n.area.code for n in result.neighbours] if result and tuned else None,
            matrix=matrix,
            basis="similar by the chosen indicators" if result and tuned else None,
        ),
        "overlap": await similarity.default_overlap(session, matrix),
        "method_summary": similarity_shapes.METHOD_SUMMARY,
        "roles": await landscape.roles(
            session,
            [
                area.code,
                *(n.area.code for n in dfe.neighbours),
                *(n.area.code for n in (result.neighbours if result else [])),
            ],
        ),
    }
    return render(request, "similar.html", context, status=422 if errors else 200)


def _form_weights(request: Request, chosen: Sequence[str], weights: str | None) -> list[float]:
    """Weights from ``weights=1,2`` or the form's ``weight_<indicator>`` fields (blank = 1)."""
    if weights and weights.strip():
        return parse_weights(parse_list([weights]))
    fields = [request.query_params.get(f"weight_{c}", "").strip() for c in chosen]
    if not any(fields):
        return []
    return parse_weights([f or "1" for f in fields])


router.include_router(api)
router.include_router(pages)
