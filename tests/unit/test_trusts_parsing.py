"""Parsing GIAS group records: dates, whitespace, postcodes and refused records."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from app.ingest.base import ImportFailed
from app.ingest.common import clean_text, parse_gias_date
from app.ingest.trust_groups import parse_group, read_groups


def record(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "group_uid": "3320",
        "group_id": "TR00123",
        "group_name": "  Example   Learning Trust ",
        "companies_house_number": "07827368",
        "group_type": "Multi-academy trust",
        "group_status": "Open",
        "open_date": None,
        "closed_date": None,
        "group_town": "Croydon",
        "group_postcode": "cr0 2rd",
        "ukprn": "10034572",
    }
    base.update(overrides)
    return base


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("01/09/2016", dt.date(2016, 9, 1)),
        ("31-08-2021", dt.date(2021, 8, 31)),
        (" 29/02/2024 ", dt.date(2024, 2, 29)),
        (None, None),
        ("", None),
        ("   ", None),
    ],
)
def test_gias_dates(raw: str | None, expected: dt.date | None) -> None:
    assert parse_gias_date(raw) == expected


@pytest.mark.parametrize("raw", ["2016-09-01", "1/9/2016", "31/02/2020", "yesterday"])
def test_malformed_dates_are_refused(raw: str) -> None:
    with pytest.raises(ValueError, match=r"not a dd/mm/yyyy date|day is out of range"):
        parse_gias_date(raw)


def test_clean_text_collapses_whitespace_and_drops_empty() -> None:
    assert clean_text("  A \t B\n C ") == "A B C"
    assert clean_text("   ") is None
    assert clean_text(None) is None
    assert clean_text(12) == "12"


def test_a_group_is_parsed_with_its_postcode_made_canonical() -> None:
    group = parse_group(record(open_date="01/09/2016", closed_date="31/10/2025"))
    assert group.uid == 3320
    assert group.name == "Example Learning Trust"
    assert group.postcode == "CR0 2RD"
    assert group.postcode_as_given == "cr0 2rd"
    assert group.open_date == dt.date(2016, 9, 1)
    assert group.closed_date == dt.date(2025, 10, 31)


def test_a_group_without_a_postcode_or_with_a_malformed_one_has_none() -> None:
    assert parse_group(record(group_postcode=None)).postcode is None
    malformed = parse_group(record(group_postcode="NOT KNOWN"))
    assert malformed.postcode is None
    assert malformed.postcode_as_given == "NOT KNOWN"


@pytest.mark.parametrize(
    "overrides",
    [{"group_uid": "T123"}, {"group_uid": None}, {"group_name": "  "}, {"group_status": None}],
)
def test_a_group_without_uid_name_or_status_is_refused(overrides: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r"group_uid is not a number|lacks a name, type or status"):
        parse_group(record(**overrides))


def test_read_groups_refuses_missing_keys_and_repeated_uids(tmp_path: Path) -> None:
    path = tmp_path / "groups.json"
    incomplete = record()
    del incomplete["group_postcode"]
    path.write_text(json.dumps([record(), incomplete]))
    with pytest.raises(ImportFailed, match="group_postcode"):
        read_groups(path)
    path.write_text(json.dumps([record(), record()]))
    with pytest.raises(ImportFailed, match="repeated group_uid"):
        read_groups(path)
    path.write_text(json.dumps([record(), record(group_uid="3321")]))
    assert [g.uid for g in read_groups(path)] == [3320, 3321]
