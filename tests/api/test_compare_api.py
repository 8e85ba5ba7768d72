"""Comparison on the real imported data: JSON, CSV, the compare page and its chooser."""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser
from typing import Any

import httpx
import psycopg
import pytest

LIVERPOOL, MANCHESTER, BLACKPOOL, KNOWSLEY = "E08000012", "E08000003", "E06000009", "E08000011"
CAMBRIDGESHIRE = "E10000003"
THREE = f"{LIVERPOOL},{MANCHESTER},{CAMBRIDGESHIRE}"

# Partnerships serving an LA, by the definition: partnership_area names the LA or one of its
# districts; ended partnerships are left out. Written here independently of the app's SQL.
SERVED = """
SELECT k.is_national, count(DISTINCT p.id)
FROM partnership p
JOIN partnership_kind k ON k.code = p.kind
JOIN partnership_area pa ON pa.partnership_id = p.id
JOIN area a ON a.code = pa.area_code
WHERE p.status <> 'ended'
  AND (a.code = %(la)s OR (a.level = 'district' AND a.parent_code = %(la)s))
GROUP BY k.is_national
"""


class _Tags(HTMLParser):
    """Collects start tags with their attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(html: str, name: str) -> list[dict[str, str | None]]:
    parser = _Tags()
    parser.feed(html)
    return [attrs for tag, attrs in parser.tags if tag == name]


async def _compare(client: httpx.AsyncClient, areas: str) -> dict[str, Any]:
    response = await client.get("/api/v1/compare", params={"areas": areas})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


# JSON ---------------------------------------------------------------------------------------


async def test_compare_json_matches_the_database(
    client: httpx.AsyncClient, conn: psycopg.Connection[Any]
) -> None:
    body = await _compare(client, THREE)
    assert [a["code"] for a in body["areas"]] == [LIVERPOOL, MANCHESTER, CAMBRIDGESHIRE]
    assert [r["code"] for r in body["regions"]] == ["E12000002", "E12000006"]
    expected = {
        (area, indicator): value
        for area, indicator, value in conn.execute(
            "SELECT ai.area_code, ai.indicator_code, ai.value FROM area_indicator ai"
            " JOIN indicator i ON i.code = ai.indicator_code AND i.period = ai.period"
            " WHERE ai.area_code = ANY(%s)",
            ([LIVERPOOL, MANCHESTER, CAMBRIDGESHIRE, "E12000002", "E12000006", "E92000001"],),
        ).fetchall()
    }
    indicator_count = conn.execute("SELECT count(*) FROM indicator").fetchone()
    assert indicator_count is not None and len(body["indicators"]) == indicator_count[0]
    for row in body["indicators"]:
        assert row["source"] and row["period"]
        for code, value in row["values"].items():
            assert value == expected.get((code, row["code"])), (code, row["code"])
        for code, value in row["regions"].items():
            assert value == expected.get((code, row["code"]))
        assert row["england"] == expected.get(("E92000001", row["code"]))
    fsm = next(r for r in body["indicators"] if r["code"] == "fsm_primary_pct")
    assert fsm["england"] is not None and all(v is not None for v in fsm["values"].values())


async def test_partnership_counts_follow_the_definition(
    client: httpx.AsyncClient, conn: psycopg.Connection[Any]
) -> None:
    body = await _compare(client, THREE)
    for code in (LIVERPOOL, MANCHESTER, CAMBRIDGESHIRE):
        counts = dict(conn.execute(SERVED, {"la": code}).fetchall())
        got = body["partnership_counts"][code]
        assert got["local"] == counts.get(False, 0), code
        assert got["national"] == counts.get(True, 0), code
        listed = body["partnerships"][code]
        assert len(listed) == got["total"]
        assert all(p["url"] == f"/partnerships/{p['slug']}" for p in listed)
        for theme, n in got["by_theme"].items():
            assert n["total"] == sum(1 for p in listed if theme in p["themes"])
    # Cambridgeshire is a county: a partnership naming only its districts counts for it. The
    # East Cambridgeshire and Fenlands Research School names East Cambridgeshire and Fenland.
    slug = "east-cambridgeshire-and-fenlands-research-school"
    named = conn.execute(
        "SELECT a.parent_code FROM partnership_area pa JOIN area a ON a.code = pa.area_code"
        " JOIN partnership p ON p.id = pa.partnership_id WHERE p.slug = %s",
        (slug,),
    ).fetchall()
    assert named and {parent for (parent,) in named} == {CAMBRIDGESHIRE}
    assert slug in {p["slug"] for p in body["partnerships"][CAMBRIDGESHIRE]}


async def test_compare_keeps_order_and_drops_repeats(client: httpx.AsyncClient) -> None:
    body = await _compare(client, f"{BLACKPOOL},{LIVERPOOL},{BLACKPOOL}")
    assert [a["code"] for a in body["areas"]] == [BLACKPOOL, LIVERPOOL]
    repeated = await client.get(
        "/api/v1/compare", params=[("areas", BLACKPOOL), ("areas", LIVERPOOL)]
    )
    assert repeated.json()["areas"] == body["areas"]


@pytest.mark.parametrize(
    ("areas", "status", "message"),
    [
        (LIVERPOOL, 422, "between 2 and 6"),
        ("", 422, "between 2 and 6"),
        (
            "E08000012,E08000003,E06000009,E08000011,E08000006,E08000005,E08000010",
            422,
            "between 2 and 6",
        ),
        (f"{LIVERPOOL},E99999999", 404, "E99999999"),
        (f"{LIVERPOOL},E07000008", 422, "is a district"),
        (f"{LIVERPOOL},E92000001", 422, "upper-tier"),
        (f"{LIVERPOOL},liverpool", 422, "Not a GSS area code"),
    ],
)
async def test_bad_comparisons_are_refused(
    client: httpx.AsyncClient, areas: str, status: int, message: str
) -> None:
    response = await client.get("/api/v1/compare", params={"areas": areas})
    assert response.status_code == status, response.text
    assert message in response.json()["detail"]


# CSV ----------------------------------------------------------------------------------------


async def test_csv_holds_the_indicator_table(client: httpx.AsyncClient) -> None:
    response = await client.get("/compare.csv", params={"areas": THREE})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    header = rows[0]
    assert header[:5] == ["indicator_code", "indicator", "unit", "period", "source"]
    assert header[5:] == [
        f"Liverpool ({LIVERPOOL})",
        f"Manchester ({MANCHESTER})",
        f"Cambridgeshire ({CAMBRIDGESHIRE})",
        "North West region (E12000002)",
        "East of England region (E12000006)",
        "England (E92000001)",
    ]
    body = await _compare(client, THREE)
    by_code = {r["code"]: r for r in body["indicators"]}
    assert [r[0] for r in rows[1:]] == [r["code"] for r in body["indicators"]]
    for row in rows[1:]:
        indicator = by_code[row[0]]
        assert row[3] == indicator["period"] and row[4] == indicator["source"]
        for cell, code in zip(row[5:8], (LIVERPOOL, MANCHESTER, CAMBRIDGESHIRE), strict=True):
            value = indicator["values"][code]
            assert (cell == "") if value is None else float(cell) == pytest.approx(value)


async def test_csv_refuses_a_single_area(client: httpx.AsyncClient) -> None:
    response = await client.get("/compare.csv", params={"areas": LIVERPOOL})
    assert response.status_code == 422


# Pages --------------------------------------------------------------------------------------


async def test_compare_page_has_charts_tables_and_partnerships(
    client: httpx.AsyncClient, conn: psycopg.Connection[Any]
) -> None:
    areas = f"{LIVERPOOL},{MANCHESTER},{BLACKPOOL}"
    response = await client.get("/compare", params={"areas": areas})
    assert response.status_code == 200
    html = response.text
    indicator_count = conn.execute("SELECT count(*) FROM indicator").fetchone()
    assert indicator_count is not None
    svgs = _tags(html, "svg")
    assert len(svgs) == indicator_count[0]
    for svg in svgs:
        assert svg["role"] == "img"
        title_id, desc_id = (svg["aria-labelledby"] or "").split()
        assert f'<title id="{title_id}">' in html and f'<desc id="{desc_id}">' in html
    assert len(_tags(html, "rect")) >= 3 * indicator_count[0] - 10  # a bar per area and value
    assert "England" in html and "North West" in html
    for name in ("Liverpool", "Manchester", "Blackpool"):
        assert f'<th scope="col" class="num">{name}</th>' in html
    assert f'href="/compare.csv?areas={areas}"' in html
    slugs = conn.execute(
        "SELECT p.slug FROM partnership p JOIN partnership_area pa ON pa.partnership_id = p.id"
        " WHERE pa.area_code = %s AND p.status <> 'ended'",
        (LIVERPOOL,),
    ).fetchall()
    assert slugs and all(f'href="/partnerships/{s[0]}"' in html for s in slugs)
    sources = conn.execute("SELECT DISTINCT source FROM indicator").fetchall()
    assert all(s[0].replace("'", "&#39;") in html for s in sources)


async def test_empty_compare_shows_the_chooser(client: httpx.AsyncClient, la_count: int) -> None:
    response = await client.get("/compare")
    assert response.status_code == 200
    html = response.text
    boxes = [i for i in _tags(html, "input") if i.get("type") == "checkbox"]
    assert len(boxes) == la_count
    assert all(b["name"] == "areas" for b in boxes)
    assert len(_tags(html, "fieldset")) == 9  # one per region
    assert html.count("<legend>") == 9
    assert "Choose 2 to 6 local authorities" in html
    assert 'list="la-names"' in html and len(_tags(html, "option")) == la_count


async def test_chooser_keeps_one_area_and_suggests_its_neighbours(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/compare", params={"areas": LIVERPOOL})
    assert response.status_code == 200
    html = response.text
    checked = [i["value"] for i in _tags(html, "input") if "checked" in i]
    assert checked == [LIVERPOOL]
    assert f'href="/compare?areas={LIVERPOOL},{BLACKPOOL}"' in html  # its first DfE neighbour


async def test_repeated_parameters_redirect_to_the_permalink(client: httpx.AsyncClient) -> None:
    response = await client.get("/compare", params=[("areas", LIVERPOOL), ("areas", "e08000003")])
    assert response.status_code == 303
    assert response.headers["location"] == f"/compare?areas={LIVERPOOL},{MANCHESTER}"


async def test_search_box_adds_an_area(client: httpx.AsyncClient) -> None:
    response = await client.get("/compare", params={"areas": LIVERPOOL, "add": "manchester"})
    assert response.status_code == 303
    assert response.headers["location"] == f"/compare?areas={LIVERPOOL},{MANCHESTER}"
    removed = await client.get(
        "/compare", params={"areas": f"{LIVERPOOL},{MANCHESTER}", "remove": LIVERPOOL}
    )
    assert removed.headers["location"] == f"/compare?areas={MANCHESTER}"


async def test_search_box_offers_choices_or_says_nothing_matched(
    client: httpx.AsyncClient,
) -> None:
    several = await client.get("/compare", params={"areas": LIVERPOOL, "add": "North"})
    assert several.status_code == 200
    assert "More than one local authority matches" in several.text
    assert f'href="/compare?areas={LIVERPOOL},E06000012"' in several.text  # North East Lincs
    none = await client.get("/compare", params={"add": "Atlantis"})
    assert none.status_code == 404
    assert "No local authority matches" in none.text


async def test_compare_page_with_too_many_or_bad_areas_explains(
    client: httpx.AsyncClient,
) -> None:
    seven = "E08000012,E08000003,E06000009,E08000011,E08000006,E08000005,E08000010"
    response = await client.get("/compare", params={"areas": seven})
    assert response.status_code == 422
    assert "between 2 and 6" in response.text
    assert len([i for i in _tags(response.text, "input") if "checked" in i]) == 7
    district = await client.get("/compare", params={"areas": f"{LIVERPOOL},E07000008"})
    assert district.status_code == 422
    assert re.search(r"Cambridge\)? is a district", district.text)
