"""Shared definitions for suggestions: size caps, record fields, the form's vocabularies, a checked suggestion.

The kinds, themes and areas a form offers are data (loaded from the database), not code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.queries.vocab import form_areas, load_vocabulary

# Size caps: whole requests, fields, lists, and web links in free text.
MAX_JSON_BYTES = 64 * 1024


MAX_FORM_BYTES = 192 * 1024


MAX_NAME = 200


MAX_SUMMARY = 2000


MAX_EVIDENCE = 2000


MAX_LANDSCAPE = 4000


MAX_URL = 500


MAX_EMAIL = 254


MAX_AREAS = 60


MAX_MEMBERS = 150


MAX_LINKS_SUMMARY = 2


MAX_LINKS_EVIDENCE = 5


MAX_LINKS_LANDSCAPE = 3


LANDSCAPE_LEVELS = ("local_authority", "district", "combined_authority")


SERVED_LEVELS = ("country", "region", "combined_authority", "local_authority", "district")


REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O or U


LINK = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>\"']+")


CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


RECORD_FIELDS = (
    "name",
    "kind",
    "summary",
    "lead_organisation",
    "website",
    "contact_email",
    "founded_year",
    "status",
)


MEMBER_COMPARED = (
    "member_type",
    "name",
    "urn",
    "trust_uid",
    "area_code",
    "role",
    "joined_on",
    "left_on",
)


@dataclass(frozen=True)
class AreaRef:
    """An area that may be picked on the form."""

    code: str
    name: str
    level: str
    parent_code: str | None
    region_code: str | None


@dataclass(frozen=True)
class Vocab:
    """What the form offers: kinds, themes and areas, each by code."""

    kinds: dict[str, str]
    themes: dict[str, str]
    areas: dict[str, AreaRef]


async def load_vocab(session: AsyncSession) -> Vocab:
    """The kinds, themes and areas from the database (they are data, not code)."""
    known = await load_vocabulary(session)
    areas = await form_areas(session)
    return Vocab(
        kinds={k.code: k.label for k in sorted(known.kinds, key=lambda k: k.label)},
        themes=known.theme_labels,
        areas={
            a.code: AreaRef(a.code, a.name, a.level, a.parent_code, a.region_code) for a in areas
        },
    )


@dataclass(frozen=True)
class Submitter:
    """Who sent a suggestion. Name and email are '' only when their check failed (the suggestion
    is then refused); organisation and role are None when left blank."""

    name: str = ""
    email: str = ""
    organisation: str | None = None
    role: str | None = None


@dataclass
class ValidSubmission:
    """A checked suggestion, ready to store."""

    kind: str
    record: dict[str, Any]
    submitter: Submitter
    evidence: str | None
    partnership_id: int | None = None
    partnership_slug: str | None = None
    area_code: str | None = None
    base_version: int | None = None
    current: dict[str, Any] | None = field(default=None, repr=False)
