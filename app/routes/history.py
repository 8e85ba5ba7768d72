"""A partnership's public history: what changed and when (moderators also see who, and revert)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from app.db import SessionDep
from app.routes._forms import render
from app.routes.moderator_auth import optional_moderator
from app.services.history import history as partnership_history

router = APIRouter(include_in_schema=False)


@router.get("/partnerships/{slug}/history", response_class=HTMLResponse)
async def history_page(
    request: Request,
    session: SessionDep,
    slug: str,
    reverted: Annotated[str, Query(max_length=6)] = "",
    error: Annotated[str, Query(max_length=20)] = "",
    confirmed: Annotated[str, Query(max_length=1)] = "",
) -> Response:
    """Every approved version of a partnership, newest first, with what each one changed."""
    current, entries = await partnership_history(session, slug)
    moderator = await optional_moderator(request, session)
    return render(
        request,
        "history.html",
        {
            "nav": "map",
            "p": current,
            "entries": entries,
            "moderator": moderator,
            "reverted": reverted if reverted.isdigit() else "",
            "error": error,
            "confirmed": confirmed == "1",
        },
    )
