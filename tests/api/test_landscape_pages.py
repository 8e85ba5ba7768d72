"""The local landscape on the pages and in the API: area panel, all-England table, JSON, CSV,
partnership membership, trust footprint and the academy-trust filter, on real records."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from app.settings import Settings

BARNET = "E09000003"
HARTLEPOOL = "E06000001"


def register(settings: Settings) -> dict[str, dict[str, str]]:
    """The landscape register's rows by LA code, read here from the source file."""
    path = settings.geodata_dir / "landscape" / "council_landscape.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return {r["area_code"]: r for r in csv.DictReader(handle)}


def member_rows(folder: Path) -> list[dict[str, str]]:
    """The named member schools, read here from the source file."""
    with (folder / "membership" / "member_schools.csv").open(encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


async def test_area_page_shows_the_landscape_with_provenance(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    row = register(settings)[BARNET]
    page = await client.get(f"/areas/{BARNET}")
    assert page.status_code == 200
    text = page.text
    assert "Council’s school-improvement role: Traded company." in text
    assert f'href="{row["provider_url"]}"' in text and row["provider_name"] in text
    assert "Clusters or locality groups" in text
    assert f"source dated {row['source_date']} · checked 6 December 2026 · confidence high" in text
    assert f'href="/suggest/landscape?area={BARNET}"' in text
    assert "What the partnership register shows here" in text
    # The panel comes before the list of partnerships.
    assert text.index('id="landscape"') < text.index('id="partnerships"')
    brief = await client.get(f"/areas/{BARNET}/brief")
    assert "Council’s role: Traded company." in brief.text and row["provider_name"] in brief.text
    undated = await client.get(f"/areas/{HARTLEPOOL}")
    assert "source undated · checked 6 December 2026 · confidence medium" in undated.text
    assert "Not yet described" not in undated.text


async def test_every_la_has_a_landscape_panel(
    client: httpx.AsyncClient, settings: Settings, conn: psycopg.Connection[Any], la_count: int
) -> None:
    codes = [r[0] for r in conn.execute("SELECT code FROM area WHERE level = 'local_authority'")]
    assert len(codes) == len(register(settings)) == la_count
    table = await client.get("/areas")
    assert table.status_code == 200
    assert sorted(re.findall(r'<tr data-code="(E\d{8})"', table.text)) == sorted(codes)


async def test_areas_table_filters_and_sorts(
    client: httpx.AsyncClient, settings: Settings, conn: psycopg.Connection[Any], la_count: int
) -> None:
    rows = register(settings)
    traded = {c for c, r in rows.items() if r["council_role"] == "traded_company"}
    page = await client.get("/areas", params={"role": "traded_company", "sort": "name"})
    assert set(re.findall(r'<tr data-code="(E\d{8})"', page.text)) == traded
    assert f"Showing {len(traded)} of {la_count} local authorities" in page.text
    trust_led = {
        c for c, r in rows.items() if "trust_led_partnership" in r["collaboration_forms"].split(";")
    }
    page = await client.get("/areas", params={"form": "trust_led_partnership"})
    assert set(re.findall(r'<tr data-code="(E\d{8})"', page.text)) == trust_led
    by_schools = await client.get("/areas", params={"sort": "schools", "order": "desc"})
    first = re.search(r'<tr data-code="(E\d{8})"', by_schools.text)
    most = conn.execute(
        "SELECT la_code FROM school WHERE la_code IS NOT NULL GROUP BY la_code"
        " ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()
    assert first and most and first.group(1) == most[0]
    ignored = await client.get("/areas", params={"role": "'; DROP TABLE area; --"})
    assert f"Showing {la_count} of {la_count}" in ignored.text


async def test_landscape_api_and_csv_agree_with_the_register(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    rows = register(settings)
    api = await client.get("/api/v1/landscape")
    assert api.status_code == 200
    body = api.json()
    assert len(body["local_authorities"]) == len(rows)
    barnet = next(r for r in body["local_authorities"] if r["code"] == BARNET)
    assert barnet["council_role"] == rows[BARNET]["council_role"]
    assert barnet["collaboration_forms"] == rows[BARNET]["collaboration_forms"].split(";")
    assert barnet["region"] == "London" and barnet["schools"] > 0
    assert barnet["landscape_checked_on"] == rows[BARNET]["checked_on"]
    profile = (await client.get(f"/api/v1/areas/{BARNET}")).json()["landscape"]
    assert profile["provider_name"] == rows[BARNET]["provider_name"]
    assert profile["source_date"] == rows[BARNET]["source_date"]
    assert profile["checked_on"] == rows[BARNET]["checked_on"]
    download = await client.get("/downloads/landscape.csv")
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/csv")
    assert "landscape.csv" in download.headers["content-disposition"]
    table = list(csv.DictReader(io.StringIO(download.text)))
    assert len(table) == len(rows)
    assert {r["code"]: r["council_role"] for r in table} == {
        c: r["council_role"] for c, r in rows.items()
    }


async def test_partnership_pages_show_membership_or_say_it_is_not_recorded(
    client: httpx.AsyncClient, conn: psycopg.Connection[Any]
) -> None:
    tower = await client.get("/partnerships/tower-hamlets-education-partnership-the-partnership")
    assert "How schools join</dt><dd>Schools that subscribe" in tower.text
    assert "Company limited by guarantee" in tower.text and "Mixed" in tower.text
    slug = conn.execute(
        "SELECT p.slug FROM partnership p JOIN partnership_kind k ON k.code = p.kind"
        " WHERE NOT k.is_national AND p.id NOT IN (SELECT partnership_id FROM partnership_membership)"
        " AND p.id NOT IN (SELECT partnership_id FROM partnership_member) ORDER BY p.slug LIMIT 1"
    ).fetchone()
    assert slug is not None
    unresearched = await client.get(f"/partnerships/{slug[0]}")
    assert "Membership not yet recorded" in unresearched.text
    assert "No members" not in unresearched.text


async def test_named_member_schools_show_their_partnership(
    client: httpx.AsyncClient, settings: Settings, conn: psycopg.Connection[Any]
) -> None:
    rows = member_rows(settings.geodata_dir)
    in_list = [
        r
        for r in rows
        if conn.execute("SELECT 1 FROM school WHERE urn = %s", (int(r["urn"]),)).fetchone()
    ]
    assert in_list
    for row in in_list[:5]:
        page = await client.get(f"/schools/{row['urn']}")
        assert page.status_code == 200
        assert row["name"].replace("&", "&amp;").replace("'", "&#39;") in page.text, row
    coverage = (await client.get("/api/v1/coverage")).json()
    shares = {r["code"]: r["member_schools"] for r in coverage["local_authorities"]}
    areas = {
        la
        for (la,) in conn.execute(
            "SELECT DISTINCT s.la_code FROM school s JOIN partnership_member m ON m.urn = s.urn"
            " JOIN partnership p ON p.id = m.partnership_id"
            " WHERE m.origin = 'membership register' AND p.status <> 'ended'"
        )
    }
    assert areas and all(shares[la] > 0 for la in areas)


async def test_trust_page_shows_partnerships_it_leads_and_its_footprint(
    client: httpx.AsyncClient, conn: psycopg.Connection[Any]
) -> None:
    harris = conn.execute(
        "SELECT DISTINCT m.trust_uid FROM partnership_member m JOIN partnership p"
        " ON p.id = m.partnership_id WHERE m.role = 'lead' AND p.lead_organisation = 'Harris Federation'"
    ).fetchone()
    assert harris is not None
    page = await client.get(f"/trusts/{harris[0]}")
    assert "London Thames Maths Hub" in page.text and "leads it" in page.text
    las = conn.execute(
        "SELECT count(DISTINCT la_code) FROM school WHERE trust_uid = %s", (harris[0],)
    ).fetchone()
    assert las is not None
    assert f"This trust has schools in {las[0]} local authorities" in page.text


@pytest.mark.parametrize("path", ["/api/v1/partnerships", "/"])
async def test_trust_filter_returns_trust_led_and_trust_linked_only(
    client: httpx.AsyncClient, conn: psycopg.Connection[Any], path: str
) -> None:
    params = (
        {"trust": "true", "national": "true"} if path != "/" else {"trust": "1", "national": "1"}
    )
    r = await client.get(path, params=params)
    assert r.status_code == 200
    for name in ("Humber Outreach Programme (Uni Connect)", "Cornwall and West Devon Maths Hub"):
        assert name not in r.text
    trust_led = [
        n
        for (n,) in conn.execute(
            "SELECT name FROM partnership WHERE kind = 'trust_led_local_partnership'"
        )
    ]
    assert len(trust_led) == 2
    for name in trust_led:
        assert name.replace("&", "&amp;").replace("'", "&#39;") in r.text or name in r.text
    assert "London Thames Maths Hub" in r.text


async def test_similar_and_compare_show_neighbours_roles(
    client: httpx.AsyncClient, conn: psycopg.Connection[Any]
) -> None:
    neighbours = conn.execute(
        "SELECT n.neighbour_code, l.council_role FROM statistical_neighbour n"
        " JOIN area_landscape l ON l.area_code = n.neighbour_code"
        " WHERE n.area_code = %s ORDER BY n.rank",
        (BARNET,),
    ).fetchall()
    assert neighbours
    labels = {
        "in_house_team": "In-house team",
        "traded_company": "Traded company",
        "commissioned_partnership": "Commissioned partnership",
        "little_or_none": "Little or none",
        "unknown": "Not known",
    }
    similar = await client.get(f"/areas/{BARNET}/similar")
    assert similar.status_code == 200
    for code, role in neighbours:
        row = re.search(rf'href="/areas/{code}">.*?</tr>', similar.text, re.S)
        assert row and labels[role] in row.group(0), code
    codes = [BARNET, neighbours[0][0]]
    compare = await client.get("/compare", params={"areas": ",".join(codes)})
    assert compare.status_code == 200
    section = compare.text.split("How school improvement works", 1)[1].split("</tbody>", 1)[0]
    assert "Traded company" in section and labels[neighbours[0][1]] in section


SHEFFIELD = "E08000019"


async def test_register_counts_follow_currency_and_keep_ended_records(
    client: httpx.AsyncClient, conn: psycopg.Connection[Any]
) -> None:
    # Sheffield (a unitary: no districts, no county) links its local partnerships directly.
    stored = conn.execute(
        "SELECT p.name, p.currency FROM partnership p"
        " JOIN partnership_area pa ON pa.partnership_id = p.id"
        " JOIN partnership_kind k ON k.code = p.kind AND NOT k.is_national"
        " WHERE pa.area_code = %s",
        (SHEFFIELD,),
    ).fetchall()
    currencies = dict(stored)
    # Learn Sheffield's newest dated page is from 2015; its predecessor body has ended.
    assert currencies["Learn Sheffield"] == "unconfirmed"
    assert currencies["Sheffield City Wide Learning Body"] == "ended"
    body = (await client.get("/api/v1/landscape")).json()
    row = next(r for r in body["local_authorities"] if r["code"] == SHEFFIELD)
    expected = {c: list(currencies.values()).count(c) for c in ("current", "unconfirmed", "ended")}
    assert (row["local_current"], row["local_unconfirmed"], row["local_ended"]) == (
        expected["current"],
        expected["unconfirmed"],
        expected["ended"],
    )
    page = (await client.get(f"/areas/{SHEFFIELD}")).text
    panel = page[
        page.index('id="landscape"') : page.index("</section>", page.index('id="landscape"'))
    ]
    cells = re.findall(r'<td class="num">(\d+)</td>', panel)
    totals = [sum(int(n) for n in cells[i::3]) for i in range(3)]
    assert totals == [expected["current"], expected["unconfirmed"], expected["ended"]]
