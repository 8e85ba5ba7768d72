"""Pages and downloads tell a reader what the register really knows: currency, dates, footprints."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx
import psycopg

from app.services.partnerships import CSV_COLUMNS, as_csv

NORTH_YORKSHIRE = "E06000065"
NOTTINGHAMSHIRE = "E10000024"
PETERBOROUGH = "E06000031"


async def test_learn_sheffield_shows_its_source_and_checked_dates(
    client: httpx.AsyncClient, conn: psycopg.Connection[Any]
) -> None:
    source_date, checked_on = conn.execute(
        "SELECT source_date, checked_on FROM partnership WHERE slug = 'learn-sheffield'"
    ).fetchone()  # type: ignore[misc]
    html = (await client.get("/partnerships/learn-sheffield")).text
    assert f"source dated {source_date}" in html
    assert f"checked {checked_on.strftime('%d %B %Y')}" in html
    assert "Last verified" not in html and "Verified by a moderator" not in html
    # Its newest dated page is from 2015: unconfirmed since then, not "Active".
    assert f"Unconfirmed since {source_date[:4]}" in html
    assert "updated by a moderated change" not in html


async def test_a_harrogate_postcode_gets_scarborough_programmes_only_as_part_of_the_county(
    client: httpx.AsyncClient, conn: psycopg.Connection[Any]
) -> None:
    body = (await client.get("/api/v1/near", params={"postcode": "HG1 1AA"})).json()
    assert body["areas"]["local_authority"]["code"] == NORTH_YORKSHIRE
    serving = {p["slug"]: p for p in body["partnerships_serving"]}
    peia = serving["scarborough-priority-education-investment-area"]
    assert peia["area_whole"] is False
    assert "North Yorkshire (part: former Scarborough borough)" in peia["area_reach"]
    # The Opportunity Area ended in 2022: it serves no one.
    assert "north-yorkshire-coast-opportunity-area" not in serving
    assert all(p["currency"] != "ended" for p in body["partnerships_serving"])
    html = (await client.get("/near", params={"postcode": "HG1 1AA"})).text
    assert "may serve part of North Yorkshire (part: former Scarborough borough)" in html


async def test_nottinghamshire_coverage_is_not_driven_by_an_unconfirmed_district_group(
    client: httpx.AsyncClient, conn: psycopg.Connection[Any]
) -> None:
    rows = (await client.get("/api/v1/coverage")).json()["local_authorities"]
    notts = next(r for r in rows if r["code"] == NOTTINGHAMSHIRE)
    district_schools = conn.execute(
        "SELECT count(*) FROM school s WHERE s.la_code = %s AND s.district_code IN ("
        " SELECT pa.area_code FROM partnership_area pa JOIN partnership p"
        " ON p.id = pa.partnership_id JOIN partnership_kind k ON k.code = p.kind"
        " WHERE NOT k.is_national AND p.currency <> 'ended' AND pa.whole)",
        (NOTTINGHAMSHIRE,),
    ).fetchone()[0]  # type: ignore[index]
    assert notts["schools"] > district_schools
    assert notts["served_schools"] + notts["served_unconfirmed_schools"] <= district_schools
    assert notts["served_share"] < 1
    # Only part-area or district links: the county as a whole is never counted as served.
    bassetlaw = conn.execute(
        "SELECT currency FROM partnership WHERE name = %s",
        ("Bassetlaw secondary headteachers' partnership",),
    ).fetchone()
    assert bassetlaw == ("unconfirmed",)
    assert notts["served_schools"] == 0


async def test_the_school_page_lists_its_teaching_school_hub(
    client: httpx.AsyncClient, conn: psycopg.Connection[Any]
) -> None:
    urn, hub_slug, hub_name = conn.execute(
        "SELECT s.urn, p.slug, p.name FROM school s"
        " JOIN partnership_area pa ON pa.area_code = s.la_code AND pa.whole"
        " JOIN partnership p ON p.id = pa.partnership_id AND p.kind = 'teaching_school_hub'"
        " WHERE s.la_code = %s AND s.geom IS NOT NULL ORDER BY s.urn LIMIT 1",
        (PETERBOROUGH,),
    ).fetchone()  # type: ignore[misc]
    html = (await client.get(f"/schools/{urn}")).text
    national = html[html.index('id="national-programmes"') :]
    assert f'href="/partnerships/{hub_slug}"' in national
    assert "whole-area link" in national
    local = html[html.index('id="local-partnerships"') : html.index('id="national-programmes"')]
    assert hub_name not in local


async def test_downloads_carry_every_public_field(
    client: httpx.AsyncClient, conn: psycopg.Connection[Any]
) -> None:
    response = await client.get("/downloads/partnerships.csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows and list(rows[0]) == CSV_COLUMNS
    learn = next(r for r in rows if r["slug"] == "learn-sheffield")
    stored = conn.execute(
        "SELECT source_url, source_date, checked_on::text, status, currency, founded_year::text"
        " FROM partnership WHERE slug = 'learn-sheffield'"
    ).fetchone()
    assert stored is not None
    assert (
        learn["source_url"],
        learn["source_date"],
        learn["checked_on"],
        learn["status"],
        learn["currency"],
        learn["founded_year"],
    ) == stored
    assert learn["area_codes"] == "E08000019" and learn["area_extents"] == "whole"
    features = (await client.get("/downloads/partnerships.geojson")).json()["features"]
    props = next(f["properties"] for f in features if f["properties"]["slug"] == "learn-sheffield")
    for column in CSV_COLUMNS:
        if column != "url":
            assert column in props, column
    assert props["checked_on"] == stored[2] and props["source_url"] == stored[0]
    # Every field shown on the partnership page is in the download.
    html = (await client.get("/partnerships/learn-sheffield")).text
    for value in (learn["source_url"], learn["source_date"], learn["founded_year"]):
        assert value in html


async def test_per_area_downloads_list_the_area_partnerships(client: httpx.AsyncClient) -> None:
    response = await client.get(f"/downloads/areas/{NORTH_YORKSHIRE}/partnerships.csv")
    assert response.status_code == 200
    assert f"partnerships-{NORTH_YORKSHIRE}.csv" in response.headers["content-disposition"]
    rows = {r["slug"]: r for r in csv.DictReader(io.StringIO(response.text))}
    assert "scarborough-priority-education-investment-area" in rows
    assert "north-yorkshire-coast-opportunity-area" not in rows
    assert rows["scarborough-priority-education-investment-area"]["area_extents"] == "part"
    missing = await client.get("/downloads/areas/E99999999/partnerships.csv")
    assert missing.status_code == 404


def test_csv_cells_that_look_like_formulas_are_neutralised() -> None:
    item = {
        "slug": "x",
        "name": '=HYPERLINK("http://evil")',
        "summary": "+1 more",
        "lead_organisation": "@SUM(A1)",
        "website": "-2",
        "themes": ["=cmd"],
        "area_codes": ["E08000019"],
        "area_names": ["Sheffield"],
        "area_whole_list": [True],
    }
    row = next(csv.DictReader(io.StringIO(as_csv([item], "https://example.org").decode())))
    assert row["name"] == '\'=HYPERLINK("http://evil")'
    assert row["summary"] == "'+1 more" and row["lead_organisation"] == "'@SUM(A1)"
    assert row["website"] == "'-2" and row["themes"] == "'=cmd"
    assert row["area_codes"] == "E08000019" and row["url"] == "https://example.org/partnerships/x"


async def test_no_area_page_shows_more_in_a_trust_than_academies(
    client: httpx.AsyncClient,
) -> None:
    for code in ("E08000032", "E10000016"):  # Bradford, Kent
        html = (await client.get(f"/areas/{code}")).text
        start = html.index('id="schools"')
        table = html[start : html.index("</table>", start)]
        checked = 0
        for row in table.split("<tr>")[2:]:
            cells = [c.split("<")[0] for c in row.split('class="num">')[1:]]
            if len(cells) < 3:
                continue
            schools_n, academies, in_trust = (int(c.replace(",", "")) for c in cells[:3])
            assert in_trust <= academies <= schools_n, (code, row)
            checked += 1
        assert checked, f"no school counts read from the table on /areas/{code}"


async def test_markers_on_an_area_map_sit_inside_the_area(
    client: httpx.AsyncClient, conn: psycopg.Connection[Any]
) -> None:
    for code in (NORTH_YORKSHIRE, "E09000033"):  # a county-sized unitary, Westminster
        features = (
            await client.get("/api/v1/partnerships", params={"area": code, "national": "true"})
        ).json()["features"]
        assert any(len(f["properties"]["area_codes"]) > 1 for f in features)
        outside = [
            f["properties"]["slug"]
            for f in features
            if not conn.execute(
                "SELECT ST_DWithin(geom, ST_SetSRID(ST_MakePoint(%s, %s), 4326), 0.0005)"
                " FROM area WHERE code = %s",
                (*f["geometry"]["coordinates"], code),
            ).fetchone()[0]  # type: ignore[index]
        ]
        assert outside == [], (code, outside)
