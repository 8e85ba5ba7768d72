"""Postcode and outcode text: canonical forms and what a search box entry looks like."""

from __future__ import annotations

import re

import pytest

from app.postcodes import (
    OUTCODE_PATTERN,
    POSTCODE_PATTERN,
    looks_like_outcode,
    looks_like_postcode,
    normalise_outcode,
    normalise_postcode,
    normalise_sector,
    outcode_of,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SW1A 1AA", "SW1A 1AA"),
        ("sw1a1aa", "SW1A 1AA"),
        ("  Sw1A   1aA  ", "SW1A 1AA"),
        ("SW1A\t1AA\n", "SW1A 1AA"),
        ("SW1A\u00a01AA", "SW1A 1AA"),  # no-break space, as pasted from web pages
        ("S W 1 A 1 A A", "SW1A 1AA"),
        ("ch411aa", "CH41 1AA"),
        ("B1 1AY", "B1 1AY"),
        ("B1  1AY", "B1 1AY"),  # Code-Point's older fixed-width form
        ("b11ay", "B1 1AY"),
        ("M1 1AE", "M1 1AE"),
        ("B33 8TH", "B33 8TH"),
        ("CR2 6XH", "CR2 6XH"),
        ("DN55 1PT", "DN55 1PT"),
        ("W1A 0AX", "W1A 0AX"),
        ("EC1A 1BB", "EC1A 1BB"),
        ("gir0aa", "GIR 0AA"),
    ],
)
def test_normalise_postcode_accepts_every_shape_in_any_case_and_spacing(
    text: str, expected: str
) -> None:
    assert normalise_postcode(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "1AA",
        "SW1A",  # an outcode alone
        "SW1A 1",  # a sector
        "SW1A 1A",
        "SW1A 1AAA",
        "SW1A 11A",  # incode is digit, letter, letter
        "SW1A AAA",
        "1W1A 1AA",  # outcode starts with a letter
        "SWA1 1AA",
        "SWAB 1AA",
        "S1234 1AA",
        "ABC1 1AA",  # at most two area letters
        "SW1A-1AA",
        "SW1A_1AA",
        "Eton College",
        "100000",  # a URN
        "\u017fW1A 1AA",  # long s, which str.upper() would turn into 'S'
        "\uff33\uff37\uff11\uff21 \uff11\uff21\uff21",  # full-width SW1A 1AA
        "SW1A 1AA; DROP TABLE postcode",
    ],
)
def test_normalise_postcode_refuses_what_is_not_a_postcode(text: str) -> None:
    assert normalise_postcode(text) is None
    assert not looks_like_postcode(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ec1", "EC1"),
        ("EC1A", "EC1A"),
        (" ch41 ", "CH41"),
        ("CH41", "CH41"),
        ("b1", "B1"),
        ("W1A", "W1A"),
        ("M60", "M60"),
        ("se1p", "SE1P"),
        ("gir", "GIR"),
    ],
)
def test_normalise_outcode_gives_canonical_form(text: str, expected: str) -> None:
    assert normalise_outcode(text) == expected
    assert looks_like_outcode(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "E",
        "EC",
        "1EC",
        "EC1AB",
        "ABC1",
        "B1 1",  # a sector, not the outcode 'B11'
        "E C1",
        "SW1A 1AA",  # a full postcode is not an outcode
        "London",
        "\u017fW1",
    ],
)
def test_normalise_outcode_refuses_what_is_not_an_outcode(text: str) -> None:
    assert normalise_outcode(text) is None
    assert not looks_like_outcode(text)


def test_postcode_and_outcode_guesses_do_not_overlap() -> None:
    for text in ["SW1A 1AA", "sw1a1aa", "CH41", "ec1a", "B1", "b11ay"]:
        assert looks_like_postcode(text) != looks_like_outcode(text), text


@pytest.mark.parametrize(
    ("text", "expected"),
    [("sw1a1aa", "SW1A"), ("B1 1AY", "B1"), ("ch41 1aa", "CH41"), ("CH41", None), ("x", None)],
)
def test_outcode_of(text: str, expected: str | None) -> None:
    assert outcode_of(text) == expected


def test_canonical_forms_match_the_published_patterns() -> None:
    # The importer checks rows in PostgreSQL with these same patterns.
    assert re.fullmatch(POSTCODE_PATTERN, "SW1A 1AA")
    assert not re.fullmatch(POSTCODE_PATTERN, "SW1A1AA")
    assert re.fullmatch(OUTCODE_PATTERN, "CH41")
    assert not re.fullmatch(OUTCODE_PATTERN, "ch41")


def test_normalising_is_idempotent() -> None:
    for text in ["sw1a1aa", "B1  1AY", "gir 0aa"]:
        once = normalise_postcode(text)
        assert once is not None
        assert normalise_postcode(once) == once
    for text in ["ec1", " ch41"]:
        once = normalise_outcode(text)
        assert once is not None
        assert normalise_outcode(once) == once


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SW1A 1", "SW1A 1"),
        ("sw1a1", "SW1A 1"),
        (" b1  1 ", "B1 1"),
        ("SW1A", None),
        ("SW1A 1AA", None),
        ("1 SW", None),
        ("ſw1a 1", None),
    ],
)
def test_normalise_sector(text: str, expected: str | None) -> None:
    assert normalise_sector(text) == expected
