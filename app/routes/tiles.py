"""Vector tiles (``/tiles/{layer}/{z}/{x}/{y}.mvt``): boundaries, schools, trusts, partnerships."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from app.cache import PayloadCache
from app.db import SessionDep
from app.services import tiles
from app.services.payloads import MVT

router = APIRouter(tags=["tiles"])
TILE_INDEX_MAX = 2**tiles.MAX_ZOOM - 1
INDEX_NOTE = "0 to 2^z - 1 (at most 2^16 - 1 at the closest zoom)"


@router.get(
    "/tiles/{layer}/{z}/{x}/{y}.mvt",
    response_class=Response,
    responses={200: {"content": {MVT: {}}}},
)
async def vector_tile(
    request: Request,
    session: SessionDep,
    # The layer is checked by the service (its message lists the layers); the document says the same.
    layer: Annotated[
        str,
        Path(
            description=f"One of: {', '.join(tiles.LAYERS)}",
            json_schema_extra={"enum": list(tiles.LAYERS)},
        ),
    ],
    z: Annotated[int, Path(ge=0, le=tiles.MAX_ZOOM)],
    x: Annotated[int, Path(ge=0, le=TILE_INDEX_MAX, description=INDEX_NOTE)],
    y: Annotated[int, Path(ge=0, le=TILE_INDEX_MAX, description=INDEX_NOTE)],
) -> Response:
    """A Mapbox vector tile (EPSG:3857) of one layer; ``X-Tile-Capped: true`` when features were
    left out because the tile reached its cap (zoom in for all of them)."""
    cache: PayloadCache = request.app.state.cache
    payload = await tiles.tile(session, cache, layer, z, x, y)
    return payload.respond(request)
