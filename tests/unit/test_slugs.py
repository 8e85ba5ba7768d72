"""Slugs: the format the database accepts, transliteration, length and uniqueness."""

from __future__ import annotations

import pytest

from app.slugs import FALLBACK, MAX_LENGTH, is_slug, slugify, unique_slug


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Learn Sheffield", "learn-sheffield"),
        (
            "Tower Hamlets Education Partnership (THE Partnership)",
            "tower-hamlets-education-partnership-the-partnership",
        ),
        ("St John's & St Mary's Partnership", "st-johns-and-st-marys-partnership"),
        ("St John\u2019s Alliance", "st-johns-alliance"),
        ("Café Über Schools", "cafe-uber-schools"),
        ("Straße Œuvre Ærø", "strasse-oeuvre-aero"),
        ("  --Leading   and trailing--  ", "leading-and-trailing"),
        ("Abacus NW Maths Hub", "abacus-nw-maths-hub"),
        ("2020 Vision: Hub #3", "2020-vision-hub-3"),
    ],
)
def test_slugify(name: str, slug: str) -> None:
    assert slugify(name) == slug


@pytest.mark.parametrize("name", ["", "   ", "!!!", "学校", "—"])
def test_slugify_of_nothing_usable_is_the_fallback(name: str) -> None:
    assert slugify(name) == FALLBACK


@pytest.mark.parametrize(
    "name",
    [
        "Learn Sheffield",
        "a" * 300,
        "word " * 60,
        "x-" * 100,
        "Ünïcödé ñame \u2014 with dashes \u2013 and \u2018quotes\u2019",
        "--",
        "A.B.C.",
        "ß" * 90,
    ],
)
def test_slugs_always_match_the_database_pattern(name: str) -> None:
    slug = slugify(name)
    assert is_slug(slug), slug
    assert len(slug) <= MAX_LENGTH


def test_long_names_are_cut_at_a_word_boundary() -> None:
    slug = slugify("partnership " * 20, max_length=30)
    assert slug == "partnership-partnership"


def test_a_single_long_word_is_cut_mid_word() -> None:
    assert slugify("a" * 50, max_length=10) == "a" * 10


def test_unique_slug_returns_the_plain_slug_when_free() -> None:
    assert unique_slug("Learn Sheffield", set()) == "learn-sheffield"


def test_unique_slug_adds_the_first_free_number() -> None:
    taken = {"learn-sheffield", "learn-sheffield-2", "learn-sheffield-4"}
    assert unique_slug("Learn Sheffield", taken) == "learn-sheffield-3"


def test_unique_slug_keeps_within_the_length_limit() -> None:
    base = slugify("b" * 100, max_length=20)
    slug = unique_slug("b" * 100, {base}, max_length=20)
    assert slug == "b" * 18 + "-2"
    assert is_slug(slug)


def test_names_that_slugify_alike_get_distinct_slugs() -> None:
    taken: set[str] = set()
    names = ["Maths Hub", "maths hub", "Maths-Hub!", "MATHS  HUB"]
    slugs = []
    for name in names:
        slug = unique_slug(name, taken)
        taken.add(slug)
        slugs.append(slug)
    assert slugs == ["maths-hub", "maths-hub-2", "maths-hub-3", "maths-hub-4"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a", True),
        ("a-1", True),
        ("a--b", False),
        ("-a", False),
        ("a-", False),
        ("A", False),
        ("", False),
    ],
)
def test_is_slug(text: str, expected: bool) -> None:
    assert is_slug(text) is expected
