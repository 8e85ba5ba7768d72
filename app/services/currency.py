"""Currency and completeness in words: what a record's dates say, and how much of a network we hold.

A partnership's currency is derived by the database (``partnership.currency``, see
``app.models.CURRENCY_SQL``): ``current``, ``unconfirmed`` (since the year of its newest dated
evidence) or ``ended``. These helpers turn it, and a national network's known size, into the
phrases pages use, so every page says the same thing the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

CURRENCY_STATES = ("current", "unconfirmed", "ended")


# A state in words; an unconfirmed record with a dated source says since when.
CURRENCY_LABELS = {
    "current": "Current",
    "unconfirmed": "Unconfirmed (undated source)",
    "ended": "Ended",
}
UNCONFIRMED_SINCE = "Unconfirmed since {year}"
# What each state means, for the hover text of its tag.
CURRENCY_TITLES = {
    "current": "A page from 2021 or later, or a moderator, shows it running",
    "unconfirmed": "Existed at its newest dated source; not confirmed since",
    "ended": "Recorded as ended: it serves nowhere now",
}


def currency_label(currency: str, evidence_year: int | None) -> str:
    """'Current', 'Unconfirmed since 2015', 'Unconfirmed (undated source)' or 'Ended'."""
    if currency == "unconfirmed" and evidence_year:
        return UNCONFIRMED_SINCE.format(year=evidence_year)
    return CURRENCY_LABELS.get(currency, CURRENCY_LABELS["current"])


def currency_title(currency: str) -> str:
    """What a currency state means, in one sentence (a tag's hover text)."""
    return CURRENCY_TITLES.get(currency, CURRENCY_TITLES["current"])


def state_counts(items: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """How many of ``items`` are in each currency state (every state present, zero or not)."""
    counts = dict.fromkeys(CURRENCY_STATES, 0)
    for item in items:
        state = str(item.get("currency") or "")
        if state in counts:
            counts[state] += 1
    return counts


def plural_label(label: str, n: int) -> str:
    """'Maths Hub' -> 'Maths Hubs' unless n is 1; 'Research School' -> 'Research Schools'."""
    if n == 1 or label.endswith("s"):
        return label
    return f"{label}s"


def network_phrase(label: str, recorded: int, size: int | None, approx: bool = False) -> str | None:
    """'37 of 40 Maths Hubs recorded' (or 'of about 45'); None for a kind with no known size.

    More records than the network has today (older cohorts kept as history) is said plainly.
    """
    if size is None:
        return None
    about = "about " if approx else ""
    noun = plural_label(label, size)
    if recorded > size:
        return f"{recorded} {plural_label(label, recorded)} recorded, including former ones; the network has {about}{size} today"
    return f"{recorded} of {about}{size} {noun} recorded"


def is_complete(recorded: int, size: int | None, approx: bool = False) -> bool:
    """Whether the register holds the whole network (never true for an approximate size)."""
    return size is not None and not approx and recorded >= size
