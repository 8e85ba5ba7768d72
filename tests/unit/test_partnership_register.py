"""Reading and validating register rows and the vocabulary, without a database."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest

from app.ingest.base import ImportFailed
from app.ingest.partnerships import IMPORTER
from app.ingest.partnerships_rows import (
    COLUMNS,
    AreaRef,
    RowError,
    ServedArea,
    parse_day,
    parse_row,
    read_register,
    read_register_file,
    seed_key,
)
from app.ingest.partnerships_vocabulary import VOCABULARY_PATH, Term, Vocabulary, read_vocabulary

VOCAB = Vocabulary(
    kinds={
        "maths_hub": Term("maths_hub", "Maths Hub", "", True),
        "other": Term("other", "Other", "", False),
    },
    themes={t: Term(t, t, "") for t in ("maths", "leadership", "curriculum")},
)
AREAS = {
    a.code: a
    for a in (
        AreaRef("E10000017", "Lancashire", "local_authority"),
        AreaRef("E06000008", "Blackburn with Darwen", "local_authority"),
        AreaRef("E07000117", "Burnley", "district"),
        AreaRef("E08000016", "Barnsley", "local_authority"),
        AreaRef("E12000002", "North West", "region"),
    )
}
YEAR = 2025


def row(**changes: str) -> dict[str, str]:
    base = {
        "name": "Abacus NW Maths Hub",
        "kind": "maths_hub",
        "lead_organisation": "Cardinal Newman College",
        "areas_served": "E06000008;E10000017",
        "area_names": "Blackburn with Darwen;Lancashire (part)",
        "themes": "maths;leadership",
        "website": "https://www.abacusnwmathshub.co.uk/",
        "summary": "A maths hub.",
        "founded_year": "2014",
        "status": "active",
        "source_url": "https://example.org/page",
        "source_title": "About",
        "source_date": "2024-03-05",
        "checked_on": "2026-11-23",
        "status_evidence_url": "",
        "status_evidence_title": "",
        "status_evidence_date": "",
    }
    return base | changes


def reasons(**changes: str) -> list[str]:
    with pytest.raises(RowError, match=r"\w") as caught:
        parse_row(row(**changes), "f.csv:2", VOCAB, AREAS, YEAR)
    # The message is every reason, each of which the callers check.
    assert str(caught.value) == "; ".join(caught.value.reasons)
    return caught.value.reasons


def test_a_valid_row_becomes_a_record() -> None:
    record = parse_row(row(), "f.csv:2", VOCAB, AREAS, YEAR)
    assert record.seed_key == "abacus-nw-maths-hub"
    assert record.seed_ref == "f.csv:2"
    assert record.themes == ("maths", "leadership")
    assert record.areas == (
        ServedArea("E06000008", None, True),
        ServedArea("E10000017", "part", False),
    )
    assert record.checked_on is not None and record.checked_on.isoformat() == "2026-11-23"
    assert record.founded_year == 2014
    assert record.source_date == "2024-03-05"
    assert record.source_date == "2024-03-05"
    assert record.warnings == ()


def test_empty_optional_fields_are_null() -> None:
    record = parse_row(
        row(lead_organisation=" ", website="", founded_year="", source_title="", source_date=""),
        "f.csv:2",
        VOCAB,
        AREAS,
        YEAR,
    )
    assert record.lead_organisation is None
    assert record.website is None
    assert record.founded_year is None
    assert record.source_title is None
    assert record.source_date is None
    assert record.status_evidence_url is None


def test_qualifiers_are_kept_as_notes_in_order() -> None:
    record = parse_row(
        row(
            areas_served="E10000017;E07000117;E06000008",
            area_names="Lancashire (north);Burnley;Blackburn with Darwen (most)",
        ),
        "f.csv:2",
        VOCAB,
        AREAS,
        YEAR,
    )
    assert [(a.code, a.note) for a in record.areas] == [
        ("E10000017", "north"),
        ("E07000117", None),
        ("E06000008", "most"),
    ]


def test_the_2025_barnsley_code_is_reconciled_with_the_boundaries() -> None:
    record = parse_row(
        row(areas_served="E08000038", area_names="Barnsley"), "f.csv:2", VOCAB, AREAS, YEAR
    )
    assert record.areas == (ServedArea("E08000016", None),)
    assert record.recoded == ("E08000038->E08000016",)


def test_an_area_name_naming_another_place_is_a_warning() -> None:
    record = parse_row(
        row(areas_served="E06000008", area_names="Blackpool"), "f.csv:9", VOCAB, AREAS, YEAR
    )
    assert record.warnings == (
        "f.csv:9: area_names says 'Blackpool' for E06000008 (Blackburn with Darwen)",
    )


def test_repeated_themes_are_kept_once() -> None:
    record = parse_row(row(themes="maths;maths; leadership;"), "f.csv:2", VOCAB, AREAS, YEAR)
    assert record.themes == ("maths", "leadership")


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"name": "  "}, "name is empty"),
        ({"kind": "club"}, "unknown kind 'club'"),
        ({"kind": ""}, "kind is empty"),
        ({"themes": "maths;foo"}, "unknown theme 'foo'"),
        ({"areas_served": "", "area_names": ""}, "areas_served is empty"),
        ({"areas_served": "E06999999", "area_names": "Nowhere"}, "unknown area code 'E06999999'"),
        (
            {"areas_served": "Lancs", "area_names": "Lancashire"},
            "area code 'Lancs' is not a GSS code",
        ),
        (
            {"areas_served": "E12000002", "area_names": "North West"},
            "area code 'E12000002' (North West) is a region, not a local authority or district",
        ),
        (
            {"areas_served": "E10000017;E10000017", "area_names": "Lancashire;Lancashire"},
            "area code 'E10000017' listed twice",
        ),
        ({"area_names": "Lancashire"}, "2 area codes but 1 area_names"),
        ({"status": "closed"}, "unknown status 'closed'"),
        ({"status": ""}, "status is empty"),
        ({"founded_year": "20x8"}, "founded_year '20x8' is not a whole number"),
        ({"founded_year": "1700"}, "founded_year 1700 is out of range 1800-2025"),
        ({"founded_year": "2031"}, "founded_year 2031 is out of range 1800-2025"),
        ({"source_url": ""}, "source_url is empty"),
        (
            {"source_url": "see council minutes"},
            "source_url 'see council minutes' is not an http(s) URL",
        ),
        ({"website": "www.example.org"}, "website 'www.example.org' is not an http(s) URL"),
    ],
)
def test_each_invalid_field_is_reported(changes: dict[str, str], reason: str) -> None:
    assert reasons(**changes) == [reason]


def test_every_problem_of_a_row_is_reported_together() -> None:
    assert reasons(kind="club", themes="foo", status="closed") == [
        "unknown kind 'club'",
        "unknown theme 'foo'",
        "unknown status 'closed'",
    ]


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2018-02-07", dt.date(2018, 2, 7)),
        ("2018-02", None),
        ("2018", None),
        ("2018-02-30", None),
        ("7 Feb 2018", None),
        (None, None),
    ],
)
def test_parse_day(text: str | None, day: dt.date | None) -> None:
    assert parse_day(text) == day


def test_seed_key_ignores_case_and_punctuation() -> None:
    assert seed_key("Learn Sheffield") == seed_key("LEARN  sheffield.") == "learn-sheffield"


def write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def test_rows_are_numbered_by_the_line_they_start_on(tmp_path: Path) -> None:
    path = tmp_path / "reg.csv"
    write_csv(
        path,
        [
            row(name="First", summary="Two\nlines"),
            row(name="Second"),
        ],
    )
    with path.open("a", encoding="utf-8") as handle:
        handle.write("\n" + ",".join(["Third", *["x"] * 13]) + "\n")
    raws = list(read_register_file(path))
    assert [(r.seed_ref, r.fields["name"], r.error) for r in raws] == [
        ("reg.csv:2", "First", None),
        ("reg.csv:4", "Second", None),
        ("reg.csv:6", "Third", f"has 14 fields, expected {len(COLUMNS)}"),
    ]


def test_a_file_without_the_register_columns_fails(tmp_path: Path) -> None:
    path = tmp_path / "reg.csv"
    path.write_text("name,kind\nA,other\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match=r"reg\.csv: missing columns lead_organisation"):
        list(read_register_file(path))


def test_read_register_reports_invalid_and_duplicate_rows(tmp_path: Path) -> None:
    write_csv(tmp_path / "a.csv", [row(name="One"), row(name="Two", themes="foo")])
    write_csv(tmp_path / "b.csv", [row(name="one"), row(name="Three")])
    register = read_register([tmp_path / "a.csv", tmp_path / "b.csv"], VOCAB, AREAS, YEAR)
    assert register.rows == 4
    assert register.rows_per_file == {"a.csv": 2, "b.csv": 2}
    assert [r.seed_ref for r in register.records] == ["a.csv:2", "b.csv:3"]
    assert register.invalid == ["a.csv:3: unknown theme 'foo'", "b.csv:2: same name as a.csv:2"]
    assert register.keys_seen == {"one", "two", "three"}


def test_the_project_vocabulary_is_the_designed_one() -> None:
    vocabulary = read_vocabulary(VOCABULARY_PATH)
    national = {
        "opportunity_area",
        "education_investment_area",
        "priority_education_investment_area",
        "maths_hub",
        "english_hub",
        "teaching_school_hub",
        "careers_hub",
        "music_hub",
        "cultural_education_partnership",
        "research_school",
    }
    local = {
        "area_based_education_partnership",
        "place_based_initiative",
        "trust_led_local_partnership",
        "headteacher_association",
        "local_authority_partnership",
        "other",
    }
    assert set(vocabulary.kinds) == national | local
    assert {c for c, t in vocabulary.kinds.items() if t.is_national} == national
    assert set(vocabulary.themes) == {
        "school_improvement", "teacher_development", "leadership", "curriculum", "careers",
        "inclusion_send", "attendance", "wellbeing_mental_health", "early_years", "literacy",
        "maths", "arts_culture", "safeguarding_youth_violence", "disadvantage", "post16_skills",
        "recruitment_retention", "governance", "community",
    }  # fmt: skip
    for term in [*vocabulary.kinds.values(), *vocabulary.themes.values()]:
        assert term.label and term.description.endswith("."), term.code


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "not valid JSON"),
        ('{"kinds": [], "themes": []}', "'kinds' must be a non-empty list"),
        (
            '{"kinds": [{"code": "a", "label": "A", "description": ""}], "themes": []}',
            "a: is_national must be true/false",
        ),
        (
            '{"kinds": [{"code": "A b", "label": "A", "is_national": false}], "themes": []}',
            "bad code",
        ),
    ],
)
def test_a_broken_vocabulary_fails_the_import(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "vocabulary.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ImportFailed, match=message):
        read_vocabulary(path)


def test_a_repeated_vocabulary_code_fails_the_import(tmp_path: Path) -> None:
    term = {"code": "t", "label": "T", "description": "T."}
    path = tmp_path / "vocabulary.json"
    path.write_text(
        json.dumps({"kinds": [term | {"is_national": False}], "themes": [term, term]}),
        encoding="utf-8",
    )
    with pytest.raises(ImportFailed, match="themes: t appears twice"):
        read_vocabulary(path)


def test_the_importer_checksum_covers_the_vocabulary(tmp_path: Path) -> None:
    (tmp_path / "partnerships").mkdir()
    write_csv(tmp_path / "partnerships" / "a.csv", [row()])
    vocabulary = tmp_path / "vocabulary.json"
    vocabulary.write_text("{}", encoding="utf-8")
    importer = dataclasses.replace(IMPORTER, extra_files=(vocabulary,))
    first = importer.checksum(tmp_path)
    assert importer.checksum(tmp_path) == first
    vocabulary.write_text('{"kinds": []}', encoding="utf-8")
    assert importer.checksum(tmp_path) != first
    vocabulary.unlink()
    with pytest.raises(ImportFailed, match="missing project file"):
        importer.checksum(tmp_path)


def test_status_evidence_and_checked_dates_are_checked() -> None:
    assert reasons(checked_on="23/11/2026") == [
        "checked_on '23/11/2026' is not a date (YYYY-MM-DD)"
    ]
    assert reasons(status_evidence_url="example.org") == [
        "status_evidence_url 'example.org' is not an http(s) URL"
    ]
    assert reasons(status_evidence_date="2024") == [
        "status evidence has a date or title but no status_evidence_url"
    ]
    record = parse_row(
        row(status_evidence_url="https://example.org/2024", status_evidence_date="2024-05"),
        "f.csv:2",
        VOCAB,
        AREAS,
        YEAR,
    )
    assert (record.status_evidence_url, record.status_evidence_date) == (
        "https://example.org/2024",
        "2024-05",
    )
