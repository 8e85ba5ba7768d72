"""Parsing school sources: the phase vocabulary, suppressed figures, URNs and file encodings."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from app.ingest.base import ImportFailed
from app.ingest.school_sources import (
    PHASES,
    parse_count,
    parse_share,
    parse_urn,
    phase_from_census,
    phase_from_gias,
    read_links,
    read_school_list,
    read_text,
)


@pytest.mark.parametrize(
    ("grouping", "middle", "all_through", "kind", "expected"),
    [
        ("State-funded nursery", "", "", "Local authority nursery school", "Nursery"),
        ("State-funded primary", "", "", "Community school", "Primary"),
        ("State-funded primary", "Middle deemed primary", "", "Community school", "Middle"),
        ("State-funded secondary", "Middle deemed secondary", "", "Academy converter", "Middle"),
        ("State-funded secondary", "", "Yes", "Free schools", "All-through"),
        ("State-funded secondary", "", "", "Free schools 16 to 19", "16 plus"),
        ("State-funded secondary", "", "", "Academy 16-19 converter", "16 plus"),
        ("State-funded secondary", "", "", "University technical college", "Secondary"),
        ("State-funded special school", "", "", "Academy special converter", "Special"),
        ("Non-maintained special school", "", "", "Non-maintained special school", "Special"),
        ("State-funded AP school", "", "", "Pupil referral unit", "Alternative provision"),
        ("Independent school", "", "", "Other independent school", None),
    ],
)
def test_census_phases(
    grouping: str, middle: str, all_through: str, kind: str, expected: str | None
) -> None:
    phase = phase_from_census(grouping, middle, all_through, kind)
    assert phase == expected
    assert phase is None or phase in PHASES


def test_an_unknown_census_grouping_is_refused() -> None:
    with pytest.raises(ValueError, match="phase_type_grouping"):
        phase_from_census("State-funded college", "", "", "")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Primary", "Primary"),
        ("Middle deemed primary", "Middle"),
        ("Middle deemed secondary", "Middle"),
        ("16 plus", "16 plus"),
        ("All-through", "All-through"),
        ("Not applicable", None),
        ("", None),
        (None, None),
    ],
)
def test_gias_phases(raw: str | None, expected: str | None) -> None:
    assert phase_from_gias(raw) == expected


def test_an_unknown_gias_phase_is_refused() -> None:
    with pytest.raises(ValueError, match="phase_of_education"):
        phase_from_gias("Tertiary")


@pytest.mark.parametrize(("raw", "expected"), [("18.1", 18.1), ("0", 0.0), ("100", 100.0)])
def test_shares(raw: str, expected: float) -> None:
    assert parse_share(raw) == expected


@pytest.mark.parametrize("raw", ["z", "c", "x", "", " ", None])
def test_suppressed_figures_are_none(raw: str | None) -> None:
    assert parse_share(raw) is None
    assert parse_count(raw) is None


def test_impossible_figures_are_refused() -> None:
    with pytest.raises(ValueError, match=r"percentage out of range: '100\.5'"):
        parse_share("100.5")
    with pytest.raises(ValueError, match="not a count: '-3'"):
        parse_count("-3")
    with pytest.raises(ValueError, match=r"not a count: '12\.5'"):
        parse_count("12.5")
    assert parse_count("271.0") == 271


def test_urns_as_text_or_numbers() -> None:
    assert parse_urn("100000") == 100000
    assert parse_urn(151851) == 151851
    for bad in ("12345", "1234567", "URN", None):
        with pytest.raises(ValueError, match="not a URN"):
            parse_urn(bad)


def test_text_is_read_as_utf8_or_latin1(tmp_path: Path) -> None:
    utf8 = tmp_path / "utf8.csv"
    utf8.write_bytes("\ufeffURN,LinkName\n1,Arete\u0301\n".encode())
    assert read_text(utf8).startswith("URN,")
    latin = tmp_path / "latin.csv"
    latin.write_bytes("URN,LinkName\n1,St Mary\xe9\n".encode("latin-1"))
    assert read_text(latin).endswith("St Mary\xe9\n")
    zipped = tmp_path / "zipped.csv.gz"
    zipped.write_bytes(gzip.compress(b"a,b\n1,2\n"))
    assert read_text(zipped) == "a,b\n1,2\n"


def test_links_are_deduplicated_and_typed(tmp_path: Path) -> None:
    path = tmp_path / "links.csv"
    path.write_text(
        '"URN","LinkURN","LinkName","LinkType","LinkEstablishedDate"\n'
        '151851,138925,"Fir Vale School","Predecessor","01-07-2025"\n'
        '151851,138925,"Fir Vale School","Predecessor","01-07-2025"\n'
        '138925,151851,"Fir Vale Academy","Successor","01-07-2025"\n'
    )
    assert read_links(path, "all") == [
        (138925, 151851, "Successor", "all"),
        (151851, 138925, "Predecessor", "all"),
    ]


def test_the_school_list_refuses_a_repeated_urn_and_normalises_postcodes(tmp_path: Path) -> None:
    path = tmp_path / "schools.csv"
    path.write_text(
        "urn,name,open_date,town,postcode\n"
        "100000,The Aldgate School,,London,ec3a5de\n"
        "100006,Heath School,01-09-1999,London,\n"
    )
    first, second = read_school_list(path)
    assert first.postcode == "EC3A 5DE"
    assert second.postcode is None
    assert second.open_date is not None and second.open_date.year == 1999
    path.write_text(path.read_text() + "100000,Again,,London,EC3A 5DE\n")
    with pytest.raises(ImportFailed, match="more than once"):
        read_school_list(path)


def test_the_school_list_names_a_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "schools.csv"
    path.write_text("urn,name,town,postcode\n100000,The Aldgate School,London,EC3A 5DE\n")
    with pytest.raises(ImportFailed, match="open_date"):
        read_school_list(path)
