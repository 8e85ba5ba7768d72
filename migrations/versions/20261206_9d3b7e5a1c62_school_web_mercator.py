"""Schools keep a Web Mercator point, derived by PostgreSQL and indexed, for vector tiles

Revision ID: 9d3b7e5a1c62
Revises: c4e1d2a9b7f3
Create Date: 2026-12-06 10:40:00

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

# revision identifiers, used by Alembic.
revision: str = "9d3b7e5a1c62"
down_revision: Union[str, Sequence[str], None] = "c4e1d2a9b7f3"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Add school.geom_3857 (generated from geom) with a GiST index."""
    op.add_column(
        "school",
        sa.Column(
            "geom_3857",
            Geometry(
                geometry_type="POINT",
                srid=3857,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            sa.Computed("ST_Transform(geom, 3857)", persisted=True),
            nullable=True,
        ),
    )
    op.create_geospatial_index(
        "idx_school_geom_3857",
        "school",
        ["geom_3857"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )


def downgrade() -> None:
    """Drop the Web Mercator point and its index."""
    op.drop_geospatial_index(
        "idx_school_geom_3857",
        table_name="school",
        postgresql_using="gist",
        column_name="geom_3857",
    )
    op.drop_column("school", "geom_3857")
