"""Notify listeners of every data change; store and index the areas each partnership serves

Revision ID: c4e1d2a9b7f3
Revises: 5c1e7a9d2b40
Create Date: 2026-12-06 07:45:00

"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "c4e1d2a9b7f3"
down_revision: Union[str, Sequence[str], None] = "5c1e7a9d2b40"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

NOTIFY_FUNCTION = """
CREATE FUNCTION notify_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- 'name:id': app processes keep the newest id per source in memory (app/services/versions.py).
    -- Delivered on commit only, so a rolled-back import or approval notifies nobody.
    PERFORM pg_notify('data_version', NEW.name || ':' || NEW.id);
    RETURN NULL;
END $$
"""


# The partnership_coverage view, stored: hot queries filter it by area, which the view cannot do
# without rolling up every partnership first.
SERVED_AREA = """
CREATE MATERIALIZED VIEW partnership_served_area AS
SELECT partnership_id, area_code, direct, whole FROM partnership_coverage
"""
# Any statement that changes partnership_area or area marks the stored coverage stale (one row,
# at most, per transaction); a deferred trigger on that row refreshes it once, at commit, whoever
# made the change (an import, an approval, a revert, a script). CONCURRENTLY: readers go on
# reading the previous rows meanwhile.
MARK_STALE = """
CREATE FUNCTION mark_partnership_served_area_stale() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO partnership_served_area_stale DEFAULT VALUES ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$
"""
REFRESH_AT_COMMIT = """
CREATE FUNCTION refresh_partnership_served_area() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    REFRESH MATERIALIZED VIEW CONCURRENTLY partnership_served_area;
    DELETE FROM partnership_served_area_stale;
    RETURN NULL;
END $$
"""


def upgrade() -> None:
    """Notify on dataset changes; store the coverage and keep it fresh at every commit."""
    op.execute(NOTIFY_FUNCTION)
    op.execute(
        "CREATE TRIGGER dataset_notify_data_version AFTER INSERT OR UPDATE ON dataset"
        " FOR EACH ROW EXECUTE FUNCTION notify_data_version()"
    )
    op.execute(SERVED_AREA)
    op.execute(
        "CREATE UNIQUE INDEX pk_partnership_served_area"
        " ON partnership_served_area (partnership_id, area_code)"
    )
    op.execute(
        "CREATE INDEX ix_partnership_served_area_area_code"
        " ON partnership_served_area (area_code, partnership_id)"
    )
    op.create_table(
        "partnership_served_area_stale",
        sa.Column("stale", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.CheckConstraint("stale", name=op.f("ck_partnership_served_area_stale_only_true")),
        sa.PrimaryKeyConstraint("stale", name=op.f("pk_partnership_served_area_stale")),
    )
    op.execute(MARK_STALE)
    op.execute(REFRESH_AT_COMMIT)
    for table in ("partnership_area", "area"):
        op.execute(
            f"CREATE TRIGGER {table}_marks_coverage_stale"
            f" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}"
            " FOR EACH STATEMENT EXECUTE FUNCTION mark_partnership_served_area_stale()"
        )
    # An ended partnership serves nothing, so a change of status changes the coverage too.
    op.execute(
        "CREATE TRIGGER partnership_status_marks_coverage_stale"
        " AFTER UPDATE OF status ON partnership"
        " FOR EACH STATEMENT EXECUTE FUNCTION mark_partnership_served_area_stale()"
    )
    op.execute(
        "CREATE CONSTRAINT TRIGGER partnership_served_area_refresh_at_commit"
        " AFTER INSERT ON partnership_served_area_stale DEFERRABLE INITIALLY DEFERRED"
        " FOR EACH ROW EXECUTE FUNCTION refresh_partnership_served_area()"
    )


def downgrade() -> None:
    """Drop the stored coverage with its triggers, then the notification trigger."""
    op.execute("DROP TRIGGER IF EXISTS partnership_status_marks_coverage_stale ON partnership")
    for table in ("partnership_area", "area"):
        op.execute(f"DROP TRIGGER IF EXISTS {table}_marks_coverage_stale ON {table}")
    op.drop_table("partnership_served_area_stale")
    op.execute("DROP FUNCTION IF EXISTS refresh_partnership_served_area()")
    op.execute("DROP FUNCTION IF EXISTS mark_partnership_served_area_stale()")
    op.execute("DROP MATERIALIZED VIEW IF EXISTS partnership_served_area")
    op.execute("DROP TRIGGER IF EXISTS dataset_notify_data_version ON dataset")
    op.execute("DROP FUNCTION IF EXISTS notify_data_version()")
