"""Partnership coverage view: every area a partnership serves, rolled up and down the hierarchy

Revision ID: 18a73f39b744
Revises: 92be18b45004
Create Date: 2026-11-23 13:08:19.202920

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '18a73f39b744'
down_revision: Union[str, Sequence[str], None] = '92be18b45004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


COVERAGE_VIEW = """
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


def upgrade() -> None:
    """Create the view: a partnership serving a district also serves its county, CA, region."""
    op.execute(COVERAGE_VIEW)


def downgrade() -> None:
    """Drop the view."""
    op.execute("DROP VIEW IF EXISTS partnership_coverage")
