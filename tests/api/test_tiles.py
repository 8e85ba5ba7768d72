"""Vector tiles: PostGIS-encoded, cached with an ETag, capped per tile with a flag."""

from __future__ import annotations

import math
from typing import Any

import httpx
import psycopg
import pytest

from app.services.tiles import LAYERS


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """A web-mercator tile's bounds in degrees (west, south, east, north)."""
    n = 2**z

    def lat(row: int) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))

    return x / n * 360 - 180, lat(y + 1), (x + 1) / n * 360 - 180, lat(y)


def schools_in(conn: psycopg.Connection[Any], z: int, x: int, y: int) -> int:
    """Schools whose point falls in the tile, counted from the imported register."""
    w, s, e, n = tile_bounds(z, x, y)
    row = conn.execute(
        "SELECT count(*) FROM school WHERE ST_X(geom) >= %s AND ST_X(geom) < %s"
        " AND ST_Y(geom) >= %s AND ST_Y(geom) < %s",
        (w, e, s, n),
    ).fetchone()
    assert row is not None
    return int(row[0])


async def test_a_school_tile_holds_every_school_in_it(
    client: httpx.AsyncClient, conn: psycopg.Connection[Any]
) -> None:
    z, x, y = 13, 4040, 2642  # central Sheffield
    expected = schools_in(conn, z, x, y)
    assert expected > 0
    r = await client.get(f"/tiles/schools/{z}/{x}/{y}.mvt")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    assert r.headers["x-tile-capped"] == "false"
    # The tile's buffer reaches a little past its edges, so it may hold a few neighbours too.
    assert int(r.headers["x-tile-features"]) >= expected
    assert b"schools" in r.content  # the layer's name is in the encoded tile
    again = await client.get(
        f"/tiles/schools/{z}/{x}/{y}.mvt", headers={"If-None-Match": r.headers["etag"]}
    )
    assert again.status_code == 304


async def test_a_national_school_tile_is_capped_and_says_so(
    client: httpx.AsyncClient, conn: psycopg.Connection[Any]
) -> None:
    cap = LAYERS["schools"][0]
    assert schools_in(conn, 5, 15, 10) > cap
    r = await client.get("/tiles/schools/5/15/10.mvt")
    assert r.status_code == 200
    assert r.headers["x-tile-capped"] == "true"
    assert int(r.headers["x-tile-features"]) == cap


@pytest.mark.parametrize(
    ("layer", "z", "x", "y", "name"),
    [
        ("local_authority", 6, 31, 20, b"Sheffield"),
        ("district", 9, 253, 165, b"Sheffield"),
        ("trusts", 8, 126, 82, b"trusts"),
        ("partnerships", 6, 31, 20, b"partnerships"),
    ],
)
async def test_every_layer_serves_tiles(
    client: httpx.AsyncClient, layer: str, z: int, x: int, y: int, name: bytes
) -> None:
    r = await client.get(f"/tiles/{layer}/{z}/{x}/{y}.mvt")
    assert r.status_code == 200
    assert int(r.headers["x-tile-features"]) > 0
    assert name in r.content


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/tiles/roads/5/15/10.mvt", "layer must be one of"),
        ("/tiles/schools/3/9/1.mvt", "x and y must be between 0 and 7"),
        ("/tiles/schools/30/1/1.mvt", "less than or equal to 16"),
    ],
)
async def test_bad_tile_addresses_are_refused(
    client: httpx.AsyncClient, url: str, message: str
) -> None:
    r = await client.get(url)
    assert r.status_code == 422
    assert message in r.text


async def test_capped_school_list_says_so(
    client: httpx.AsyncClient, conn: psycopg.Connection[Any]
) -> None:
    box = (-1.2, 51.0, 0.8, 53.0)  # London to the Wash: 4 square degrees, the limit
    row = conn.execute(
        "SELECT count(*) FROM school WHERE geom && ST_MakeEnvelope(%s, %s, %s, %s, 4326)", box
    ).fetchone()
    assert row is not None and row[0] > 5000
    body = (await client.get("/api/v1/schools", params={"bbox": ",".join(map(str, box))})).json()
    assert body["truncated"] is True
    assert body["count"] == len(body["features"]) == 5000
    small = (await client.get("/api/v1/schools", params={"bbox": "-1.50,53.37,-1.45,53.40"})).json()
    assert small["truncated"] is False
