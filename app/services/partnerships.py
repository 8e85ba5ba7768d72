"""Partnerships: filtering (checked against the vocabulary), GeoJSON and CSV, and one record."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from app.cache import Payload, PayloadCache
from app.csvsafe import safe_cell
from app.errors import InvalidInput, NotFound
from app.queries import areas as area_q
from app.queries import partnerships as partnership_q
from app.queries import record
from app.queries.vocab import load_vocabulary
from app.services.currency import currency_label, network_phrase
from app.services.payloads import GEOJSON, cached

MAX_LIST = 2000


@dataclass(frozen=True)
class Filters:
    """What the map and API may filter partnerships by."""

    area: str | None = None
    themes: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    national: bool = False
    trust_only: bool = False
    include_ended: bool = True
    q: str | None = None
    bbox: tuple[float, float, float, float] | None = None

    def params(self) -> dict[str, Any]:
        """Bind parameters for ``partnership_list.sql`` and ``area_counts.sql``."""
        xmin, ymin, xmax, ymax = self.bbox or (None, None, None, None)
        return {
            "area": self.area,
            "themes": list(self.themes) or None,
            "kinds": list(self.kinds) or None,
            "national": self.national,
            "trust_only": self.trust_only,
            "include_ended": self.include_ended,
            "q": self.q,
            "xmin": xmin,
            "ymin": ymin,
            "xmax": xmax,
            "ymax": ymax,
        }

    def cache_key(self) -> tuple[object, ...]:
        """A hashable key for the payload cache."""
        return (
            self.area,
            self.themes,
            self.kinds,
            self.national,
            self.trust_only,
            self.include_ended,
            self.q,
            self.bbox,
        )


def split_list(value: str | None) -> tuple[str, ...]:
    """'a,b, c' -> ('a', 'b', 'c'), sorted and de-duplicated so equal filters share a cache key."""
    if not value:
        return ()
    return tuple(sorted({v.strip() for v in value.split(",") if v.strip()}))


def parse_bbox(value: str | None) -> tuple[float, float, float, float] | None:
    """'xmin,ymin,xmax,ymax' in degrees, checked for order and range."""
    if not value:
        return None
    try:
        xmin, ymin, xmax, ymax = (float(v) for v in value.split(","))
    except ValueError:
        raise InvalidInput(
            "bbox must be four numbers: min lon, min lat, max lon, max lat."
        ) from None
    if not (-180 <= xmin < xmax <= 180 and -90 <= ymin < ymax <= 90):
        raise InvalidInput(
            "bbox out of range: need -180 ≤ min lon < max lon ≤ 180 and -90 ≤ min lat < max lat ≤ 90."
        )
    return xmin, ymin, xmax, ymax


async def make_filters(
    session: AsyncSession,
    *,
    area: str | None = None,
    theme: str | None = None,
    kind: str | None = None,
    national: bool = False,
    trust_only: bool = False,
    include_ended: bool = True,
    q: str | None = None,
    bbox: str | None = None,
) -> Filters:
    """Build filters from request values, rejecting unknown themes, kinds and areas."""
    themes = split_list(theme)
    kinds = split_list(kind)
    if themes or kinds:  # the vocabulary is only read when there is something to check
        known = await load_vocabulary(session)
        bad_themes = set(themes) - set(known.theme_labels)
        if bad_themes:
            raise InvalidInput(
                f"Unknown theme: {', '.join(sorted(bad_themes))}. See /api/v1/vocabulary."
            )
        bad_kinds = set(kinds) - set(known.kind_labels)
        if bad_kinds:
            raise InvalidInput(
                f"Unknown kind: {', '.join(sorted(bad_kinds))}. See /api/v1/vocabulary."
            )
        if any(k.is_national for k in known.kinds if k.code in kinds):
            national = True  # asking for a national kind by name shows it
    if area is not None:
        area = area.strip().upper()
        if not await area_q.area(session, area):
            raise NotFound(f"Unknown area code {area}.")
    q = " ".join(q.split()) if q else None
    if q and len(q) > 100:
        raise InvalidInput("q is too long (at most 100 characters).")
    return Filters(
        area, themes, kinds, national, trust_only, include_ended, q or None, parse_bbox(bbox)
    )


async def vocabulary(session: AsyncSession) -> dict[str, list[dict[str, Any]]]:
    """Partnership kinds (with the national flag) and themes, with labels."""
    known = await load_vocabulary(session)
    return {
        "kinds": [asdict(k) for k in known.kinds],
        "themes": [asdict(t) for t in known.themes],
    }


async def listing(session: AsyncSession, filters: Filters) -> list[dict[str, Any]]:
    """Partnerships after filters, local first."""
    return [
        record(r)
        for r in await partnership_q.partnership_list(session, **filters.params(), limit=MAX_LIST)
    ]


def as_geojson(items: list[dict[str, Any]]) -> bytes:
    """Partnerships as a GeoJSON FeatureCollection of display points (areas' centre)."""
    features = []
    for item in items:
        props = {k: v for k, v in item.items() if k not in ("lon", "lat", "id", "area_whole_list")}
        props["area_extents"] = area_extents(item)
        props["url"] = f"/partnerships/{item['slug']}"
        geometry = (
            {"type": "Point", "coordinates": [round(item["lon"], 5), round(item["lat"], 5)]}
            if item.get("lon") is not None
            else None
        )
        features.append(
            {"type": "Feature", "id": item["slug"], "geometry": geometry, "properties": props}
        )
    return orjson.dumps({"type": "FeatureCollection", "features": features}, default=str)


# Every public field of a partnership page, in the order of the register's columns where it has them.
CSV_COLUMNS = [
    "slug",
    "name",
    "kind",
    "kind_label",
    "is_national",
    "lead_organisation",
    "area_codes",
    "area_names",
    "area_extents",
    "themes",
    "website",
    "summary",
    "founded_year",
    "status",
    "currency",
    "evidence_year",
    "source_url",
    "source_title",
    "source_date",
    "checked_on",
    "status_evidence_url",
    "status_evidence_title",
    "status_evidence_date",
    "last_verified",
    "url",
]
LIST_COLUMNS = ("themes", "area_codes", "area_names", "area_extents")


def area_extents(item: dict[str, Any]) -> list[str]:
    """'whole' or 'part' for each area of a listing row, in the order of ``area_codes``."""
    return ["whole" if whole else "part" for whole in item.get("area_whole_list") or []]


def as_csv(items: list[dict[str, Any]], base_url: str) -> bytes:
    """Partnerships as CSV; lists are ';'-separated as in the seed register; no cell is a formula."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for item in items:
        row = dict(item)
        row["area_extents"] = area_extents(item)
        for key in LIST_COLUMNS:
            row[key] = ";".join(str(v) for v in row.get(key) or [])
        row["url"] = f"{base_url}/partnerships/{item['slug']}"
        writer.writerow({k: safe_cell(row.get(k)) for k in CSV_COLUMNS})
    return out.getvalue().encode("utf-8")


async def detail(session: AsyncSession, slug: str) -> dict[str, Any]:
    """One partnership with themes, areas, members and the trusts it involves."""
    row = await partnership_q.partnership(session, slug)
    if row is None:
        raise NotFound(f"No partnership called '{slug}'.")
    result = record(row)
    pid = row.id
    result["themes"] = [asdict(t) for t in await partnership_q.partnership_themes(session, pid)]
    result["areas"] = [asdict(a) for a in await partnership_q.partnership_areas(session, pid)]
    result["members"] = [asdict(m) for m in await partnership_q.partnership_members(session, pid)]
    result["trusts"] = [asdict(t) for t in await partnership_q.partnership_trusts(session, pid)]
    result["currency_label"] = currency_label(row.currency, row.evidence_year)
    result["network_phrase"] = network_phrase(
        row.kind_label,
        int(row.network_recorded),
        row.network_size,
        bool(row.network_size_approx),
    )
    return result


async def geojson_payload(session: AsyncSession, cache: PayloadCache, filters: Filters) -> Payload:
    """``listing`` as cached GeoJSON points."""

    async def build() -> bytes:
        return as_geojson(await listing(session, filters))

    return await cached(session, cache, ("partnerships", filters.cache_key()), build, GEOJSON)


async def areas_payload(session: AsyncSession, cache: PayloadCache, slug: str) -> Payload:
    """The areas a partnership serves as cached GeoJSON; NotFound for an unknown slug."""
    row = await partnership_q.partnership(session, slug)
    if row is None:
        raise NotFound(f"No partnership called '{slug}'.")

    async def build() -> bytes:
        return await partnership_q.partnership_areas_geojson(session, row.id)

    return await cached(session, cache, ("partnership-areas", slug), build, GEOJSON)


async def download_payload(
    session: AsyncSession, cache: PayloadCache, fmt: str, base_url: str, area: str | None = None
) -> Payload:
    """Every partnership (local and national), or those serving one area, as cached CSV or GeoJSON."""
    if area is not None:
        area = area.strip().upper()
        if not await area_q.area(session, area):
            raise NotFound(f"Unknown area code {area}.")
    filters = Filters(area=area, national=True)

    async def build() -> bytes:
        items = await listing(session, filters)
        return as_csv(items, base_url) if fmt == "csv" else as_geojson(items)

    media = "text/csv; charset=utf-8" if fmt == "csv" else GEOJSON
    return await cached(session, cache, ("download", fmt, area), build, media)
