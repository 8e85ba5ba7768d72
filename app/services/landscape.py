"""The local landscape: each council's school-improvement role and its forms of collaboration,
in words a head teacher understands, beside what the partnership register shows for the area;
the all-England table (page, JSON, CSV); trusts' footprints; membership attributes."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from app.cache import Payload, PayloadCache
from app.queries import landscapes as q
from app.services.payloads import cached

# Short labels for tables, keys and filters.
ROLE_LABELS = {
    "in_house_team": "In-house team",
    "traded_company": "Traded company",
    "commissioned_partnership": "Commissioned partnership",
    "little_or_none": "Little or none",
    "unknown": "Not known",
}
# What each role means, said plainly.
ROLE_EXPLAINED = {
    "in_house_team": "The council runs its own school-improvement or standards team.",
    "traded_company": (
        "The council's school-improvement work is done by a company it owns or co-owns, which "
        "also sells services to schools."
    ),
    "commissioned_partnership": (
        "The council pays an outside body, often a partnership led by schools, to do its "
        "school-improvement work."
    ),
    "little_or_none": "The council does only the statutory minimum of school improvement.",
    "unknown": "No source we found says who does the council's school-improvement work.",
}
FORM_LABELS = {
    "area_based_partnership": "Area-based partnership of schools",
    "council_convened_partnership": "Partnership convened by the council",
    "headteacher_association": "Headteacher association",
    "trust_led_partnership": "Trust-led partnership",
    "cluster_or_locality_groups": "Clusters or locality groups",
    "teaching_school_hub_led": "Led by a teaching school hub",
    "place_based_initiative": "Place-based initiative",
    "traded_service_subscription": "Schools subscribe to traded services",
    "none_found": "None found",
}
BASIS_LABELS = {
    "all_schools_in_area": "All schools in the area",
    "maintained_plus_subscribing_academies": "Maintained schools, and academies that subscribe",
    "subscribing_schools": "Schools that subscribe",
    "named_list": "A named list of schools",
    "unknown": "Not stated",
}
COUNCIL_PART_LABELS = {
    "founder": "Founder",
    "funder": "Funder",
    "member": "Member",
    "commissioner": "Commissions it",
    "none_stated": "None stated",
}
FUNDING_LABELS = {
    "subscription": "School subscriptions",
    "council_grant": "Council grant",
    "traded_services": "Traded services",
    "charity_or_grant": "Charity or grants",
    "mixed": "Mixed",
    "unknown": "Not stated",
}
LEGAL_FORM_LABELS = {
    "company_limited_by_guarantee": "Company limited by guarantee",
    "charity": "Charity",
    "community_interest_company": "Community interest company",
    "council_hosted": "Hosted by the council",
    "unincorporated": "Unincorporated",
    "unknown": "Not stated",
}


def provenance(source_date: str | None, checked_on: dt.date | None, confidence: str | None) -> str:
    """'source dated 2019 · checked 6 December 2026 · confidence medium' (undated said so)."""
    parts = [f"source dated {source_date}" if source_date else "source undated"]
    if checked_on:
        parts.append(f"checked {checked_on.day} {checked_on.strftime('%B %Y')}")
    if confidence:
        parts.append(f"confidence {confidence}")
    return " · ".join(parts)


@dataclass(frozen=True)
class KindCount:
    """Local partnerships of one kind in an area, by status."""

    kind_label: str
    current: int
    unconfirmed: int
    ended: int


@dataclass(frozen=True)
class LandscapePanel:
    """What the area page shows at its top: the landscape record and the register beside it."""

    record: q.AreaLandscape | None
    role_label: str | None
    role_explained: str | None
    forms: list[str]
    provenance: str | None
    by_kind: list[KindCount]
    # For a district: the county council whose landscape this is (schools are a county matter).
    council_code: str | None = None
    council_name: str | None = None


async def panel(
    session: AsyncSession,
    code: str,
    council: tuple[str, str] | None = None,
) -> LandscapePanel:
    """The landscape panel of an area, with the register's local partnerships there by currency.

    A district has no record of its own; given its county ``council`` (code, name), the panel
    shows the county's, saying so.
    """
    record = await q.area_landscape(session, code)
    if record is None and council is not None:
        record = await q.area_landscape(session, council[0])
    else:
        council = None
    role = record.council_role if record else None
    return LandscapePanel(
        record=record,
        role_label=ROLE_LABELS.get(role) if role else None,
        role_explained=ROLE_EXPLAINED.get(role) if role else None,
        forms=[FORM_LABELS.get(f, f) for f in (record.collaboration_forms if record else ())],
        provenance=provenance(record.source_date, record.checked_on, record.confidence)
        if record
        else None,
        by_kind=[
            KindCount(r.kind_label, r.current, r.unconfirmed, r.ended)
            for r in await q.register_by_kind(session, code)
        ],
        council_code=council[0] if council and record else None,
        council_name=council[1] if council and record else None,
    )


# --- the all-England table ----------------------------------------------------------------------

TABLE_COLUMNS = (
    "code",
    "name",
    "region",
    "combined_authority",
    "council_role",
    "provider_name",
    "provider_url",
    "collaboration_forms",
    "local_current",
    "local_unconfirmed",
    "local_ended",
    "national_programmes",
    "schools",
    "share_in_trust",
    "landscape_source_date",
    "landscape_confidence",
    "landscape_checked_on",
)


def table_record(row: q.LandscapeTableRow) -> dict[str, Any]:
    """One LA as the API and CSV give it (codes, not labels; share as a fraction)."""
    return {
        "code": row.code,
        "name": row.name,
        "region": row.region_name,
        "combined_authority": row.combined_authority_name,
        "council_role": row.council_role,
        "provider_name": row.provider_name,
        "provider_url": row.provider_url,
        "collaboration_forms": list(row.collaboration_forms),
        "local_current": row.local_current,
        "local_unconfirmed": row.local_unconfirmed,
        "local_ended": row.local_ended,
        "national_programmes": row.national,
        "schools": row.schools,
        "share_in_trust": round(row.in_trust / row.schools, 4) if row.schools else None,
        "landscape_source_date": row.source_date,
        "landscape_confidence": row.confidence,
        "landscape_checked_on": row.checked_on.isoformat() if row.checked_on else None,
    }


async def table(session: AsyncSession) -> list[q.LandscapeTableRow]:
    """Every upper-tier LA with its landscape and the register's figures."""
    return await q.landscape_table(session)


def as_csv(rows: list[q.LandscapeTableRow]) -> bytes:
    """The table as CSV (forms ';'-separated), one row per LA."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(TABLE_COLUMNS)
    for row in rows:
        record = table_record(row)
        record["collaboration_forms"] = ";".join(record["collaboration_forms"])
        writer.writerow(["" if record[c] is None else record[c] for c in TABLE_COLUMNS])
    return out.getvalue().encode()


async def json_payload(session: AsyncSession, cache: PayloadCache) -> Payload:
    """The table as cached JSON, with the vocabularies its codes use."""

    async def build() -> bytes:
        rows = await q.landscape_table(session)
        return orjson.dumps(
            {
                "council_roles": ROLE_LABELS,
                "collaboration_forms": FORM_LABELS,
                "source": "Local landscape register, compiled by the project from public pages",
                "local_authorities": [table_record(r) for r in rows],
            }
        )

    return await cached(session, cache, ("landscape",), build)


async def csv_payload(session: AsyncSession, cache: PayloadCache) -> Payload:
    """The table as cached CSV."""

    async def build() -> bytes:
        return as_csv(await q.landscape_table(session))

    return await cached(session, cache, ("landscape-csv",), build, "text/csv; charset=utf-8")


SORT_KEYS = {
    "name": lambda r: r.name,
    "region": lambda r: (r.region_name or "", r.name),
    "combined_authority": lambda r: (r.combined_authority_name or "~", r.name),
    "role": lambda r: (ROLE_LABELS.get(r.council_role or "", "~"), r.name),
    "provider": lambda r: ((r.provider_name or "~").lower(), r.name),
    "local_current": lambda r: (r.local_current, r.name),
    "local_unconfirmed": lambda r: (r.local_unconfirmed, r.name),
    "local_ended": lambda r: (r.local_ended, r.name),
    "national": lambda r: (r.national, r.name),
    "schools": lambda r: (r.schools, r.name),
    "share_in_trust": lambda r: (r.in_trust / r.schools if r.schools else -1.0, r.name),
    "source_date": lambda r: (r.source_date or "", r.name),
}


@dataclass(frozen=True)
class TableView:
    """The all-England table as the /areas page shows it: filtered, sorted, with its choices."""

    rows: list[q.LandscapeTableRow]
    total: int
    regions: list[str]
    region: str
    role: str
    form: str
    sort: str
    order: str
    role_counts: dict[str, int]


async def table_view(
    session: AsyncSession,
    *,
    region: str | None = None,
    role: str | None = None,
    form: str | None = None,
    sort: str | None = None,
    order: str | None = None,
) -> TableView:
    """The table filtered by region, council role and form of collaboration, and sorted; an
    unknown filter value or sort key is ignored (the page shows every choice it accepts)."""
    rows = await q.landscape_table(session)
    regions = sorted({r.region_name for r in rows if r.region_name})
    region = region if region in regions else ""
    role = role if role in ROLE_LABELS or role == "none" else ""
    form = form if form in FORM_LABELS else ""
    sort = sort if sort in SORT_KEYS else "name"
    order = "desc" if order == "desc" else "asc"
    role_counts = dict(Counter(r.council_role or "none" for r in rows))
    chosen = [
        r
        for r in rows
        if (not region or r.region_name == region)
        and (not role or (r.council_role or "none") == role)
        and (not form or form in r.collaboration_forms)
    ]
    chosen.sort(key=SORT_KEYS[sort], reverse=order == "desc")
    return TableView(chosen, len(rows), regions, region, role, form, sort, order, role_counts)


# --- trusts, partnerships and neighbours ---------------------------------------------------------


async def trust_context(session: AsyncSession, uid: int) -> dict[str, Any]:
    """What the trust page adds: partnerships it leads or belongs to, and its footprint by LA."""
    footprint = await q.trust_footprint(session, uid)
    by_la: dict[str, dict[str, Any]] = {}
    for row in footprint:
        la = by_la.setdefault(
            row.la_code,
            {"code": row.la_code, "name": row.la_name, "schools": row.trust_schools, "local": []},
        )
        if row.partnership_slug:
            la["local"].append(row)
    return {
        "led_partnerships": await q.trust_partnerships(session, uid),
        "footprint": list(by_la.values()),
    }


@dataclass(frozen=True)
class MembershipView:
    """A partnership's membership attributes with labels, for its page."""

    record: q.Membership
    basis: str | None
    council_part: str | None
    funding: str | None
    legal_form: str | None


async def membership(session: AsyncSession, partnership_id: int) -> MembershipView | None:
    """A partnership's researched membership attributes, or None when not yet researched."""
    record = await q.membership(session, partnership_id)
    if record is None:
        return None
    return MembershipView(
        record,
        BASIS_LABELS.get(record.membership_basis or ""),
        COUNCIL_PART_LABELS.get(record.council_part or ""),
        FUNDING_LABELS.get(record.funding_model or ""),
        LEGAL_FORM_LABELS.get(record.legal_form or ""),
    )


async def roles(session: AsyncSession, codes: list[str]) -> dict[str, dict[str, Any]]:
    """Each area's council role and forms of collaboration, labelled, by code."""
    found = await q.roles_for(session, codes)
    return {
        code: asdict(brief)
        | {
            "role_label": ROLE_LABELS.get(brief.council_role or "", "Not recorded"),
            "form_labels": [FORM_LABELS.get(f, f) for f in brief.collaboration_forms],
        }
        for code, brief in found.items()
    }
