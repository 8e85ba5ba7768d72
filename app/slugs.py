"""URL slugs made from names: lower-case ASCII words joined by hyphens, unique with a numeric suffix.

A slug matches ``^[a-z0-9]+(-[a-z0-9]+)*$`` (the ``partnership.slug`` CHECK constraint). Accented
letters lose their accents, ``&`` reads as "and", apostrophes vanish ("St John's" gives
``st-johns``) and every other run of punctuation or space becomes one hyphen. This module is pure:
the caller says which slugs are taken.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
MAX_LENGTH = 80
FALLBACK = "item"

_APOSTROPHES = re.compile(r"['\u2018\u2019\u02bc`]")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
# Letters that NFKD does not decompose into an ASCII base letter plus a combining mark.
_SPECIAL_LETTERS = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "ø": "o",
        "Ø": "O",
        "œ": "oe",
        "Œ": "OE",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "þ": "th",
        "Þ": "TH",
    }
)


def slugify(name: str, max_length: int = MAX_LENGTH) -> str:
    """The slug of a name, at most ``max_length`` characters, cut at a word boundary when possible."""
    text = unicodedata.normalize("NFKD", name.translate(_SPECIAL_LETTERS))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = _APOSTROPHES.sub("", text.replace("&", " and ").lower())
    slug = _NOT_ALNUM.sub("-", text.encode("ascii", "ignore").decode("ascii")).strip("-")
    if len(slug) > max_length:
        cut = slug[:max_length]
        # Prefer to drop a partial last word rather than end mid-word.
        if slug[max_length] != "-" and "-" in cut:
            cut = cut.rsplit("-", 1)[0]
        slug = cut.strip("-")
    return slug or FALLBACK


def unique_slug(name: str, taken: Container[str], max_length: int = MAX_LENGTH) -> str:
    """A slug for ``name`` not in ``taken``: the plain slug, else the first free ``slug-2``, ``slug-3``…"""
    base = slugify(name, max_length)
    if base not in taken:
        return base
    n = 2
    while True:
        suffix = f"-{n}"
        candidate = f"{base[: max_length - len(suffix)].rstrip('-')}{suffix}"
        if candidate not in taken:
            return candidate
        n += 1


def is_slug(text: str) -> bool:
    """Whether ``text`` is a well-formed slug."""
    return bool(SLUG_PATTERN.fullmatch(text))
