"""The membership import against the real registers, schools and trusts: named members,
membership attributes, lead matching and the academy-trust links built from them."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import psycopg
from rich.console import Console

from app.ingest import membership
from app.ingest.base import Context, Summary

ACADEMY_TRUSTS = ("Multi-academy trust", "Single-academy trust", "Secure single-academy trust")


def read_csv(path: Path) -> list[dict[str, str]]:
    """A CSV's rows, read here on their own."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def run_load(conn: psycopg.Connection[Any], source_dir: Path) -> Summary:
    """Run the membership load on the test's own connection (rolled back after the test)."""
    found = conn.execute("SELECT max(id) FROM dataset WHERE name = 'membership'").fetchone()
    assert found is not None and found[0] is not None, "the membership import has not run"
    ctx = Context(source_dir, conn, found[0], Console(file=io.StringIO()), quiet=True)
    membership.load(ctx)
    return ctx.summary


def member_checksum(conn: psycopg.Connection[Any]) -> tuple[Any, ...]:
    """Every member and membership row, order-free (ids are renewed on re-import)."""
    return tuple(
        conn.execute(
            f"SELECT md5(coalesce(string_agg(x, '|' ORDER BY x), '')) FROM (SELECT {cols}::text"
            f" AS x FROM {table} t) s"
        ).fetchone()[0]  # type: ignore[index]
        for table, cols in (
            (
                "partnership_member",
                "(t.partnership_id, t.member_type, t.name, t.urn, t.trust_uid, t.role, t.origin)",
            ),
            ("partnership_membership", "(t.partnership_id, t.membership_basis, t.funding_model)"),
        )
    )


def test_every_urn_lead_links_to_its_school_and_its_trust(
    conn: psycopg.Connection[Any], geodata_dir: Path
) -> None:
    rows = [
        r
        for path in sorted((geodata_dir / "partnerships").glob("*.csv"))
        for r in read_csv(path)
        if re.search(r"\(URN \d{6}\)", r["lead_organisation"])
    ]
    assert rows, "the register names lead schools by URN"
    for row in rows:
        urn = int(re.search(r"\(URN (\d{6})\)", row["lead_organisation"]).group(1))  # type: ignore[union-attr]
        found = conn.execute(
            "SELECT m.member_type, m.role, m.origin, s.trust_uid, t.group_type, p.id"
            " FROM partnership p JOIN partnership_member m ON m.partnership_id = p.id"
            " JOIN school s ON s.urn = m.urn LEFT JOIN trust t ON t.uid = s.trust_uid"
            " WHERE p.name = %s AND m.urn = %s",
            (row["name"], urn),
        ).fetchone()
        assert found is not None, row["name"]
        assert found[:3] == ("school", "lead", "lead match")
        trust_uid, group_type, pid = found[3:]
        if group_type in ACADEMY_TRUSTS:
            link = conn.execute(
                "SELECT via FROM partnership_trust_link WHERE partnership_id = %s AND trust_uid = %s",
                (pid, trust_uid),
            ).fetchone()
            assert link == ("lead school is in the trust",), row["name"]


def test_named_member_schools_and_membership_attributes(
    conn: psycopg.Connection[Any], geodata_dir: Path
) -> None:
    named = read_csv(geodata_dir / "membership" / "member_schools.csv")
    for row in named:
        found = conn.execute(
            "SELECT m.role, m.origin FROM partnership_member m"
            " JOIN partnership p ON p.id = m.partnership_id"
            " WHERE p.name = %s AND m.member_type = 'school' AND m.urn = %s",
            (row["name"], int(row["urn"])),
        ).fetchone()
        assert found in (("member", "membership register"), ("lead", "lead match")), row
    researched = read_csv(geodata_dir / "membership" / "membership.csv")
    stored = conn.execute("SELECT count(*) FROM partnership_membership").fetchone()
    assert stored == (len(researched),)
    tower = conn.execute(
        "SELECT m.membership_basis, m.council_part, m.funding_model, m.legal_form, m.source_url"
        " FROM partnership_membership m JOIN partnership p ON p.id = m.partnership_id"
        " WHERE p.name = 'Tower Hamlets Education Partnership (THE Partnership)'"
    ).fetchone()
    assert tower == (
        "subscribing_schools",
        "commissioner",
        "mixed",
        "company_limited_by_guarantee",
        "https://www.the-partnership.org.uk/school-improvement/offer",
    )


def test_lead_match_report_accounts_for_every_partnership(
    conn: psycopg.Connection[Any], geodata_dir: Path
) -> None:
    summary = run_load(conn, geodata_dir)
    per_kind = summary.facts["lead match per kind"]
    kinds = dict(conn.execute("SELECT kind, count(*) FROM partnership GROUP BY kind").fetchall())
    assert {k: sum(v.values()) for k, v in per_kind.items()} == kinds
    totals = summary.facts["leads"]
    assert totals["unmatched"] == len(summary.unmatched["unmatched leads"])
    assert totals.get("ambiguous", 0) == len(
        {i.split(": ", 1)[0] for i in summary.unmatched["ambiguous leads"]}
    )
    # Names that are plainly not schools or trusts stay unmatched: nothing is guessed.
    assert any(
        i.endswith(": Department for Education") for i in summary.unmatched["unmatched leads"]
    )
    stored = conn.execute(
        "SELECT count(DISTINCT partnership_id) FROM partnership_member WHERE origin = 'lead match'"
    ).fetchone()
    matched = sum(v for k, v in totals.items() if k.startswith("matched"))
    assert stored == (matched,)


def test_a_lead_named_in_words_matches_only_in_its_areas(conn: psycopg.Connection[Any]) -> None:
    found = conn.execute(
        "SELECT m.member_type, m.urn, s.la_code FROM partnership p"
        " JOIN partnership_member m ON m.partnership_id = p.id AND m.role = 'lead'"
        " JOIN school s ON s.urn = m.urn"
        " WHERE p.lead_organisation = 'Carmel College, Darlington (Carmel Education Trust)'"
    ).fetchall()
    assert found and all(row[0] == "school" for row in found)
    names = conn.execute("SELECT count(*) FROM school WHERE name = 'Carmel College'").fetchone()
    assert names is not None and names[0] >= 1


def test_reimport_is_idempotent_and_keeps_moderated_members(
    conn: psycopg.Connection[Any], geodata_dir: Path
) -> None:
    before = member_checksum(conn)
    run_load(conn, geodata_dir)
    assert member_checksum(conn) == before
    pid = conn.execute(
        "SELECT partnership_id FROM partnership_member WHERE origin = 'membership register'"
        " ORDER BY partnership_id LIMIT 1"
    ).fetchone()[0]  # type: ignore[index]
    # A moderator rewrites the members (as an approved correction does) and bumps the version.
    conn.execute("DELETE FROM partnership_member WHERE partnership_id = %s", (pid,))
    conn.execute(
        "INSERT INTO partnership_member (partnership_id, member_type, name)"
        " VALUES (%s, 'other', 'Named by a moderator')",
        (pid,),
    )
    conn.execute("UPDATE partnership SET version = version + 1 WHERE id = %s", (pid,))
    summary = run_load(conn, geodata_dir)
    kept = conn.execute(
        "SELECT name, origin FROM partnership_member WHERE partnership_id = %s", (pid,)
    ).fetchall()
    assert kept == [("Named by a moderator", None)]
    assert summary.unmatched["partnerships kept as moderated"]


def test_trust_filter_links_are_trust_led_or_through_an_academy_trust(
    conn: psycopg.Connection[Any],
) -> None:
    trust_led = {
        r[0]
        for r in conn.execute(
            "SELECT id FROM partnership WHERE kind = 'trust_led_local_partnership'"
        )
    }
    assert len(trust_led) == 2
    linked = {r[0] for r in conn.execute("SELECT partnership_id FROM partnership_trust_link")}
    assert trust_led <= linked
    through_members = {
        r[0]
        for r in conn.execute(
            "SELECT m.partnership_id FROM partnership_member m"
            " LEFT JOIN school s ON s.urn = m.urn"
            " JOIN trust t ON t.uid = coalesce(m.trust_uid, s.trust_uid)"
            " WHERE t.group_type = ANY(%s) AND m.left_on IS NULL",
            (list(ACADEMY_TRUSTS),),
        )
    }
    assert linked == trust_led | through_members
    # A university and a college named as leads share a name with a GIAS sponsor group: they
    # are not academy trusts, so the filter leaves them out.
    for name in ("Humber Outreach Programme (Uni Connect)", "Cornwall and West Devon Maths Hub"):
        pid = conn.execute("SELECT id FROM partnership WHERE name = %s", (name,)).fetchone()
        assert pid is not None and pid[0] not in linked, name
