"""The database schema as SQLAlchemy 2 typed models; Alembic migrations are written from it.

Natural keys come from official registers: ONS GSS codes for areas, school URNs, GIAS group
UIDs for trusts. Points carry both WGS84 (``geom``, for serving) and British National Grid
(``geom_bng``, for distances in metres). Vocabularies are CHECK constraints or lookup tables so
bad rows are refused by the database itself, whichever code path writes them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Computed,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

AREA_LEVELS = ("country", "region", "combined_authority", "local_authority", "district")
PARTNERSHIP_STATUSES = ("active", "ended", "unknown")
CURRENCIES = ("current", "unconfirmed", "ended")
# The year from which a dated page counts as evidence that a partnership is running today.
CURRENT_FROM_YEAR = 2021
# A partnership's currency, derived by the database from its status and evidence: ended; current
# when a page of 2021 or later (status evidence, else the source) or a moderator confirms it, or
# when an undated page was found showing it active at the register's check; otherwise unconfirmed
# since the year of its evidence.
CURRENCY_SQL = (
    "CASE WHEN status = 'ended' THEN 'ended'"
    " WHEN last_verified IS NOT NULL"
    " OR COALESCE(CAST(substring(COALESCE(NULLIF(status_evidence_date, ''), source_date)"
    f" FROM '^([0-9]{{4}})') AS integer), 0) >= {CURRENT_FROM_YEAR}"
    " OR (status = 'active' AND checked_on IS NOT NULL"
    " AND COALESCE(NULLIF(status_evidence_date, ''), source_date, '') !~ '^[0-9]{4}')"
    " THEN 'current'"
    " ELSE 'unconfirmed' END"
)
MEMBER_TYPES = (
    "school",
    "trust",
    "local_authority",
    "charity",
    "employer",
    "college",
    "university",
    "other",
)
SUBMISSION_KINDS = ("new", "amend", "close", "landscape")
SUBMISSION_STATUSES = ("pending", "approved", "rejected", "needs_info", "superseded")
COUNCIL_ROLES = (
    "in_house_team",
    "traded_company",
    "commissioned_partnership",
    "little_or_none",
    "unknown",
)
COLLABORATION_FORMS = (
    "area_based_partnership",
    "council_convened_partnership",
    "headteacher_association",
    "trust_led_partnership",
    "cluster_or_locality_groups",
    "teaching_school_hub_led",
    "place_based_initiative",
    "traded_service_subscription",
    "none_found",
)
CONFIDENCE_LEVELS = ("high", "medium", "low")
MEMBERSHIP_BASES = (
    "all_schools_in_area",
    "maintained_plus_subscribing_academies",
    "subscribing_schools",
    "named_list",
    "unknown",
)
COUNCIL_PARTS = ("founder", "funder", "member", "commissioner", "none_stated")
FUNDING_MODELS = (
    "subscription",
    "council_grant",
    "traded_services",
    "charity_or_grant",
    "mixed",
    "unknown",
)
LEGAL_FORMS = (
    "company_limited_by_guarantee",
    "charity",
    "community_interest_company",
    "council_hosted",
    "unincorporated",
    "unknown",
)
# Where an imported member row came from; NULL for members written by moderation.
MEMBER_ORIGINS = ("membership register", "lead match")
CLOSENESS_BANDS = ("extremely_close", "very_close", "close", "somewhat_close", "not_close")
POLARITIES = ("higher_is_better", "lower_is_better", "neutral")


def _in(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


def _not_blank(column: str) -> str:
    return f"length(btrim({column})) > 0"


class Base(DeclarativeBase):
    """Declarative base with deterministic constraint names."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def created_at_column() -> Mapped[dt.datetime]:
    """A ``timestamptz`` column set by the database when the row is written."""
    return mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


class Dataset(Base):
    """One import run of one source; the highest id is the data version that keys caches."""

    __tablename__ = "dataset"
    __table_args__ = (CheckConstraint(_not_blank("name"), name="name_not_blank"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    vintage: Mapped[str] = mapped_column(Text)
    licence: Mapped[str] = mapped_column(Text)
    checksum: Mapped[str] = mapped_column(Text)
    row_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    duration_s: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    summary: Mapped[dict[str, Any]] = mapped_column(
        JSONB, default=dict, server_default=text("'{}'::jsonb")
    )
    imported_at: Mapped[dt.datetime] = created_at_column()


class Area(Base):
    """A region, combined authority, upper-tier local authority or district, with its boundary."""

    __tablename__ = "area"
    __table_args__ = (
        CheckConstraint(r"code ~ '^E[0-9]{8}$'", name="code_is_gss"),
        CheckConstraint(_not_blank("name"), name="name_not_blank"),
        CheckConstraint(_in("level", AREA_LEVELS), name="level_known"),
        CheckConstraint("la_number BETWEEN 100 AND 999", name="la_number_three_digits"),
        Index("ix_area_level", "level"),
        Index(
            "ix_area_name_trgm",
            "name",
            postgresql_using="gin",
            postgresql_ops={"name": "gin_trgm_ops"},
        ),
        Index("ix_area_la_number", "la_number", unique=True),
    )

    code: Mapped[str] = mapped_column(Text, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    level: Mapped[str] = mapped_column(Text)
    la_number: Mapped[int | None] = mapped_column(SmallInteger)
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("area.code"))
    combined_authority_code: Mapped[str | None] = mapped_column(ForeignKey("area.code"))
    region_code: Mapped[str | None] = mapped_column(ForeignKey("area.code"))
    is_mayoral: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    # A unitary authority is both an upper-tier LA and a district: one row, flagged here.
    is_district: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    area_km2: Mapped[float | None] = mapped_column(Float)
    geom: Mapped[Any] = mapped_column(Geometry("MULTIPOLYGON", 4326, spatial_index=True))
    centroid: Mapped[Any] = mapped_column(Geometry("POINT", 4326, spatial_index=False))
    dataset_id: Mapped[int] = mapped_column(ForeignKey("dataset.id"))


class AreaGeneralised(Base):
    """An area's boundary simplified for one zoom band (shared edges kept across the coverage)."""

    __tablename__ = "area_generalised"
    __table_args__ = (CheckConstraint("zoom_band BETWEEN 0 AND 20", name="zoom_band_range"),)

    area_code: Mapped[str] = mapped_column(
        ForeignKey("area.code", ondelete="CASCADE"), primary_key=True
    )
    zoom_band: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    geom: Mapped[Any] = mapped_column(Geometry("MULTIPOLYGON", 4326, spatial_index=True))


class AreaSubdivided(Base):
    """Small pieces of each boundary (``ST_Subdivide``) for fast point-in-polygon."""

    __tablename__ = "area_subdivided"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area_code: Mapped[str] = mapped_column(ForeignKey("area.code", ondelete="CASCADE"), index=True)
    level: Mapped[str] = mapped_column(Text)
    geom: Mapped[Any] = mapped_column(Geometry("POLYGON", 4326, spatial_index=True))


class AreaLandscape(Base):
    """The 'local landscape' of an area: the council's school-improvement role and how schools
    collaborate there. Seeded from the landscape register, kept current by moderated suggestions."""

    __tablename__ = "area_landscape"
    __table_args__ = (
        CheckConstraint(
            "council_role IS NULL OR " + _in("council_role", COUNCIL_ROLES),
            name="council_role_known",
        ),
        CheckConstraint(
            "confidence IS NULL OR " + _in("confidence", CONFIDENCE_LEVELS),
            name="confidence_known",
        ),
        CheckConstraint(
            "collaboration_forms <@ ARRAY["
            + ", ".join(f"'{f}'" for f in COLLABORATION_FORMS)
            + "]::text[]",
            name="collaboration_forms_known",
        ),
    )

    area_code: Mapped[str] = mapped_column(ForeignKey("area.code"), primary_key=True)
    body: Mapped[str] = mapped_column(Text)
    council_role: Mapped[str | None] = mapped_column(Text)
    provider_name: Mapped[str | None] = mapped_column(Text)
    provider_url: Mapped[str | None] = mapped_column(Text)
    collaboration_forms: Mapped[list[str]] = mapped_column(
        ARRAY(Text), default=list, server_default=text("'{}'::text[]")
    )
    source_url: Mapped[str | None] = mapped_column(Text)
    source_title: Mapped[str | None] = mapped_column(Text)
    source_date: Mapped[str | None] = mapped_column(Text)
    confidence: Mapped[str | None] = mapped_column(Text)
    checked_on: Mapped[dt.date | None] = mapped_column(Date)
    # Where the register row came from ('council_landscape.csv:2'); NULL when written by moderation.
    seed_ref: Mapped[str | None] = mapped_column(Text)
    dataset_id: Mapped[int | None] = mapped_column(ForeignKey("dataset.id"))
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    updated_at: Mapped[dt.datetime] = created_at_column()


class Indicator(Base):
    """A statistic held per area: what it measures, its unit, which way is better and its source."""

    __tablename__ = "indicator"
    __table_args__ = (
        CheckConstraint(r"code ~ '^[a-z0-9_]+$'", name="code_is_slug"),
        CheckConstraint(_not_blank("label"), name="label_not_blank"),
        CheckConstraint(_in("polarity", POLARITIES), name="polarity_known"),
    )

    code: Mapped[str] = mapped_column(Text, primary_key=True)
    label: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    unit: Mapped[str] = mapped_column(Text)
    polarity: Mapped[str] = mapped_column(Text)
    topic: Mapped[str] = mapped_column(Text, default="", server_default="")
    source: Mapped[str] = mapped_column(Text)
    period: Mapped[str] = mapped_column(Text)
    in_default_similarity: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default="false"
    )
    dataset_id: Mapped[int] = mapped_column(ForeignKey("dataset.id"))


class AreaIndicator(Base):
    """One value of one indicator for one area and period."""

    __tablename__ = "area_indicator"

    area_code: Mapped[str] = mapped_column(ForeignKey("area.code"), primary_key=True)
    indicator_code: Mapped[str] = mapped_column(
        ForeignKey("indicator.code", ondelete="CASCADE"), primary_key=True, index=True
    )
    period: Mapped[str] = mapped_column(Text, primary_key=True)
    value: Mapped[float] = mapped_column(Float)


class StatisticalNeighbour(Base):
    """DfE children's services statistical neighbours: an LA's ten most similar LAs, ranked."""

    __tablename__ = "statistical_neighbour"
    __table_args__ = (
        CheckConstraint("rank BETWEEN 1 AND 10", name="rank_range"),
        CheckConstraint(_in("closeness", CLOSENESS_BANDS), name="closeness_known"),
        CheckConstraint("area_code <> neighbour_code", name="not_self"),
        UniqueConstraint("area_code", "neighbour_code"),
    )

    area_code: Mapped[str] = mapped_column(ForeignKey("area.code"), primary_key=True)
    rank: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    neighbour_code: Mapped[str] = mapped_column(ForeignKey("area.code"))
    closeness: Mapped[str] = mapped_column(Text)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("dataset.id"))


class Trust(Base):
    """A GIAS establishment group: multi-academy trust, single-academy trust, federation…"""

    __tablename__ = "trust"
    __table_args__ = (
        CheckConstraint(_not_blank("name"), name="name_not_blank"),
        Index(
            "ix_trust_name_trgm",
            "name",
            postgresql_using="gin",
            postgresql_ops={"name": "gin_trgm_ops"},
        ),
    )

    uid: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    group_id: Mapped[str | None] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    group_type: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text)
    companies_house_number: Mapped[str | None] = mapped_column(Text)
    ukprn: Mapped[str | None] = mapped_column(Text)
    open_date: Mapped[dt.date | None] = mapped_column(Date)
    closed_date: Mapped[dt.date | None] = mapped_column(Date)
    town: Mapped[str | None] = mapped_column(Text)
    postcode: Mapped[str | None] = mapped_column(Text)
    geom: Mapped[Any] = mapped_column(Geometry("POINT", 4326, spatial_index=True), nullable=True)
    geom_bng: Mapped[Any] = mapped_column(
        Geometry("POINT", 27700, spatial_index=True), nullable=True
    )
    la_code: Mapped[str | None] = mapped_column(ForeignKey("area.code"), index=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("dataset.id"))


class School(Base):
    """A state-funded school from the July 2025 list, placed from its postcode."""

    __tablename__ = "school"
    __table_args__ = (
        CheckConstraint("urn BETWEEN 100000 AND 999999", name="urn_six_digits"),
        CheckConstraint(_not_blank("name"), name="name_not_blank"),
        CheckConstraint("fsm_pct IS NULL OR fsm_pct BETWEEN 0 AND 100", name="fsm_pct_range"),
        Index(
            "ix_school_name_trgm",
            "name",
            postgresql_using="gin",
            postgresql_ops={"name": "gin_trgm_ops"},
        ),
    )

    urn: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(Text)
    laestab: Mapped[int | None] = mapped_column(Integer, index=True)
    town: Mapped[str | None] = mapped_column(Text)
    postcode: Mapped[str | None] = mapped_column(Text)
    open_date: Mapped[dt.date | None] = mapped_column(Date)
    phase: Mapped[str | None] = mapped_column(Text)
    school_type: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str | None] = mapped_column(Text)
    is_academy: Mapped[bool | None] = mapped_column(Boolean)
    fsm_pct: Mapped[float | None] = mapped_column(Float)
    pupils: Mapped[int | None] = mapped_column(Integer)
    predecessor_urn: Mapped[int | None] = mapped_column(Integer)
    la_code: Mapped[str | None] = mapped_column(ForeignKey("area.code"), index=True)
    district_code: Mapped[str | None] = mapped_column(ForeignKey("area.code"), index=True)
    trust_uid: Mapped[int | None] = mapped_column(ForeignKey("trust.uid"), index=True)
    # Which source and vintage each fact came from, e.g. {"phase": "SPC 2022/23"}.
    provenance: Mapped[dict[str, str]] = mapped_column(
        JSONB, default=dict, server_default=text("'{}'::jsonb")
    )
    geom: Mapped[Any] = mapped_column(Geometry("POINT", 4326, spatial_index=True), nullable=True)
    geom_bng: Mapped[Any] = mapped_column(
        Geometry("POINT", 27700, spatial_index=True), nullable=True
    )
    # Web Mercator, derived by PostgreSQL: vector tiles clip and encode it as it is, where a
    # transform per school per tile cost more than the rest of the tile together.
    geom_3857: Mapped[Any] = mapped_column(
        Geometry("POINT", 3857, spatial_index=True),
        Computed("ST_Transform(geom, 3857)", persisted=True),
        nullable=True,
    )
    dataset_id: Mapped[int] = mapped_column(ForeignKey("dataset.id"))


class Postcode(Base):
    """A live English unit postcode from OS Code-Point Open, stored as 'SW1A 1AA'."""

    __tablename__ = "postcode"

    postcode: Mapped[str] = mapped_column(Text, primary_key=True)
    outcode: Mapped[str] = mapped_column(Text, index=True)
    quality: Mapped[int] = mapped_column(SmallInteger)
    district_code: Mapped[str | None] = mapped_column(Text)
    geom_bng: Mapped[Any] = mapped_column(Geometry("POINT", 27700, spatial_index=False))


class Outcode(Base):
    """A postcode district ('CH41') with the centroid of its live postcodes."""

    __tablename__ = "outcode"

    outcode: Mapped[str] = mapped_column(Text, primary_key=True)
    postcode_count: Mapped[int] = mapped_column(Integer)
    town: Mapped[str | None] = mapped_column(Text)
    geom: Mapped[Any] = mapped_column(Geometry("POINT", 4326, spatial_index=False))
    geom_bng: Mapped[Any] = mapped_column(Geometry("POINT", 27700, spatial_index=False))


class PartnershipKind(Base):
    """The vocabulary of partnership kinds, kept as data so a new kind needs no code change."""

    __tablename__ = "partnership_kind"

    code: Mapped[str] = mapped_column(Text, primary_key=True)
    label: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    is_national: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    # The known size of a national network ('40 Maths Hubs'), whether it is approximate, and where
    # that figure comes from: pages say how many of the network the register records.
    network_size: Mapped[int | None] = mapped_column(SmallInteger)
    network_size_approx: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default="false"
    )
    network_size_source: Mapped[str | None] = mapped_column(Text)


class Theme(Base):
    """The vocabulary of partnership themes."""

    __tablename__ = "theme"

    code: Mapped[str] = mapped_column(Text, primary_key=True)
    label: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="", server_default="")


class Partnership(Base):
    """An education partnership or national programme, with its provenance and version."""

    __tablename__ = "partnership"
    __table_args__ = (
        CheckConstraint(_not_blank("name"), name="name_not_blank"),
        CheckConstraint(r"slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'", name="slug_format"),
        CheckConstraint(_in("status", PARTNERSHIP_STATUSES), name="status_known"),
        CheckConstraint(
            "founded_year IS NULL OR founded_year BETWEEN 1800 AND 2100", name="founded_year_range"
        ),
        CheckConstraint("version >= 1", name="version_positive"),
        Index(
            "ix_partnership_name_trgm",
            "name",
            postgresql_using="gin",
            postgresql_ops={"name": "gin_trgm_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(Text, unique=True)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(ForeignKey("partnership_kind.code"), index=True)
    summary: Mapped[str] = mapped_column(Text, default="", server_default="")
    lead_organisation: Mapped[str | None] = mapped_column(Text)
    website: Mapped[str | None] = mapped_column(Text)
    contact_email: Mapped[str | None] = mapped_column(Text)
    founded_year: Mapped[int | None] = mapped_column(SmallInteger)
    status: Mapped[str] = mapped_column(Text, default="unknown", server_default="unknown")
    source_url: Mapped[str | None] = mapped_column(Text)
    source_title: Mapped[str | None] = mapped_column(Text)
    source_date: Mapped[str | None] = mapped_column(Text)
    # The date the register row was compiled from its source; neither date confirms activity then.
    checked_on: Mapped[dt.date | None] = mapped_column(Date)
    # A later page (2021 or after) showing the partnership still running, or ended.
    status_evidence_url: Mapped[str | None] = mapped_column(Text)
    status_evidence_title: Mapped[str | None] = mapped_column(Text)
    status_evidence_date: Mapped[str | None] = mapped_column(Text)
    # A moderator's verification: when, by whom, with what note (never set by an import).
    last_verified: Mapped[dt.date | None] = mapped_column(Date)
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("moderator.id"))
    verification_note: Mapped[str | None] = mapped_column(Text)
    currency: Mapped[str] = mapped_column(Text, Computed(CURRENCY_SQL, persisted=True), index=True)
    # When a moderated change last altered the record; NULL when only imports wrote it.
    moderated_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # Where the seed register row came from ('local_partnerships.csv:12'); NULL when added by moderation.
    seed_ref: Mapped[str | None] = mapped_column(Text)
    seed_key: Mapped[str | None] = mapped_column(Text, unique=True)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[dt.datetime] = created_at_column()
    updated_at: Mapped[dt.datetime] = created_at_column()
    dataset_id: Mapped[int | None] = mapped_column(ForeignKey("dataset.id"))

    themes: Mapped[list[PartnershipTheme]] = relationship(cascade="all, delete-orphan")
    areas: Mapped[list[PartnershipArea]] = relationship(cascade="all, delete-orphan")
    members: Mapped[list[PartnershipMember]] = relationship(cascade="all, delete-orphan")


class PartnershipTheme(Base):
    """A theme a partnership works on."""

    __tablename__ = "partnership_theme"

    partnership_id: Mapped[int] = mapped_column(
        ForeignKey("partnership.id", ondelete="CASCADE"), primary_key=True
    )
    theme_code: Mapped[str] = mapped_column(ForeignKey("theme.code"), primary_key=True, index=True)


class PartnershipArea(Base):
    """An area a partnership serves, whole or in part, as named by its source ('(part)' in the note)."""

    __tablename__ = "partnership_area"

    partnership_id: Mapped[int] = mapped_column(
        ForeignKey("partnership.id", ondelete="CASCADE"), primary_key=True
    )
    area_code: Mapped[str] = mapped_column(ForeignKey("area.code"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")
    note: Mapped[str | None] = mapped_column(Text)
    # False when the partnership covers only part of the area ('(part)', '(north)' in the source).
    whole: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")


class PartnershipMember(Base):
    """A member of a partnership, typed, with a name snapshot that outlives a school's closure."""

    __tablename__ = "partnership_member"
    __table_args__ = (
        CheckConstraint(_in("member_type", MEMBER_TYPES), name="member_type_known"),
        CheckConstraint(_not_blank("name"), name="name_not_blank"),
        CheckConstraint("member_type <> 'school' OR urn IS NOT NULL", name="school_has_urn"),
        CheckConstraint("member_type <> 'trust' OR trust_uid IS NOT NULL", name="trust_has_uid"),
        CheckConstraint(
            "left_on IS NULL OR joined_on IS NULL OR left_on >= joined_on", name="dates_ordered"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partnership_id: Mapped[int] = mapped_column(
        ForeignKey("partnership.id", ondelete="CASCADE"), index=True
    )
    member_type: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    urn: Mapped[int | None] = mapped_column(Integer, index=True)
    trust_uid: Mapped[int | None] = mapped_column(Integer, index=True)
    area_code: Mapped[str | None] = mapped_column(Text)
    role: Mapped[str | None] = mapped_column(Text)
    joined_on: Mapped[dt.date | None] = mapped_column(Date)
    left_on: Mapped[dt.date | None] = mapped_column(Date)
    # 'membership register' or 'lead match' for rows an importer owns; NULL for moderated rows.
    origin: Mapped[str | None] = mapped_column(Text)


class PartnershipMembership(Base):
    """How schools belong to a partnership: basis, stated count, funding, legal form, contact.

    A partnership without a row has not been researched: that is not "no members".
    """

    __tablename__ = "partnership_membership"
    __table_args__ = (
        CheckConstraint(
            "membership_basis IS NULL OR " + _in("membership_basis", MEMBERSHIP_BASES),
            name="membership_basis_known",
        ),
        CheckConstraint(
            "council_part IS NULL OR " + _in("council_part", COUNCIL_PARTS),
            name="council_part_known",
        ),
        CheckConstraint(
            "funding_model IS NULL OR " + _in("funding_model", FUNDING_MODELS),
            name="funding_model_known",
        ),
        CheckConstraint(
            "legal_form IS NULL OR " + _in("legal_form", LEGAL_FORMS), name="legal_form_known"
        ),
        CheckConstraint(
            "member_count_stated IS NULL OR member_count_stated >= 0", name="member_count_positive"
        ),
    )

    partnership_id: Mapped[int] = mapped_column(
        ForeignKey("partnership.id", ondelete="CASCADE"), primary_key=True
    )
    membership_basis: Mapped[str | None] = mapped_column(Text)
    member_count_stated: Mapped[int | None] = mapped_column(Integer)
    member_count_year: Mapped[int | None] = mapped_column(SmallInteger)
    member_trusts: Mapped[list[str]] = mapped_column(
        ARRAY(Text), default=list, server_default=text("'{}'::text[]")
    )
    council_part: Mapped[str | None] = mapped_column(Text)
    funding_model: Mapped[str | None] = mapped_column(Text)
    legal_form: Mapped[str | None] = mapped_column(Text)
    contact_url: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    source_url: Mapped[str | None] = mapped_column(Text)
    source_title: Mapped[str | None] = mapped_column(Text)
    source_date: Mapped[str | None] = mapped_column(Text)
    checked_on: Mapped[dt.date | None] = mapped_column(Date)
    # Where the register row came from; NULL when written by moderation.
    seed_ref: Mapped[str | None] = mapped_column(Text)
    dataset_id: Mapped[int | None] = mapped_column(ForeignKey("dataset.id"))


class Moderator(Base):
    """A moderator account; the password is stored as an argon2 hash."""

    __tablename__ = "moderator"
    __table_args__ = (CheckConstraint("position('@' in email) > 1", name="email_has_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(Text, unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = created_at_column()


class Submission(Base):
    """A suggested new partnership, correction, closure or landscape note, awaiting a moderator."""

    __tablename__ = "submission"
    __table_args__ = (
        CheckConstraint(_in("kind", SUBMISSION_KINDS), name="kind_known"),
        CheckConstraint(_in("status", SUBMISSION_STATUSES), name="status_known"),
        CheckConstraint(
            "kind = 'new' OR kind = 'landscape' OR partnership_id IS NOT NULL",
            name="target_for_amend_close",
        ),
        CheckConstraint("kind <> 'landscape' OR area_code IS NOT NULL", name="area_for_landscape"),
        Index("ix_submission_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(Text, unique=True)
    token_hash: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(Text)
    partnership_id: Mapped[int | None] = mapped_column(ForeignKey("partnership.id"), index=True)
    area_code: Mapped[str | None] = mapped_column(ForeignKey("area.code"))
    base_version: Mapped[int | None] = mapped_column(Integer)
    proposed: Mapped[dict[str, Any]] = mapped_column(JSONB)
    submitter_name: Mapped[str] = mapped_column(Text)
    submitter_email: Mapped[str] = mapped_column(Text)
    submitter_organisation: Mapped[str | None] = mapped_column(Text)
    submitter_role: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text, default="pending", server_default="pending")
    moderator_id: Mapped[int | None] = mapped_column(ForeignKey("moderator.id"))
    moderator_note: Mapped[str | None] = mapped_column(Text)
    # Seen only by moderators; ``moderator_note`` is the reason shown to the submitter.
    private_note: Mapped[str | None] = mapped_column(Text)
    ip_hash: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = created_at_column()
    updated_at: Mapped[dt.datetime] = created_at_column()
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Revision(Base):
    """An immutable snapshot of a partnership (or landscape note) at an approved change."""

    __tablename__ = "revision"
    __table_args__ = (
        CheckConstraint("partnership_id IS NOT NULL OR area_code IS NOT NULL", name="has_subject"),
        UniqueConstraint("partnership_id", "version"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partnership_id: Mapped[int | None] = mapped_column(ForeignKey("partnership.id"), index=True)
    area_code: Mapped[str | None] = mapped_column(ForeignKey("area.code"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSONB)
    change: Mapped[str] = mapped_column(Text)
    moderator_id: Mapped[int | None] = mapped_column(ForeignKey("moderator.id"))
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submission.id"))
    created_at: Mapped[dt.datetime] = created_at_column()


class AuditLog(Base):
    """Every state change of a submission or account, whatever became of any email about it."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submission.id"), index=True)
    moderator_id: Mapped[int | None] = mapped_column(ForeignKey("moderator.id"))
    action: Mapped[str] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(
        JSONB, default=dict, server_default=text("'{}'::jsonb")
    )
    created_at: Mapped[dt.datetime] = created_at_column()


class RateLimit(Base):
    """Request counts per key (hashed IP and action) per fixed window, kept in PostgreSQL."""

    __tablename__ = "rate_limit"
    __table_args__ = (Index("ix_rate_limit_window_start", "window_start"),)

    key: Mapped[str] = mapped_column(Text, primary_key=True)
    window_start: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    hits: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class ModeratorSession(Base):
    """A signed-in moderator's session; the cookie holds a random token, the table its hash."""

    __tablename__ = "moderator_session"

    token_hash: Mapped[str] = mapped_column(Text, primary_key=True)
    moderator_id: Mapped[int] = mapped_column(
        ForeignKey("moderator.id", ondelete="CASCADE"), index=True
    )
    csrf_token: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = created_at_column()


class PartnershipServedAreaStale(Base):
    """At most one row, inserted by triggers when ``partnership_area`` or ``area`` changes; a
    deferred trigger on it refreshes the stored coverage (``partnership_served_area``, a
    materialised view of ``partnership_coverage``) once at commit and deletes it again."""

    __tablename__ = "partnership_served_area_stale"
    __table_args__ = (CheckConstraint("stale", name="only_true"),)

    stale: Mapped[bool] = mapped_column(primary_key=True, server_default=text("true"))


class MemberSchoolPointStale(Base):
    """At most one row, inserted by triggers when ``partnership_member`` or ``school`` changes; a
    deferred trigger on it refreshes the stored member points (``member_school_point``: each
    current member school's point, indexed for near-me) once at commit and deletes it again."""

    __tablename__ = "member_school_point_stale"
    __table_args__ = (CheckConstraint("stale", name="only_true"),)

    stale: Mapped[bool] = mapped_column(primary_key=True, server_default=text("true"))


def include_in_migrations(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Alembic's filter: skip PostGIS's own tables; let GeoAlchemy2 handle spatial indexes."""
    from geoalchemy2 import alembic_helpers

    if type_ == "table" and name == "spatial_ref_sys":
        return False
    return bool(alembic_helpers.include_object(obj, name, type_, reflected, compare_to))  # type: ignore[no-untyped-call]
