"""Import England's state-funded schools: placed from their postcodes, with phase, type and trust.

The base list is GIAS's state-funded schools of July 2025 (URN, name, opening date, town,
postcode). Each school is placed at its postcode's Code-Point Open point and given its
upper-tier LA and its district by point-in-polygon; a school just outside the generalised
coastline takes the nearest area within 2 km, and the postcode's own district (Code-Point
``Admin_district_code``) is kept as an independent check.

The other facts are older, and each school's ``provenance`` says which source and vintage
each of its facts came from:

* the DfE school census of January 2023 (SPC 2022/23): phase, type, academy flag, LAESTAB,
  pupils, free school meals and the trust's name;
* GIAS of June 2024: phase and status of schools the census does not know;
* GIAS establishment links of July 2025: a school that opened under a new URN after the
  census (an academy conversion, a transfer to another trust, an amalgamation) reaches its
  predecessor's census facts, and a linked school is an academy exactly when it is in the
  academies-and-free-schools links extract.

The census names trusts in upper case; a name is matched to a GIAS group after upper-casing
and collapsing spaces, preferring academy trusts (or foundation trusts for maintained
schools) that were not already closed on census day, and open ones among those. Names that
match nothing, or more than one group equally well, are listed, never guessed. A trust is
not carried across a plain predecessor link: for an academy a new URN means a new trust, and
a maintained predecessor had none. It is carried across an amalgamation or a split when every
predecessor names the same trust.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from app.codes import ACADEMY_TRUST_TYPES, RECODED_2025
from app.ingest.base import Context, Importer, ImportFailed, copy_rows
from app.ingest.common import CENSUS_FILE, statement
from app.ingest.placing import locate
from app.ingest.school_facts import (
    INSIDE,
    NEAREST,
    SOURCE_AREAS,
    SOURCE_CENSUS,
    SOURCE_CODEPOINT,
    SOURCE_GIAS_2024,
    SOURCE_LINKS,
    SOURCE_TRUST,
    VIA_PREDECESSOR,
)
from app.ingest.school_sources import (
    CENSUS_DAY,
    CensusSchool,
    ListedSchool,
    read_census,
    read_gias_2024,
    read_links,
    read_school_list,
)
from app.ingest.school_summary import summarise
from app.ingest.school_trusts import (
    TRUST_UNKNOWN_NOT_IN_CENSUS,
    TRUST_UNKNOWN_OPENED_AFTER,
    TRUST_UNKNOWN_UNMATCHED,
    TRUST_UNKNOWN_UNNAMED,
)

SCHOOLS_FILE = "register_trainee_teachers/schools_gias.csv"
GIAS_2024_FILE = "dfe_gias_data_json_2024/gias_data_schools_20240617.jsonl.gz"
LINKS_ALL_FILE = "gias_links_2025/links_edubasealldata_20250727.csv"
LINKS_ACADEMIES_FILE = "gias_links_2025/links_edubaseallacademiesandfree_20250727.csv"


def _listed_rows(schools: Iterable[ListedSchool]) -> Iterator[tuple[Any, ...]]:
    for s in schools:
        yield (s.urn, s.name, s.open_date, s.town, s.postcode, s.postcode_as_given)


def _census_rows(schools: Iterable[CensusSchool]) -> Iterator[tuple[Any, ...]]:
    for s in schools:
        yield (
            s.urn,
            s.laestab,
            s.la_code,
            s.district_code,
            s.phase,
            s.school_type,
            s.is_academy,
            s.trust_name,
            s.pupils,
            s.fsm_pct,
        )


def _stage(ctx: Context) -> None:
    """Read every source file into temporary tables."""
    conn = ctx.conn
    listed = read_school_list(ctx.path(SCHOOLS_FILE))
    census = read_census(ctx.path(CENSUS_FILE))
    gias = read_gias_2024(ctx.path(GIAS_2024_FILE))
    links = read_links(ctx.path(LINKS_ALL_FILE), "all") + read_links(
        ctx.path(LINKS_ACADEMIES_FILE), "academies"
    )
    conn.execute(statement("schools_stage"))
    copy_rows(
        conn,
        "school_in",
        ["urn", "name", "open_date", "town", "postcode", "postcode_as_given"],
        _listed_rows(ctx.track(listed, "schools", total=len(listed))),
    )
    copy_rows(
        conn,
        "census_in",
        [
            "urn",
            "laestab",
            "la_code",
            "district_code",
            "phase",
            "school_type",
            "is_academy",
            "trust_name",
            "pupils",
            "fsm_pct",
        ],
        _census_rows(census),
    )
    copy_rows(conn, "gias_in", ["urn", "phase", "status"], gias)
    copy_rows(conn, "link_in", ["urn", "link_urn", "link_type", "source"], links)
    conn.execute(statement("schools_prepare"))
    conn.execute(statement("schools_place"), {"recode": json.dumps(RECODED_2025)})
    conn.execute("ALTER TABLE school_point ADD PRIMARY KEY (key); ANALYZE school_point")


def _check_dependencies(ctx: Context) -> None:
    for table, source in (("area_subdivided", "boundaries"), ("postcode", "postcodes")):
        if not ctx.scalar(f"SELECT EXISTS (SELECT 1 FROM {table})"):
            raise ImportFailed(f"schools: {table} is empty; import {source} first")
    if not ctx.scalar("SELECT EXISTS (SELECT 1 FROM trust)"):
        raise ImportFailed("schools: the trust table is empty; import trusts first")


def load(ctx: Context) -> None:
    """Replace every school with the July 2025 list, placed, joined and with provenance."""
    _check_dependencies(ctx)
    _stage(ctx)
    conn = ctx.conn
    placed = locate(conn, "school_point", ("local_authority", "district"))
    conn.execute(
        statement("schools_trust_match"),
        {"academy_types": list(ACADEMY_TRUST_TYPES), "census_day": CENSUS_DAY},
    )
    conn.execute("ALTER TABLE trust_match ADD PRIMARY KEY (trust_key, school_kind)")
    conn.execute(statement("schools_predecessor"))
    conn.execute(statement("schools_out"))
    conn.execute("DELETE FROM school")
    conn.execute(
        statement("schools_insert"),
        {
            "codepoint": SOURCE_CODEPOINT,
            "areas": SOURCE_AREAS,
            "inside": INSIDE,
            "nearest": NEAREST,
            "census": SOURCE_CENSUS,
            "gias": SOURCE_GIAS_2024,
            "links": SOURCE_LINKS,
            "trust": SOURCE_TRUST,
            "via": VIA_PREDECESSOR,
            "after": TRUST_UNKNOWN_OPENED_AFTER,
            "unmatched": TRUST_UNKNOWN_UNMATCHED,
            "unnamed": TRUST_UNKNOWN_UNNAMED,
            "not_in_census": TRUST_UNKNOWN_NOT_IN_CENSUS,
            "census_day": CENSUS_DAY,
            "dataset": ctx.dataset_id,
        },
    )
    conn.execute("ANALYZE school")
    summarise(ctx, placed)


IMPORTER = Importer(
    name="schools",
    title="State-funded schools (GIAS Jul 2025) with census, GIAS and trust facts",
    vintage="GIAS list 2025-07; DfE SPC 2022/23 (census 2023-01); GIAS 2024-06; GIAS links 2025-07",
    licence="OGL v3. Contains public sector information from Get Information about Schools "
    "and DfE's Schools, pupils and their characteristics, licensed under the Open Government "
    "Licence v3.0",
    files=(SCHOOLS_FILE, CENSUS_FILE, GIAS_2024_FILE, LINKS_ALL_FILE, LINKS_ACADEMIES_FILE),
    load=load,
    depends=("boundaries", "postcodes", "trusts"),
)
