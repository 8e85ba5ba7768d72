"""Similar areas on the real imported data: DfE neighbours against the source workbook, the
indicator similarity's properties, the indicator list and refused inputs."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import psycopg
import pytest
from psycopg.rows import dict_row

from app import queries
from app.services import similarity
from app.services.gaps import gap_analysis
from app.services.similarity_data import build_matrix
from app.services.similarity_maths import nearest

LIVERPOOL = "E08000012"
MANCHESTER = "E08000003"
LIVERPOOL_LA_NUMBER = 341
SN_FILE = Path("lait") / "sn_may_2025.xlsx"


def _band(text: object) -> str:
    """A workbook closeness band as stored: 'Very Close ' -> 'very_close'."""
    return re.sub(r"[\s_-]+", "_", str(text).strip().lower())


@pytest.fixture(scope="module")
def workbook(geodata_dir: Path, database: str) -> dict[str, list[tuple[str, str]]]:
    """Each current LA's ten neighbours from the source workbook, as (GSS code, band) by rank."""
    frame = pd.read_excel(geodata_dir / SN_FILE, sheet_name="LA SN Groups", header=2)
    with psycopg.connect(database) as conn:
        by_number = dict(
            conn.execute(
                "SELECT la_number, code FROM area WHERE level = 'local_authority'"
            ).fetchall()
        )
    groups: dict[str, list[tuple[str, str]]] = {}
    for _, row in frame.iterrows():
        if pd.isna(row["LA num"]) or int(row["LA num"]) not in by_number:
            continue  # blank rows and the pre-reorganisation LAs below "Old SNs:"
        suffixes = [""] + [f".{i}" for i in range(1, 10)]
        groups[by_number[int(row["LA num"])]] = [
            (by_number[int(row[f"SN{k}"])], _band(row[f"SNP{suffix}"]))
            for k, suffix in zip(range(1, 11), suffixes, strict=True)
        ]
    return groups


async def _similar(client: httpx.AsyncClient, code: str, **params: Any) -> dict[str, Any]:
    response = await client.get(f"/api/v1/areas/{code}/similar", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


# DfE statistical neighbours -----------------------------------------------------------------


async def test_dfe_neighbours_of_liverpool_match_the_workbook(
    client: httpx.AsyncClient, workbook: dict[str, list[tuple[str, str]]]
) -> None:
    body = await _similar(client, LIVERPOOL, method="dfe")
    assert body["area"] == {"code": LIVERPOOL, "name": "Liverpool"}
    assert body["method"] == "dfe"
    got = [(n["code"], n["closeness"]) for n in body["neighbours"]]
    assert got == workbook[LIVERPOOL]
    assert [n["rank"] for n in body["neighbours"]] == list(range(1, 11))
    # Liverpool's first neighbour in the May 2025 file is Blackpool (DfE 890), "Very close".
    assert body["neighbours"][0]["name"] == "Blackpool"
    for n in body["neighbours"]:
        counts = n["partnership_counts"]
        assert n["partnership_count"] == counts["local"] + counts["national"]


async def test_dfe_neighbours_of_every_la_match_the_workbook(
    client: httpx.AsyncClient, workbook: dict[str, list[tuple[str, str]]], la_count: int
) -> None:
    assert len(workbook) == la_count
    for code, expected in workbook.items():
        body = await _similar(client, code)
        assert [(n["code"], n["closeness"]) for n in body["neighbours"]] == expected, code


async def test_dfe_neighbours_k_and_same_region(client: httpx.AsyncClient) -> None:
    three = await _similar(client, LIVERPOOL, method="dfe", k=3)
    assert [n["rank"] for n in three["neighbours"]] == [1, 2, 3]
    regional = await _similar(client, LIVERPOOL, method="dfe", same_region="true")
    assert regional["neighbours"]
    assert {n["region"] for n in regional["neighbours"]} == {"North West"}


# Indicator similarity -----------------------------------------------------------------------


async def test_default_similarity_answers_in_rank_order_with_contributions(
    client: httpx.AsyncClient, conn: psycopg.Connection[Any]
) -> None:
    body = await _similar(client, LIVERPOOL, method="indicators")
    defaults = [
        r[0]
        for r in conn.execute("SELECT code FROM indicator WHERE in_default_similarity").fetchall()
    ]
    used = [i["code"] for i in body["indicators_used"]]
    assert sorted(used) == sorted(defaults) and body["default_indicators"] is True
    assert all(i["source"] and i["period"] for i in body["indicators_used"])
    neighbours = body["neighbours"]
    assert [n["rank"] for n in neighbours] == list(range(1, 11))
    distances = [n["distance"] for n in neighbours]
    assert distances == sorted(distances)
    for n in neighbours:
        assert [c["indicator"] for c in n["contributions"]] == used
        shares = [c["share"] for c in n["contributions"] if c["share"] is not None]
        assert sum(shares) == pytest.approx(1.0, abs=1e-5)
        assert isinstance(n["partnership_count"], int)
    assert set(body["missing"]) >= {"area", "neighbours", "excluded"}


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"indicators": "fsm_primary_pct,attainment8,population_density", "weights": "3,1,0.5"},
        {"indicators": "idaci_score,ks2_rwm_expected_pct"},  # with LAs missing values
    ],
)
async def test_distance_is_symmetric(client: httpx.AsyncClient, params: dict[str, str]) -> None:
    both_ways = 0
    for code in (LIVERPOOL, "E10000014", "E09000001"):  # Liverpool, Hampshire, City of London
        forward = await _similar(client, code, method="indicators", k=5, **params)
        for n in forward["neighbours"]:
            back = await _similar(client, n["code"], method="indicators", k=50, **params)
            found = {m["code"]: m["distance"] for m in back["neighbours"]}
            if code in found:
                assert found[code] == pytest.approx(n["distance"], rel=1e-9, abs=1e-9)
                both_ways += 1
            else:  # more than 50 LAs are at least as close to the neighbour
                assert back["neighbours"][-1]["distance"] <= n["distance"] + 1e-9
    # Liverpool's five nearest have Liverpool among their own fifty: the distance is compared.
    assert both_ways >= 5


async def test_similarity_excludes_the_area_itself(client: httpx.AsyncClient) -> None:
    for code in (LIVERPOOL, "E06000053", "E10000014"):
        body = await _similar(client, code, method="indicators", k=50)
        assert len(body["neighbours"]) == 50
        assert code not in {n["code"] for n in body["neighbours"]}


async def test_similarity_is_deterministic(
    client: httpx.AsyncClient, conn: psycopg.Connection[Any]
) -> None:
    params = {"indicators": "fsm_primary_pct,eal_primary_pct", "weights": "1,2", "k": 20}
    first = await _similar(client, LIVERPOOL, method="indicators", **params)
    second = await _similar(client, LIVERPOOL, method="indicators", **params)
    assert first == second
    # A matrix built afresh from the database (not the cache) gives the same ranking.
    cur = conn.cursor(row_factory=dict_row)
    las = cur.execute(queries.sql("similar_matrix").text).fetchall()
    indicators = cur.execute(queries.sql("similar_indicators").text).fetchall()
    fresh = build_matrix(0, las, indicators)
    again = nearest(fresh, LIVERPOOL, ["fsm_primary_pct", "eal_primary_pct"], [1.0, 2.0], 20)
    assert [n.area.code for n in again.neighbours] == [n["code"] for n in first["neighbours"]]
    assert [round(n.distance, 6) for n in again.neighbours] == [
        n["distance"] for n in first["neighbours"]
    ]


async def test_similarity_respects_same_region(
    client: httpx.AsyncClient, conn: psycopg.Connection[Any]
) -> None:
    region, in_region = conn.execute(
        "SELECT region_code, (SELECT count(*) FROM area b WHERE b.level = 'local_authority'"
        " AND b.region_code = a.region_code) FROM area a WHERE code = %s",
        (LIVERPOOL,),
    ).fetchone()
    names = {
        r[0]
        for r in conn.execute(
            "SELECT code FROM area WHERE level = 'local_authority' AND region_code = %s", (region,)
        ).fetchall()
    }
    body = await _similar(client, LIVERPOOL, method="indicators", k=50, same_region="true")
    codes = [n["code"] for n in body["neighbours"]]
    assert body["same_region"] is True
    assert set(codes) <= names
    assert len(codes) == in_region - 1  # every other LA of the North West, none twice
    assert len(set(codes)) == len(codes)
    anywhere = await _similar(client, LIVERPOOL, method="indicators", k=50, same_region="false")
    assert not {n["code"] for n in anywhere["neighbours"]} <= names


async def test_missing_values_are_reported(client: httpx.AsyncClient) -> None:
    # The IoD 2019 has no values for Cumbria's and Northamptonshire's successors.
    body = await _similar(
        client,
        "E06000063",  # Cumberland
        method="indicators",
        indicators="idaci_score,children_low_income_pct",
        k=5,
    )
    assert body["missing"]["area"] == ["idaci_score"]
    assert body["missing"]["las_without_value"]["idaci_score"] >= 4
    for n in body["neighbours"]:
        idaci = next(c for c in n["contributions"] if c["indicator"] == "idaci_score")
        assert idaci["share"] is None


async def test_default_set_reproduces_dfe_neighbours_better_than_chance(
    database: str, settings: Any
) -> None:
    # Chance alone would find about 10 of the other 152 LAs: an overlap near 0.07.
    from sqlalchemy.ext.asyncio import async_sessionmaker

    from app.db import make_async_engine

    engine = make_async_engine(settings)
    try:
        async with async_sessionmaker(engine)() as session:
            overlap = await similarity.default_overlap(session)
    finally:
        await engine.dispose()
    assert 0.2 < overlap <= 1.0


# The indicator list -------------------------------------------------------------------------


async def test_indicator_list(client: httpx.AsyncClient, la_count: int) -> None:
    response = await client.get("/api/v1/indicators")
    assert response.status_code == 200
    indicators = response.json()["indicators"]
    codes = {i["code"] for i in indicators}
    assert {"fsm_primary_pct", "attainment8", "idaci_score", "population_density"} <= codes
    assert any(i["in_default_similarity"] for i in indicators)
    for i in indicators:
        assert i["source"] and i["period"] and i["label"]
        assert 0 < i["las_with_value"] <= la_count
    again = await client.get(
        "/api/v1/indicators", headers={"If-None-Match": response.headers["etag"]}
    )
    assert again.status_code == 304


# Refused inputs -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "params", "status", "message"),
    [
        ("E99999999", {}, 404, "No area with code E99999999"),
        ("E07000008", {}, 422, "is a district"),  # Cambridge: a district of Cambridgeshire
        ("E12000002", {}, 422, "is a region"),
        ("E47000001", {}, 422, "combined authority"),
        ("X123", {}, 422, "Not a GSS area code"),
        (LIVERPOOL, {"method": "nearest"}, 422, "method"),
        (LIVERPOOL, {"method": "indicators", "indicators": "unicorns"}, 422, "Unknown indicator"),
        (LIVERPOOL, {"method": "indicators", "k": 0}, 422, "between 1 and 50"),
        (LIVERPOOL, {"method": "indicators", "k": 51}, 422, "between 1 and 50"),
        (LIVERPOOL, {"method": "dfe", "k": 100}, 422, "between 1 and 50"),
        (LIVERPOOL, {"method": "indicators", "k": "ten"}, 422, "k"),
        (
            LIVERPOOL,
            {"method": "indicators", "indicators": "fsm_primary_pct,ehcp_pct", "weights": "1"},
            422,
            "1 weight(s) given for 2 indicator(s)",
        ),
        (
            LIVERPOOL,
            {"method": "indicators", "indicators": "fsm_primary_pct,ehcp_pct", "weights": "1,-2"},
            422,
            "zero or more",
        ),
        (
            LIVERPOOL,
            {"method": "indicators", "indicators": "fsm_primary_pct", "weights": "heavy"},
            422,
            "must be numbers",
        ),
        (LIVERPOOL, {"method": "indicators", "weights": "1,2"}, 422, "weight"),
        (LIVERPOOL, {"method": "dfe", "indicators": "fsm_primary_pct"}, 422, "method=indicators"),
        (LIVERPOOL, {"same_region": "perhaps"}, 422, "same_region"),
    ],
)
async def test_bad_input_is_refused_with_a_clear_message(
    client: httpx.AsyncClient, code: str, params: dict[str, Any], status: int, message: str
) -> None:
    response = await client.get(f"/api/v1/areas/{code}/similar", params=params)
    assert response.status_code == status, response.text
    body = response.json()
    assert message in body["detail"] or any(message in str(e) for e in body["errors"])


async def test_gap_api(client: httpx.AsyncClient) -> None:
    response = await client.get(f"/api/v1/areas/{LIVERPOOL}/gaps")
    assert response.status_code == 200
    body = response.json()
    assert body["area"]["code"] == LIVERPOOL
    assert len(body["neighbours"]) == 10
    rows = {row["code"]: row for row in body["themes"] + body["kinds"]}
    for row in rows.values():
        assert row["is_gap"] == (row["own"]["total"] == 0 and row["neighbours"]["total"] > 0)
        if row["is_gap"]:
            assert row["missing"] and all(
                m["url"].startswith("/partnerships/") for m in row["missing"]
            )
    # A chosen gap: no council-convened partnership is recorded for Liverpool, while its
    # neighbour Middlesbrough has Learning Middlesbrough.
    council = rows["local_authority_partnership"]
    assert council["is_gap"] and council["own"]["total"] == 0
    assert "/partnerships/learning-middlesbrough" in {m["url"] for m in council["missing"]}
    # National networks are context, never a gap of the council's own.
    assert "research_school" not in rows


# Pages and partials -------------------------------------------------------------------------


async def test_similar_page_shows_both_methods_benchmark_and_gaps(
    client: httpx.AsyncClient, conn: psycopg.Connection[Any]
) -> None:
    response = await client.get(f"/areas/{LIVERPOOL}/similar")
    assert response.status_code == 200
    html = response.text
    neighbours = conn.execute(
        "SELECT neighbour_code FROM statistical_neighbour WHERE area_code = %s ORDER BY rank",
        (LIVERPOOL,),
    ).fetchall()
    for (code,) in neighbours:
        assert f'value="{code}"' in html  # a compare checkbox per DfE neighbour
    assert "Neighbour average" in html
    assert f'href="/compare?areas={LIVERPOOL},' in html
    assert re.search(r"\d+ <span class=\"muted\">of 15[0-3]</span>", html)  # national rank
    defaults = {
        r[0]
        for r in conn.execute("SELECT code FROM indicator WHERE in_default_similarity").fetchall()
    }
    checked = set(re.findall(r'name="indicators" value="([a-z0-9_]+)" checked', html))
    assert checked == defaults
    assert 'id="gap-analysis-heading"' in html
    assert 'id="method"' in html and "standardised" in html


async def test_similar_page_form_choices_are_applied(client: httpx.AsyncClient) -> None:
    params = [
        ("indicators", "fsm_primary_pct"),
        ("indicators", "ehcp_pct"),
        ("weight_fsm_primary_pct", "3"),
        ("weight_ehcp_pct", ""),
        ("k", "5"),
        ("same_region", "true"),
    ]
    response = await client.get(f"/areas/{LIVERPOOL}/similar", params=params)
    assert response.status_code == 200
    html = response.text
    assert "The 5 local authorities in North West most similar to Liverpool by 2 indicators" in html
    checked = re.findall(r'name="indicators" value="([a-z0-9_]+)" checked', html)
    assert sorted(checked) == ["ehcp_pct", "fsm_primary_pct"]
    assert 'name="weight_fsm_primary_pct" min="0" step="any" inputmode="decimal" value="3"' in html
    api = await _similar(
        client,
        LIVERPOOL,
        method="indicators",
        indicators="fsm_primary_pct,ehcp_pct",
        weights="3,1",
        k=5,
        same_region="true",
    )
    table = html.split('class="similar-table"')[1].split("</table>")[0]
    assert re.findall(r'href="/areas/(E\d{8})"', table) == [n["code"] for n in api["neighbours"]]


async def test_similar_page_reports_bad_form_input(client: httpx.AsyncClient) -> None:
    response = await client.get(
        f"/areas/{LIVERPOOL}/similar",
        params=[("indicators", "fsm_primary_pct"), ("weight_fsm_primary_pct", "-1")],
    )
    assert response.status_code == 422
    assert "There is a problem" in response.text and "zero or more" in response.text
    assert "Neighbour average" in response.text  # the rest of the page is still there
    assert (await client.get("/areas/E07000008/similar")).status_code == 422
    assert (await client.get("/areas/E99999999/similar")).status_code == 404


@pytest.fixture()
async def session(settings: Any, database: str) -> Any:
    """A database session for calling the services directly."""
    from sqlalchemy.ext.asyncio import async_sessionmaker

    from app.db import make_async_engine

    engine = make_async_engine(settings)
    async with async_sessionmaker(engine)() as s:
        yield s
    await engine.dispose()


async def test_partials_render_from_their_variables(session: Any, settings: Any) -> None:
    from app.templating import make_templates

    env = make_templates(settings).env
    dfe = await similarity.dfe_neighbours(session, LIVERPOOL)
    html = env.get_template("partials/neighbours.html").render(neighbours=dfe)
    assert "Blackpool" in html and "Very close" in html and "Neighbour average" in html
    assert f"/compare?areas={','.join(dfe.compare_codes)}" in html
    assert html.count('type="checkbox"') == 11

    gaps = await gap_analysis(session, LIVERPOOL)
    html = env.get_template("partials/gap_analysis.html").render(gaps=gaps)
    assert "What Liverpool’s similar areas have" in html
    for row in gaps.gaps:
        assert gaps.sentence(row).replace("'", "&#39;") in html
        for m in row.missing[:8]:
            assert f'href="/partnerships/{m.slug}"' in html

    # On the area profile, which passes only its profile `p`, the table still renders.
    p = {
        "area": {"code": LIVERPOOL},
        "neighbours": [
            {"rank": 1, "code": "E06000009", "name": "Blackpool", "closeness": "very_close"}
        ],
    }
    html = env.get_template("partials/neighbours.html").render(p=p)
    assert "Blackpool" in html and f"/compare?areas={LIVERPOOL},E06000009" in html


async def test_gap_analysis_lists_only_what_the_area_lacks(
    session: Any, conn: psycopg.Connection[Any]
) -> None:
    gaps = await gap_analysis(session, LIVERPOOL)
    own = {
        r[0]
        for r in conn.execute(
            "SELECT p.slug FROM partnership p JOIN partnership_area pa ON pa.partnership_id = p.id"
            " JOIN area a ON a.code = pa.area_code WHERE p.status <> 'ended'"
            " AND (a.code = %(la)s OR a.parent_code = %(la)s)",
            {"la": LIVERPOOL},
        ).fetchall()
    }
    assert len(gaps.neighbours) == 10
    rows = (*gaps.themes, *gaps.kinds)
    assert any(r.is_gap for r in rows)
    for row in rows:
        assert not {m.slug for m in row.missing} & own
        if row.is_gap:
            assert row.own.total == 0 and row.missing
            assert "none is recorded for Liverpool yet" in gaps.sentence(row)
            assert "has none" not in gaps.sentence(row)
    chosen = await gap_analysis(session, LIVERPOOL, [MANCHESTER, LIVERPOOL])
    assert [n.code for n in chosen.neighbours] == [MANCHESTER]  # never the area itself
    assert chosen.basis == "chosen comparators"


@pytest.mark.parametrize(
    ("name", "indexes"),
    [
        (
            "similar_dfe",
            ("pk_statistical_neighbour", "uq_statistical_neighbour_area_code_neighbour_code"),
        ),
        ("similar_partnerships", ("ix_partnership_served_area_area_code",)),
        ("compare_values", ("pk_area_indicator",)),
        ("similar_areas", ("pk_area",)),
    ],
)
def test_lookups_by_code_use_an_index(
    conn: psycopg.Connection[Any], name: str, indexes: tuple[str, ...]
) -> None:
    query = re.sub(r":codes\b", "%(codes)s", queries.sql(name).text)
    conn.execute("SET enable_seqscan = off")  # as on a busy server: show which index is usable
    plan = "\n".join(
        r[0] for r in conn.execute(f"EXPLAIN {query}", {"codes": [LIVERPOOL, MANCHESTER]})
    )
    assert any(index in plan for index in indexes), plan


STOCKPORT = "E08000007"
DESIGNATIONS = {
    "education_investment_area",
    "priority_education_investment_area",
    "opportunity_area",
}


async def test_stockport_gaps_are_local_choices_without_duplicates(session: Any) -> None:
    gaps = await gap_analysis(session, STOCKPORT)
    assert gaps.gaps, "Stockport's similar areas have local partnerships it has no record of"
    codes = [row.code for row in gaps.gaps]
    assert not set(codes) & DESIGNATIONS
    assert all(row.group == "kind" for row in gaps.gaps)
    assert len(codes) == len(set(codes))
    listed = [m.slug for row in gaps.gaps for m in row.missing]
    assert len(listed) == len(set(listed)), "a record appears under one gap only"
    # Ranked by how many similar areas have it; each line names them.
    withs = [row.neighbours_with for row in gaps.gaps]
    assert withs == sorted(withs, reverse=True)
    for row in gaps.gaps:
        assert len(row.with_names) == row.neighbours_with
        sentence = gaps.sentence(row)
        assert all(name in sentence for name in row.with_names)
        assert "has none" not in sentence and "none is recorded for Stockport yet" in sentence
    # Designations are context, never gaps, and say they are not a local choice.
    context = {row.code: row for row in gaps.national}
    assert "education_investment_area" in context
    assert "not a local choice" in gaps.sentence(context["education_investment_area"])
    assert not any(row.is_gap for row in gaps.national)


async def test_a_gap_for_an_incomplete_network_says_the_list_is_incomplete(
    session: Any, conn: psycopg.Connection[Any]
) -> None:
    recorded, size = conn.execute(
        "SELECT (SELECT count(*) FROM partnership WHERE kind = 'maths_hub'"
        " AND currency <> 'ended'), network_size FROM partnership_kind WHERE code = 'maths_hub'"
    ).fetchone()  # type: ignore[misc]
    assert recorded < size
    # An area with no Maths Hub recorded, among similar areas that have one.
    tower_hamlets = "E09000030"
    gaps = await gap_analysis(session, tower_hamlets)
    hubs = [row for row in gaps.national if row.code == "maths_hub"]
    assert hubs, "Tower Hamlets' similar areas have Maths Hubs recorded"
    sentence = gaps.sentence(hubs[0])
    assert f"{recorded} of {size} Maths Hubs recorded" in sentence
    assert "our list is incomplete" in sentence
    assert "maths_hub" not in {row.code for row in gaps.gaps}


async def test_gap_api_runs_on_the_chosen_similar_set(client: httpx.AsyncClient) -> None:
    chosen = f"{MANCHESTER},{LIVERPOOL}"
    body = (
        await client.get(f"/api/v1/areas/{STOCKPORT}/gaps", params={"neighbours": chosen})
    ).json()
    assert [n["code"] for n in body["neighbours"]] == [MANCHESTER, LIVERPOOL]
    assert body["basis"] == "chosen comparators"
    for row in body["gaps"]:
        assert row["group"] == "kind" and row["code"] not in DESIGNATIONS


async def test_the_similar_page_gaps_follow_the_tuned_set(client: httpx.AsyncClient) -> None:
    default = (await client.get(f"/areas/{LIVERPOOL}/similar")).text
    assert "DfE statistical neighbours" in default[default.index('id="gap-analysis-heading"') :]
    tuned = (await client.get(f"/areas/{LIVERPOOL}/similar", params={"k": "4"})).text
    section = tuned[tuned.index('id="gap-analysis-heading"') :]
    assert "4 similar areas (similar by the chosen indicators:" in section
