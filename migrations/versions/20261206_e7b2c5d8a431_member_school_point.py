"""Store and index where each current member school is, for near-me's partnerships nearby

Revision ID: e7b2c5d8a431
Revises: 9d3b7e5a1c62
Create Date: 2026-12-06 13:10:00

"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "e7b2c5d8a431"
down_revision: Union[str, Sequence[str], None] = "9d3b7e5a1c62"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# Near-me asks which partnerships have a member school within 10 km. Read from school, that
# means every school in the circle (about 900 in central London) to keep the few that are
# members; read from this, only the members, through their own spatial index.
MEMBER_SCHOOL_POINT = """
CREATE MATERIALIZED VIEW member_school_point AS
SELECT m.id AS member_id, m.partnership_id, s.urn, s.name, s.geom_bng
FROM partnership_member m
JOIN school s ON s.urn = m.urn
WHERE m.member_type = 'school' AND m.left_on IS NULL AND s.geom_bng IS NOT NULL
"""
# The same keep-fresh scheme as partnership_served_area (migration c4e1d2a9b7f3): any statement
# that changes partnership_member or school marks the points stale (one row at most per
# transaction), and a deferred trigger on that row refreshes them once, at commit.
MARK_STALE = """
CREATE FUNCTION mark_member_school_point_stale() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO member_school_point_stale DEFAULT VALUES ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$
"""
REFRESH_AT_COMMIT = """
CREATE FUNCTION refresh_member_school_point() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    REFRESH MATERIALIZED VIEW CONCURRENTLY member_school_point;
    DELETE FROM member_school_point_stale;
    RETURN NULL;
END $$
"""
TABLES = ("partnership_member", "school")


def upgrade() -> None:
    """Store current member schools' points with a GiST index; keep them fresh at every commit."""
    op.execute(MEMBER_SCHOOL_POINT)
    op.execute("CREATE UNIQUE INDEX pk_member_school_point ON member_school_point (member_id)")
    op.execute(
        "CREATE INDEX idx_member_school_point_geom_bng ON member_school_point USING gist (geom_bng)"
    )
    op.create_table(
        "member_school_point_stale",
        sa.Column("stale", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.CheckConstraint("stale", name=op.f("ck_member_school_point_stale_only_true")),
        sa.PrimaryKeyConstraint("stale", name=op.f("pk_member_school_point_stale")),
    )
    op.execute(MARK_STALE)
    op.execute(REFRESH_AT_COMMIT)
    for table in TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_marks_member_points_stale"
            f" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}"
            " FOR EACH STATEMENT EXECUTE FUNCTION mark_member_school_point_stale()"
        )
    op.execute(
        "CREATE CONSTRAINT TRIGGER member_school_point_refresh_at_commit"
        " AFTER INSERT ON member_school_point_stale DEFERRABLE INITIALLY DEFERRED"
        " FOR EACH ROW EXECUTE FUNCTION refresh_member_school_point()"
    )


def downgrade() -> None:
    """Drop the stored member points with their triggers."""
    for table in TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_marks_member_points_stale ON {table}")
    op.drop_table("member_school_point_stale")
    op.execute("DROP FUNCTION IF EXISTS refresh_member_school_point()")
    op.execute("DROP FUNCTION IF EXISTS mark_member_school_point_stale()")
    op.execute("DROP MATERIALIZED VIEW IF EXISTS member_school_point")
