"""Landscape register and membership: provenance on area_landscape, partnership_membership,
member origin, and trust links through matched leads, member schools and the trust-led kind

Revision ID: 5c1e2a7d9b40
Revises: d6ac5993c1f4
Create Date: 2026-12-06 07:50:00.000000

"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision: str = "5c1e2a7d9b40"
down_revision: Union[str, Sequence[str], None] = "d6ac5993c1f4"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

FORMS = (
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


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IS NULL OR {column} IN ({', '.join(repr(v) for v in values)})"


OLD_TRUST_LINK_VIEW = r"""
CREATE VIEW partnership_trust_link AS
SELECT m.partnership_id, m.trust_uid, 'member trust' AS via
FROM partnership_member m
WHERE m.member_type = 'trust' AND m.left_on IS NULL
UNION
SELECT m.partnership_id, s.trust_uid, 'member school in the trust'
FROM partnership_member m
JOIN school s ON s.urn = m.urn
WHERE m.member_type = 'school' AND m.left_on IS NULL AND s.trust_uid IS NOT NULL
UNION
SELECT p.id, t.uid, 'lead organisation is the trust'
FROM partnership p
JOIN trust t
  ON upper(t.name) = upper(btrim(regexp_replace(p.lead_organisation, '\s*\(.*\)\s*$', '')))
"""

# Links come from stored members only (matched leads, named members), never from a name compared
# on the fly; a school links only to an academy trust. A trust-led partnership counts as involving
# a trust even when its trust is not yet identified (trust_uid NULL).
TRUST_LINK_VIEW = r"""
CREATE VIEW partnership_trust_link AS
SELECT m.partnership_id, m.trust_uid,
       CASE WHEN m.role = 'lead' THEN 'the trust leads it' ELSE 'member trust' END AS via
FROM partnership_member m
JOIN trust t ON t.uid = m.trust_uid
WHERE m.member_type = 'trust' AND m.left_on IS NULL
  AND t.group_type IN ('Multi-academy trust', 'Single-academy trust', 'Secure single-academy trust')
UNION
SELECT m.partnership_id, s.trust_uid,
       CASE WHEN m.role = 'lead' THEN 'lead school is in the trust'
            ELSE 'member school in the trust' END
FROM partnership_member m
JOIN school s ON s.urn = m.urn
JOIN trust t ON t.uid = s.trust_uid
WHERE m.member_type = 'school' AND m.left_on IS NULL
  AND t.group_type IN ('Multi-academy trust', 'Single-academy trust', 'Secure single-academy trust')
UNION
SELECT p.id, NULL::integer, 'trust-led partnership'
FROM partnership p
WHERE p.kind = 'trust_led_local_partnership'
"""


def upgrade() -> None:
    """Add the landscape register's provenance, the membership table and the new trust links."""
    for name, type_ in (
        ("provider_name", sa.Text()),
        ("provider_url", sa.Text()),
        ("source_url", sa.Text()),
        ("source_title", sa.Text()),
        ("source_date", sa.Text()),
        ("confidence", sa.Text()),
        ("checked_on", sa.Date()),
        ("seed_ref", sa.Text()),
    ):
        op.add_column("area_landscape", sa.Column(name, type_, nullable=True))
    op.add_column(
        "area_landscape",
        sa.Column(
            "collaboration_forms",
            postgresql.ARRAY(sa.Text()),
            server_default=sa.text("'{}'::text[]"),
            nullable=False,
        ),
    )
    op.add_column("area_landscape", sa.Column("dataset_id", sa.Integer(), nullable=True))
    op.create_foreign_key(
        op.f("fk_area_landscape_dataset_id_dataset"),
        "area_landscape",
        "dataset",
        ["dataset_id"],
        ["id"],
    )
    op.create_check_constraint(
        op.f("ck_area_landscape_confidence_known"),
        "area_landscape",
        _in("confidence", ("high", "medium", "low")),
    )
    op.create_check_constraint(
        op.f("ck_area_landscape_collaboration_forms_known"),
        "area_landscape",
        "collaboration_forms <@ ARRAY[" + ", ".join(f"'{f}'" for f in FORMS) + "]::text[]",
    )
    op.add_column("partnership_member", sa.Column("origin", sa.Text(), nullable=True))
    op.create_table(
        "partnership_membership",
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("membership_basis", sa.Text(), nullable=True),
        sa.Column("member_count_stated", sa.Integer(), nullable=True),
        sa.Column("member_count_year", sa.SmallInteger(), nullable=True),
        sa.Column(
            "member_trusts",
            postgresql.ARRAY(sa.Text()),
            server_default=sa.text("'{}'::text[]"),
            nullable=False,
        ),
        sa.Column("council_part", sa.Text(), nullable=True),
        sa.Column("funding_model", sa.Text(), nullable=True),
        sa.Column("legal_form", sa.Text(), nullable=True),
        sa.Column("contact_url", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("source_url", sa.Text(), nullable=True),
        sa.Column("source_title", sa.Text(), nullable=True),
        sa.Column("source_date", sa.Text(), nullable=True),
        sa.Column("checked_on", sa.Date(), nullable=True),
        sa.Column("seed_ref", sa.Text(), nullable=True),
        sa.Column("dataset_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            _in(
                "membership_basis",
                (
                    "all_schools_in_area",
                    "maintained_plus_subscribing_academies",
                    "subscribing_schools",
                    "named_list",
                    "unknown",
                ),
            ),
            name=op.f("ck_partnership_membership_membership_basis_known"),
        ),
        sa.CheckConstraint(
            _in("council_part", ("founder", "funder", "member", "commissioner", "none_stated")),
            name=op.f("ck_partnership_membership_council_part_known"),
        ),
        sa.CheckConstraint(
            _in(
                "funding_model",
                (
                    "subscription",
                    "council_grant",
                    "traded_services",
                    "charity_or_grant",
                    "mixed",
                    "unknown",
                ),
            ),
            name=op.f("ck_partnership_membership_funding_model_known"),
        ),
        sa.CheckConstraint(
            _in(
                "legal_form",
                (
                    "company_limited_by_guarantee",
                    "charity",
                    "community_interest_company",
                    "council_hosted",
                    "unincorporated",
                    "unknown",
                ),
            ),
            name=op.f("ck_partnership_membership_legal_form_known"),
        ),
        sa.CheckConstraint(
            "member_count_stated IS NULL OR member_count_stated >= 0",
            name=op.f("ck_partnership_membership_member_count_positive"),
        ),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["dataset.id"],
            name=op.f("fk_partnership_membership_dataset_id_dataset"),
        ),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnership.id"],
            ondelete="CASCADE",
            name=op.f("fk_partnership_membership_partnership_id_partnership"),
        ),
        sa.PrimaryKeyConstraint("partnership_id", name=op.f("pk_partnership_membership")),
    )
    op.execute("DROP VIEW IF EXISTS partnership_trust_link")
    op.execute(TRUST_LINK_VIEW)


def downgrade() -> None:
    """Restore the earlier schema and view."""
    op.execute("DROP VIEW IF EXISTS partnership_trust_link")
    op.execute(OLD_TRUST_LINK_VIEW)
    op.drop_table("partnership_membership")
    op.drop_column("partnership_member", "origin")
    op.drop_constraint(
        op.f("ck_area_landscape_collaboration_forms_known"), "area_landscape", type_="check"
    )
    op.drop_constraint(op.f("ck_area_landscape_confidence_known"), "area_landscape", type_="check")
    op.drop_constraint(
        op.f("fk_area_landscape_dataset_id_dataset"), "area_landscape", type_="foreignkey"
    )
    for name in (
        "dataset_id",
        "collaboration_forms",
        "seed_ref",
        "checked_on",
        "confidence",
        "source_date",
        "source_title",
        "source_url",
        "provider_url",
        "provider_name",
    ):
        op.drop_column("area_landscape", name)
