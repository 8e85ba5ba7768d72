"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from app.db import SessionDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up (no database call)."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(session: SessionDep) -> JSONResponse:
    """The database answers and holds imported data."""
    try:
        version = (await session.execute(text("SELECT max(id) FROM dataset"))).scalar()
    except Exception as exc:  # any database failure means not ready
        return JSONResponse({"status": "unavailable", "detail": type(exc).__name__}, status_code=503)
    if version is None:
        return JSONResponse({"status": "no data imported"}, status_code=503)
    return JSONResponse({"status": "ready", "data_version": version})
