"""Partnership-trust links: which academy trusts a partnership involves, and how we know

Revision ID: 93ea4c2b1a96
Revises: 18a73f39b744
Create Date: 2026-11-23 13:09:01.664597

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '93ea4c2b1a96'
down_revision: Union[str, Sequence[str], None] = '18a73f39b744'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


TRUST_LINK_VIEW = r"""
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


def upgrade() -> None:
    """Create the view; matches on the GIAS trust name exactly, never fuzzily."""
    op.execute(TRUST_LINK_VIEW)


def downgrade() -> None:
    """Drop the view."""
    op.execute("DROP VIEW IF EXISTS partnership_trust_link")
