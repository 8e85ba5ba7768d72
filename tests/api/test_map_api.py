"""The map's JSON and GeoJSON API, including bad input: always a clear 4xx, never a 500."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import httpx
import pytest


async def test_area_layer_is_geojson_with_counts_and_caching(
    client: httpx.AsyncClient, la_count: int
) -> None:
    r = await client.get(
        "/api/v1/areas",
        params={"level": "local_authority", "zoom": 6},
        headers={"Accept-Encoding": "gzip"},
    )
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/geo+json")
    assert r.headers["content-encoding"] == "gzip"
    assert int(r.headers["content-length"]) <= 75_000  # the national layer's budget, compressed
    body = r.json()
    assert len(body["features"]) == la_count
    props = {f["properties"]["code"]: f["properties"] for f in body["features"]}
    assert props["E09000030"]["local_count"] >= 1  # Tower Hamlets has THE Partnership
    assert props["E06000036"]["local_count"] == 0  # Bracknell Forest: none recorded yet
    etag = r.headers["etag"]
    again = await client.get(
        "/api/v1/areas",
        params={"level": "local_authority", "zoom": 6},
        headers={"If-None-Match": etag},
    )
    assert again.status_code == 304


async def test_area_layer_bands_differ_by_zoom(client: httpx.AsyncClient) -> None:
    coarse = await client.get("/api/v1/areas", params={"level": "region", "zoom": 5})
    fine = await client.get("/api/v1/areas", params={"level": "region", "zoom": 10})
    assert len(coarse.content) < len(fine.content)
    ca = (
        await client.get("/api/v1/areas", params={"level": "combined_authority", "zoom": 7})
    ).json()
    mayoral = {f["properties"]["code"]: f["properties"]["is_mayoral"] for f in ca["features"]}
    assert len(mayoral) == 15 and sum(mayoral.values()) == 13


@pytest.mark.parametrize("params", [{"level": "parish"}, {"zoom": 40}, {"zoom": "x"}])
async def test_area_layer_rejects_bad_input(
    client: httpx.AsyncClient, params: dict[str, object]
) -> None:
    r = await client.get("/api/v1/areas", params=params)
    assert r.status_code == 422
    assert r.json()["detail"]


async def test_counts_follow_filters(client: httpx.AsyncClient) -> None:
    all_local = (await client.get("/api/v1/areas/counts")).json()
    careers = (
        await client.get("/api/v1/areas/counts", params={"theme": "careers", "national": "true"})
    ).json()
    assert sum(all_local.values()) > 0
    assert careers and careers != all_local
    bad = await client.get("/api/v1/areas/counts", params={"theme": "astrology"})
    assert bad.status_code == 422 and "astrology" in bad.json()["detail"]


async def test_area_detail(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/areas/E08000019")
    assert r.status_code == 200
    body = r.json()
    assert body["area"]["name"] == "Sheffield" and body["area"]["la_number"] == 373
    assert any(p["name"] == "Learn Sheffield" for p in body["local"])
    assert len(body["neighbours"]) == 10
    assert body["school_total"] > 100
    assert (await client.get("/api/v1/areas/E99999999")).status_code == 404
    assert (await client.get("/api/v1/areas/E0800001999")).status_code == 422


def register_rows(geodata_dir: Path, kind: str) -> int:
    """How many rows of the partnership register's source files are of ``kind``."""
    total = 0
    for path in sorted((geodata_dir / "partnerships").glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            total += sum(1 for row in csv.DictReader(handle) if row["kind"] == kind)
    return total


async def test_partnerships_geojson_filters(client: httpx.AsyncClient, geodata_dir: Path) -> None:
    local = (await client.get("/api/v1/partnerships")).json()["features"]
    everything = (await client.get("/api/v1/partnerships", params={"national": "true"})).json()[
        "features"
    ]
    assert 0 < len(local) < len(everything)
    assert not any(f["properties"]["is_national"] for f in local)
    hubs = (
        await client.get("/api/v1/partnerships", params={"kind": "teaching_school_hub"})
    ).json()["features"]
    assert len(hubs) == register_rows(geodata_dir, "teaching_school_hub") > 0
    assert all(f["properties"]["kind"] == "teaching_school_hub" for f in hubs)
    in_sheffield = (await client.get("/api/v1/partnerships", params={"area": "E08000019"})).json()[
        "features"
    ]
    assert any(f["properties"]["slug"] == "learn-sheffield" for f in in_sheffield)
    named = (await client.get("/api/v1/partnerships", params={"q": "Camden Learning"})).json()[
        "features"
    ]
    assert named[0]["properties"]["name"] == "Camden Learning"
    boxed = (
        await client.get("/api/v1/partnerships", params={"bbox": "-0.2,51.45,0.0,51.6"})
    ).json()["features"]
    for f in boxed:
        lon, lat = f["geometry"]["coordinates"]
        assert -0.2 <= lon <= 0.0 and 51.45 <= lat <= 51.6


@pytest.mark.parametrize(
    "params",
    [
        {"bbox": "1,2,3"},
        {"bbox": "10,60,5,50"},
        {"bbox": "a,b,c,d"},
        {"kind": "circus"},
        {"area": "E12999999"},
        {"q": "x" * 101},
    ],
)
async def test_partnerships_bad_input(client: httpx.AsyncClient, params: dict[str, str]) -> None:
    r = await client.get("/api/v1/partnerships", params=params)
    assert 400 <= r.status_code < 500
    assert r.json()["detail"]


async def test_partnership_detail_and_areas(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/partnerships/learn-sheffield")
    assert r.status_code == 200
    body = r.json()
    assert [a["code"] for a in body["areas"]] == ["E08000019"]
    assert body["source_url"].startswith("http")
    areas = (await client.get("/api/v1/partnerships/learn-sheffield/areas")).json()
    assert areas["features"][0]["properties"]["code"] == "E08000019"
    assert (await client.get("/api/v1/partnerships/no-such-thing")).status_code == 404


async def test_schools_in_bbox(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/schools", params={"bbox": "-1.50,53.37,-1.45,53.40"})
    assert r.status_code == 200
    features = r.json()["features"]
    assert features and all(f["geometry"]["type"] == "Point" for f in features)
    too_big = await client.get("/api/v1/schools", params={"bbox": "-6,50,2,56"})
    assert too_big.status_code == 422 and "zoom in" in too_big.json()["detail"]
    assert (await client.get("/api/v1/schools")).status_code == 422


async def test_school_and_trust_detail(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/schools/100000")
    assert r.status_code == 200
    school = r.json()["school"]
    assert school["name"] == "The Aldgate School" and school["la_code"] == "E09000001"
    assert (await client.get("/api/v1/schools/12345")).status_code == 422
    assert (await client.get("/api/v1/schools/999999")).status_code == 404
    assert (await client.get("/api/v1/schools/abc")).status_code == 422
    trust_uid = (await client.get("/api/v1/search", params={"q": "Harris Federation"})).json()
    uid = next(h["id"] for h in trust_uid["results"] if h["type"] == "trust")
    trust = (await client.get(f"/api/v1/trusts/{uid}")).json()
    assert trust["trust"]["name"].upper().startswith("HARRIS")
    assert len(trust["schools"]) > 10
    points = (await client.get(f"/api/v1/trusts/{uid}/schools")).json()
    assert len(points["features"]) == len([s for s in trust["schools"] if s["lon"] is not None])
    assert (await client.get("/api/v1/trusts/9999999")).status_code == 404


async def test_near_postcode(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/near", params={"postcode": "sw1a1aa"})
    assert r.status_code == 200
    body = r.json()
    assert body["place"]["label"] == "SW1A 1AA"
    assert body["areas"]["local_authority"]["name"] == "Westminster"
    assert body["areas"]["region"]["name"] == "London"
    assert body["nearest_schools"]
    distances = [s["distance_m"] for s in body["nearest_schools"]]
    assert distances == sorted(distances)


async def test_near_outcode_point_and_school(client: httpx.AsyncClient) -> None:
    oc = (await client.get("/api/v1/near", params={"postcode": "CH41"})).json()
    assert oc["areas"]["local_authority"]["name"] == "Wirral"
    assert oc["areas"]["combined_authority"]["name"] == "Liverpool City Region"
    pt = (await client.get("/api/v1/near", params={"lat": 53.381, "lon": -1.470})).json()
    assert pt["areas"]["local_authority"]["name"] == "Sheffield"
    assert any(p["slug"] == "learn-sheffield" for p in pt["partnerships_serving"])
    sc = (await client.get("/api/v1/near", params={"urn": 100000})).json()
    assert sc["place"]["urn"] == 100000
    assert all(s["urn"] != 100000 for s in sc["nearest_schools"])


async def test_near_split_district_and_sector(client: httpx.AsyncClient) -> None:
    ec1 = (await client.get("/api/v1/near", params={"postcode": "EC1"})).json()
    assert "EC1A" in ec1["place"]["label"] and "EC1V" in ec1["place"]["label"]
    assert ec1["areas"]["local_authority"]["name"] in {"Islington", "City of London", "Camden"}
    sector = (await client.get("/api/v1/near", params={"postcode": "SW1A 1"})).json()
    assert sector["place"]["kind"] == "sector"
    assert sector["areas"]["local_authority"]["name"] == "Westminster"
    missing = await client.get("/api/v1/near", params={"postcode": "ZZ9 9"})
    assert missing.status_code == 404 and "ZZ9 9" in missing.json()["detail"]


async def test_near_lists_partnerships_of_the_district_and_its_county_only(
    client: httpx.AsyncClient,
) -> None:
    body = (
        await client.get("/api/v1/near", params={"postcode": "CO1 1"})
    ).json()  # Colchester, Essex
    assert body["areas"]["district"]["name"] == "Colchester"
    names = {p["name"] for p in body["partnerships_serving"]}
    assert "Colchester LCEP" in names  # serves the district
    assert "Essex School Partnership Board" in names  # serves the county, so the district too
    assert "Braintree LCEP" not in names  # another district of the same county


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"postcode": "ZZ99 9ZZ"}, 404),
        ({"postcode": "hello"}, 422),
        ({"lat": 48.0, "lon": 2.0}, 422),
        ({"lat": 53.0}, 422),
        ({}, 422),
        ({"postcode": "SW1A 1AA", "urn": 100000}, 422),
        ({"urn": 12}, 422),
        ({"lat": 95, "lon": 0}, 422),
    ],
)
async def test_near_bad_input(
    client: httpx.AsyncClient, params: dict[str, object], status: int
) -> None:
    r = await client.get("/api/v1/near", params=params)
    assert r.status_code == status
    assert r.json()["detail"]


@pytest.mark.parametrize(
    ("q", "redirect"),
    [
        ("SW1A 1AA", "/near?postcode=SW1A+1AA"),
        ("ec1a", "/near?postcode=EC1A"),
        ("EC1", "/near?postcode=EC1"),  # a district since split into EC1A, EC1M…
        ("sw1a 1", "/near?postcode=SW1A+1"),
        ("100000", "/schools/100000"),
        ("E08000019", "/areas/E08000019"),
    ],
)
async def test_search_guesses_identifiers(client: httpx.AsyncClient, q: str, redirect: str) -> None:
    body = (await client.get("/api/v1/search", params={"q": q})).json()
    assert body["redirect"] == redirect


async def test_search_by_laestab_and_names(client: httpx.AsyncClient) -> None:
    school = (await client.get("/api/v1/schools/100000")).json()["school"]
    laestab = str(school["laestab"])
    body = (await client.get("/api/v1/search", params={"q": f"{laestab[:3]}/{laestab[3:]}"})).json()
    assert body["redirect"] == "/schools/100000"
    names = (await client.get("/api/v1/search", params={"q": "sheffield"})).json()["results"]
    assert names[0]["type"] == "area" and names[0]["name"] == "Sheffield"
    assert {h["type"] for h in names} >= {"area", "partnership", "school"}
    assert (await client.get("/api/v1/search", params={"q": " "})).status_code == 422
    assert (await client.get("/api/v1/search", params={"q": "x" * 101})).status_code == 422


async def test_indicator_values(client: httpx.AsyncClient) -> None:
    body = (await client.get("/api/v1/indicators/fsm_primary_pct/values")).json()
    assert body["indicator"]["source"] and body["indicator"]["period"]
    assert len(body["values"]) >= 150
    assert (await client.get("/api/v1/indicators/nonsense/values")).status_code == 404


async def test_downloads(client: httpx.AsyncClient) -> None:
    r = await client.get("/downloads/partnerships.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) >= 488
    assert {"slug", "name", "kind", "themes", "area_codes", "url"} <= set(rows[0])
    g = (await client.get("/downloads/partnerships.geojson")).json()
    assert len(g["features"]) == len(rows)


async def test_health(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = (await client.get("/readyz")).json()
    assert ready["status"] == "ready" and ready["data_version"] >= 7


async def test_single_boundary_is_full_detail_when_zoomed_in(client: httpx.AsyncClient) -> None:
    coarse = await client.get("/api/v1/areas/E08000019/boundary", params={"zoom": 6})
    full = await client.get("/api/v1/areas/E08000019/boundary")
    assert coarse.json()["properties"]["code"] == full.json()["properties"]["code"] == "E08000019"
    assert len(full.content) > len(coarse.content)
    assert (await client.get("/api/v1/areas/E99999999/boundary")).status_code == 404


async def test_coverage(client: httpx.AsyncClient, la_count: int) -> None:
    body = (await client.get("/api/v1/coverage")).json()
    las = body["local_authorities"]
    assert len(las) == la_count
    assert sum(r["schools"] for r in las) == sum(r["schools"] for r in body["regions"])
    for row in las:
        assert 0 <= row["member_schools"] <= row["schools"]
        assert 0 <= row["served_schools"] <= row["schools"]
    bracknell = next(r for r in las if r["code"] == "E06000036")
    assert bracknell["served_schools"] == 0  # no local partnership recorded there
    assert len(body["combined_authorities"]) == 15


async def test_trust_head_offices_in_bbox(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/trusts", params={"bbox": "-6.5,49.8,2.1,55.9"})
    assert r.status_code == 200
    features = r.json()["features"]
    assert len(features) > 2000
    props = features[0]["properties"]
    assert {"uid", "name", "group_type", "school_count"} <= set(props)
    assert {f["properties"]["group_type"] for f in features} <= {
        "Multi-academy trust",
        "Single-academy trust",
    }
    london = (await client.get("/api/v1/trusts", params={"bbox": "-0.5,51.3,0.3,51.7"})).json()[
        "features"
    ]
    assert 0 < len(london) < len(features)
    assert (await client.get("/api/v1/trusts", params={"bbox": "0,0"})).status_code == 422
    assert (await client.get("/api/v1/trusts")).status_code == 422


async def test_national_layers_stop_at_the_detail_that_keeps_them_light(
    client: httpx.AsyncClient,
) -> None:
    """LAs are generalised no finer than zoom 8's band, districts than zoom 6's, each under 75 KB
    as sent; combined authorities keep their finer bands."""

    async def layer(level: str, zoom: int) -> httpx.Response:
        r = await client.get(
            "/api/v1/areas",
            params={"level": level, "zoom": zoom},
            headers={"Accept-Encoding": "gzip"},
        )
        assert r.status_code == 200
        return r

    for level, top in (("local_authority", 8), ("district", 6)):
        at_top = await layer(level, top)
        for closer in (top + 1, 12, 22):
            assert (await layer(level, closer)).content == at_top.content, (level, closer)
        assert int(at_top.headers["content-length"]) <= 75_000, level
    assert (await layer("local_authority", 6)).content != (
        await layer("local_authority", 8)
    ).content
    ca_8 = await layer("combined_authority", 8)
    assert (await layer("combined_authority", 10)).content != ca_8.content
