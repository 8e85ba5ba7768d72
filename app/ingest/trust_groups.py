"""Reading the GIAS "all groups" extract: one checked :class:`Group` per record."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.ingest.base import ImportFailed
from app.ingest.common import clean_text, parse_gias_date
from app.postcodes import normalise_postcode

REQUIRED_KEYS = frozenset(
    {
        "group_uid",
        "group_id",
        "group_name",
        "group_type",
        "group_status",
        "companies_house_number",
        "ukprn",
        "open_date",
        "closed_date",
        "group_town",
        "group_postcode",
    }
)


@dataclass(frozen=True)
class Group:
    """One GIAS group as stored in ``trust`` (postcode in canonical form, or None)."""

    uid: int
    group_id: str | None
    name: str
    group_type: str
    status: str
    companies_house_number: str | None
    ukprn: str | None
    open_date: dt.date | None
    closed_date: dt.date | None
    town: str | None
    postcode: str | None
    postcode_as_given: str | None


def parse_group(record: dict[str, Any]) -> Group:
    """One record of the extract as a :class:`Group`; ValueError names what is wrong."""
    uid_text = clean_text(record.get("group_uid"))
    if uid_text is None or not uid_text.isdigit():
        raise ValueError(f"group_uid is not a number: {record.get('group_uid')!r}")
    name = clean_text(record.get("group_name"))
    group_type = clean_text(record.get("group_type"))
    status = clean_text(record.get("group_status"))
    if name is None or group_type is None or status is None:
        raise ValueError(f"group {uid_text} lacks a name, type or status")
    postcode_as_given = clean_text(record.get("group_postcode"))
    return Group(
        uid=int(uid_text),
        group_id=clean_text(record.get("group_id")),
        name=name,
        group_type=group_type,
        status=status,
        companies_house_number=clean_text(record.get("companies_house_number")),
        ukprn=clean_text(record.get("ukprn")),
        open_date=parse_gias_date(record.get("open_date")),
        closed_date=parse_gias_date(record.get("closed_date")),
        town=clean_text(record.get("group_town")),
        postcode=normalise_postcode(postcode_as_given) if postcode_as_given else None,
        postcode_as_given=postcode_as_given,
    )


def read_groups(path: Path) -> list[Group]:
    """Every group in the extract, checked: the expected keys, numeric and unique UIDs."""
    try:
        records = json.loads(path.read_text(encoding="utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ImportFailed(f"{path.name}: not readable JSON ({exc})") from exc
    if not isinstance(records, list) or not records:
        raise ImportFailed(f"{path.name}: expected a non-empty JSON array of groups")
    groups = []
    for index, record in enumerate(records):
        if not isinstance(record, dict) or not record.keys() >= REQUIRED_KEYS:
            missing = sorted(REQUIRED_KEYS - set(record)) if isinstance(record, dict) else "all"
            raise ImportFailed(f"{path.name}: record {index} lacks keys {missing}")
        try:
            groups.append(parse_group(record))
        except ValueError as exc:
            raise ImportFailed(f"{path.name}: record {index}: {exc}") from exc
    duplicates = [uid for uid, n in Counter(g.uid for g in groups).items() if n > 1]
    if duplicates:
        raise ImportFailed(f"{path.name}: repeated group_uid {sorted(duplicates)[:10]}")
    return groups
