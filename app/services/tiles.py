"""Vector tiles for the map: cached per data version with an ETag, capped per tile with a flag."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession

from app.cache import Payload, PayloadCache
from app.errors import InvalidInput
from app.queries import tiles as tile_queries
from app.services.areas import band_for_zoom
from app.services.payloads import MVT, cached
from app.services.versions import BOUNDARIES, SCHOOLS, Scope

# layer -> (most features in one tile, the sources its tiles are built from)
LAYERS: dict[str, tuple[int, Scope]] = {
    "local_authority": (1000, BOUNDARIES),
    "district": (1000, BOUNDARIES),
    "schools": (5000, SCHOOLS),  # the map asks for zoom 10 tiles from zoom 11: all of London's
    "trusts": (3000, SCHOOLS),
    "partnerships": (2000, None),
}
MAX_ZOOM = 16
CAPPED_HEADER = "X-Tile-Capped"
FEATURES_HEADER = "X-Tile-Features"


def check_tile(layer: str, z: int, x: int, y: int) -> None:
    """Refuse unknown layers and tile addresses outside the zoom's grid."""
    if layer not in LAYERS:
        raise InvalidInput(f"layer must be one of: {', '.join(LAYERS)}.")
    if not 0 <= z <= MAX_ZOOM:
        raise InvalidInput(f"z must be between 0 and {MAX_ZOOM}.")
    if not (0 <= x < 2**z and 0 <= y < 2**z):
        raise InvalidInput(f"x and y must be between 0 and {2**z - 1} at zoom {z}.")


async def tile(
    session: AsyncSession, cache: PayloadCache, layer: str, z: int, x: int, y: int
) -> Payload:
    """A layer's tile as a cached payload; headers say how many features and whether capped."""
    check_tile(layer, z, x, y)
    cap, scope = LAYERS[layer]
    band, _digits = band_for_zoom(min(z, 22))

    async def build() -> tuple[bytes, Mapping[str, str]]:
        result = await tile_queries.tile(session, layer, z, x, y, cap, band)
        headers = {
            CAPPED_HEADER: "true" if result.capped else "false",
            FEATURES_HEADER: str(result.features),
        }
        return result.data, headers

    return await cached(session, cache, ("tile", layer, z, x, y), build, MVT, scope)
