"""The imported schools against their sources (list, census, GIAS links, Code-Point), read here."""

from __future__ import annotations

import csv
import gzip
import re
from pathlib import Path
from typing import Any

import pandas as pd
import psycopg
import pytest
from rich.console import Console

from app.ingest import school_trusts as schools
from app.ingest.base import Context, run_importer
from app.ingest.school_sources import PHASES
from app.ingest.schools import IMPORTER

SCHOOLS = "register_trainee_teachers/schools_gias.csv"
CENSUS = "dfe_spc_2022_23/spc_school_level_underlying_data_2022_23.csv.gz"
LINKS = "gias_links_2025/links_edubasealldata_20250727.csv"
MAIDSTONE_GRAMMAR = 118835
# Ken Stimpson Community School (maintained) reopened as Ken Stimpson Academy in 2022/23,
# after the January 2023 census had been planned: the census only knows the old URN.
KEN_STIMPSON_ACADEMY, KEN_STIMPSON_SCHOOL = 149236, 110882
# The Michael Tippett School (special) became Heron Academy: GIAS gives no phase for it.
HERON_ACADEMY, MICHAEL_TIPPETT = 149331, 133442


def name_key(name: str) -> str:
    return re.sub(r"\s+", " ", name).strip().upper()


@pytest.fixture(scope="module")
def school_list(geodata_dir: Path) -> pd.DataFrame:
    return pd.read_csv(geodata_dir / SCHOOLS, dtype=str, keep_default_na=False).set_index("urn")


@pytest.fixture(scope="module")
def census(geodata_dir: Path) -> pd.DataFrame:
    columns = [
        "urn",
        "trust",
        "academy_flag",
        "phase_type_grouping",
        "headcount of pupils",
        "% of pupils known to be eligible for free school meals",
    ]
    frame = pd.read_csv(geodata_dir / CENSUS, dtype=str, keep_default_na=False, usecols=columns)
    return frame.set_index("urn")


@pytest.fixture(scope="module")
def summary(database: str) -> dict[str, Any]:
    with psycopg.connect(database) as conn:
        row = conn.execute(
            "SELECT summary FROM dataset WHERE name = 'schools' ORDER BY id DESC LIMIT 1"
        ).fetchone()
    assert row is not None
    return dict(row[0])


def codepoint_row(geodata_dir: Path, postcode: str) -> list[str]:
    area = "".join(ch for ch in postcode.split()[0] if ch.isalpha()).lower()
    path = geodata_dir / "codepoint_open" / "Data" / "CSV" / f"{area}.csv.gz"
    compact = postcode.replace(" ", "")
    with gzip.open(path, "rt", newline="") as handle:
        for row in csv.reader(handle):
            if row[0].replace(" ", "") == compact:
                return row
    raise AssertionError(f"{postcode} not in {path.name}")


def fingerprint(conn: psycopg.Connection[Any]) -> str:
    return str(
        conn.execute(
            "SELECT md5(string_agg(s::text, '|' ORDER BY s.urn)) FROM school s"
        ).fetchone()[0]  # type: ignore[index]
    )


def test_every_school_of_the_list_is_imported(
    conn: psycopg.Connection[Any], school_list: pd.DataFrame
) -> None:
    stored = {str(r[0]) for r in conn.execute("SELECT urn FROM school")}
    assert stored == set(school_list.index)


def test_at_least_995_in_1000_schools_are_placed_and_the_rest_reported(
    conn: psycopg.Connection[Any], summary: dict[str, Any]
) -> None:
    total, placed = conn.execute("SELECT count(*), count(geom) FROM school").fetchone()  # type: ignore[misc]
    assert placed / total >= 0.995
    unplaced = {str(r[0]) for r in conn.execute("SELECT urn FROM school WHERE geom IS NULL")}
    reported = summary["unmatched"][
        "school postcode not an English Code-Point Open postcode (URN postcode)"
    ]
    assert {item.split()[0] for item in reported} == unplaced


def test_a_known_school_is_at_its_postcode_in_its_district_and_county(
    conn: psycopg.Connection[Any], school_list: pd.DataFrame, geodata_dir: Path
) -> None:
    postcode = str(school_list.loc[str(MAIDSTONE_GRAMMAR), "postcode"])
    row = codepoint_row(geodata_dir, postcode)
    easting, northing, county, district = int(row[2]), int(row[3]), row[7], row[8]
    stored = conn.execute(
        "SELECT s.postcode, ST_X(s.geom_bng), ST_Y(s.geom_bng), s.la_code, la.name,"
        " s.district_code, d.name FROM school s"
        " JOIN area la ON la.code = s.la_code JOIN area d ON d.code = s.district_code"
        " WHERE s.urn = %s",
        (MAIDSTONE_GRAMMAR,),
    ).fetchone()
    assert stored == (postcode, easting, northing, county, "Kent", district, "Maidstone")


def test_every_placed_school_has_an_la_and_a_district_inside_it(
    conn: psycopg.Connection[Any],
) -> None:
    missing = conn.execute(
        "SELECT count(*) FROM school WHERE geom IS NOT NULL"
        " AND (la_code IS NULL OR district_code IS NULL)"
    ).fetchone()[0]  # type: ignore[index]
    assert missing == 0
    inconsistent = conn.execute(
        "SELECT s.urn FROM school s JOIN area d ON d.code = s.district_code"
        " WHERE NOT ((d.level = 'district' AND d.parent_code = s.la_code)"
        "            OR s.district_code = s.la_code)"
    ).fetchall()
    assert inconsistent == []


def test_placing_by_nearest_boundary_is_rare_counted_and_within_2_km(
    conn: psycopg.Connection[Any], summary: dict[str, Any]
) -> None:
    nearest = conn.execute(
        "SELECT s.urn, ST_Distance(d.geom::geography, s.geom::geography) FROM school s"
        " JOIN area d ON d.code = s.district_code"
        " WHERE s.provenance->>'district' LIKE '%%nearest boundary%%'"
    ).fetchall()
    assert len(nearest) == summary["facts"]["district: placed by the nearest boundary within 2 km"]
    assert 0 < len(nearest) < 50
    assert all(0 < metres <= 2000 for _, metres in nearest)


def test_disagreement_with_code_point_is_small_and_listed(summary: dict[str, Any]) -> None:
    facts = summary["facts"]
    disagreements = facts["district disagrees with the postcode's Code-Point district"]
    assert disagreements < 0.005 * 22010
    listed = summary["unmatched"][
        "district disagrees with Code-Point (URN point-in-polygon/Code-Point)"
    ]
    assert len(listed) == disagreements
    assert facts["LA disagrees with the LA of the postcode's Code-Point district"] <= disagreements


def test_trusts_are_the_census_trust_names_never_another(
    conn: psycopg.Connection[Any], census: pd.DataFrame
) -> None:
    rows = conn.execute(
        "SELECT s.urn, t.name FROM school s JOIN trust t ON t.uid = s.trust_uid"
        " WHERE s.provenance->>'trust' NOT LIKE '%%predecessor%%'"
    ).fetchall()
    assert len(rows) > 9000
    for urn, trust_name in rows:
        assert name_key(str(census.loc[str(urn), "trust"])) == name_key(trust_name), urn


def test_most_schools_with_a_census_trust_name_have_that_trust(
    conn: psycopg.Connection[Any], census: pd.DataFrame, school_list: pd.DataFrame
) -> None:
    named = census[(census["trust"].str.strip() != "") & census.index.isin(school_list.index)]
    with_trust = {
        str(r[0]) for r in conn.execute("SELECT urn FROM school WHERE trust_uid IS NOT NULL")
    }
    share = named.index.isin(list(with_trust)).mean()
    # Measured 0.957: the rest name a trust missing from the extract or closed before 2023.
    assert share >= 0.95


@pytest.mark.parametrize(
    "urn",
    [
        131747,  # Harris Academy Bermondsey: a multi-academy trust that is also a sponsor
        130912,  # Paddington Academy: United Learning Trust
        137320,  # Rainbow Primary Leadership Academy: Star Academies
        131690,  # Arts and Media School Islington: maintained, in a foundation trust
    ],
)
def test_a_schools_trust_is_the_one_the_census_names(
    conn: psycopg.Connection[Any], census: pd.DataFrame, urn: int
) -> None:
    expected = name_key(str(census.loc[str(urn), "trust"]))
    assert expected
    row = conn.execute(
        "SELECT t.name, t.group_type FROM school s JOIN trust t ON t.uid = s.trust_uid"
        " WHERE s.urn = %s",
        (urn,),
    ).fetchone()
    assert row is not None
    assert name_key(row[0]) == expected
    is_academy = census.loc[str(urn), "academy_flag"] == "Academy"
    assert row[1] in (("Multi-academy trust", "Single-academy trust") if is_academy else ("Trust",))


def test_a_trust_missing_from_gias_is_listed_and_left_empty(
    conn: psycopg.Connection[Any], census: pd.DataFrame, summary: dict[str, Any]
) -> None:
    # Newlands Academy's trust (AET) has no group of that name in the extract.
    assert census.loc["140138", "trust"] == "ACADEMIES ENTERPRISE TRUST"
    trust = conn.execute("SELECT trust_uid FROM school WHERE urn = 140138").fetchone()
    assert trust == (None,)
    listed = summary["unmatched"]["census trust name with no GIAS group of that name"]
    assert "ACADEMIES ENTERPRISE TRUST" in listed


def test_a_converted_academy_gets_its_facts_through_its_predecessor(
    conn: psycopg.Connection[Any], census: pd.DataFrame, geodata_dir: Path
) -> None:
    links = pd.read_csv(geodata_dir / LINKS, dtype=str, keep_default_na=False)
    link = links[(links["URN"] == str(KEN_STIMPSON_ACADEMY)) & (links["LinkType"] == "Predecessor")]
    assert link["LinkURN"].tolist() == [str(KEN_STIMPSON_SCHOOL)]
    assert str(KEN_STIMPSON_ACADEMY) not in census.index
    old = census.loc[str(KEN_STIMPSON_SCHOOL)]
    assert old["academy_flag"] == "LA Maintained"
    school = conn.execute(
        "SELECT predecessor_urn, is_academy, pupils, fsm_pct, trust_uid, provenance"
        " FROM school WHERE urn = %s",
        (KEN_STIMPSON_ACADEMY,),
    ).fetchone()
    assert school is not None
    predecessor, is_academy, pupils, fsm_pct, trust_uid, provenance = school
    assert predecessor == KEN_STIMPSON_SCHOOL
    assert is_academy is True
    assert pupils == int(str(old["headcount of pupils"]))
    assert fsm_pct == float(str(old["% of pupils known to be eligible for free school meals"]))
    assert provenance["pupils"].endswith(f"predecessor URN {KEN_STIMPSON_SCHOOL}")
    # A maintained school has no trust to carry; the academy's own trust is not known.
    assert trust_uid is None


def test_a_phase_comes_through_a_predecessor_when_nothing_newer_gives_one(
    conn: psycopg.Connection[Any], census: pd.DataFrame
) -> None:
    assert census.loc[str(MICHAEL_TIPPETT), "phase_type_grouping"] == "State-funded special school"
    phase, predecessor, provenance = conn.execute(
        "SELECT phase, predecessor_urn, provenance->>'phase' FROM school WHERE urn = %s",
        (HERON_ACADEMY,),
    ).fetchone()  # type: ignore[misc]
    assert (phase, predecessor) == ("Special", MICHAEL_TIPPETT)
    assert provenance.endswith(f"predecessor URN {MICHAEL_TIPPETT}")


def test_phases_are_known_and_nearly_every_school_has_one(conn: psycopg.Connection[Any]) -> None:
    counts = dict(conn.execute("SELECT phase, count(*) FROM school GROUP BY phase").fetchall())
    assert set(counts) - {None} <= set(PHASES)
    # Measured 0.9975: new special and free schools that GIAS of June 2024 did not yet phase.
    assert 1 - counts.get(None, 0) / sum(counts.values()) >= 0.995
    assert counts["Primary"] > 15000 and counts["Special"] > 900


def test_every_fact_has_its_source(conn: psycopg.Connection[Any]) -> None:
    checks = {
        "geom": "location",
        "la_code": "local_authority",
        "district_code": "district",
        "phase": "phase",
        "school_type": "school_type",
        "status": "status",
        "is_academy": "academy",
        "pupils": "pupils",
        "fsm_pct": "free_school_meals",
        "laestab": "laestab",
        "trust_uid": "trust",
    }
    for column, key in checks.items():
        bad = conn.execute(
            f"SELECT count(*) FROM school WHERE ({column} IS NULL) <> (provenance->%s IS NULL)",
            (key,),
        ).fetchone()[0]  # type: ignore[index]
        assert bad == 0, column
    via = conn.execute(
        "SELECT count(*) FROM school WHERE (predecessor_urn IS NULL)"
        " = (provenance::text LIKE '%%predecessor URN%%')"
    ).fetchone()[0]  # type: ignore[index]
    assert via == 0


def test_reimporting_in_place_changes_nothing(
    conn: psycopg.Connection[Any], geodata_dir: Path
) -> None:
    before = fingerprint(conn)
    dataset = conn.execute(
        "SELECT id FROM dataset WHERE name = 'schools' ORDER BY id DESC LIMIT 1"
    ).fetchone()[0]  # type: ignore[index]
    IMPORTER.load(Context(geodata_dir, conn, dataset, Console(quiet=True), quiet=True))
    assert fingerprint(conn) == before


def test_forced_reimport_through_the_runner_changes_nothing(
    database: str, geodata_dir: Path
) -> None:
    with psycopg.connect(database) as conn:
        before = fingerprint(conn)
    outcome = run_importer(
        IMPORTER, database, geodata_dir, Console(quiet=True), force=True, quiet=True
    )
    assert outcome.status == "imported", outcome.error
    with psycopg.connect(database) as conn:
        assert fingerprint(conn) == before


def test_every_academy_has_a_trust_or_says_why_not(
    conn: psycopg.Connection[Any], summary: dict[str, Any]
) -> None:
    found = conn.execute(
        "SELECT count(*) FILTER (WHERE trust_uid IS NULL AND NOT provenance ? 'trust_unknown'),"
        " count(*) FILTER (WHERE trust_uid IS NULL),"
        " count(*) FILTER (WHERE trust_uid IS NOT NULL AND provenance ? 'trust_unknown')"
        " FROM school WHERE is_academy"
    ).fetchone()
    assert found is not None and found[0] == 0 and found[1] > 0 and found[2] == 0
    reasons = summary["facts"][schools.ACADEMIES_TRUST_UNKNOWN_WHY]
    assert set(reasons) <= set(schools.TRUST_UNKNOWN_REASONS)
    assert sum(reasons.values()) == found[1] == summary["facts"][schools.ACADEMIES_TRUST_UNKNOWN]
    # An academy that opened after the census under a new URN says so.
    after = conn.execute(
        "SELECT count(*) FROM school WHERE is_academy AND trust_uid IS NULL"
        " AND open_date >= '2023-01-19' AND provenance->>'trust_unknown' = %s",
        (schools.TRUST_UNKNOWN_OPENED_AFTER,),
    ).fetchone()[0]  # type: ignore[index]
    assert after == reasons[schools.TRUST_UNKNOWN_OPENED_AFTER] or after > 0
    assert summary["facts"][schools.ACADEMIES_IN_A_TRUST] <= summary["facts"]["academies"]


def test_no_area_has_more_schools_in_a_trust_than_academies(conn: psycopg.Connection[Any]) -> None:
    worst = conn.execute(
        "SELECT s.la_code, count(*) FILTER (WHERE s.is_academy AND t.group_type IN"
        " ('Multi-academy trust', 'Single-academy trust', 'Secure single-academy trust')),"
        " count(*) FILTER (WHERE s.is_academy)"
        " FROM school s LEFT JOIN trust t ON t.uid = s.trust_uid GROUP BY s.la_code"
    ).fetchall()
    assert worst and all(in_trust <= academies for _, in_trust, academies in worst)
