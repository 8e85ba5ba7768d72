"""The Atom feed of approved changes: all, per area (``?area=``) or per theme (``?theme=``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.db import SessionDep
from app.services import feeds
from app.services.payloads import cached
from app.settings import Settings

router = APIRouter(tags=["feeds"])


@router.get(
    "/feeds/changes.atom",
    response_class=Response,
    responses={200: {"content": {feeds.MEDIA_TYPE: {}}, "description": "An Atom 1.0 feed"}},
)
async def changes_feed(
    request: Request,
    session: SessionDep,
    area: Annotated[str, Query(max_length=12, description="GSS code of an area")] = "",
    theme: Annotated[str, Query(max_length=60, description="A theme code")] = "",
) -> Response:
    """The latest approved changes to partnerships and area notes, as Atom."""
    settings: Settings = request.app.state.settings
    area, theme = area.strip().upper(), theme.strip()

    async def build() -> bytes:
        return await feeds.changes_feed(session, settings.public_base_url, area, theme)

    media = f"{feeds.MEDIA_TYPE}; charset=utf-8"
    payload = await cached(
        session, request.app.state.cache, ("changes.atom", area, theme), build, media
    )
    response: Response = payload.respond(request)
    return response
