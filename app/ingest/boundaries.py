"""Import ONS boundaries: England, its regions, combined authorities, the 153 LAs and the districts.

Upper-tier LAs (CTYUA Dec 2023) are the 153 DfE local authorities; districts are LAD May 2024.
A unitary authority is both (one row, ``level='local_authority'``, ``is_district`` true), so
"the districts" are the E07 rows plus the unitaries: 296 in all. Combined authorities are the
May 2025 set, dissolved in PostGIS from their member districts. DfE 3-digit LA numbers, regions
and parents come from dfeR's geography hierarchy. Each level is generalised per zoom band as a
coverage (shared edges simplified once), so neighbouring areas never open gaps or slivers.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyogrio.errors import DataSourceError

from app.codes import RECODED_2025
from app.ingest.base import Context, Importer, ImportFailed, copy_rows
from app.ingest.common import statement

CTYUA = "fingertipsnext/Counties_and_Unitary_Authorities_December_2023_Boundaries_UK_BSC_4952317392296043005.geo.json"
LAD = "fingertipsnext/Local_Authority_Districts_May_2024_Boundaries__UK_BSC_-5684348521832897108.geo.json"
REGIONS = "fingertipsnext/Regions_December_2023_Boundaries_EN_BUC_1958740832896680092.geo.json"
COUNTRY = "lsip_dashboard/Countries_December_2024_Boundaries_UK_BUC_5901300951709307336.geojson"
CA_LOOKUP = (
    "lsip_dashboard/Local_Authority_District_to_Combined_Authority_(May_2025)_Lookup_in_EN.csv"
)
HIERARCHY = "dfer/geo_hierarchy.csv"

# Zoom band -> simplification tolerance in metres (about one screen pixel at that zoom).
# Above the last band the import's own geometry (ONS BSC, ~200 m) is served.
ZOOM_BANDS: dict[int, float] = {6: 1500.0, 8: 400.0, 10: 100.0}

# The columns of the staging table ``area_in`` (boundaries_stage.sql), in copy order.
STAGING_COLUMNS = [
    "code",
    "name",
    "level",
    "la_number",
    "parent_code",
    "combined_authority_code",
    "region_code",
    "is_mayoral",
    "is_district",
    "wkb",
]

# Non-mayoral combined county authorities in the May 2025 lookup.
NON_MAYORAL = {"E47000015", "E47000018"}


@dataclass(frozen=True)
class Hierarchy:
    """What dfeR's geography hierarchy tells about each LA and district."""

    la_number: dict[str, int]
    la_region: dict[str, str]
    district_parent: dict[str, str]


def read_layer(ctx: Context, relative: str, code_col: str, name_col: str) -> gpd.GeoDataFrame:
    """An ONS boundary file as (code, name, geometry in EPSG:27700), England only, valid."""
    try:
        frame = gpd.read_file(ctx.path(relative))
    except DataSourceError as exc:
        raise ImportFailed(f"{relative}: unreadable ({exc})") from exc
    missing = {code_col, name_col} - set(frame.columns)
    if missing or frame.empty:
        raise ImportFailed(
            f"{relative}: expected columns {code_col}, {name_col}; file looks truncated"
        )
    frame = frame[frame[code_col].astype(str).str.startswith("E")]
    frame = frame.rename(columns={code_col: "code", name_col: "name"})[["code", "name", "geometry"]]
    if frame.crs is None:
        frame = frame.set_crs(4326)
    frame = frame.to_crs(27700)
    frame["geometry"] = shapely.make_valid(frame.geometry.values)
    return frame.reset_index(drop=True)


def read_hierarchy(ctx: Context) -> Hierarchy:
    """DfE LA numbers, regions and district parents, newest year first, 2025 recodes undone."""
    frame = pd.read_csv(
        ctx.path(HIERARCHY),
        dtype=str,
        usecols=[
            "most_recent_year_included",
            "lad_code",
            "old_la_code",
            "new_la_code",
            "region_code",
        ],
    )
    frame = frame.sort_values("most_recent_year_included", ascending=False)
    frame["new_la_code"] = frame["new_la_code"].replace(RECODED_2025)
    frame["lad_code"] = frame["lad_code"].replace(RECODED_2025)
    numbered = frame[frame["old_la_code"].str.fullmatch(r"\d{3}", na=False)]
    la_number = numbered.drop_duplicates("new_la_code").set_index("new_la_code")["old_la_code"]
    la_region = frame.drop_duplicates("new_la_code").set_index("new_la_code")["region_code"]
    parent = frame.drop_duplicates("lad_code").set_index("lad_code")["new_la_code"]
    return Hierarchy(
        la_number={str(k): int(v) for k, v in la_number.items()},
        la_region={str(k): str(v) for k, v in la_region.items()},
        district_parent={str(k): str(v) for k, v in parent.items()},
    )


def read_ca_lookup(ctx: Context) -> pd.DataFrame:
    """The May 2025 district -> combined authority lookup, Barnsley/Sheffield recoded."""
    frame = pd.read_csv(ctx.path(CA_LOOKUP), dtype=str, encoding="utf-8-sig")
    expected = {"LAD25CD", "CAUTH25CD", "CAUTH25NM"}
    if not expected <= set(frame.columns):
        raise ImportFailed(f"{CA_LOOKUP}: expected columns {sorted(expected)}")
    frame["lad"] = frame["LAD25CD"].replace(RECODED_2025)
    return frame.rename(columns={"CAUTH25CD": "ca", "CAUTH25NM": "ca_name"})[
        ["lad", "ca", "ca_name"]
    ]


def load(ctx: Context) -> None:
    """Read every boundary file, upsert the areas and rebuild generalised and subdivided shapes."""
    las = read_layer(ctx, CTYUA, "CTYUA23CD", "CTYUA23NM")
    lads = read_layer(ctx, LAD, "LAD24CD", "LAD24NM")
    regions = read_layer(ctx, REGIONS, "RGN23CD", "RGN23NM")
    country = read_layer(ctx, COUNTRY, "CTRY24CD", "CTRY24NM")
    hierarchy = read_hierarchy(ctx)
    lookup = read_ca_lookup(ctx)

    la_codes = set(las["code"])
    districts = lads[~lads["code"].isin(la_codes)].copy()
    unitary_districts = set(lads["code"]) & la_codes
    district_ca = dict(zip(lookup["lad"], lookup["ca"], strict=True))
    unknown_lookup = set(lookup["lad"]) - set(lads["code"])
    if unknown_lookup:
        raise ImportFailed(
            f"{CA_LOOKUP}: districts not in the boundary file: {sorted(unknown_lookup)}"
        )

    conn = ctx.conn
    conn.execute(statement("boundaries_stage"))

    rows: list[tuple[object, ...]] = []

    def add(frame: gpd.GeoDataFrame, level: str, attrs: dict[str, dict[str, object]]) -> None:
        wkbs = shapely.to_wkb(_as_multi(frame.geometry.values))
        for code, name, wkb in zip(frame["code"], frame["name"], wkbs, strict=True):
            a = attrs.get(code, {})
            rows.append(
                (
                    code,
                    name,
                    level,
                    a.get("la_number"),
                    a.get("parent"),
                    a.get("ca"),
                    a.get("region"),
                    a.get("mayoral", False),
                    a.get("is_district", False),
                    wkb,
                )
            )

    add(country, "country", {})
    add(regions, "region", {})

    la_attrs: dict[str, dict[str, object]] = {}
    missing_numbers = []
    for code in las["code"]:
        number = hierarchy.la_number.get(code)
        if number is None:
            missing_numbers.append(code)
        member_districts = [d for d, p in hierarchy.district_parent.items() if p == code] or [code]
        cas = {district_ca.get(d) for d in member_districts}
        la_attrs[code] = {
            "la_number": number,
            "region": hierarchy.la_region.get(code),
            "ca": cas.pop() if len(cas) == 1 else None,
            "is_district": code in unitary_districts,
        }
    if missing_numbers:
        raise ImportFailed(f"{HIERARCHY}: no DfE LA number for {sorted(missing_numbers)}")
    district_attrs = {
        code: {
            "parent": hierarchy.district_parent.get(code),
            "ca": district_ca.get(code),
            "region": la_attrs.get(hierarchy.district_parent.get(code, ""), {}).get("region"),
            "is_district": True,
        }
        for code in districts["code"]
    }
    orphans = [c for c, a in district_attrs.items() if a["parent"] not in la_codes]
    if orphans:
        raise ImportFailed(f"{HIERARCHY}: districts with no upper-tier LA: {sorted(orphans)}")

    add(las, "local_authority", la_attrs)
    add(districts, "district", district_attrs)
    copy_rows(conn, "area_in", STAGING_COLUMNS, ctx.track(rows, "areas", total=len(rows)))

    # Combined authorities: dissolved from their districts' polygons (districts or unitaries).
    for ca, name in lookup.drop_duplicates("ca")[["ca", "ca_name"]].itertuples(index=False):
        conn.execute(
            statement("boundaries_combined_authority"),
            {
                "ca": ca,
                "name": name,
                "mayoral": ca not in NON_MAYORAL,
                "lads": list(lookup.loc[lookup["ca"] == ca, "lad"]),
            },
        )

    _upsert_areas(ctx)
    _rebuild_shapes(ctx)
    _summarise(ctx, len(unitary_districts))


def _as_multi(geoms: np.ndarray) -> np.ndarray:
    """Polygons as MultiPolygons, dropping stray lines or points that make_valid can leave."""
    out = []
    for geom in geoms:
        polys = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
        parts = [q for p in polys for q in shapely.get_parts(p)]
        out.append(shapely.MultiPolygon(parts))
    return np.array(out, dtype=object)


def _upsert_areas(ctx: Context) -> None:
    """Write area rows level by level (parents first); remove areas no longer in the sources."""
    conn = ctx.conn
    conn.execute(statement("boundaries_upsert_areas"), {"ds": ctx.dataset_id})
    conn.execute(statement("boundaries_delete_absent"))


def _rebuild_shapes(ctx: Context) -> None:
    """Generalise each level as a coverage per zoom band, and subdivide for point-in-polygon."""
    conn = ctx.conn
    conn.execute("DELETE FROM area_generalised")
    levels = ["country", "region", "combined_authority", "local_authority", "district"]
    for level in ctx.track(levels, "generalising", total=len(levels)):
        rows = conn.execute(statement("boundaries_level_shapes"), (level, level)).fetchall()
        codes = [r[0] for r in rows]
        geoms = shapely.from_wkb([bytes(r[1]) for r in rows])
        if level == "district":
            # Keep only the E07 districts: unitaries are stored once, with the LA level.
            keep = [i for i, c in enumerate(codes) if not c.startswith(("E06", "E08", "E09"))]
        else:
            keep = list(range(len(codes)))
        for band, tolerance in ZOOM_BANDS.items():
            simplified = _as_multi(shapely.coverage_simplify(geoms, tolerance))
            with conn.cursor() as cur:
                cur.executemany(
                    statement("boundaries_insert_generalised"),
                    [(codes[i], band, shapely.to_wkb(simplified[i])) for i in keep],
                )
    conn.execute("DELETE FROM area_subdivided")
    conn.execute(statement("boundaries_subdivide"))
    conn.execute("ANALYZE area; ANALYZE area_generalised; ANALYZE area_subdivided")


def _summarise(ctx: Context, unitary_count: int) -> None:
    s = ctx.summary
    for level in ("country", "region", "combined_authority", "local_authority", "district"):
        s.count(
            f"area ({level})",
            int(ctx.scalar("SELECT count(*) FROM area WHERE level = %s", (level,))),
        )
    ctx.count_rows("area_generalised")
    ctx.count_rows("area_subdivided")
    s.fact(
        "districts incl. unitaries",
        int(ctx.scalar("SELECT count(*) FROM area WHERE level = 'district' OR is_district")),
    )
    s.fact(
        "mayoral combined authorities",
        int(
            ctx.scalar(
                "SELECT count(*) FROM area WHERE level = 'combined_authority' AND is_mayoral"
            )
        ),
    )
    s.fact("unitary authorities (LA and district)", unitary_count)
    s.fact(
        "national LA layer bytes (band 6)",
        int(ctx.scalar(statement("boundaries_la_layer_bytes"))),
    )


IMPORTER = Importer(
    name="boundaries",
    title="ONS boundaries: CTYUA Dec 2023, LAD May 2024, regions Dec 2023, CAs May 2025",
    vintage="CTYUA 2023-12, LAD 2024-05, RGN 2023-12, CAUTH lookup 2025-05",
    licence="OGL v3. Source: Office for National Statistics licensed under the Open Government "
    "Licence v.3.0. Contains OS data © Crown copyright and database right 2024",
    files=(CTYUA, LAD, REGIONS, COUNTRY, CA_LOOKUP, HIERARCHY),
    load=load,
)
