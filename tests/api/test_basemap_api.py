"""The offline basemap's payloads: place names by zoom band and England's outline."""

from __future__ import annotations

from typing import Any

import httpx
import psycopg
import pytest

LEEDS = "E08000035"


async def labels(client: httpx.AsyncClient, zoom: int) -> list[dict[str, Any]]:
    """The label features served for a zoom."""
    r = await client.get("/api/v1/basemap/labels", params={"zoom": zoom})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/geo+json")
    features: list[dict[str, Any]] = r.json()["features"]
    return features


async def test_national_labels_name_every_local_authority_and_only_the_biggest_towns(
    client: httpx.AsyncClient, conn: psycopg.Connection[Any]
) -> None:
    names = {r[0] for r in conn.execute("SELECT name FROM area WHERE level = 'local_authority'")}
    features = await labels(client, 6)
    by_kind: dict[str, set[str]] = {}
    for f in features:
        by_kind.setdefault(f["properties"]["k"], set()).add(f["properties"]["n"])
        assert f["properties"]["z"] <= 7
    assert by_kind["la"] == names
    assert "district" not in by_kind
    # Towns at national zooms are the cities with the most schools, London first among them.
    biggest = conn.execute(
        "SELECT town FROM school WHERE town IS NOT NULL GROUP BY town ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()
    assert biggest is not None and biggest[0] in by_kind["town"]
    assert len(by_kind["town"]) < 30


async def test_closer_bands_add_districts_then_every_town(
    client: httpx.AsyncClient, conn: psycopg.Connection[Any]
) -> None:
    districts = {r[0] for r in conn.execute("SELECT name FROM area WHERE level = 'district'")}
    county = await labels(client, 9)
    assert {f["properties"]["n"] for f in county if f["properties"]["k"] == "district"} == districts
    assert max(f["properties"]["z"] for f in county) <= 9
    town = await labels(client, 12)
    assert len(town) > len(county)
    # "Select" is a placeholder some schools carry in the register's town field, not a place.
    placeholders = conn.execute("SELECT count(*) FROM school WHERE town = 'Select'").fetchone()
    assert placeholders is not None and placeholders[0] > 0
    assert "Select" not in {f["properties"]["n"] for f in town}
    assert max(f["properties"]["z"] for f in town) == 11


async def test_a_town_sits_at_the_median_of_its_schools_ranked_by_their_number(
    client: httpx.AsyncClient, conn: psycopg.Connection[Any]
) -> None:
    leeds = [
        f
        for f in await labels(client, 12)
        if f["properties"]["k"] == "town" and f["properties"]["n"] == "Leeds"
    ]
    assert len(leeds) == 1
    lon, lat = leeds[0]["geometry"]["coordinates"]
    schools = conn.execute(
        "SELECT count(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY ST_X(geom)),"
        " percentile_cont(0.5) WITHIN GROUP (ORDER BY ST_Y(geom))"
        " FROM school WHERE town = 'Leeds' AND geom IS NOT NULL"
    ).fetchone()
    assert schools is not None
    n, median_lon, median_lat = schools
    # Schools more than 4 km from the rest form their own group: nearly all are in the main one.
    assert 0.9 * n <= leeds[0]["properties"]["r"] <= n
    assert abs(lon - median_lon) < 0.02 and abs(lat - median_lat) < 0.02
    inside = conn.execute(
        "SELECT ST_Contains(geom, ST_SetSRID(ST_MakePoint(%s, %s), 4326)) FROM area WHERE code = %s",
        (lon, lat, LEEDS),
    ).fetchone()
    assert inside == (True,)
    # A bigger town outranks a smaller one in the same payload.
    ranks = {
        f["properties"]["n"]: f["properties"]["r"]
        for f in await labels(client, 12)
        if f["properties"]["k"] == "town"
    }
    assert ranks["Leeds"] > ranks["Otley"]


async def test_an_area_label_falls_inside_its_area(
    client: httpx.AsyncClient, conn: psycopg.Connection[Any]
) -> None:
    # Cornwall's middle by bounding box would be at sea off its north coast; its label is not.
    cornwall = next(f for f in await labels(client, 6) if f["properties"]["n"] == "Cornwall")
    lon, lat = cornwall["geometry"]["coordinates"]
    inside = conn.execute(
        "SELECT ST_Contains(geom, ST_SetSRID(ST_MakePoint(%s, %s), 4326)) FROM area"
        " WHERE name = 'Cornwall' AND level = 'local_authority'",
        (lon, lat),
    ).fetchone()
    assert inside == (True,)


async def test_land_is_the_country_outline_and_labels_are_cached(
    client: httpx.AsyncClient,
) -> None:
    r = await client.get("/api/v1/basemap/land", params={"zoom": 6})
    assert r.status_code == 200
    land = r.json()
    assert [f["properties"]["code"] for f in land["features"]] == ["E92000001"]
    assert land["features"][0]["geometry"]["type"] == "MultiPolygon"
    first = await client.get("/api/v1/basemap/labels", params={"zoom": 6})
    again = await client.get(
        "/api/v1/basemap/labels",
        params={"zoom": 7},
        headers={"If-None-Match": first.headers["etag"]},
    )
    assert again.status_code == 304  # zooms 6 and 7 share one cached payload


@pytest.mark.parametrize("path", ["/api/v1/basemap/labels", "/api/v1/basemap/land"])
@pytest.mark.parametrize("zoom", ["40", "-1", "x"])
async def test_basemap_rejects_bad_zoom(client: httpx.AsyncClient, path: str, zoom: str) -> None:
    r = await client.get(path, params={"zoom": zoom})
    assert r.status_code == 422
