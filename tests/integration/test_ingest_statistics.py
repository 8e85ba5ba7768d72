"""The imported LA statistics: catalogue, coverage, aggregates and spot values against the sources."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import psycopg
import pytest
from rich.console import Console

from app.ingest.base import run_importer
from app.ingest.statistics import IMPORTER
from app.models import POLARITIES

ENGLAND = "E92000001"
SMALL_LAS = {"E09000001", "E06000053"}  # City of London, Isles of Scilly: often suppressed
IOD_SPLIT = {"E06000061", "E06000062", "E06000063", "E06000064"}  # Northants, Cumbria successors

# indicator code -> (unit, expected to have England and region values)
REQUIRED: dict[str, tuple[str, bool]] = {
    "fsm_primary_pct": ("%", True),
    "fsm_secondary_pct": ("%", True),
    "children_low_income_pct": ("%", True),
    "ks2_reading_expected_pct": ("%", True),
    "ks2_writing_expected_pct": ("%", True),
    "ks2_maths_expected_pct": ("%", True),
    "ks2_rwm_expected_pct": ("%", True),
    "ks2_rwm_expected_disadvantaged_pct": ("%", True),
    "attainment8": ("score", True),
    "attainment8_disadvantaged": ("score", True),
    "persistent_absence_pct": ("%", True),
    "sen_support_pct": ("%", True),
    "ehcp_pct": ("%", True),
    "neet_16_17_pct": ("%", True),
    "neet_or_not_known_16_17_pct": ("%", True),
    "eal_primary_pct": ("%", True),
    "idaci_score": ("score", False),
    "population": ("people", True),
    "population_density": ("per km²", True),
    "rural_population_pct": ("%", True),
}
DEFAULT_SIMILARITY = {
    "fsm_primary_pct",
    "children_low_income_pct",
    "ks2_rwm_expected_disadvantaged_pct",
    "eal_primary_pct",
    "idaci_score",
    "population_density",
    "rural_population_pct",
    "sen_support_pct",
}


def indicator(conn: psycopg.Connection[Any], code: str) -> dict[str, Any]:
    cur = conn.execute("SELECT * FROM indicator WHERE code = %s", (code,))
    row = cur.fetchone()
    assert row is not None, f"indicator {code} missing"
    assert cur.description is not None
    return dict(zip([c.name for c in cur.description], row, strict=True))


def value(conn: psycopg.Connection[Any], area: str, code: str, period: str) -> float | None:
    row = conn.execute(
        "SELECT value FROM area_indicator WHERE area_code = %s AND indicator_code = %s AND period = %s",
        (area, code, period),
    ).fetchone()
    return None if row is None else row[0]


def missing_las(conn: psycopg.Connection[Any], code: str) -> set[str]:
    rows = conn.execute(
        "SELECT a.code FROM area a JOIN indicator i ON i.code = %s"
        " LEFT JOIN area_indicator v ON v.area_code = a.code AND v.indicator_code = i.code"
        "  AND v.period = i.period"
        " WHERE a.level = 'local_authority' AND v.value IS NULL",
        (code,),
    ).fetchall()
    return {r[0] for r in rows}


@pytest.fixture(scope="module")
def lait(geodata_dir: Path) -> pd.DataFrame:
    return pd.read_parquet(geodata_dir / "lait/bds_long_0.parquet")


def lait_value(lait: pd.DataFrame, measure: str, period: str, number: int) -> float:
    hit = lait[
        (lait["Short Desc"] == measure) & (lait["Years"] == period) & (lait["LA Number"] == number)
    ]
    assert len(hit) == 1
    return float(hit["Values"].iloc[0])


@pytest.mark.parametrize("code", sorted(REQUIRED))
def test_required_indicator_is_described(conn: psycopg.Connection[Any], code: str) -> None:
    row = indicator(conn, code)
    assert row["unit"] == REQUIRED[code][0]
    assert row["polarity"] in POLARITIES
    assert row["period"].strip()
    assert row["label"].strip() and row["source"].strip() and row["topic"].strip()
    assert row["description"].strip()
    newest = conn.execute(
        "SELECT array_agg(DISTINCT period) FROM area_indicator WHERE indicator_code = %s", (code,)
    ).fetchone()
    assert newest is not None
    assert row["period"] in newest[0]


def test_lait_indicators_show_their_newest_stored_period(conn: psycopg.Connection[Any]) -> None:
    rows = conn.execute(
        "SELECT i.code, i.period, max(v.period) FROM indicator i"
        " JOIN area_indicator v ON v.indicator_code = i.code GROUP BY i.code, i.period"
    ).fetchall()
    # LAIT periods here are plain years, so text order is time order.
    assert [r for r in rows if r[1] != r[2]] == []
    assert {
        r[1] for r in rows if r[0] in {"fsm_primary_pct", "ks2_rwm_expected_pct", "attainment8"}
    } == {"2025"}


@pytest.mark.parametrize("code", sorted(REQUIRED))
def test_key_indicator_covers_at_least_95_percent_of_las(
    conn: psycopg.Connection[Any], code: str, la_count: int
) -> None:
    missing = missing_las(conn, code)
    assert 1 - len(missing) / la_count >= 0.95, sorted(missing)
    if code.startswith("idaci"):
        assert missing == IOD_SPLIT  # Cumbria and Northamptonshire are never guessed
    else:
        assert missing <= SMALL_LAS


def test_measured_coverage(conn: psycopg.Connection[Any]) -> None:
    missing = {code: len(missing_las(conn, code)) for code in REQUIRED}
    assert missing["children_low_income_pct"] == 0
    assert missing["persistent_absence_pct"] == 0
    assert missing["ehcp_pct"] == 0
    assert missing["population"] == 0
    assert missing["fsm_primary_pct"] == 1
    assert missing["ks2_rwm_expected_disadvantaged_pct"] == 2
    assert missing["idaci_score"] == len(IOD_SPLIT) == 4


@pytest.mark.parametrize("code", sorted(c for c, (_, agg) in REQUIRED.items() if agg))
def test_england_and_every_region_have_a_value(conn: psycopg.Connection[Any], code: str) -> None:
    rows = conn.execute(
        "SELECT a.code FROM area a JOIN area_indicator v ON v.area_code = a.code"
        " JOIN indicator i ON i.code = v.indicator_code AND i.period = v.period"
        " WHERE i.code = %s AND a.level IN ('country', 'region')",
        (code,),
    ).fetchall()
    assert {r[0] for r in rows} == {ENGLAND} | {f"E1200000{i}" for i in range(1, 10)}


def test_fsm_spot_values_match_lait(conn: psycopg.Connection[Any], lait: pd.DataFrame) -> None:
    period = indicator(conn, "fsm_primary_pct")["period"]
    # Barnsley is 370 in LAIT and E08000016 in our areas (its 2025 code is E08000038).
    assert value(conn, "E08000016", "fsm_primary_pct", period) == pytest.approx(
        lait_value(lait, "PriFSM", period, 370)
    )
    assert value(conn, "E12000001", "fsm_primary_pct", period) == pytest.approx(
        lait_value(lait, "PriFSM", period, 980)
    )
    assert value(conn, ENGLAND, "fsm_primary_pct", period) == pytest.approx(
        lait_value(lait, "PriFSM", period, 970)
    )
    # Cumberland (942) exists only since 2023: its latest value comes through its new number.
    assert value(conn, "E06000063", "fsm_primary_pct", period) == pytest.approx(
        lait_value(lait, "PriFSM", period, 942)
    )


def test_ks2_disadvantaged_spot_value_matches_lait(
    conn: psycopg.Connection[Any], lait: pd.DataFrame
) -> None:
    period = indicator(conn, "ks2_rwm_expected_disadvantaged_pct")["period"]
    assert value(conn, "E06000060", "ks2_rwm_expected_disadvantaged_pct", period) == pytest.approx(
        lait_value(lait, "DAP_NEW_KS2_RWM", period, 825)
    )


def test_idaci_2019_counties_are_mapped_to_their_successors(
    conn: psycopg.Connection[Any], geodata_dir: Path
) -> None:
    sheet = pd.read_excel(
        geodata_dir
        / "iod2019/File_11_-_IoD2019_Local_Authority_District_Summaries__upper-tier__.xlsx",
        sheet_name="IDACI",
    )
    scores = dict(zip(sheet.iloc[:, 0], sheet["IDACI - Average score "], strict=True))
    assert value(conn, "E06000065", "idaci_score", "2019") == pytest.approx(scores["E10000023"])
    assert value(conn, "E06000060", "idaci_score", "2019") == pytest.approx(scores["E10000002"])
    assert value(conn, "E06000066", "idaci_score", "2019") == pytest.approx(scores["E10000027"])
    assert value(conn, "E06000002", "idaci_score", "2019") == pytest.approx(scores["E06000002"])


def test_population_and_density_match_mysociety(
    conn: psycopg.Connection[Any], geodata_dir: Path
) -> None:
    las = pd.read_csv(geodata_dir / "mysociety/uk_local_authorities_future.csv")
    kent = las[(las["gss-code"] == "E10000016") & las["end-date"].isna()].iloc[0]
    assert value(conn, "E10000016", "population", "2020") == kent["pop-2020"]
    assert value(conn, "E10000016", "population_density", "2020") == pytest.approx(
        kent["pop-2020"] / kent["area"]
    )
    england = value(conn, ENGLAND, "population", "2020")
    total = conn.execute(
        "SELECT sum(value) FROM area_indicator v JOIN area a ON a.code = v.area_code"
        " WHERE v.indicator_code = 'population' AND a.level = 'local_authority'"
    ).fetchone()
    assert total is not None and england == pytest.approx(total[0])


def test_rurality_is_a_share_of_population(conn: psycopg.Connection[Any]) -> None:
    row = conn.execute(
        "SELECT min(value), max(value) FROM area_indicator WHERE indicator_code = 'rural_population_pct'"
    ).fetchone()
    assert row is not None
    assert row[0] == 0.0 and 50 < row[1] <= 100
    assert value(conn, "E09000007", "rural_population_pct", "2011") == 0.0  # Camden


def test_default_similarity_set(conn: psycopg.Connection[Any]) -> None:
    rows = conn.execute("SELECT code FROM indicator WHERE in_default_similarity").fetchall()
    chosen = {r[0] for r in rows}
    assert chosen >= DEFAULT_SIMILARITY
    assert "attainment8" not in chosen and "population" not in chosen


def snapshot(conn: psycopg.Connection[Any]) -> tuple[Any, ...]:
    row = conn.execute(
        "SELECT (SELECT count(*) FROM area_indicator),"
        " (SELECT md5(string_agg(v::text, '|' ORDER BY v.area_code, v.indicator_code, v.period))"
        "  FROM area_indicator v),"
        " (SELECT md5(string_agg(i::text, '|' ORDER BY i.code)) FROM indicator i)"
    ).fetchone()
    assert row is not None
    return tuple(row)


def test_reimport_changes_nothing(
    conn: psycopg.Connection[Any], database: str, geodata_dir: Path
) -> None:
    before = snapshot(conn)
    conn.rollback()
    outcome = run_importer(
        IMPORTER, database, geodata_dir, Console(stderr=True), force=True, quiet=True
    )
    assert outcome.status == "imported", outcome.error
    assert snapshot(conn) == before
    assert before[0] > 20_000
