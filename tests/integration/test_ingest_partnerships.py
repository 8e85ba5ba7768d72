"""The partnerships import against the real register and boundaries: coverage, identity, moderation."""

from __future__ import annotations

import csv
import io
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row
from rich.console import Console

from app.ingest import partnerships, partnerships_rows, partnerships_summary, register
from app.ingest.base import Context, Summary

REGISTER_DIR = "partnerships"
# Every table the import writes, with a stable row order; a no-op import leaves every byte alone.
TABLE_ORDER = {
    "partnership_kind": "code",
    "theme": "code",
    "partnership": "id",
    "partnership_theme": "partnership_id, theme_code",
    "partnership_area": "partnership_id, area_code",
    "partnership_member": "id",
    "revision": "id",
}


def register_rows(folder: Path) -> list[tuple[str, dict[str, str]]]:
    """Every record of the register CSVs as ('file.csv:line', row), read here on its own."""
    rows = []
    for path in sorted((folder / REGISTER_DIR).glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader)
            end = reader.line_num
            for values in reader:
                start, end = end + 1, reader.line_num
                if values:
                    rows.append((f"{path.name}:{start}", dict(zip(header, values, strict=False))))
    return rows


def copy_register(source: Path, target: Path) -> Path:
    """A writable copy of the register folder (only what the importer reads)."""
    shutil.copytree(source / REGISTER_DIR, target / REGISTER_DIR)
    return target


def rewrite_rows(path: Path, changes: dict[int, dict[str, str]]) -> None:
    """Change fields of rows given by their line number (the register has no multi-line fields)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    for line, fields in changes.items():
        for column, value in fields.items():
            rows[line - 1][header.index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def run_load(conn: psycopg.Connection[Any], source_dir: Path) -> Summary:
    """Run the partnerships load on the test's own connection (rolled back after the test)."""
    found = conn.execute("SELECT max(id) FROM dataset WHERE name = 'partnerships'").fetchone()
    dataset_id = found[0] if found else None
    assert dataset_id is not None, "the partnerships import has not run"
    ctx = Context(source_dir, conn, dataset_id, Console(file=io.StringIO()), quiet=True)
    partnerships.load(ctx)
    return ctx.summary


def table_checksums(conn: psycopg.Connection[Any]) -> dict[str, str]:
    """An md5 of every row of each table, in a fixed order."""
    return {
        table: conn.execute(
            f"SELECT md5(COALESCE(string_agg(t::text, '|' ORDER BY {order}), '')) FROM {table} t"
        ).fetchone()[0]  # type: ignore[index]
        for table, order in TABLE_ORDER.items()
    }


def partnership_by_name(conn: psycopg.Connection[Any], name: str) -> dict[str, Any]:
    """One partnership with its themes and (code, note) areas in order."""
    row = (
        conn.cursor(row_factory=dict_row)
        .execute(
            "SELECT id, slug, kind, summary, status, version, seed_ref, source_date, last_verified,"
            " checked_on, currency FROM partnership WHERE name = %s AND seed_key IS NOT NULL",
            (name,),
        )
        .fetchone()
    )
    assert row is not None, name
    pid = row["id"]
    themes = conn.execute(
        "SELECT theme_code FROM partnership_theme WHERE partnership_id = %s", (pid,)
    ).fetchall()
    links = conn.execute(
        "SELECT area_code, note, whole FROM partnership_area WHERE partnership_id = %s"
        " ORDER BY position",
        (pid,),
    ).fetchall()
    areas = [(code, note) for code, note, _ in links]
    whole = [w for _, _, w in links]
    return row | {"themes": {t[0] for t in themes}, "areas": areas, "whole": whole}


def refs_of(items: list[str]) -> set[str]:
    """The 'file.csv:line' part of summary items like 'file.csv:12: reason'."""
    return {item.split(": ", 1)[0] for item in items}


def test_every_register_row_is_imported_or_reported(
    conn: psycopg.Connection[Any], geodata_dir: Path
) -> None:
    rows = register_rows(geodata_dir)
    files = sorted(path.name for path in (geodata_dir / REGISTER_DIR).glob("*.csv"))
    assert {ref.split(":")[0] for ref, _ in rows} == set(files)
    summary = run_load(conn, geodata_dir)
    invalid = refs_of(summary.unmatched[partnerships_summary.INVALID_ROWS])
    kept = refs_of(summary.unmatched.get(partnerships_summary.KEPT_MODERATED, []))
    found = conn.execute("SELECT seed_ref FROM partnership WHERE seed_ref IS NOT NULL")
    imported = {ref for (ref,) in found}
    for ref, _ in rows:
        assert (ref in imported or ref in kept) != (ref in invalid), ref
    assert summary.facts["register rows"] == len(rows)
    assert summary.facts["valid rows"] + summary.facts["invalid rows"] == len(rows)


def test_counts_per_kind_match_the_register(
    conn: psycopg.Connection[Any], geodata_dir: Path
) -> None:
    rows = register_rows(geodata_dir)
    invalid = refs_of(run_load(conn, geodata_dir).unmatched[partnerships_summary.INVALID_ROWS])
    expected = Counter(row["kind"] for ref, row in rows if ref not in invalid)
    found = conn.execute(
        "SELECT kind, count(*) FROM partnership WHERE seed_ref = ANY(%s) GROUP BY kind",
        ([ref for ref, _ in rows],),
    ).fetchall()
    stored = Counter(dict(found))
    assert stored == expected
    assert stored["teaching_school_hub"] == 87
    assert stored["opportunity_area"] == 12


def test_vocabulary_is_in_the_lookup_tables(conn: psycopg.Connection[Any]) -> None:
    kinds = dict(conn.execute("SELECT code, is_national FROM partnership_kind").fetchall())
    assert len(kinds) == 16
    assert kinds["teaching_school_hub"] is True
    assert kinds["area_based_education_partnership"] is False
    assert conn.execute("SELECT count(*) FROM theme").fetchone() == (18,)
    assert conn.execute(
        "SELECT count(*) FROM partnership_kind WHERE btrim(label) = '' OR btrim(description) = ''"
    ).fetchone() == (0,)


def test_known_partnerships_have_their_areas_and_themes(conn: psycopg.Connection[Any]) -> None:
    the = partnership_by_name(conn, "Tower Hamlets Education Partnership (THE Partnership)")
    assert the["slug"] == "tower-hamlets-education-partnership-the-partnership"
    assert the["kind"] == "area_based_education_partnership"
    assert the["areas"] == [("E09000030", None)]
    assert the["themes"] == {"school_improvement", "leadership", "teacher_development"}
    assert the["seed_ref"] == "local_partnerships.csv:2"

    learn = partnership_by_name(conn, "Learn Sheffield")
    assert learn["areas"] == [("E08000019", None)]
    assert learn["themes"] == {"school_improvement", "leadership", "governance", "attendance"}
    assert learn["status"] == "active"

    # Qualifiers of area names are kept, in the register's order.
    abacus = partnership_by_name(conn, "Abacus NW Maths Hub")
    assert abacus["areas"] == [("E06000008", None), ("E06000009", None), ("E10000017", "part")]
    assert abacus["whole"] == [True, True, False]
    camb = partnership_by_name(conn, "Cambridge Maths Hub")
    assert [code for code, _ in camb["areas"]] == [
        "E10000003",
        "E06000031",
        "E10000020",
        "E10000029",
    ]
    assert [note for _, note in camb["areas"]] == [None, None, "part", "part"]


def test_source_date_is_kept_as_text_and_never_counts_as_verification(
    conn: psycopg.Connection[Any],
) -> None:
    camden = partnership_by_name(conn, "Camden Learning")
    assert camden["source_date"] == "2018-02-07"
    # Only a moderator verifies: an import never sets last_verified.
    assert conn.execute(
        "SELECT count(*) FROM partnership WHERE seed_key IS NOT NULL AND last_verified IS NOT NULL"
    ).fetchone() == (0,)


def test_checked_dates_and_status_evidence_come_from_the_register(
    conn: psycopg.Connection[Any], geodata_dir: Path
) -> None:
    rows = dict(register_rows(geodata_dir))
    learn = partnership_by_name(conn, "Learn Sheffield")
    row = rows[learn["seed_ref"]]
    assert learn["source_date"] == row["source_date"] == "2015-07-27"
    assert str(learn["checked_on"]) == row["checked_on"]
    stored = {
        ref: (url, date)
        for ref, url, date in conn.execute(
            "SELECT seed_ref, status_evidence_url, status_evidence_date FROM partnership"
            " WHERE seed_key IS NOT NULL"
        )
    }
    with_evidence = {ref for ref, r in rows.items() if r["status_evidence_url"]}
    assert with_evidence and {ref for ref, (url, _) in stored.items() if url} == with_evidence
    for ref in with_evidence:
        row = rows[ref]
        assert stored[ref] == (row["status_evidence_url"], row["status_evidence_date"] or None)


def expected_currency(row: dict[str, str]) -> str:
    """The currency rule, restated from the register's README for the test."""
    if row["status"] == "ended":
        return "ended"
    evidence = row["status_evidence_date"] or row["source_date"]
    if evidence[:4].isdigit():
        return "current" if int(evidence[:4]) >= 2021 else "unconfirmed"
    return "current" if row["status"] == "active" and row["checked_on"] else "unconfirmed"


def test_currency_is_derived_from_status_and_evidence(
    conn: psycopg.Connection[Any], geodata_dir: Path
) -> None:
    rows = dict(register_rows(geodata_dir))
    stored = dict(
        conn.execute("SELECT seed_ref, currency FROM partnership WHERE seed_key IS NOT NULL")
    )
    assert Counter(stored.values()) == Counter(expected_currency(r) for r in rows.values())
    for ref, currency in stored.items():
        assert currency == expected_currency(rows[ref]), ref
    # Learn Sheffield's only dated page is from 2015: active in the register, unconfirmed here.
    assert partnership_by_name(conn, "Learn Sheffield")["currency"] == "unconfirmed"
    # A moderator's confirmation makes a record current; ending it always wins.
    learn = partnership_by_name(conn, "Learn Sheffield")
    conn.execute(
        "UPDATE partnership SET last_verified = current_date WHERE id = %s", (learn["id"],)
    )
    assert partnership_by_name(conn, "Learn Sheffield")["currency"] == "current"
    conn.execute("UPDATE partnership SET status = 'ended' WHERE id = %s", (learn["id"],))
    assert partnership_by_name(conn, "Learn Sheffield")["currency"] == "ended"


def test_part_of_an_area_is_kept_from_the_register_markers(
    conn: psycopg.Connection[Any], geodata_dir: Path
) -> None:
    marked = 0
    for _, row in register_rows(geodata_dir):
        marked += sum("(" in name for name in row["area_names"].split(";"))
    assert marked > 0
    found = conn.execute(
        "SELECT count(*) FILTER (WHERE NOT whole), count(*) FILTER (WHERE NOT whole AND note IS NULL)"
        " FROM partnership_area pa JOIN partnership p ON p.id = pa.partnership_id"
        " WHERE p.seed_key IS NOT NULL"
    ).fetchone()
    assert found == (marked, 0)
    pe = partnership_by_name(conn, "Scarborough Priority Education Investment Area")
    assert pe["areas"] == [("E06000065", "part: former Scarborough borough")]
    assert pe["whole"] == [False]


def test_network_sizes_are_in_the_vocabulary(
    conn: psycopg.Connection[Any], geodata_dir: Path
) -> None:
    sizes = {
        code: (size, source)
        for code, size, source in conn.execute(
            "SELECT code, network_size, network_size_source FROM partnership_kind"
        )
    }
    assert sizes["maths_hub"][0] == 40 and sizes["teaching_school_hub"][0] == 87
    assert all(source for size, source in sizes.values() if size is not None)
    assert sizes["area_based_education_partnership"] == (None, None)
    summary = run_load(conn, geodata_dir)
    recorded = sum(1 for _, r in register_rows(geodata_dir) if r["kind"] == "maths_hub")
    networks = summary.facts[partnerships_summary.NETWORK_COMPLETENESS]
    assert networks["Maths Hub"].startswith(f"{recorded} of 40")


def test_every_seed_record_has_a_first_seed_revision(conn: psycopg.Connection[Any]) -> None:
    rows = conn.execute(
        "SELECT p.name, r.change, r.moderator_id, r.submission_id, r.snapshot"
        "  FROM partnership p"
        "  LEFT JOIN revision r ON r.partnership_id = p.id AND r.version = 1"
        " WHERE p.seed_key IS NOT NULL"
    ).fetchall()
    assert len(rows) >= 488
    for name, change, moderator_id, submission_id, snapshot in rows:
        assert change == register.FIRST_CHANGE, name
        assert moderator_id is None and submission_id is None
        assert snapshot["name"] == name
        assert snapshot["version"] == 1
        assert snapshot["members"] == []
    learn = partnership_by_name(conn, "Learn Sheffield")
    snapshot = conn.execute(
        "SELECT snapshot FROM revision WHERE partnership_id = %s AND version = 1", (learn["id"],)
    ).fetchone()[0]  # type: ignore[index]
    assert snapshot["themes"] == sorted(learn["themes"])
    assert snapshot["areas"] == [
        {"code": "E08000019", "name": "Sheffield", "note": None, "whole": True}
    ]
    assert snapshot["checked_on"] == str(learn["checked_on"])


def test_slugs_and_seed_keys_are_unique_and_well_formed(conn: psycopg.Connection[Any]) -> None:
    bad = conn.execute(
        "SELECT slug FROM partnership WHERE slug !~ '^[a-z0-9]+(-[a-z0-9]+)*$'"
    ).fetchall()
    assert bad == []
    assert conn.execute(
        "SELECT count(*) = count(DISTINCT seed_key) FROM partnership WHERE seed_key IS NOT NULL"
    ).fetchone() == (True,)


def test_reimport_changes_nothing(conn: psycopg.Connection[Any], geodata_dir: Path) -> None:
    before = table_checksums(conn)
    summary = run_load(conn, geodata_dir)
    assert table_checksums(conn) == before
    assert summary.facts["created"] == 0
    assert summary.facts["updated"] == 0
    kept = summary.facts["kept moderated records"]
    assert summary.facts["unchanged"] + kept == summary.facts["valid rows"]


def test_rollup_summary_names_las_without_local_partnerships(
    conn: psycopg.Connection[Any], geodata_dir: Path, la_count: int
) -> None:
    summary = run_load(conn, geodata_dir)
    without = set(summary.unmatched[partnerships_summary.NO_LOCAL_PARTNERSHIP])
    assert {
        "E06000036 Bracknell Forest",
        "E06000037 West Berkshire",
        "E06000053 Isles of Scilly",
    } <= without
    per_la = summary.facts[partnerships_summary.PER_LA]
    assert len(per_la) == la_count
    no_local = {code for code, (_, local) in per_la.items() if local == 0}
    assert no_local == {item.split(" ", 1)[0] for item in without}
    # Nottinghamshire's only local partnership serves one of its districts: it rolls up.
    district_only = conn.execute(
        "SELECT count(*) FROM partnership_area pa JOIN area d ON d.code = pa.area_code"
        " JOIN partnership p ON p.id = pa.partnership_id"
        " JOIN partnership_kind k ON k.code = p.kind"
        " WHERE d.parent_code = 'E10000024' AND NOT k.is_national"
    ).fetchone()[0]  # type: ignore[index]
    assert district_only >= 1
    assert per_la["E10000024"][1] >= district_only
    assert "E10000024 Nottinghamshire" not in without


def moderate_by_version_bump(conn: psycopg.Connection[Any], pid: int) -> None:
    conn.execute("UPDATE partnership SET version = version + 1 WHERE id = %s", (pid,))


def moderate_by_approved_revision(conn: psycopg.Connection[Any], pid: int) -> None:
    moderator = conn.execute(
        "INSERT INTO moderator (email, password_hash) VALUES ('mod@example.org', 'x') RETURNING id"
    ).fetchone()[0]  # type: ignore[index]
    conn.execute("UPDATE partnership SET version = 2 WHERE id = %s", (pid,))
    conn.execute(
        "INSERT INTO revision (partnership_id, version, snapshot, change, moderator_id)"
        " VALUES (%s, 2, '{}', 'approved amendment', %s)",
        (pid, moderator),
    )


@pytest.mark.parametrize("moderate", [moderate_by_version_bump, moderate_by_approved_revision])
def test_a_moderated_record_is_not_overwritten(
    conn: psycopg.Connection[Any], geodata_dir: Path, moderate: Any
) -> None:
    learn = partnership_by_name(conn, "Learn Sheffield")
    pid = learn["id"]
    conn.execute(
        "UPDATE partnership SET summary = 'Corrected by a moderator', status = 'ended'"
        " WHERE id = %s",
        (pid,),
    )
    conn.execute(
        "DELETE FROM partnership_theme WHERE partnership_id = %s AND theme_code = 'governance'",
        (pid,),
    )
    conn.execute(
        "UPDATE partnership_area SET note = 'city centre' WHERE partnership_id = %s", (pid,)
    )
    conn.execute(
        "INSERT INTO partnership_member (partnership_id, member_type, name)"
        " VALUES (%s, 'local_authority', 'Sheffield City Council')",
        (pid,),
    )
    moderate(conn, pid)
    before = table_checksums(conn)

    summary = run_load(conn, geodata_dir)

    after = partnership_by_name(conn, "Learn Sheffield")
    assert after["summary"] == "Corrected by a moderator"
    assert after["status"] == "ended"
    assert after["themes"] == learn["themes"] - {"governance"}
    assert after["areas"] == [("E08000019", "city centre")]
    assert after["version"] == 2
    assert table_checksums(conn) == before
    assert summary.facts["kept moderated records"] == 1
    assert summary.unmatched[partnerships_summary.KEPT_MODERATED] == [
        f"{learn['seed_ref']}: learn-sheffield"
    ]


def test_a_changed_register_row_updates_its_seed_record_in_place(
    conn: psycopg.Connection[Any], geodata_dir: Path, tmp_path: Path
) -> None:
    learn = partnership_by_name(conn, "Learn Sheffield")
    line = int(learn["seed_ref"].split(":")[1])
    source = copy_register(geodata_dir, tmp_path)
    rewrite_rows(
        source / REGISTER_DIR / "local_partnerships.csv",
        {line: {"summary": "A new summary.", "themes": "school_improvement;curriculum"}},
    )

    summary = run_load(conn, source)

    after = partnership_by_name(conn, "Learn Sheffield")
    assert (after["id"], after["slug"]) == (learn["id"], learn["slug"])
    assert after["summary"] == "A new summary."
    assert after["themes"] == {"school_improvement", "curriculum"}
    assert after["version"] == learn["version"] + 1
    assert summary.facts["updated"] == 1
    revisions = conn.execute(
        "SELECT version, change, snapshot->>'summary' FROM revision"
        " WHERE partnership_id = %s ORDER BY version",
        (learn["id"],),
    ).fetchall()
    assert revisions[-1] == (after["version"], register.LATER_CHANGE, "A new summary.")
    assert revisions[0][1] == register.FIRST_CHANGE

    # The register's own update does not make the record "moderated": a second run is a no-op.
    before = table_checksums(conn)
    again = run_load(conn, source)
    assert table_checksums(conn) == before
    assert again.facts["updated"] == 0
    assert again.facts["kept moderated records"] == 0


def test_a_row_that_moves_to_another_file_keeps_its_record(
    conn: psycopg.Connection[Any], geodata_dir: Path, tmp_path: Path
) -> None:
    learn = partnership_by_name(conn, "Learn Sheffield")
    line = int(learn["seed_ref"].split(":")[1])
    source = copy_register(geodata_dir, tmp_path)
    local = source / REGISTER_DIR / "local_partnerships.csv"
    lines = local.read_text(encoding="utf-8").splitlines(keepends=True)
    moved = lines.pop(line - 1)
    local.write_text("".join(lines), encoding="utf-8")
    with (source / REGISTER_DIR / "local_partnerships_2.csv").open("a", encoding="utf-8") as f:
        f.write(moved)
    revisions_before = conn.execute("SELECT count(*) FROM revision").fetchone()

    summary = run_load(conn, source)

    after = partnership_by_name(conn, "Learn Sheffield")
    assert after["id"] == learn["id"] and after["version"] == learn["version"]
    assert after["seed_ref"] == "local_partnerships_2.csv:35"
    assert summary.facts["created"] == 0 and summary.facts["updated"] == 0
    assert summary.facts["moved within the register"] > 1  # rows below it moved up a line
    assert conn.execute("SELECT count(*) FROM revision").fetchone() == revisions_before


def test_invalid_rows_are_reported_with_file_and_line(
    conn: psycopg.Connection[Any], geodata_dir: Path, tmp_path: Path
) -> None:
    source = copy_register(geodata_dir, tmp_path)
    local = source / REGISTER_DIR / "local_partnerships.csv"
    first = partnership_by_name(conn, "Tower Hamlets Education Partnership (THE Partnership)")
    rows_before = register_rows(geodata_dir)
    rows_before_local = [r for r in rows_before if r[0].startswith("local_partnerships.csv:")]
    broken_name = dict(rows_before)["local_partnerships.csv:12"]["name"]
    rewrite_rows(
        local,
        {
            3: {"themes": "school_improvement;foo"},
            4: {"areas_served": "E06999999", "area_names": "Nowhere"},
            5: {"status": "closed"},
            6: {"founded_year": "soon"},
            7: {"source_url": ""},
            8: {"kind": "club"},
            9: {"areas_served": "E12000001", "area_names": "North East"},
            10: {"name": ""},
            12: {"name": "Tower Hamlets Education Partnership (THE Partnership)"},
        },
    )
    with local.open("a", encoding="utf-8") as handle:
        handle.write("A stray line,other\n")
    before = {
        ref: conn.execute(
            "SELECT id, version, summary FROM partnership WHERE seed_ref = %s", (ref,)
        ).fetchone()
        for ref in (f"local_partnerships.csv:{n}" for n in range(3, 13))
    }

    summary = run_load(conn, source)

    invalid = summary.unmatched[partnerships_summary.INVALID_ROWS]
    expected = {
        "local_partnerships.csv:3: unknown theme 'foo'",
        "local_partnerships.csv:4: unknown area code 'E06999999'",
        "local_partnerships.csv:5: unknown status 'closed'",
        "local_partnerships.csv:6: founded_year 'soon' is not a whole number",
        "local_partnerships.csv:7: source_url is empty",
        "local_partnerships.csv:8: unknown kind 'club'",
        "local_partnerships.csv:9: area code 'E12000001' (North East) is a region,"
        " not a local authority or district",
        "local_partnerships.csv:10: name is empty",
        "local_partnerships.csv:12: same name as local_partnerships.csv:2",
        f"local_partnerships.csv:{len(rows_before_local) + 2}: has 2 fields,"
        f" expected {len(partnerships_rows.COLUMNS)}",
    }
    assert expected <= set(invalid)
    assert summary.facts["invalid rows"] == len(invalid) >= len(expected)
    assert summary.facts["valid rows"] == len(rows_before) - 9
    # Skipped rows leave their records as they were; none is deleted.
    for ref, row in before.items():
        assert row is not None, ref
        now = conn.execute(
            "SELECT id, version, summary FROM partnership WHERE id = %s", (row[0],)
        ).fetchone()
        assert now == row, ref
    # The row renamed to a duplicate no longer names its record: reported, kept.
    gone = summary.unmatched[partnerships_summary.GONE_FROM_REGISTER]
    assert any(item.startswith("local_partnerships.csv:12: ") for item in gone), gone
    assert partnership_by_name(conn, broken_name)["seed_ref"] == "local_partnerships.csv:12"
    kept = partnership_by_name(conn, "Tower Hamlets Education Partnership (THE Partnership)")
    assert (kept["id"], kept["seed_ref"]) == (first["id"], "local_partnerships.csv:2")
