"""The words the map's scripts show, taken from their one home on the server.

The home and embed pages carry them as JSON (``<script type="application/json" id="map-labels">``),
so the scripts copy no vocabulary: council roles from the landscape register, partnership currency from ``app.services.currency``, and the coverage colourings, whose
names the colour select above the map shows too.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TypedDict

from app.services.currency import (
    CURRENCY_LABELS,
    CURRENCY_TITLES,
    UNCONFIRMED_SINCE,
)
from app.services.landscape import ROLE_LABELS


class CoverageMeasure(TypedDict):
    """A coverage colouring: the /api/v1/coverage field it reads, and its words on the map."""

    field: str
    title: str
    note: str
    short: str
    heading: str


class CurrencyWords(TypedDict):
    """A partnership's currency in words: each state's tag, the dated form, and hover texts."""

    labels: dict[str, str]
    unconfirmed_since: str
    titles: dict[str, str]


class MapLabels(TypedDict):
    """Everything the map's scripts say that the server defines."""

    council_roles: dict[str, str]
    currency: CurrencyWords
    coverage: dict[str, CoverageMeasure]


# The `colour` values that colour the LAs by coverage (the map's own vocabulary).
COVERAGE_MEASURES: dict[str, CoverageMeasure] = {
    "coverage-served": {
        "field": "served",
        "title": "Coverage: schools in an area served by a local partnership",
        "note": (
            "Share of each local authority’s schools in an area that at least one local "
            "partnership serves (national programmes left out); the filters do not change it."
        ),
        "short": "in a served area",
        "heading": "Schools in an area served by a local partnership",
    },
    "coverage-members": {
        "field": "member",
        "title": "Coverage: schools listed as partnership members",
        "note": (
            "Share of each local authority’s schools named as a member of at least one "
            "partnership; most records do not list their members yet, and the filters do not "
            "change it."
        ),
        "short": "listed as members",
        "heading": "Schools listed as partnership members",
    },
}


@lru_cache(maxsize=1)
def map_labels() -> MapLabels:
    """The labels the map page embeds for its scripts (fixed for the life of the process)."""
    return {
        "council_roles": dict(ROLE_LABELS),
        "currency": {
            "labels": dict(CURRENCY_LABELS),
            "unconfirmed_since": UNCONFIRMED_SINCE,
            "titles": dict(CURRENCY_TITLES),
        },
        "coverage": COVERAGE_MEASURES,
    }
