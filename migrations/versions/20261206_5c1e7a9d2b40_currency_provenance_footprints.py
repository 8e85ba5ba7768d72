"""Currency, provenance and footprints: checked dates, status evidence, who verified, whole or part
of an area, the known size of each national network, and coverage that never counts ended records

Revision ID: 5c1e7a9d2b40
Revises: d6ac5993c1f4
Create Date: 2026-12-06 07:50:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '5c1e7a9d2b40'
down_revision: Union[str, Sequence[str], None] = "5c1e2a7d9b40"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# Kept in step with app.models.CURRENCY_SQL.
CURRENCY_SQL = (
    "CASE WHEN status = 'ended' THEN 'ended'"
    " WHEN last_verified IS NOT NULL"
    " OR COALESCE(CAST(substring(COALESCE(NULLIF(status_evidence_date, ''), source_date)"
    " FROM '^([0-9]{4})') AS integer), 0) >= 2021"
    " OR (status = 'active' AND checked_on IS NOT NULL"
    " AND COALESCE(NULLIF(status_evidence_date, ''), source_date, '') !~ '^[0-9]{4}')"
    " THEN 'current'"
    " ELSE 'unconfirmed' END"
)

OLD_COVERAGE_VIEW = """
CREATE VIEW partnership_coverage AS
WITH direct AS (
    SELECT pa.partnership_id, a.code, a.parent_code, a.combined_authority_code, a.region_code
    FROM partnership_area pa
    JOIN area a ON a.code = pa.area_code
), reached AS (
    SELECT partnership_id, code AS area_code, true AS direct FROM direct
    UNION ALL  -- the districts of a county
    SELECT d.partnership_id, c.code, false FROM direct d JOIN area c ON c.parent_code = d.code
    UNION ALL  -- the county of a district
    SELECT partnership_id, parent_code, false FROM direct WHERE parent_code IS NOT NULL
    UNION ALL
    SELECT partnership_id, combined_authority_code, false FROM direct
    WHERE combined_authority_code IS NOT NULL
    UNION ALL
    SELECT partnership_id, region_code, false FROM direct WHERE region_code IS NOT NULL
    UNION ALL
    SELECT partnership_id, 'E92000001', false FROM direct
)
SELECT partnership_id, area_code, bool_or(direct) AS direct
FROM reached
GROUP BY partnership_id, area_code
"""

# An ended partnership serves nothing. ``whole`` is true where the partnership covers all of the
# area: a whole-area link and the districts of a county it wholly covers; a county reached from
# one of its districts, and the combined authority, region and country, are covered only in part.
COVERAGE_VIEW = """
CREATE VIEW partnership_coverage AS
WITH direct AS (
    SELECT pa.partnership_id, pa.whole, a.code, a.parent_code, a.combined_authority_code,
           a.region_code
    FROM partnership_area pa
    JOIN area a ON a.code = pa.area_code
    JOIN partnership p ON p.id = pa.partnership_id
    WHERE p.status <> 'ended'
), reached AS (
    SELECT partnership_id, code AS area_code, true AS direct, whole FROM direct
    UNION ALL  -- the districts of a county
    SELECT d.partnership_id, c.code, false, d.whole FROM direct d JOIN area c ON c.parent_code = d.code
    UNION ALL  -- the county of a district
    SELECT partnership_id, parent_code, false, false FROM direct WHERE parent_code IS NOT NULL
    UNION ALL
    SELECT partnership_id, combined_authority_code, false, false FROM direct
    WHERE combined_authority_code IS NOT NULL
    UNION ALL
    SELECT partnership_id, region_code, false, false FROM direct WHERE region_code IS NOT NULL
    UNION ALL
    SELECT partnership_id, 'E92000001', false, false FROM direct
)
SELECT partnership_id, area_code, bool_or(direct) AS direct, bool_or(whole) AS whole
FROM reached
GROUP BY partnership_id, area_code
"""


def upgrade() -> None:
    """Add the columns, the derived currency, and redefine coverage."""
    op.add_column('partnership', sa.Column('checked_on', sa.Date(), nullable=True))
    op.add_column('partnership', sa.Column('status_evidence_url', sa.Text(), nullable=True))
    op.add_column('partnership', sa.Column('status_evidence_title', sa.Text(), nullable=True))
    op.add_column('partnership', sa.Column('status_evidence_date', sa.Text(), nullable=True))
    op.add_column('partnership', sa.Column('verified_by_id', sa.Integer(), nullable=True))
    op.add_column('partnership', sa.Column('verification_note', sa.Text(), nullable=True))
    op.add_column(
        'partnership', sa.Column('moderated_at', sa.DateTime(timezone=True), nullable=True)
    )
    op.create_foreign_key(
        op.f('fk_partnership_verified_by_id_moderator'), 'partnership', 'moderator',
        ['verified_by_id'], ['id'],
    )
    # Until now the importer copied source_date into last_verified; it now means a moderator's check.
    op.execute(
        "UPDATE partnership p SET last_verified = NULL WHERE NOT EXISTS ("
        " SELECT 1 FROM revision r WHERE r.partnership_id = p.id AND r.moderator_id IS NOT NULL)"
    )
    op.add_column(
        'partnership',
        sa.Column('currency', sa.Text(), sa.Computed(CURRENCY_SQL, persisted=True), nullable=False),
    )
    op.create_index(op.f('ix_partnership_currency'), 'partnership', ['currency'], unique=False)
    op.add_column(
        'partnership_area',
        sa.Column('whole', sa.Boolean(), server_default='true', nullable=False),
    )
    op.execute("UPDATE partnership_area SET whole = false WHERE note IS NOT NULL")
    op.add_column('partnership_kind', sa.Column('network_size', sa.SmallInteger(), nullable=True))
    op.add_column(
        'partnership_kind',
        sa.Column('network_size_approx', sa.Boolean(), server_default='false', nullable=False),
    )
    op.add_column('partnership_kind', sa.Column('network_size_source', sa.Text(), nullable=True))
    op.execute("DROP VIEW IF EXISTS partnership_coverage")
    op.execute(COVERAGE_VIEW)


def downgrade() -> None:
    """Restore the old view and drop the columns."""
    op.execute("DROP VIEW IF EXISTS partnership_coverage")
    op.execute(OLD_COVERAGE_VIEW)
    op.drop_column('partnership_kind', 'network_size_source')
    op.drop_column('partnership_kind', 'network_size_approx')
    op.drop_column('partnership_kind', 'network_size')
    op.drop_column('partnership_area', 'whole')
    op.drop_index(op.f('ix_partnership_currency'), table_name='partnership')
    op.drop_column('partnership', 'currency')
    op.drop_constraint(
        op.f('fk_partnership_verified_by_id_moderator'), 'partnership', type_='foreignkey'
    )
    op.drop_column('partnership', 'moderated_at')
    op.drop_column('partnership', 'verification_note')
    op.drop_column('partnership', 'verified_by_id')
    op.drop_column('partnership', 'status_evidence_date')
    op.drop_column('partnership', 'status_evidence_title')
    op.drop_column('partnership', 'status_evidence_url')
    op.drop_column('partnership', 'checked_on')
