"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, RedirectResponse

from app.db import SessionDep
from app.errors import RETRY_AFTER_SECONDS
from app.services.versions import stored_data_version

router = APIRouter(tags=["health"])


@router.get("/favicon.ico", include_in_schema=False)
async def favicon() -> RedirectResponse:
    """Browsers ask for /favicon.ico whatever the page says; send them to the icon."""
    return RedirectResponse("/static/favicon.svg", status_code=301)


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up (no database call)."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(session: SessionDep) -> JSONResponse:
    """The database answers and holds imported data."""
    try:
        version = await stored_data_version(session)
    except Exception as exc:  # any database failure means not ready
        return JSONResponse(
            {"status": "unavailable", "detail": type(exc).__name__},
            status_code=503,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"},
        )
    if not version:
        return JSONResponse({"status": "no data imported"}, status_code=503)
    return JSONResponse({"status": "ready", "data_version": version})
