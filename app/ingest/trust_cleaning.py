"""Cleaning GIAS group names and dates: lost characters repaired, placeholder dates hidden.

A name holding U+FFFD (a character lost to a wrong decoding upstream) is repaired from the
census trust names when exactly one fits, else a lost character touching an 's' becomes an
apostrophe; 1 January 1902 is GIAS's placeholder opening date and is stored as unknown; a
name written all in capitals is title-cased, keeping the usual abbreviations.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from app.ingest.trust_groups import Group

REPAIRED_NAMES = "names repaired (characters lost to a wrong decoding)"
HIDDEN_PLACEHOLDER_DATES = "placeholder opening dates (1 January 1902) hidden"
TITLE_CASED = "all-capitals names title-cased"
# GIAS writes this for a group whose opening date it does not know.
PLACEHOLDER_OPEN_DATE = dt.date(1902, 1, 1)
LOST = "\ufffd"
# Words kept as written when an all-capitals name is title-cased.
KEEP_UPPER = frozenset(
    {
        "CE",
        "C",
        "RC",
        "MAT",
        "SAT",
        "UTC",
        "CIC",
        "UK",
        "NHS",
        "SEN",
        "SEND",
        "PRU",
        "AP",
        "ACE",
        "STEM",
        "II",
        "III",
        "IV",
        "VC",
        "VA",
        "CofE",
        "(CE)",
        "(RC)",
    }
)
# Abbreviations without vowels that are words in title case, not acronyms.
TITLED = {"ST": "St", "LTD": "Ltd", "MR": "Mr", "MRS": "Mrs", "DR": "Dr"}
KEEP_LOWER = frozenset({"of", "and", "the", "for", "in", "on", "at", "by", "with", "de", "a"})


def title_case(name: str) -> str:
    """An all-capitals name in title case, keeping abbreviations; other names as written.

    'STEP ACADEMY TRUST' -> 'Step Academy Trust'; 'ST JOHN'S CE PRIMARY' -> 'St John's CE
    Primary'; a single word ('E-ACT', 'SENDAT') may be a brand or an acronym and is kept.
    """
    if not name.isupper() or " " not in name.strip():
        return name
    words = []
    for index, word in enumerate(name.split(" ")):
        bare = word.strip("().,")
        if bare in TITLED:
            words.append(word.replace(bare, TITLED[bare]))
        elif bare in KEEP_UPPER or (not any(c in "AEIOUY" for c in bare) and bare.isalpha()):
            words.append(word)
        elif index > 0 and word.lower() in KEEP_LOWER:
            words.append(word.lower())
        elif word.upper() == "C OF E":
            words.append("C of E")
        else:
            words.append(
                re.sub(r"[^\W\d_]+(?:['’][^\W\d_]+)?", lambda m: m.group(0).capitalize(), word)
            )
    return re.sub(r"\bC Of E\b", "C of E", " ".join(words))


def repair_name(name: str, reference: Iterable[str]) -> str | None:
    """A name with characters lost to a wrong decoding (U+FFFD), repaired; None if it cannot be.

    ``reference`` holds correctly decoded names (the census trust names, in capitals): if
    exactly one fits the damaged name letter for letter, the lost characters are taken from it,
    in the damaged name's case. Otherwise a lost character touching an 's' is an apostrophe.
    """
    if LOST not in name:
        return name
    pattern = re.compile(
        "".join("(.)" if ch == LOST else re.escape(ch.upper()) for ch in name), re.DOTALL
    )
    fits = {ref for ref in reference if pattern.fullmatch(ref.upper())}
    if len(fits) == 1:
        found = pattern.fullmatch(next(iter(fits)).upper())
        assert found is not None
        lost = iter(found.groups())
        repaired = []
        for i, ch in enumerate(name):
            if ch != LOST:
                repaired.append(ch)
                continue
            char = next(lost)
            before = name[i - 1] if i else ""
            repaired.append(char.lower() if before.islower() else char)
        return "".join(repaired)
    guessed = re.sub(rf"(?<=[sS]){LOST}|{LOST}(?=[sS]\b)", "’", name)
    return None if LOST in guessed else guessed


def read_census_trust_names(path: Path) -> set[str]:
    """The trust names of the January 2023 school census (UTF-8), for repairing group names."""
    if not path.exists():
        return set()
    text = gzip.decompress(path.read_bytes()).decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    return {row["trust"].strip() for row in reader if (row.get("trust") or "").strip()}


@dataclass(frozen=True)
class Cleaning:
    """What cleaning the names and dates of the extract did, for the summary."""

    repaired: tuple[str, ...] = ()  # 'damaged -> repaired'
    unrepaired: tuple[str, ...] = ()
    placeholder_dates: int = 0
    title_cased: int = 0


def clean_groups(groups: list[Group], reference: Iterable[str]) -> tuple[list[Group], Cleaning]:
    """Repair damaged names, hide placeholder opening dates and title-case all-capitals names."""
    names = list(reference)
    cleaned, repaired, unrepaired = [], [], []
    placeholders = title_cased = 0
    for g in groups:
        name = g.name
        if LOST in name:
            fixed = repair_name(name, names)
            if fixed is None:
                unrepaired.append(f"{g.uid} {name}")
            else:
                repaired.append(f"{g.uid} {name} -> {fixed}")
                name = fixed
        display = title_case(name)
        title_cased += display != name
        open_date = g.open_date
        if open_date == PLACEHOLDER_OPEN_DATE:
            placeholders += 1
            open_date = None
        cleaned.append(
            Group(
                g.uid,
                g.group_id,
                display,
                g.group_type,
                g.status,
                g.companies_house_number,
                g.ukprn,
                open_date,
                g.closed_date,
                g.town,
                g.postcode,
                g.postcode_as_given,
            )
        )
    return cleaned, Cleaning(tuple(repaired), tuple(unrepaired), placeholders, title_cased)
