"""Suggestion checks that need no database: text rules, members, form parsing, tokens, diffs."""

from __future__ import annotations

import pytest

from app.errors import Forbidden
from app.schemas import (
    MemberIn,
    PartnershipForm,
    ProposedIn,
    SubmissionIn,
    form_field_id,
    whole_number,
)
from app.services import csrf, hashing
from app.services.record_diff import diff_records, three_way_merge
from app.services.records import AreaRef, Vocab
from app.services.submission_fields import (
    Errors,
    check_date,
    check_email,
    check_url,
    check_year,
    clean,
    count_links,
)
from app.services.submission_store import new_reference, normalise_reference
from app.services.submission_validation import check_members, check_record_fields, comparable

VOCAB = Vocab(
    kinds={"area_based_education_partnership": "Area-based", "other": "Other"},
    themes={"maths": "Maths", "careers": "Careers", "leadership": "Leadership"},
    areas={
        "E09000030": AreaRef("E09000030", "Tower Hamlets", "local_authority", None, "E12000007"),
        "E10000016": AreaRef("E10000016", "Kent", "local_authority", None, "E12000008"),
        "E07000105": AreaRef("E07000105", "Ashford", "district", "E10000016", "E12000008"),
        "E12000007": AreaRef("E12000007", "London", "region", None, None),
    },
)


def messages(errors: Errors) -> dict[str, str]:
    return {e["field"]: e["message"] for e in errors.items}


def proposed(**over: object) -> ProposedIn:
    data: dict[str, object] = {
        "name": "Learn Somewhere",
        "kind": "area_based_education_partnership",
        "themes": ["maths"],
        "areas_served": ["E09000030"],
        "status": "active",
    }
    data.update(over)
    return ProposedIn.model_validate(data)


def test_clean_removes_control_characters_and_tidies_spaces() -> None:
    assert clean("  a\x00b\u00a0\t c \r\n") == "ab\u00a0\t c"
    assert clean("  a\x00b\u00a0\t c \r\n", single_line=True) == "ab c"
    assert clean("line one\r\nline two") == "line one\nline two"
    assert clean(None) == ""


def test_links_are_counted_in_every_form() -> None:
    assert count_links("see https://a.org and http://b.org/x, or www.c.org") == 3
    assert count_links("no links here, just example.org text") == 0


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://example.org.uk/about", "https://example.org.uk/about"),
        ("www.example.org", "https://www.example.org"),
        ("example.org", "https://example.org"),
        ("javascript:alert(1)", None),
        ("ftp://example.org", None),
        ("https://localhost", None),
        ("not a url", None),
        ("https://[::1/", None),
        ("http://[example.org]/", None),
    ],
)
def test_websites_must_be_http_addresses(value: str, expected: str | None) -> None:
    errors = Errors()
    assert check_url(errors, "w", value) == expected
    assert bool(errors) == (expected is None)


def test_email_year_and_date_rules() -> None:
    errors = Errors()
    assert check_email(errors, "e1", "Someone@Example.org", None) == "Someone@example.org"
    assert check_email(errors, "e2", "nope", None) is None
    assert check_email(errors, "e3", "", "Enter your email address") is None
    assert check_year(errors, "y1", "2016") == 2016
    assert check_year(errors, "y2", "16") is None
    assert check_year(errors, "y3", 1700) is None
    assert check_date(errors, "d1", "2024-09-01", "The date") == "2024-09-01"
    assert check_date(errors, "d2", "01/09/2024", "The date") == "2024-09-01"
    assert check_date(errors, "d3", "2024-02-30", "The date") is None
    found = messages(errors)
    assert set(found) == {"e2", "e3", "y2", "y3", "d3"}
    assert found["e3"] == "Enter your email address"
    assert "4 digits" in found["y2"]


def test_record_fields_collect_every_problem_with_its_field() -> None:
    errors = Errors()
    record, _ = check_record_fields(
        errors,
        proposed(
            name="",
            kind="made_up",
            themes=["maths", "astrology"],
            areas_served=["E99999999"],
            website="javascript:alert(1)",
            contact_email="x@",
            founded_year="20166",
            status="thriving",
            summary="https://a.org https://b.org https://c.org",
        ),
        VOCAB,
        None,
    )
    found = messages(errors)
    assert set(found) == {
        "proposed.name",
        "proposed.kind",
        "proposed.themes",
        "proposed.areas_served",
        "proposed.website",
        "proposed.contact_email",
        "proposed.founded_year",
        "proposed.status",
        "proposed.summary",
    }
    assert found["proposed.name"] == "Enter the partnership's name"
    assert "at most 2 web links" in found["proposed.summary"]
    assert record["themes"] == ["maths"]


def test_a_good_record_is_normalised() -> None:
    errors = Errors()
    record, lookups = check_record_fields(
        errors,
        proposed(
            name="  Learn   Somewhere ",
            themes=["maths", "careers", "maths"],
            areas_served=["e10000016", "E07000105"],
            website="learnsomewhere.org.uk",
            founded_year=2016,
        ),
        VOCAB,
        {"areas": [{"code": "E10000016", "name": "Kent", "note": "(part)"}]},
    )
    assert not errors, errors.items
    assert record["name"] == "Learn Somewhere"
    assert record["themes"] == ["careers", "maths"]
    # Whole or part of each area comes from the record (a note means part); a new area is whole.
    assert record["areas"] == [
        {"code": "E10000016", "name": "Kent", "note": "(part)", "whole": False},
        {"code": "E07000105", "name": "Ashford", "note": None, "whole": True},
    ]
    assert record["website"] == "https://learnsomewhere.org.uk"
    assert lookups == []


def test_names_may_not_carry_links_and_sizes_are_capped() -> None:
    errors = Errors()
    check_record_fields(
        errors,
        proposed(name="Visit www.spam.example now", lead_organisation="x" * 201),
        VOCAB,
        None,
    )
    found = messages(errors)
    assert found["proposed.name"] == "The name must not contain web links"
    assert "200 characters or fewer" in found["proposed.lead_organisation"]


def test_members_are_typed_and_checked() -> None:
    errors = Errors()
    members, lookups = check_members(
        errors,
        [
            MemberIn(member_type="school", ref="100000", role="lead"),
            MemberIn(member_type="trust", trust_uid=2044),
            MemberIn(member_type="local_authority", ref="e09000030"),
            MemberIn(member_type="charity", name="Reading Friends"),
            MemberIn(member_type="school", ref="12"),
            MemberIn(member_type="charity", name="Ref Given", ref="123"),
            MemberIn(member_type="employer"),
            MemberIn(member_type="spaceship", name="X"),
            MemberIn(
                member_type="other", name="Dated", joined_on="2024-01-01", left_on="2023-01-01"
            ),
            MemberIn(member_type="school", ref="100000"),
            MemberIn(member_type="university", name="U", role="overlord"),
        ],
        VOCAB,
    )
    found = messages(errors)
    assert [(lk.kind, lk.number) for lk in lookups] == [
        ("school", 100000),
        ("trust", 2044),
        ("school", 100000),
    ]
    assert members[2]["area_code"] == "E09000030" and members[2]["name"] == "Tower Hamlets"
    assert members[3]["name"] == "Reading Friends"
    assert "6 digits" in found["proposed.members.4.ref"]
    assert "leave it blank" in found["proposed.members.5.ref"]
    assert found["proposed.members.6.name"] == "Enter the member's name"
    assert found["proposed.members.7.member_type"] == "Select the type of member"
    assert "after the date it joined" in found["proposed.members.8.left_on"]
    assert "already listed (row 1)" in found["proposed.members.9.member_type"]
    assert "role" in found["proposed.members.10.role"]
    assert "proposed.members.0.ref" not in found


def test_form_pairs_become_the_json_shape() -> None:
    form = PartnershipForm.from_pairs(
        [
            ("name", "Learn <b>Somewhere</b>"),
            ("kind", "other"),
            ("themes", "maths"),
            ("themes", "careers"),
            ("areas_served", "E09000030"),
            ("members-0-member_type", "school"),
            ("members-0-ref", "100000"),
            ("members-1-member_type", ""),
            ("members-1-ref", ""),
            ("members-2-member_type", "charity"),
            ("members-2-name", "Gone"),
            ("members-2-remove", "1"),
            ("members-3-member_type", "charity"),
            ("members-3-name", "Kept"),
            ("members-9999-name", "ignored: row number too large"),
            ("submitter_name", "Ann"),
            ("evidence", "I run it"),
            ("unknown", "ignored"),
        ]
    )
    assert form.name == "Learn <b>Somewhere</b>"
    assert form.themes == ["maths", "careers"]
    payload = form.to_submission("new")
    assert isinstance(payload, SubmissionIn)
    members = payload.proposed.members
    assert [(m.member_type, m.ref, m.name) for m in members] == [
        ("school", "100000", None),
        ("charity", None, "Kept"),
    ]
    # The second member sent is the fourth row of the form.
    assert form_field_id("proposed.members.1.name", form) == "members-3-name"
    assert form_field_id("proposed.members.0.urn", form) == "members-0-ref"
    assert form_field_id("proposed.areas_served", form) == "areas_served"
    assert form_field_id("submitter.email", form) == "submitter_email"
    assert form_field_id("evidence", form) == "evidence"
    assert len(form.member_rows()) == len(form.members) + 2


def test_record_round_trips_through_the_form() -> None:
    record = {
        "name": "A",
        "kind": "other",
        "themes": ["maths"],
        "summary": "S",
        "status": "active",
        "version": 4,
        "founded_year": 2010,
        "areas": [{"code": "E09000030", "name": "Tower Hamlets", "note": None}],
        "members": [
            {"member_type": "school", "urn": 100000, "name": "The Aldgate School", "role": "lead"}
        ],
    }
    form = PartnershipForm.from_record(record)
    assert form.base_version == "4" and form.founded_year == "2010"
    assert form.members[0].ref == "100000"
    again = form.to_submission("amend", "a")
    assert again.base_version == 4
    assert again.proposed.areas_served == ["E09000030"]


def test_form_tokens_are_bound_to_cookie_purpose_and_time() -> None:
    secret = "s" * 32
    token = csrf.issue_form_token(secret, "cookie-value-1234567890", "suggest", now=1000)
    csrf.check_form_token(
        secret, "cookie-value-1234567890", token, "suggest", now=1010, min_seconds=3
    )
    with pytest.raises(csrf.FormTooFast, match="quicker than we expected"):
        csrf.check_form_token(
            secret, "cookie-value-1234567890", token, "suggest", now=1001, min_seconds=3
        )
    for cookie, tok, purpose, now in [
        ("another-cookie-value-12345", token, "suggest", 1010),
        ("cookie-value-1234567890", token, "landscape", 1010),
        ("cookie-value-1234567890", None, "suggest", 1010),
        (None, token, "suggest", 1010),
        ("cookie-value-1234567890", "1000.forged", "suggest", 1010),
        ("cookie-value-1234567890", token, "suggest", 1000 + 2 * 86400),
    ]:
        with pytest.raises(csrf.FormExpired, match=r"expired|more than a day old"):
            csrf.check_form_token(secret, cookie, tok, purpose, now=now, min_seconds=0)
    with pytest.raises(Forbidden, match="security token is missing or wrong"):
        csrf.check_session_token("expected", "other")
    csrf.check_session_token("expected", "expected")


def test_numbers_in_unusual_digits_are_refused_not_crashed_on() -> None:
    # "²" passes str.isdigit() but int() refuses it; these used to raise ValueError (a 500).
    assert whole_number("²") is None and whole_number("1²") is None
    assert whole_number("٣") is None  # int() takes Arabic-Indic digits; GSS and URNs do not
    assert whole_number(" 42 ") == 42 and whole_number("") is None
    assert whole_number("1" * 10) is None and whole_number("1" * 10, 10) == 1_111_111_111
    errors = Errors()
    assert check_year(errors, "y", "²²²²") is None
    assert "4 digits" in messages(errors)["y"]
    members, lookups = check_members(errors, [MemberIn(member_type="school", ref="²")], VOCAB)
    assert lookups == [] and members[0]["urn"] is None
    assert "6 digits" in messages(errors)["proposed.members.0.ref"]
    form = PartnershipForm.from_pairs(
        [("base_version", "²"), ("members-²-name", "x"), ("members-0-name", "Kept")]
    )
    assert [m.name for m in form.members] == ["Kept"]
    assert form.to_submission("amend", "a").base_version is None
    for token in ("²²².abc", "9" * 5000 + ".abc"):
        with pytest.raises(csrf.FormExpired, match="form session has expired"):
            csrf.check_form_token(
                "s" * 32, "cookie-value-1234567890", token, "suggest", min_seconds=0
            )


def test_ip_hashes_are_keyed_and_stable() -> None:
    assert hashing.hash_ip("k1", "1.2.3.4") == hashing.hash_ip("k1", "1.2.3.4")
    assert hashing.hash_ip("k1", "1.2.3.4") != hashing.hash_ip("k2", "1.2.3.4")
    assert "1.2.3.4" not in hashing.hash_ip("k1", "1.2.3.4")


def test_references_are_short_and_forgiving_to_type() -> None:
    ref = new_reference()
    assert len(ref) == 12 and normalise_reference(ref) == ref
    assert normalise_reference(ref.lower().replace("-", "")) == ref
    assert normalise_reference("PM-0O1I-ABCD") == "PM-0011-ABCD"
    assert normalise_reference("'; DROP TABLE") == ""
    assert len({new_reference() for _ in range(200)}) == 200


BASE = {
    "name": "Old",
    "kind": "other",
    "summary": "Base summary",
    "status": "active",
    "themes": ["maths", "careers"],
    "areas": [{"code": "E09000030", "name": "Tower Hamlets", "note": None}],
    "members": [
        {"member_type": "school", "urn": 100000, "name": "Aldgate", "role": "member"},
        {"member_type": "charity", "name": "Friends", "role": None},
    ],
}


def test_diff_shows_fields_and_set_changes() -> None:
    new = {
        **BASE,
        "name": "New",
        "themes": ["maths", "leadership"],
        "members": [
            {"member_type": "school", "urn": 100000, "name": "Aldgate", "role": "lead"},
            {"member_type": "trust", "trust_uid": 5, "name": "Trust T"},
        ],
    }
    d = diff_records(BASE, new, theme_labels={"leadership": "Leadership", "careers": "Careers"})
    assert d.changed_labels == ["Name", "Themes", "Members"]
    themes, areas, members = d.lists
    assert themes.added == ["Leadership"] and themes.removed == ["Careers"]
    assert not areas.any
    assert members.added == ["Trust T (Academy trust, UID 5)"]
    assert members.removed == ["Friends (Charity or voluntary organisation)"]
    assert members.changed == [
        ("Aldgate (School, URN 100000, member)", "Aldgate (School, URN 100000, lead or host)")
    ]
    assert not diff_records(BASE, dict(BASE)).changed
    assert comparable(BASE) == comparable(dict(BASE))


def test_three_way_merge_keeps_both_sides() -> None:
    current = {
        **BASE,
        "summary": "Changed by another moderator",
        "themes": ["maths", "careers", "literacy"],
    }
    proposal = {
        **BASE,
        "name": "Renamed",
        "themes": ["maths"],
        "members": [*BASE["members"], {"member_type": "other", "name": "New member"}],
    }
    merged, conflicts = three_way_merge(BASE, current, proposal)
    assert merged["name"] == "Renamed"
    assert merged["summary"] == "Changed by another moderator"
    assert merged["themes"] == ["literacy", "maths"]
    assert [m["name"] for m in merged["members"]] == ["Aldgate", "Friends", "New member"]
    assert conflicts == []
    clash = {**BASE, "name": "Another name"}
    merged, conflicts = three_way_merge(BASE, clash, proposal)
    assert merged["name"] == "Renamed" and conflicts == ["Name"]


def test_one_snapshot_query_serves_both_drivers() -> None:
    from app.services import snapshots

    for name in snapshots.SNAPSHOT_FIELDS:
        assert f"'{name}', p.{name}" in snapshots.SNAPSHOT_QUERY
    for key in ("'themes'", "'areas'", "'members'"):
        assert key in snapshots.SNAPSHOT_QUERY
    assert snapshots.SNAPSHOT_QUERY.count(":ids") == 1
    assert "ANY(%(ids)s)" in snapshots.SNAPSHOT_SQL and ":ids" not in snapshots.SNAPSHOT_SQL
