"""The local landscape over HTTP: an area's landscape history and revert, the all-England table
as JSON (``/api/v1/landscape``) and CSV (``/downloads/landscape.csv``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from app.cache import PayloadCache
from app.db import SessionDep
from app.errors import Conflict, InvalidInput
from app.routes._forms import render
from app.routes.moderator_auth import optional_moderator, require_post
from app.schemas import whole_number
from app.services import landscape
from app.services.history import landscape_history, revert_landscape
from app.services.record_writer import StaleRecord

router = APIRouter()
pages = APIRouter(include_in_schema=False)


def _cache(request: Request) -> PayloadCache:
    cache: PayloadCache = request.app.state.cache
    return cache


class LandscapeRow(BaseModel):
    """One upper-tier LA of the all-England landscape table."""

    code: str
    name: str
    region: str | None
    combined_authority: str | None
    council_role: str | None = Field(
        description="in_house_team, traded_company, …; see council_roles"
    )
    provider_name: str | None
    provider_url: str | None
    collaboration_forms: list[str]
    local_current: int = Field(description="Local partnerships with activity shown from about 2021")
    local_unconfirmed: int = Field(description="Local partnerships existing at their source date")
    local_ended: int
    national_programmes: int = Field(description="National programmes covering it, not ended")
    schools: int
    share_in_trust: float | None
    landscape_source_date: str | None
    landscape_confidence: str | None
    landscape_checked_on: str | None


class LandscapeTable(BaseModel):
    """The all-England landscape table with the vocabularies its codes use."""

    council_roles: dict[str, str]
    collaboration_forms: dict[str, str]
    source: str
    local_authorities: list[LandscapeRow]


@router.get(
    "/api/v1/landscape",
    tags=["api"],
    response_class=Response,
    responses={200: {"model": LandscapeTable, "content": {"application/json": {}}}},
)
async def landscape_api(request: Request, session: SessionDep) -> Response:
    """Every upper-tier LA: council role, provider, forms of collaboration, the register's local
    partnerships by status, national programmes, schools, share in a trust, and provenance."""
    return (await landscape.json_payload(session, _cache(request))).respond(request)


@router.get(
    "/downloads/landscape.csv",
    tags=["downloads"],
    response_class=Response,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
async def landscape_csv(request: Request, session: SessionDep) -> Response:
    """The all-England landscape table as CSV (forms ';'-separated)."""
    response = (await landscape.csv_payload(session, _cache(request))).respond(request)
    response.headers["Content-Disposition"] = 'attachment; filename="landscape.csv"'
    return response


@pages.get("/areas/{code}/landscape/history", response_class=HTMLResponse)
async def landscape_history_page(
    request: Request,
    session: SessionDep,
    code: str,
    reverted: Annotated[str, Query(max_length=6)] = "",
    error: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """Every version of an area's landscape record, newest first, with what each one changed."""
    current, entries = await landscape_history(session, code)
    moderator = await optional_moderator(request, session)
    context: dict[str, Any] = {
        "nav": "areas",
        "l": current,
        "entries": entries,
        "moderator": moderator,
        "reverted": reverted if reverted.isdigit() else "",
        "error": error,
    }
    return render(request, "landscape_history.html", context)


@pages.post("/moderate/areas/{code}/landscape/revert", response_class=HTMLResponse)
async def landscape_revert(request: Request, session: SessionDep, code: str) -> Response:
    """Restore an earlier version of an area's landscape (as a new version)."""
    moderator, data, _ = await require_post(request, session)
    to_version = whole_number(data.get("to_version", ""))
    expected_version = whole_number(data.get("expected_version", ""))
    if to_version is None or expected_version is None:
        raise InvalidInput("Choose a version to restore")
    code = code.strip().upper()[:12]
    where = f"/areas/{code}/landscape/history"
    try:
        await revert_landscape(
            session, moderator, code, to_version, expected_version, data.get("note")
        )
    except Conflict as exc:
        error = "stale" if isinstance(exc, StaleRecord) else "refused"
        return RedirectResponse(f"{where}?error={error}", status_code=303)
    return RedirectResponse(f"{where}?reverted={to_version}", status_code=303)


router.include_router(pages)
