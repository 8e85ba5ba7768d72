"""Moderators' actions on a published partnership: restore an earlier version, or confirm it
still runs. Both answer with a redirect to the partnership's history page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.db import SessionDep
from app.errors import Conflict, InvalidInput
from app.routes.moderator_auth import require_post
from app.schemas import whole_number
from app.services import history as revision_history
from app.services import moderation
from app.services.record_writer import StaleRecord

router = APIRouter(prefix="/moderate", include_in_schema=False)


@router.post("/partnerships/{slug}/revert", response_class=HTMLResponse)
async def revert(request: Request, session: SessionDep, slug: str) -> Response:
    """Restore an earlier revision (as a new revision)."""
    moderator, data, _ = await require_post(request, session)
    to_version = whole_number(data.get("to_version", ""))
    expected_version = whole_number(data.get("expected_version", ""))
    if to_version is None or expected_version is None:
        raise InvalidInput("Choose a version to restore")
    try:
        await revision_history.revert(
            session, moderator, slug, to_version, expected_version, data.get("note")
        )
    except Conflict as exc:
        error = "stale" if isinstance(exc, StaleRecord) else "refused"
        return RedirectResponse(f"/partnerships/{slug}/history?error={error}", status_code=303)
    return RedirectResponse(f"/partnerships/{slug}/history?reverted={to_version}", status_code=303)


@router.post("/partnerships/{slug}/confirm", response_class=HTMLResponse)
async def confirm_running(request: Request, session: SessionDep, slug: str) -> Response:
    """Record, in one step with a note, that a partnership is still running."""
    moderator, data, _ = await require_post(request, session)
    expected_version = whole_number(data.get("expected_version", ""))
    if expected_version is None:
        raise InvalidInput("Reload the page and try again")
    try:
        await moderation.confirm_running(
            session, moderator, slug, expected_version, data.get("note")
        )
    except StaleRecord:
        return RedirectResponse(f"/partnerships/{slug}/history?error=stale", status_code=303)
    return RedirectResponse(f"/partnerships/{slug}/history?confirmed=1", status_code=303)
