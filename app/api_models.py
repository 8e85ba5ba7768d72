"""Response models of the JSON API: what each operation answers, field by field.

They are the API's contract: OpenAPI is generated from them, and FastAPI passes every answer
through them, so a column added to a query (an internal id, ``seed_ref``, ``dataset_id``) never
reaches clients unless it is added here on purpose. Unknown keys are dropped, not refused.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, Field, RootModel


class _Out(BaseModel):
    """Base of the response models."""


# --- shared pieces ------------------------------------------------------------------------------


class CodeLabel(_Out):
    """A coded value and its label."""

    code: str
    label: str


class PartnershipSummary(_Out):
    """A partnership in a list: enough to show it and link to it."""

    slug: str
    name: str
    kind: str
    kind_label: str
    is_national: bool
    status: str
    currency: str = Field(
        description="current, unconfirmed (no evidence from 2021 on) or ended; derived from the "
        "status, the evidence dates and any moderator's confirmation"
    )
    evidence_year: int | None = Field(
        None, description="Year of the newest dated evidence (status evidence, else the source)"
    )
    area_whole: bool | None = Field(
        None,
        description="Whether it covers all of the area the list is for (the area asked about, "
        "or the place's district or LA); false when it serves only part of it",
    )
    area_reach: str | None = Field(
        None,
        description="When it serves only part of that area: the linked areas making up that "
        "part, e.g. 'North Yorkshire (former Scarborough borough)'",
    )
    themes: list[str] = Field(default_factory=list, description="Theme codes")
    area_codes: list[str] = Field(default_factory=list, description="GSS codes of areas served")
    area_names: list[str] = Field(default_factory=list)
    lead_organisation: str | None = None
    website: str | None = None
    source_date: str | None = Field(
        None, description="As precise as the source: YYYY, YYYY-MM or YYYY-MM-DD"
    )
    checked_on: dt.date | None = Field(
        None, description="When the register row was compiled from its source"
    )
    url: str


class PartnershipLink(_Out):
    """A partnership a school or trust is involved in."""

    slug: str
    name: str
    kind_label: str
    is_national: bool
    status: str


class MembershipOut(PartnershipLink):
    """A partnership a school is a listed member of, with its role and dates."""

    currency: str = Field(description="current, unconfirmed or ended")
    evidence_year: int | None = Field(
        None, description="Year of the newest dated evidence (status evidence, else the source)"
    )
    role: str | None = None
    joined_on: dt.date | None = None
    left_on: dt.date | None = None


class TrustPartnership(PartnershipLink):
    """A partnership a trust or its schools belong to; ``via`` names the schools involved."""

    via: str | None = None


class NearMemberPartnership(PartnershipLink):
    """A partnership with a member school near the place asked about."""

    kind: str
    currency: str = Field(description="current, unconfirmed or ended")
    distance_m: float | None = None
    nearest_member: str | None = None


class SchoolBrief(_Out):
    """A school in a list (a trust's schools)."""

    urn: int
    name: str
    phase: str | None = None
    town: str | None = None
    la_code: str | None = None
    la_name: str | None = None
    lon: float | None = None
    lat: float | None = None


class NearbySchool(_Out):
    """A school near a place, with its distance in metres."""

    urn: int
    name: str
    phase: str | None = None
    town: str | None = None
    postcode: str | None = None
    trust_uid: int | None = None
    trust_name: str | None = None
    la_code: str | None = None
    distance_m: float | None = None
    lon: float | None = None
    lat: float | None = None


# --- vocabulary ---------------------------------------------------------------------------------


class KindOut(_Out):
    """A kind of partnership."""

    code: str
    label: str
    description: str | None = None
    is_national: bool
    network_size: int | None = Field(
        None, description="How many of this kind exist nationally, where a source counts them"
    )
    network_size_approx: bool = Field(False, description="network_size is approximate")
    network_size_source: str | None = Field(None, description="Where network_size comes from")
    recorded: int = Field(0, description="Records of this kind that have not ended")


class ThemeOut(_Out):
    """A theme partnerships work on."""

    code: str
    label: str
    description: str | None = None


class Vocabulary(_Out):
    """The partnership kinds and themes, with labels."""

    kinds: list[KindOut]
    themes: list[ThemeOut]


# --- areas --------------------------------------------------------------------------------------


class AreaOut(_Out):
    """An area: its identity, parents, size, centre, extent and the boundary's source."""

    code: str
    name: str
    level: str
    level_label: str
    la_number: int | None = None
    is_mayoral: bool = False
    is_district: bool = False
    area_km2: float | None = None
    parent_code: str | None = None
    parent_name: str | None = None
    combined_authority_code: str | None = None
    combined_authority_name: str | None = None
    combined_authority_is_mayoral: bool | None = None
    region_code: str | None = None
    region_name: str | None = None
    lon: float | None = None
    lat: float | None = None
    xmin: float | None = None
    ymin: float | None = None
    xmax: float | None = None
    ymax: float | None = None
    boundary_source: str | None = None
    boundary_vintage: str | None = None


class ChildArea(_Out):
    """An area inside another."""

    code: str
    name: str
    level: str


class PhaseStats(_Out):
    """Schools of one phase in an area."""

    phase: str
    schools: int
    in_trust: int
    academies: int
    trust_unknown: int = Field(0, description="Academies whose trust is not recorded")


class AreaIndicator(_Out):
    """An indicator's latest value for an area, with region and England for comparison."""

    code: str
    label: str
    unit: str | None = None
    polarity: str | None = None
    source: str | None = None
    topic: str | None = None
    period: str | None = None
    value: float | None = None
    england: float | None = None
    region: float | None = None


class Neighbour(_Out):
    """One of the DfE statistical neighbours of a local authority."""

    rank: int
    code: str
    name: str
    closeness: str | None = None


class Landscape(_Out):
    """How schools work together in an area: the council's role, its school-improvement
    provider, the forms collaboration takes, and where that is known from."""

    body: str | None = None
    council_role: str | None = Field(
        None, description="in_house_team, traded_company, …; labels in /api/v1/landscape"
    )
    provider_name: str | None = Field(None, description="Who provides school improvement")
    provider_url: str | None = None
    collaboration_forms: list[str] = Field(
        default_factory=list,
        description="Codes of the forms collaboration takes; labels in /api/v1/landscape",
    )
    source_url: str | None = None
    source_title: str | None = None
    source_date: str | None = Field(
        None, description="As precise as the source: YYYY, YYYY-MM or YYYY-MM-DD"
    )
    confidence: str | None = Field(
        None, description="How sure the record is of its source: high, medium or low"
    )
    checked_on: dt.date | None = Field(None, description="When the source was last checked")
    version: int | None = None
    updated_at: dt.datetime | None = None


class AreaProfile(_Out):
    """Everything known about one area."""

    area: AreaOut
    children: list[ChildArea]
    local: list[PartnershipSummary]
    national: list[PartnershipSummary]
    phases: list[PhaseStats]
    school_total: int
    in_trust_share: float | None = Field(None, description="Share of schools in a trust (0-1)")
    academy_share: float | None = Field(
        None, description="Share of schools that are academies (0-1)"
    )
    trust_count: int | None = None
    indicators: list[AreaIndicator]
    neighbours: list[Neighbour]
    landscape: Landscape | None = None


# --- partnerships -------------------------------------------------------------------------------


class AreaServed(_Out):
    """An area a partnership serves; ``note`` says e.g. "(part)"."""

    code: str
    name: str
    level: str
    note: str | None = None
    whole: bool = Field(True, description="Serves all of the area (false: only part of it)")


class MemberOut(_Out):
    """A member of a partnership: a school, trust, council or other organisation."""

    member_type: str
    name: str | None = None
    urn: int | None = None
    trust_uid: int | None = None
    area_code: str | None = None
    role: str | None = None
    joined_on: dt.date | None = None
    left_on: dt.date | None = None
    school_current_name: str | None = None
    trust_current_name: str | None = None


class TrustInvolved(_Out):
    """An academy trust a partnership involves, and how that is known."""

    uid: int
    name: str
    via: str | None = None


class PartnershipDetail(_Out):
    """One partnership with its themes, areas, members, trusts and source."""

    slug: str
    name: str
    kind: str
    kind_label: str
    kind_description: str | None = None
    is_national: bool
    summary: str | None = None
    lead_organisation: str | None = None
    website: str | None = None
    contact_email: str | None = None
    founded_year: int | None = None
    status: str
    currency: str = Field(
        description="current, unconfirmed (no evidence from 2021 on) or ended; derived from the "
        "status, the evidence dates and any moderator's confirmation"
    )
    evidence_year: int | None = Field(
        None, description="Year of the newest dated evidence (status evidence, else the source)"
    )
    currency_label: str = Field(
        description="e.g. 'Current', 'Unconfirmed since 2015', 'Unconfirmed (undated source)'"
    )
    source_url: str | None = None
    source_title: str | None = None
    source_date: str | None = Field(
        None, description="As precise as the source: YYYY, YYYY-MM or YYYY-MM-DD"
    )
    checked_on: dt.date | None = Field(
        None, description="When the register row was compiled from its source"
    )
    status_evidence_url: str | None = Field(
        None, description="A later page showing it still running (or ended)"
    )
    status_evidence_title: str | None = None
    status_evidence_date: str | None = Field(
        None, description="As precise as the page: YYYY, YYYY-MM or YYYY-MM-DD"
    )
    last_verified: dt.date | None = Field(None, description="When a moderator confirmed it")
    verified_by_id: int | None = Field(
        None, description="Number of the moderator who confirmed it (as the page shows it)"
    )
    verification_note: str | None = None
    moderated_at: dt.datetime | None = Field(
        None, description="When a moderated change last altered it; null if only imported"
    )
    network_size: int | None = Field(
        None, description="How many of its kind exist nationally, where a source counts them"
    )
    network_size_approx: bool = Field(False, description="network_size is approximate")
    network_size_source: str | None = Field(None, description="Where network_size comes from")
    network_recorded: int = Field(description="Records of its kind that have not ended")
    network_current: int = Field(description="Records of its kind that are current")
    network_phrase: str | None = Field(
        None,
        description="How complete the register is for its kind, e.g. '37 of 40 Maths Hubs "
        "recorded'; null when the network's size is not known",
    )
    version: int
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    dataset_source: str | None = None
    dataset_vintage: str | None = None
    themes: list[CodeLabel]
    areas: list[AreaServed]
    members: list[MemberOut]
    trusts: list[TrustInvolved]


# --- schools and trusts -------------------------------------------------------------------------


class SchoolOut(_Out):
    """A school: identity, phase and type, size, areas, trust and location (each with its
    source in ``provenance``)."""

    urn: int
    name: str
    laestab: int | None = None
    town: str | None = None
    postcode: str | None = None
    open_date: dt.date | None = None
    phase: str | None = None
    school_type: str | None = None
    status: str | None = None
    is_academy: bool | None = None
    fsm_pct: float | None = None
    pupils: int | None = None
    predecessor_urn: int | None = None
    provenance: dict[str, str] = Field(default_factory=dict, description="Source of each fact")
    la_code: str | None = None
    la_name: str | None = None
    district_code: str | None = None
    district_name: str | None = None
    combined_authority_code: str | None = None
    combined_authority_name: str | None = None
    region_code: str | None = None
    region_name: str | None = None
    trust_uid: int | None = None
    trust_name: str | None = None
    trust_type: str | None = None
    lon: float | None = None
    lat: float | None = None
    x: float | None = Field(None, description="Easting, EPSG:27700")
    y: float | None = Field(None, description="Northing, EPSG:27700")


class SchoolPage(_Out):
    """One school with its partnerships, its trust's schools and what is near it."""

    school: SchoolOut
    member_of: list[MembershipOut]
    trust_schools: list[SchoolBrief]
    serving: list[PartnershipSummary] = Field(default_factory=list)
    near_members: list[NearMemberPartnership] = Field(default_factory=list)
    trust_partnerships: list[TrustPartnership] = Field(default_factory=list)
    nearest_schools: list[NearbySchool] = Field(default_factory=list)


class TrustOut(_Out):
    """An academy trust or other group, with its head office."""

    uid: int
    group_id: str | None = None
    name: str
    group_type: str | None = None
    status: str | None = None
    companies_house_number: str | None = None
    ukprn: int | None = None
    open_date: dt.date | None = None
    closed_date: dt.date | None = None
    town: str | None = None
    postcode: str | None = None
    la_code: str | None = None
    la_name: str | None = None
    lon: float | None = None
    lat: float | None = None
    dataset_source: str | None = None
    dataset_vintage: str | None = None


class TrustPage(_Out):
    """A trust, its schools, the local authorities they are in, and their partnerships."""

    trust: TrustOut
    schools: list[SchoolBrief]
    las: list[str]
    partnerships: list[TrustPartnership]


# --- near and search ----------------------------------------------------------------------------


class Place(_Out):
    """The place asked about: a postcode, school or point."""

    label: str
    kind: str
    lon: float
    lat: float
    x: float | None = None
    y: float | None = None
    urn: int | None = None
    trust_uid: int | None = None
    trust_name: str | None = None


class PlaceArea(_Out):
    """An area containing the place; ``approximate`` when the point fell just outside (coast)."""

    level: str
    code: str
    name: str
    la_number: int | None = None
    parent_code: str | None = None
    combined_authority_code: str | None = None
    region_code: str | None = None
    is_mayoral: bool | None = None
    approximate: bool | None = None


class NearResult(_Out):
    """Areas containing a place, partnerships serving it or near it, and the nearest schools."""

    place: Place
    areas: dict[str, PlaceArea] = Field(description="Keyed by level")
    partnerships_serving: list[PartnershipSummary]
    partnerships_with_members_nearby: list[NearMemberPartnership]
    trust_partnerships: list[TrustPartnership]
    nearest_schools: list[NearbySchool]


class SearchHit(_Out):
    """One match for a search."""

    type: str
    id: str
    name: str
    detail: str | None = None
    url: str


class SearchResult(_Out):
    """What the query looks like, where to go if it names one thing, and matches by name."""

    query: str
    guess: str | None = None
    redirect: str | None = None
    results: list[SearchHit]


# --- indicators and coverage (served from the payload cache; documented here) -------------------


class IndicatorOut(_Out):
    """An indicator: what it measures, its unit, which way is better, source and period."""

    code: str
    label: str
    description: str | None = None
    unit: str | None = None
    polarity: str | None = None
    topic: str | None = None
    source: str | None = None
    period: str | None = None
    in_default_similarity: bool | None = None
    las_with_value: int | None = None


class IndicatorList(_Out):
    """Every indicator held."""

    indicators: list[IndicatorOut]


class IndicatorValues(_Out):
    """An indicator's latest value for every local authority, keyed by GSS code."""

    indicator: IndicatorOut
    values: dict[str, float | None]


class CoverageRow(_Out):
    """Schools in partnerships in one area: listed members, and in an area served."""

    code: str
    name: str
    combined_authority_code: str | None = None
    combined_authority_name: str | None = None
    is_mayoral: bool | None = None
    region_code: str | None = None
    region_name: str | None = None
    las: int | None = Field(None, description="Local authorities in a total")
    schools: int
    member_schools: int
    served_schools: int
    member_share: float | None = None
    served_share: float | None = None


class Coverage(_Out):
    """Coverage by local authority, with totals by combined authority and region."""

    local_authorities: list[CoverageRow]
    combined_authorities: list[CoverageRow]
    regions: list[CoverageRow]


# --- similar areas, gaps and comparison (served from the payload cache; documented here) ------


class AreaRef(_Out):
    """An area named by its GSS code."""

    code: str
    name: str


class RegionRef(_Out):
    """An LA's region, when it has one."""

    code: str | None
    name: str | None


class PartnershipCountsOut(_Out):
    """Current partnerships serving an area: local choices, national programmes, both."""

    local: int
    national: int
    total: int


class DfeNeighbourOut(_Out):
    """One of an LA's DfE statistical neighbours, with the partnerships serving it."""

    code: str
    name: str
    rank: int
    closeness: str = Field(description="DfE's closeness band, e.g. very_close")
    closeness_label: str
    region: str | None = Field(description="Region name")
    partnership_count: int
    partnership_counts: PartnershipCountsOut


class SimilarByDfe(_Out):
    """``method=dfe``: DfE's statistical neighbours in rank order."""

    area: AreaRef
    method: Literal["dfe"]
    source: str
    same_region: bool
    partnership_counts: PartnershipCountsOut
    neighbours: list[DfeNeighbourOut]


class IndicatorUsed(_Out):
    """An indicator in the similarity: its weight and how it was standardised."""

    code: str
    label: str
    unit: str | None
    source: str | None
    period: str | None
    weight: float = Field(description="As given (relative)")
    normalised_weight: float | None
    mean: float | None
    sd: float | None
    las_with_value: int


class SimilarMissing(_Out):
    """Values missing from the similarity, and LAs left out."""

    area: list[str] = Field(description="Indicators the area has no value of")
    neighbours: dict[str, list[str]] = Field(
        description="Indicators each similar LA (by GSS code) has no value of"
    )
    excluded: list[str] = Field(description="GSS codes of LAs left out")
    las_without_value: dict[str, int] = Field(description="LAs with no value, by indicator")


class ContributionOut(_Out):
    """How much one indicator adds to the distance between the area and a similar LA."""

    indicator: str
    area_value: float | None
    value: float | None
    z_difference: float | None
    share: float | None = Field(description="Share of the squared distance")


class SimilarAreaOut(_Out):
    """An LA found similar by indicators: its rank, distance and why."""

    code: str
    name: str
    rank: int
    region: str | None = Field(description="Region name")
    distance: float | None
    contributions: list[ContributionOut]
    missing: list[str] = Field(description="Indicators it has no value of")
    partnership_count: int
    partnership_counts: PartnershipCountsOut


class SimilarByIndicators(_Out):
    """``method=indicators``: the k LAs nearest by the chosen, weighted indicators."""

    area: AreaRef
    method: Literal["indicators"]
    k: int
    same_region: bool
    default_indicators: bool = Field(description="Whether the default indicator set was used")
    method_note: str
    indicators_used: list[IndicatorUsed]
    missing: SimilarMissing
    candidates: int = Field(description="LAs ranked")
    neighbours: list[SimilarAreaOut]


class SimilarAreas(
    RootModel[Annotated[SimilarByDfe | SimilarByIndicators, Field(discriminator="method")]]
):
    """Areas similar to an upper-tier LA, by ``method``."""


class GapPartnershipOut(_Out):
    """A record serving some of the similar areas but not the area itself."""

    slug: str
    name: str
    url: str
    serves: list[str] = Field(description="Names of the similar areas it serves")
    currency: str


class GapRowOut(_Out):
    """One theme, kind or designation: the area's own records against the similar areas'."""

    code: str
    label: str
    group: str = Field(description="theme, kind or national")
    own: PartnershipCountsOut
    own_by_currency: dict[str, int]
    neighbours: PartnershipCountsOut = Field(
        description="Distinct records across the similar areas"
    )
    neighbours_with: int = Field(description="How many similar areas have at least one")
    neighbours_with_names: list[str]
    is_gap: bool
    network: str | None
    network_complete: bool
    sentence: str
    missing: list[GapPartnershipOut]


class GapAnalysis(_Out):
    """What an LA's similar areas have that it has no record of."""

    area: AreaRef
    basis: str
    neighbours: list[AreaRef]
    gaps: list[GapRowOut]
    themes: list[GapRowOut]
    kinds: list[GapRowOut]
    other_choices: list[GapRowOut]
    national: list[GapRowOut]


class ComparedArea(_Out):
    """A compared upper-tier LA."""

    code: str
    name: str
    la_number: int | None
    region: RegionRef


class ComparedIndicator(_Out):
    """An indicator across the compared LAs (by GSS code), their regions and England."""

    code: str
    label: str
    description: str | None
    unit: str | None
    polarity: str | None
    topic: str | None
    source: str | None
    period: str | None
    in_default_similarity: bool
    values: dict[str, float | None]
    regions: dict[str, float | None]
    england: float | None


class ComparedCounts(PartnershipCountsOut):
    """Current partnerships serving a compared LA, with the counts by theme code."""

    by_theme: dict[str, PartnershipCountsOut]


class ServedPartnershipOut(_Out):
    """A current partnership serving a compared LA."""

    slug: str
    name: str
    kind: str
    kind_label: str
    is_national: bool
    status: str
    currency: str
    themes: list[str]
    url: str


class Comparison(_Out):
    """2-6 upper-tier LAs side by side; maps are keyed by the LAs' GSS codes."""

    areas: list[ComparedArea]
    regions: list[AreaRef]
    england: AreaRef
    indicators: list[ComparedIndicator]
    partnership_counts: dict[str, ComparedCounts]
    partnerships: dict[str, list[ServedPartnershipOut]]
    permalink: str
    csv: str
