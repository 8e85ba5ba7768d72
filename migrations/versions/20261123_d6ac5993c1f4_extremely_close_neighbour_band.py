"""The May 2025 statistical-neighbour model adds an "extremely close" band

Revision ID: d6ac5993c1f4
Revises: 0f741c780cb7
Create Date: 2026-11-23 14:09:12.848684

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision: str = 'd6ac5993c1f4'
down_revision: Union[str, Sequence[str], None] = '0f741c780cb7'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

OLD = "closeness IN ('very_close', 'close', 'somewhat_close', 'not_close')"
NEW = "closeness IN ('extremely_close', 'very_close', 'close', 'somewhat_close', 'not_close')"
NAME = "ck_statistical_neighbour_closeness_known"

def upgrade() -> None:
    """Allow the new band."""
    op.drop_constraint(op.f(NAME), "statistical_neighbour", type_="check")
    op.create_check_constraint("closeness_known", "statistical_neighbour", NEW)

def downgrade() -> None:
    """Fold the band back into 'very close' and restore the old check."""
    op.execute("UPDATE statistical_neighbour SET closeness = 'very_close' WHERE closeness = 'extremely_close'")
    op.drop_constraint(op.f(NAME), "statistical_neighbour", type_="check")
    op.create_check_constraint("closeness_known", "statistical_neighbour", OLD)
