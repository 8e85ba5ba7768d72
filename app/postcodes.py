"""UK postcode text: canonical forms for full postcodes ('SW1A 1AA') and outcodes ('CH41').

A postcode is an outcode (postcode district) and a three-character incode. The outcode has
one of six shapes (A9, A99, A9A, AA9, AA99, AA9A) and the incode is a digit and two letters;
'GIR 0AA' is the one historic exception still in use. Only the shape is checked, not the
letters Royal Mail allows in each position, so a mistyped or retired postcode is still
recognised as a postcode (and can be reported as unknown) rather than taken for a name.

The patterns are written in the regular-expression dialect that both Python and PostgreSQL
understand, so the importer can check rows in SQL with the very same rule.
"""

from __future__ import annotations

import re

OUTCODE_PATTERN = r"^(?:GIR|[A-Z]{1,2}[0-9][A-Z0-9]?)$"
"""An outcode in canonical form, e.g. 'CH41', 'EC1A', 'B1'."""

POSTCODE_PATTERN = r"^(?:GIR 0AA|[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2})$"
"""A full postcode in canonical form: outcode, one space, incode, e.g. 'SW1A 1AA'."""

INCODE_LENGTH = 3

_OUTCODE = re.compile(OUTCODE_PATTERN)
_POSTCODE = re.compile(POSTCODE_PATTERN)


def normalise_postcode(text: str) -> str | None:
    """The canonical form of a postcode ('sw1a1aa' -> 'SW1A 1AA'), or None if it is not one.

    Case and whitespace are ignored: as the incode always has three characters, the
    outcode/incode split is known without the user's spacing.
    """
    compact = "".join(text.split())
    # Checked before upper(), which maps some non-ASCII letters onto ASCII ones (long s -> 'S').
    if len(compact) <= INCODE_LENGTH or not compact.isascii():
        return None
    compact = compact.upper()
    candidate = f"{compact[:-INCODE_LENGTH]} {compact[-INCODE_LENGTH:]}"
    return candidate if _POSTCODE.fullmatch(candidate) else None


def normalise_outcode(text: str) -> str | None:
    """The canonical form of an outcode ('ec1a ' -> 'EC1A'), or None if it is not one.

    Only surrounding whitespace is dropped: inner spaces would turn a partial postcode such
    as 'B1 1' into a different outcode ('B11').
    """
    candidate = text.strip()
    if not candidate.isascii():
        return None
    candidate = candidate.upper()
    return candidate if _OUTCODE.fullmatch(candidate) else None


def outcode_of(postcode: str) -> str | None:
    """The outcode of a postcode in any spacing ('sw1a1aa' -> 'SW1A'), or None if not a postcode."""
    canonical = normalise_postcode(postcode)
    return None if canonical is None else canonical.split(" ", 1)[0]


def looks_like_postcode(text: str) -> bool:
    """Whether a search box entry is a full postcode, however it is cased and spaced."""
    return normalise_postcode(text) is not None


def looks_like_outcode(text: str) -> bool:
    """Whether a search box entry is an outcode on its own ('CH41', 'ec1a')."""
    return normalise_outcode(text) is not None


_SECTOR = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9])$")


def normalise_sector(text: str) -> str | None:
    """The canonical form of a postcode sector ('sw1a1' or 'SW1A 1' -> 'SW1A 1'), or None."""
    candidate = " ".join(text.split())
    if not candidate.isascii():
        return None
    match = _SECTOR.fullmatch(candidate.upper())
    return f"{match.group(1)} {match.group(2)}" if match else None
