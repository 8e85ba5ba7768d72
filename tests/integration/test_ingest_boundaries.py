"""Boundaries: the right areas at each level, joined to DfE numbers, parents and generalised shapes."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import psycopg

from app.ingest.boundaries import CA_LOOKUP, CTYUA, LAD, REGIONS


def _count(conn: psycopg.Connection[Any], sql: str, *params: Any) -> int:
    return int(conn.execute(sql, params).fetchone()[0])


def _english_codes(path: Path, prefixes: tuple[str, ...]) -> set[str]:
    """The GSS codes of a boundary file's features whose code starts with one of ``prefixes``."""
    features = json.loads(path.read_text())["features"]
    codes = {
        next(v for k, v in f["properties"].items() if k.upper().endswith("CD")) for f in features
    }
    return {code for code in codes if code.startswith(prefixes)}


def test_counts_per_level(conn: psycopg.Connection[Any], geodata_dir: Path) -> None:
    # Expected counts come from the source files: England's codes in each ONS boundary file
    # (E06 unitary, E07 shire district, E08 metropolitan district, E09 London borough, E10
    # county, E12 region) and the combined authorities of the May 2025 lookup.
    upper = _english_codes(geodata_dir / CTYUA, ("E06", "E08", "E09", "E10"))
    shire = _english_codes(geodata_dir / LAD, ("E07",))
    unitary = _english_codes(geodata_dir / LAD, ("E06", "E08", "E09"))
    regions = _english_codes(geodata_dir / REGIONS, ("E12",))
    with (geodata_dir / CA_LOOKUP).open(encoding="utf-8-sig", newline="") as handle:
        combined = {row["CAUTH25CD"] for row in csv.DictReader(handle)}
    counts = dict(conn.execute("SELECT level, count(*) FROM area GROUP BY level").fetchall())
    assert counts == {
        "country": 1,
        "region": len(regions),
        "combined_authority": len(combined),
        "local_authority": len(upper),
        "district": len(shire),
    }
    # Districts are the E07s plus the unitaries, which are both LA and district. (Counted, not
    # compared by code: Barnsley's and Sheffield's 2023 codes are stored as DfE knows them.)
    districts = _count(conn, "SELECT count(*) FROM area WHERE level = 'district' OR is_district")
    assert districts == len(shire) + len(unitary)
    # Which combined authorities have an elected mayor is not in the lookup: 13 of the 15.
    assert (
        _count(conn, "SELECT count(*) FROM area WHERE level = 'combined_authority' AND is_mayoral")
        == 13
    )


def test_every_la_has_a_dfe_number_boundary_region_and_ten_neighbours(
    conn: psycopg.Connection[Any], la_count: int
) -> None:
    rows = conn.execute(
        """
        SELECT a.code, a.la_number, a.region_code, ST_IsValid(a.geom), ST_Area(a.geom::geography),
               (SELECT count(*) FROM statistical_neighbour n WHERE n.area_code = a.code)
        FROM area a WHERE a.level = 'local_authority'
        """
    ).fetchall()
    assert len(rows) == la_count
    for code, number, region, valid, area_m2, neighbours in rows:
        assert 100 <= number <= 999, code
        assert region and region.startswith("E12"), code
        assert valid and area_m2 > 1e6, code
        assert neighbours == 10, code
    assert len({r[1] for r in rows}) == la_count


def test_known_dfe_numbers_and_recoded_la(conn: psycopg.Connection[Any]) -> None:
    numbers = dict(
        conn.execute(
            "SELECT code, la_number FROM area WHERE code IN ('E09000033', 'E08000016', 'E08000019', 'E06000053')"
        ).fetchall()
    )
    # Westminster 213, Isles of Scilly 420; Barnsley 370 and Sheffield 373 (2024 numbers, since 2025 rows say 'z').
    assert numbers == {"E09000033": 213, "E08000016": 370, "E08000019": 373, "E06000053": 420}


def test_districts_roll_up_to_their_county_and_combined_authority(
    conn: psycopg.Connection[Any],
) -> None:
    # Harrogate was abolished into North Yorkshire (a unitary) in 2023; Lancaster is in Lancashire.
    parent, ca = conn.execute(
        "SELECT parent_code, combined_authority_code FROM area WHERE code = 'E07000121'"
    ).fetchone()
    assert parent == "E10000017"  # Lancaster -> Lancashire
    assert ca == "E47000018"  # Lancashire combined county authority (non-mayoral)
    assert (
        conn.execute("SELECT is_mayoral FROM area WHERE code = 'E47000018'").fetchone()[0] is False
    )
    # Sheffield (recoded E08000039 in the 2025 lookup) belongs to South Yorkshire.
    assert (
        conn.execute(
            "SELECT combined_authority_code FROM area WHERE code = 'E08000019'"
        ).fetchone()[0]
        == "E47000002"
    )


def test_combined_authority_is_the_union_of_its_members(conn: psycopg.Connection[Any]) -> None:
    ratio = conn.execute(
        """
        SELECT ST_Area(ca.geom::geography) / sum(ST_Area(m.geom::geography))
        FROM area ca JOIN area m ON m.combined_authority_code = ca.code
             AND (m.level = 'local_authority')
        WHERE ca.code = 'E47000001' GROUP BY ca.geom
        """
    ).fetchone()[0]
    assert 0.98 < ratio < 1.02


def test_generalised_bands_keep_a_gapless_coverage(
    conn: psycopg.Connection[Any], la_count: int
) -> None:
    bands = conn.execute(
        """
        SELECT g.zoom_band, count(*), sum(ST_NPoints(g.geom)), bool_and(ST_IsValid(g.geom))
        FROM area_generalised g JOIN area a ON a.code = g.area_code
        WHERE a.level = 'local_authority' GROUP BY 1 ORDER BY 1
        """
    ).fetchall()
    assert [b[0] for b in bands] == [6, 8, 10]
    assert all(b[1] == la_count and b[3] for b in bands)
    assert bands[0][2] < bands[1][2] < bands[2][2]  # coarser bands have fewer vertices
    # Shared edges: neighbouring LAs at the coarsest band overlap by (almost) nothing.
    overlap = conn.execute(
        """
        SELECT coalesce(sum(ST_Area(ST_Intersection(a.geom, b.geom)::geography)), 0)
        FROM area_generalised a JOIN area_generalised b
          ON a.zoom_band = 6 AND b.zoom_band = 6 AND a.area_code < b.area_code AND a.geom && b.geom
        JOIN area x ON x.code = a.area_code AND x.level = 'local_authority'
        JOIN area y ON y.code = b.area_code AND y.level = 'local_authority'
        WHERE ST_Intersects(a.geom, b.geom)
        """
    ).fetchone()[0]
    assert overlap < 1e6  # under 1 km² summed over all pairs: no slivers


def test_national_layer_is_small(conn: psycopg.Connection[Any], la_count: int) -> None:
    body = conn.execute(
        """
        SELECT json_build_object('type', 'FeatureCollection', 'features',
               json_agg(ST_AsGeoJSON(f.*, 'geom', 3)::json))::text
        FROM (SELECT a.code, a.name, g.geom FROM area a
              JOIN area_generalised g ON g.area_code = a.code AND g.zoom_band = 6
              WHERE a.level = 'local_authority') f
        """
    ).fetchone()[0]
    import gzip

    assert len(json.loads(body)["features"]) == la_count
    assert len(gzip.compress(body.encode(), 9)) <= 75_000


def test_point_in_polygon_via_subdivided_pieces(conn: psycopg.Connection[Any]) -> None:
    # Buckingham Palace lies in Westminster, in London.
    rows = dict(
        conn.execute(
            """
        SELECT DISTINCT s.level, s.area_code FROM area_subdivided s
        WHERE ST_Intersects(s.geom, ST_SetSRID(ST_MakePoint(-0.1419, 51.5014), 4326))
        """
        ).fetchall()
    )
    assert rows == {
        "local_authority": "E09000033",
        "district": "E09000033",
        "region": "E12000007",
        "country": "E92000001",
    }
